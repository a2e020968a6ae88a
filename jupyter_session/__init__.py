"""PyWebIO's imperative session API, in Jupyter cells and on a Tornado-served page."""

from __future__ import annotations

from typing import Any

from ._version import __version__
from .session import Session, set_script_mode_starter

__all__ = ["__version__", "config", "start_server", "load_ipython_extension", "unload_ipython_extension"]


def __getattr__(name: str) -> Any:
    # `from jupyter_session import start_server, config`, as from pywebio, without importing Tornado for
    # users who never start a server.
    if name == "start_server":
        from .platform.tornado import start_server

        return start_server
    if name == "config":
        from .platform._page import config

        return config
    raise AttributeError(f"module 'jupyter_session' has no attribute {name!r}")


def _start_script_mode() -> type[Session]:
    # Imported on first use: a server's process never loads the Jupyter platform, a kernel never Tornado.
    from .platform import start_script_mode

    return start_script_mode()


# The session layer knows no platform: it asks this when a session function runs outside any session.
set_script_mode_starter(_start_script_mode)


def load_ipython_extension(ipython: Any) -> None:
    """``%load_ext jupyter_session``: session and output functions work in the cells that follow."""
    from .platform.jupyter import load_ipython_extension as load

    load(ipython)


def unload_ipython_extension(ipython: Any) -> None:
    """``%unload_ext jupyter_session``: close the notebook session and give the kernel back as it was."""
    from .platform.jupyter import unload_ipython_extension as unload

    unload(ipython)
