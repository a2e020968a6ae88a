"""PyWebIO's imperative session API, in Jupyter cells and on a Tornado-served page."""

from __future__ import annotations

import logging
from typing import Any

# As in PyWebIO, `import jupyter_session` is enough for `jupyter_session.output.put_text(...)`.
from . import input, output, pin, platform, session
from ._version import __version__
from .exceptions import SessionClosedException, SessionException, SessionNotFoundException
from .session import Session, set_script_mode_starter

__all__ = [
    "__version__",
    "input",
    "output",
    "pin",
    "platform",
    "session",
    "SessionException",
    "SessionClosedException",
    "SessionNotFoundException",
    "STATIC_PATH",
    "config",
    "enable_debug",
    "start_server",
    "load_ipython_extension",
    "unload_ipython_extension",
]


def __getattr__(name: str) -> Any:
    # `from jupyter_session import start_server, config`, as from pywebio, without importing Tornado for
    # users who never start a server.
    if name == "start_server":
        from .platform.tornado import start_server

        return start_server
    if name == "config":
        from .platform._page import config

        return config
    if name == "STATIC_PATH":  # PyWebIO's, for apps that serve the page's files themselves: a str, as there
        from .utils import STATIC_PATH

        return STATIC_PATH
    raise AttributeError(f"module 'jupyter_session' has no attribute {name!r}")


def enable_debug(level: int | None = None) -> None:
    """Print this package's log messages, and Tornado's (its access, app and general logs), to stderr from
    ``level`` up (``None``: ``logging.DEBUG``), as PyWebIO's ``enable_debug``: each of those loggers gets one
    stderr handler in place of its others and stops passing its messages to the root logger."""
    from tornado.log import access_log, app_log, gen_log

    level = level or logging.DEBUG
    handler = logging.StreamHandler()
    handler.setLevel(level)
    handler.setFormatter(
        logging.Formatter(
            "[%(levelname)s %(asctime)s %(module)s:%(lineno)d %(funcName)s] %(message)s", datefmt="%y%m%d %H:%M:%S"
        )
    )
    for logger in [logging.getLogger(__name__), access_log, app_log, gen_log]:
        logger.handlers = [handler]
        logger.setLevel(level)
        logger.propagate = False


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
