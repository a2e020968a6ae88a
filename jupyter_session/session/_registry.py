"""The implementation registry (PyWebIO's name): which session classes are in use in this process, and so
which one a session function called from this thread or task belongs to.
"""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps
from typing import Any, TypeVar

from ..exceptions import SessionNotFoundException
from .base import Session

__all__ = [
    "register_session_implement",
    "unregister_session_implement",
    "get_session_implement",
    "get_current_session",
    "get_current_task_id",
    "check_session_impl",
    "set_script_mode_starter",
]

F = TypeVar("F", bound=Callable[..., Any])

# Session classes in use in this process, in the order they were first used.
_active_session_cls: list[type[Session]] = []

# Called when a session function runs where no session class is in use yet: a plain script, or a Jupyter
# kernel where `%load_ext jupyter_session` was not run. The package installs the platforms' starter.
_script_mode_starter: Callable[[], type[Session]] | None = None


def register_session_implement(cls: type[Session]) -> type[Session]:
    """Mark a session class as in use; returns it (usable as a class decorator)."""
    if cls not in _active_session_cls:
        _active_session_cls.append(cls)
    return cls


def unregister_session_implement(cls: type[Session]) -> None:
    """Mark a session class as no longer in use (a platform that shuts down); nothing if it was not."""
    if cls in _active_session_cls:
        _active_session_cls.remove(cls)


def set_script_mode_starter(starter: Callable[[], type[Session]] | None) -> None:
    """Install what starts a session when a session function runs outside any: it returns the session class
    it started (in a plain script, a server and its one page; in a Jupyter kernel, the notebook session)."""
    global _script_mode_starter
    _script_mode_starter = starter


def get_session_implement() -> type[Session]:
    """The session class of the caller. With none in use yet, start script mode."""
    if not _active_session_cls:
        if _script_mode_starter is None:
            raise SessionNotFoundException(
                "no session is running and none can start here: call session functions inside an app run by "
                "start_server(), or import jupyter_session (which installs script mode) before calling them"
            )
        register_session_implement(_script_mode_starter())
    if len(_active_session_cls) == 1:
        return _active_session_cls[0]
    for cls in _active_session_cls:
        try:
            cls.get_current_session()
            return cls
        except SessionNotFoundException:
            pass
    raise SessionNotFoundException(
        "no session is active in this thread or task: call session functions from an app's own thread or "
        "task, or register a thread you start with register_thread(thread) before thread.start()"
    )


def get_current_session() -> Session:
    """The session of the calling thread or task; raises ``SessionNotFoundException`` if there is none."""
    return get_session_implement().get_current_session()


def get_current_task_id() -> str:
    return get_session_implement().get_current_task_id()


def check_session_impl(session_type: type[Session]) -> Callable[[F], F]:
    """Decorator: the function may only run in a session of ``session_type`` (or a subclass)."""

    def decorator(func: F) -> F:
        @wraps(func)
        def inner(*args: Any, **kwargs: Any) -> Any:
            current = get_session_implement()
            if not issubclass(current, session_type):
                name = getattr(func, "__name__", func)
                hint = _KIND_HINT.get(session_type.__name__, "")
                # PyWebIO's words first, so code that matched them still does; then what to do.
                raise RuntimeError(
                    f"Only can invoke `{name}` in {session_type.__name__} context. "
                    f"You are now in {current.__name__} context{hint}"
                )
            return func(*args, **kwargs)

        return inner  # type: ignore[return-value]

    return decorator


_KIND_HINT = {
    "CoroutineBasedSession": ": make the app an `async def` function to use it",
    "ThreadBasedSession": (
        ": make the app a plain `def` function to use it (a coroutine app starts tasks with run_async())"
    ),
}
