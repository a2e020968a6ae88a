"""Platforms that run sessions and carry their messages to a browser page, and PyWebIO 1.8.4's
``pywebio.platform`` names.

Here: ``start_server`` (Tornado's), ``config``, ``seo`` (deprecated), ``run_event_loop``, ``path_deploy`` and
``path_deploy_http``. The backends are submodules, imported on first use (``jupyter_session.platform.tornado``
works without importing it first, as in PyWebIO):

``tornado``: a Tornado server and its WebSocket (also script mode); ``aiohttp``, ``fastapi``: the same on
those frameworks; ``tornado_http``, ``flask``, ``django``: PyWebIO's HTTP protocol (``_http``: long-polled
pulls, pushed events); ``jupyter``: a Jupyter kernel, its cells and the notebook widget.

Web backends are built on ``_core`` (no framework in it: the page's socket as a transport, the apps on one path,
reconnection, downloads); ``_page`` renders the page and the app index.

Importing this package imports neither Tornado nor the Jupyter platform.
"""

from __future__ import annotations

import importlib
import sys
import warnings
from collections.abc import Callable
from typing import Any, TypeVar, overload

from ..session.base import Session
from ._page import PageConfig, config
from .path_deploy import path_deploy, path_deploy_http

__all__ = [
    "config",
    "path_deploy",
    "path_deploy_http",
    "run_event_loop",
    "seo",
    "start_script_mode",
    "start_server",
]

F = TypeVar("F", bound=Callable[..., Any])

#: The backends, imported on first use.
_BACKENDS = ("tornado", "aiohttp", "fastapi", "tornado_http", "flask", "django")


def __getattr__(name: str) -> Any:
    # `jupyter_session.platform.tornado` and `.start_server` without importing Tornado for those who never do.
    if name == "start_server":
        from .tornado import start_server

        return start_server
    if name in _BACKENDS:
        module = f"{__name__}.{name}"
        try:
            return importlib.import_module(module)
        except ModuleNotFoundError as exc:
            if exc.name != module:
                raise  # the backend is here, a library it needs is not: that error names it
            raise AttributeError(
                f"{module} is missing from this installation of jupyter_session (its file "
                f"jupyter_session/platform/{name}.py is not there)",
                name=name,
                obj=sys.modules[__name__],
            ) from None
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}", name=name, obj=sys.modules[__name__])


@overload
def seo(title: str, description: str | None = None, app: None = None) -> PageConfig: ...


@overload
def seo(title: str, description: str | None, app: F) -> F: ...


def seo(title: str, description: str | None = None, app: Callable[..., Any] | None = None) -> Any:
    """The title and description of an app's page: deprecated (since PyWebIO 1.4), use ``config``.

    ``seo(title, description, app)`` sets them for ``app`` and returns it; ``@seo(title, description)``
    decorates an app; ``seo(title, description)`` alone sets them for every app."""
    warnings.warn(
        "`jupyter_session.platform.seo()` is deprecated (as `pywebio.platform.seo()` since PyWebIO 1.4) and will "
        "be removed: use `jupyter_session.config(title=..., description=...)` instead",
        DeprecationWarning,
        stacklevel=2,
    )
    settings = config(title=title, description=description)
    return settings(app) if app is not None else settings


def start_script_mode() -> type[Session]:
    """Start the session of code that runs outside any server: in a Jupyter kernel the notebook session,
    elsewhere (a plain script, the IPython terminal) a Tornado server and a browser page."""
    from .jupyter import kernel_of_this_process, start_notebook_session

    kernel = kernel_of_this_process()
    if kernel is not None:
        return start_notebook_session(kernel)
    from ._script import start_script_server

    return start_script_server()


def run_event_loop(debug: bool = False) -> None:
    """Run a new asyncio event loop in the calling thread until it is stopped, as PyWebIO's: for coroutine
    apps served by a WSGI framework (Flask, Django), whose requests run in threads of their own. Start it in a
    daemon thread; their ``start_server`` does. ``debug`` sets the loop's debug mode."""
    from ._http import run_event_loop

    run_event_loop(debug)
