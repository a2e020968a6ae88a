"""Platforms that run sessions and carry their messages to a browser page.

``jupyter_session.platform.tornado``: a Tornado server and its WebSocket (also script mode).
"""
