"""Platforms that run sessions and carry their messages to a browser page.

``jupyter_session.platform.tornado``: a Tornado server and its WebSocket (also script mode).
``jupyter_session.platform.jupyter``: a Jupyter kernel, its cells and the notebook widget.

Web backends are built on ``_core`` (no framework in it: the page's socket as a transport, the apps on one path,
reconnection, downloads); ``_page`` renders the page and the app index.
"""

from __future__ import annotations

from ..session.base import Session
from ._page import config

__all__ = ["config", "start_script_mode"]


def start_script_mode() -> type[Session]:
    """Start the session of code that runs outside any server: in a Jupyter kernel the notebook session,
    elsewhere (a plain script, the IPython terminal) a Tornado server and a browser page."""
    from .jupyter import kernel_of_this_process, start_notebook_session

    kernel = kernel_of_this_process()
    if kernel is not None:
        return start_notebook_session(kernel)
    from .tornado import _start_script_mode_server

    return _start_script_mode_server()
