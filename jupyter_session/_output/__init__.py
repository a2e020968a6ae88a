"""The code behind ``jupyter_session.output``, which re-exports its public names.

``core`` holds ``Output`` and what every output is built with; ``scopes``, ``content``, ``layout``,
``popups``, ``media``, ``datatable`` and ``deprecated`` build on it (``layout``, ``popups`` and ``deprecated``
also on ``scopes``/``content``). None of them imports ``jupyter_session.output``.
"""
