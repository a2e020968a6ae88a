"""PyWebIO's imperative session API, in Jupyter cells and on a Tornado-served page."""

from __future__ import annotations

from typing import Any

from ._version import __version__

__all__ = ["__version__", "start_server"]


def __getattr__(name: str) -> Any:
    # `from jupyter_session import start_server`, as `from pywebio import start_server`, without importing
    # Tornado for users who never start a server.
    if name == "start_server":
        from .platform.tornado import start_server

        return start_server
    raise AttributeError(f"module 'jupyter_session' has no attribute {name!r}")
