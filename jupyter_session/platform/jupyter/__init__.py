"""The Jupyter platform: ``%load_ext jupyter_session`` makes the session API work in the cells that follow.

Outputs appear under the cell that made them, in a widget drawn by the same renderer as the Tornado page;
``eval_js`` and the other waits block the cell until the browser answers over the widget's comm. Without
``%load_ext``, the first session call in a kernel loads the extension itself; in a plain script or the IPython
terminal the Tornado platform serves a page instead.
"""

from __future__ import annotations

import atexit
import logging
import sys
import threading
from typing import Any

from ...session import register_session_implement, unregister_session_implement
from ...session.base import Session
from ._replies import install_router
from ._session import Frontend, NotebookSession, VoilaFrontend, parent_of
from ._widget import SessionWidget

__all__ = [
    "load_ipython_extension",
    "unload_ipython_extension",
    "NotebookSession",
    "SessionWidget",
    "kernel_of_this_process",
    "start_notebook_session",
]

logger = logging.getLogger(__name__)


def kernel_of_this_process() -> Any | None:
    """The ipykernel kernel running this code, or None (plain Python, the IPython terminal)."""
    if "IPython" not in sys.modules:
        return None
    from IPython import get_ipython

    return getattr(get_ipython(), "kernel", None)


class _Loaded:
    """What loading the extension changed, so that unloading puts it all back."""

    def __init__(self, shell: Any, session: NotebookSession) -> None:
        self.shell = shell
        self.session = session

    def pre_run_cell(self, _info: Any) -> None:
        self.session.start_cell(parent_of(self.session.kernel))

    def post_run_cell(self, _result: Any) -> None:
        self.session.end_cell()

    def on_exit(self) -> None:
        self.session.close(reason="the kernel shut down")


_loaded: _Loaded | None = None
_exit_hooked = False


def _on_exit() -> None:
    if _loaded is not None:
        _loaded.on_exit()


def _hook_exit() -> None:
    """Close the session when the kernel exits, before Python waits for the threads that are not daemons: one
    of the session's threads may run until the session closes, and a plain ``atexit`` hook runs only after that
    wait (a restart would hang, then kill the kernel, and ``defer_call`` would not run)."""
    global _exit_hooked
    if _exit_hooked:
        return
    before_threads_join = getattr(threading, "_register_atexit", None)  # Python >= 3.9; what concurrent.futures uses
    try:
        (before_threads_join or atexit.register)(_on_exit)
    except RuntimeError:  # the interpreter is shutting down already
        return
    _exit_hooked = True


def _page_frontend() -> Frontend:
    """What kind of page shows this kernel's outputs: Colab's, Voilà's, or JupyterLab's and the like."""
    from ._colab import ColabFrontend

    colab = ColabFrontend.detect()
    if colab is not None:
        return colab
    return VoilaFrontend() if VoilaFrontend.runs_here() else Frontend()


def start_notebook_session(kernel: Any) -> type[Session]:
    """Start (once per kernel) the notebook session and return its class."""
    global _loaded
    if _loaded is None or _loaded.session.closed():
        router = install_router(kernel)
        try:
            session = NotebookSession(kernel, router, _page_frontend())
        except BaseException:
            router.close()
            raise
        _loaded = _Loaded(kernel.shell, session)
        kernel.shell.events.register("pre_run_cell", _loaded.pre_run_cell)
        kernel.shell.events.register("post_run_cell", _loaded.post_run_cell)
        _hook_exit()
    return register_session_implement(NotebookSession)


def load_ipython_extension(ipython: Any) -> None:
    kernel = getattr(ipython, "kernel", None)
    if kernel is None:
        print("jupyter_session: not in a Jupyter kernel; session calls will serve a page with Tornado instead")
        return
    start_notebook_session(kernel)


def unload_ipython_extension(ipython: Any) -> None:
    global _loaded
    loaded, _loaded = _loaded, None
    if loaded is None:
        return
    loaded.shell.events.unregister("pre_run_cell", loaded.pre_run_cell)
    loaded.shell.events.unregister("post_run_cell", loaded.post_run_cell)
    loaded.session.close(reason="the extension was unloaded")
    loaded.session.router.close()
    unregister_session_implement(NotebookSession)
