"""PyWebIO 1.8.4's ``pywebio.session`` API: talk to the browser page of the current session.

Every function here works in thread-based and coroutine-based sessions alike; in a coroutine session the
waiting ones (``eval_js``, ``hold``) must be awaited. The session is found from the calling thread or task;
the registry (``_registry``) picks the session class in use (PyWebIO's "implementation registry"), and
``_bridge`` runs each waiting function as a plain call or a coroutine to match.

Differences from PyWebIO 1.8.4 (see also the README):

* ``eval_js`` takes ``timeout=`` (seconds, default 10) and raises ``SessionTimeout``; PyWebIO waited forever.
  When the JavaScript throws or its promise rejects it raises ``JSError``; PyWebIO returned ``None``.
* ``download`` sends the bytes as binary chunks, not base64.
* ``set_env`` raises ``TypeError``/``ValueError`` for an unknown key or a bad value; PyWebIO asserted only keys.
"""

from __future__ import annotations

import json
import re
import threading
import warnings
from collections.abc import Callable, Coroutine, Generator
from typing import Any, TypeVar

from .._utils import ObjectDictProxy, ReadOnlyObjectDict, iscoroutinefunction, isgeneratorfunction
from ..exceptions import SessionClosedException, SessionException, SessionNotFoundException
from ..protocol import Command
from . import _registry
from ._bridge import chose_impl, run_as_function, to_coroutine
from ._registry import (
    check_session_impl,
    get_current_session,
    get_current_task_id,
    get_session_implement,
    register_session_implement,
    set_script_mode_starter,
    unregister_session_implement,
)
from .base import Session, js_reply_value
from .coroutinebased import CoroutineBasedSession, TaskHandler
from .threadbased import ScriptModeSession, ThreadBasedSession

__all__ = [
    "run_async",
    "run_asyncio_coroutine",
    "register_thread",
    "hold",
    "defer_call",
    "data",
    "get_info",
    "run_js",
    "eval_js",
    "download",
    "set_env",
    "go_app",
    "local",
    "info",
    # Also public in PyWebIO's module, for platforms and advanced use:
    "Session",
    "ThreadBasedSession",
    "CoroutineBasedSession",
    "ScriptModeSession",
    "TaskHandler",
    "SessionException",
    "SessionClosedException",
    "SessionNotFoundException",
    "register_session_implement",
    "register_session_implement_for_target",
    "unregister_session_implement",
    "set_script_mode_starter",
    "get_session_implement",
    "get_current_session",
    "get_current_task_id",
    "check_session_impl",
    "chose_impl",
    "next_client_event",
    "run_as_function",
    "to_coroutine",
    "iscoroutinefunction",
    "isgeneratorfunction",
    "ObjectDictProxy",
    "ReadOnlyObjectDict",
    "EVAL_JS_TIMEOUT",
]

#: Seconds ``eval_js`` waits for the browser unless given ``timeout=``.
EVAL_JS_TIMEOUT = 10.0

F = TypeVar("F", bound=Callable[..., Any])


def register_session_implement_for_target(target_func: Callable[..., Any]) -> type[Session]:
    """Mark as in use, and return, the session class that runs ``target_func``: coroutine-based for
    coroutine and generator functions, thread-based otherwise.

    Raises ``RuntimeError`` in script mode, where no server can start.
    """
    if iscoroutinefunction(target_func) or isgeneratorfunction(target_func):
        cls: type[Session] = CoroutineBasedSession
    else:
        cls = ThreadBasedSession
    if any(issubclass(active, ScriptModeSession) for active in _registry._active_session_cls):
        raise RuntimeError(
            "cannot start a server: this process already runs in script mode (session functions were called "
            "outside any app, which made the script itself the session). Call start_server() before any other "
            "session function, or run the apps in a process of their own"
        )
    return register_session_implement(cls)


@chose_impl
def next_client_event() -> Generator[Any, Any, Any]:
    """Wait for the next browser event addressed to the current task."""
    __tracebackhide__ = True
    return (yield get_current_session().next_client_event())


def _send(command: str, spec: Any) -> None:
    get_current_session().send_task_command(dict(command=command, task_id=get_current_task_id(), spec=spec))


#: What the browser accepts as an argument name. Names become parameters of a JavaScript function, so anything
#: else (``**{"{[alert(1)]: a}": 0}`` runs when called) would be code.
_JS_NAME = re.compile(r"[A-Za-z_$][A-Za-z0-9_$]*\Z")


def _check_json_args(func: str, args: dict[str, Any]) -> None:
    for name in args:
        if not _JS_NAME.match(name):
            raise ValueError(
                f"{func}: argument names must be JavaScript identifiers (ASCII letters, digits, _ and $), not {name!r}"
            )
    try:
        json.dumps(args)
    except (TypeError, ValueError) as exc:
        raise TypeError(f"{func}: the JavaScript arguments must be JSON-serializable: {exc}") from None


# -- the public functions -----------------------------------------------------------------------------------


def hold() -> Any:
    """Keep the session alive until the browser page is closed.

    Needed only in script mode, to keep callbacks working after the script's last line; in server mode the
    session stays open by itself while it has callbacks. In a notebook it returns at once: the kernel outlives
    its cells, and callbacks keep working after their cell ends. In a coroutine session, ``await hold()``.
    """
    __tracebackhide__ = True
    session = get_current_session()
    if isinstance(session, CoroutineBasedSession):
        return session.wait_closed()
    return _hold()


@chose_impl
def _hold() -> Generator[Any, Any, None]:
    __tracebackhide__ = True
    yield from get_current_session().hold()


def download(name: str, content: bytes | bytearray | memoryview) -> None:
    """Make the browser save ``content`` as a file called ``name``.

    The bytes travel as binary chunks of at most 1 MiB, each acknowledged by the browser (PyWebIO sent one
    base64 string). Returns at once; the transfer goes on in the background.
    """
    if not isinstance(name, str) or not name:
        raise TypeError(f"download: name must be a non-empty str, not {name!r}")
    if not isinstance(content, (bytes, bytearray, memoryview)):
        raise TypeError(f"download: content must be bytes-like, not {type(content).__name__}")
    if not isinstance(content, bytes):
        content = bytes(content)  # the caller may change a bytearray while the transfer runs
    _send("download", dict(name=name, content=content))


def run_js(code_: str, **args: Any) -> None:
    """Run JavaScript in the browser's global scope, without waiting.

    ``args`` become local variables of the code; they travel as JSON data, never as code.
    Errors are reported in the browser console only; use ``eval_js`` to see them in Python.
    """
    _check_json_args("run_js", args)
    _send("run_script", dict(code=code_, args=args))


@chose_impl
def eval_js(expression_: str, *, timeout: float | None = None, **args: Any) -> Generator[Any, Any, Any]:
    """Evaluate a JavaScript expression in the browser and return its value.

    ``args`` become local variables of the expression (JSON data). When the value is a promise, its result is
    returned. In a coroutine session, ``await eval_js(...)``.

    Returns the JSON value (``None`` for ``undefined``).
    Raises ``JSError`` with the browser's message when the expression throws or the promise rejects
    (PyWebIO 1.8.4 returned ``None``), and ``SessionTimeout`` when no answer comes within ``timeout`` seconds
    (default ``EVAL_JS_TIMEOUT``, 10 s; PyWebIO waited forever). ``timeout`` is therefore not available as a
    JavaScript variable name.
    """
    __tracebackhide__ = True
    _check_json_args("eval_js", args)
    limit = EVAL_JS_TIMEOUT if timeout is None else timeout
    if not limit > 0:
        raise ValueError(f"eval_js: timeout must be a positive number of seconds, not {timeout!r}")
    command = Command(command="run_script", task_id=None, spec=dict(code=expression_, args=args, eval=True))
    event = yield from get_current_session().request("eval_js", command, limit)
    return js_reply_value(event)


S = TypeVar("S", bound=Session)


def _current(kind: type[S]) -> S:
    # For functions that `check_session_impl` has let through: the session is of that kind.
    session = get_current_session()
    assert isinstance(session, kind)
    return session


@check_session_impl(CoroutineBasedSession)
def run_async(coro_obj: Coroutine[Any, Any, Any]) -> TaskHandler:
    """Run a coroutine as a new task of the current coroutine-based session; returns its ``TaskHandler``."""
    return _current(CoroutineBasedSession).run_async(coro_obj)


@check_session_impl(CoroutineBasedSession)
async def run_asyncio_coroutine(coro_obj: Coroutine[Any, Any, Any]) -> Any:
    """Await an asyncio coroutine inside a coroutine-based session (kept for PyWebIO compatibility: here the
    session already runs on the asyncio loop, so a plain ``await`` works too)."""
    return await _current(CoroutineBasedSession).run_asyncio_coroutine(coro_obj)


@check_session_impl(ThreadBasedSession)
def register_thread(thread: threading.Thread) -> None:
    """Let ``thread`` call session functions; the session stays open until it returns.

    Call before ``thread.start()``. A registered thread that runs on after its session closed gets
    ``SessionClosedException`` from session functions.
    """
    _current(ThreadBasedSession).register_thread(thread)


def defer_call(func: F) -> F:
    """Run ``func`` when the session closes, whatever the cause; usable as a decorator.

    Deferred functions run in registration order. ``local`` and ``info`` work inside them; functions that talk
    to the browser raise ``SessionClosedException``.
    """
    get_current_session().defer_call(func)
    return func


#: Session-local storage: attributes set here are seen only by the session that set them.
#: A missing attribute reads as ``None``; ``in``, iteration and ``local._dict`` work.
local = ObjectDictProxy(lambda: get_current_session().save)


def data() -> ObjectDictProxy:
    """Deprecated since PyWebIO 1.1: use ``local``."""
    warnings.warn(
        "`jupyter_session.session.data()` is deprecated, use `jupyter_session.session.local` instead",
        DeprecationWarning,
        stacklevel=2,
    )
    return local


_ENV_TYPES: dict[str, type] = {
    "title": str,
    "output_animation": bool,
    "auto_scroll_bottom": bool,
    "http_pull_interval": int,
    "output_max_width": str,
    "input_panel_min_height": int,
    "input_panel_init_height": int,
    "input_panel_fixed": bool,
    "input_auto_focus": bool,
}
_CSS_WIDTH = re.compile(r"^\d+(\.\d+)?(px|%)$")


def set_env(**env_info: Any) -> None:
    """Configure the current session's page.

    Keys: ``title`` (str), ``output_animation`` (bool), ``auto_scroll_bottom`` (bool), ``http_pull_interval``
    (int, ms, > 0; no effect over WebSocket or comm), ``output_max_width`` (str such as ``'1080px'`` or
    ``'80%'``), ``input_panel_min_height`` (int px, >= 75), ``input_panel_init_height`` (int px, >= 175),
    ``input_panel_fixed`` (bool), ``input_auto_focus`` (bool). The ``input_panel_*`` keys shape the standalone
    page's input panel, at the bottom of the window; in a notebook forms stay in the cell's output and they change
    nothing.

    Raises ``TypeError`` for an unknown key or a value of the wrong type and ``ValueError`` for a value out
    of range (PyWebIO asserted only the keys).
    """
    for key, value in env_info.items():
        expected = _ENV_TYPES.get(key)
        if expected is None:
            raise TypeError(f"set_env() got an unknown key {key!r}; valid keys: {', '.join(_ENV_TYPES)}")
        if not isinstance(value, expected) or (expected is int and isinstance(value, bool)):
            raise TypeError(f"set_env({key}=...) takes a {expected.__name__}, not {type(value).__name__}")
    _check_env_ranges(env_info)
    _send("set_env", env_info)


def _check_env_ranges(env: dict[str, Any]) -> None:
    if env.get("http_pull_interval", 1) <= 0:
        raise ValueError("set_env(http_pull_interval=...) must be a positive number of milliseconds")
    if env.get("input_panel_min_height", 75) < 75:
        raise ValueError("set_env(input_panel_min_height=...) must be at least 75 (pixels)")
    if env.get("input_panel_init_height", 175) < 175:
        raise ValueError("set_env(input_panel_init_height=...) must be at least 175 (pixels)")
    width = env.get("output_max_width")
    if width is not None and not _CSS_WIDTH.match(width):
        raise ValueError(f"set_env(output_max_width={width!r}) must be pixels or a percentage, e.g. '1080px'")


def go_app(name: str, new_window: bool = True) -> None:
    """Open another app of the same server (``?app=name``), in a new window by default.

    Raises ``RuntimeError`` in a notebook, which has no apps to go to.
    """
    if not get_current_session().serves_apps:
        raise RuntimeError(
            "go_app() opens another app of a jupyter_session server; a notebook has none "
            "(start_server() serves several apps from a dict)"
        )
    run_js(
        "const url = '?app=' + encodeURIComponent(app);"
        "if (new_window) { window.open(url); } else { window.location.href = url; }",
        app=name,
        new_window=new_window,
    )


#: Read-only information about the current session: ``user_agent`` (parsed by user-agents),
#: ``user_language``, ``server_host``, ``origin``, ``user_ip``, ``backend``, ``protocol``, ``request``.
info = ReadOnlyObjectDict(lambda: get_current_session().internal_save["info"])


def get_info() -> ReadOnlyObjectDict:
    """Deprecated since PyWebIO 1.2: use ``info``."""
    warnings.warn(
        "`jupyter_session.session.get_info()` is deprecated, use `jupyter_session.session.info` instead",
        DeprecationWarning,
        stacklevel=2,
    )
    return info
