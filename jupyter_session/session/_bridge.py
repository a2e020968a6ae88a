"""One generator function serves thread and coroutine sessions alike (``chose_impl``), as in PyWebIO.

A waiting session function is written once as a generator whose every ``yield x`` means "wait for ``x``".
In a thread session ``x`` is already the result (the session's waits block), so the generator runs at once;
in a coroutine session ``x`` is an awaitable, and the call returns a coroutine that awaits each one.
"""

from __future__ import annotations

import contextvars
import inspect
import sys
from collections.abc import Callable, Generator
from functools import wraps
from typing import Any

from ._registry import get_session_implement

__all__ = ["chose_impl", "run_as_function", "to_coroutine"]


def chose_impl(gen_func: Callable[..., Generator[Any, Any, Any]]) -> Callable[..., Any]:
    """Decorator: one generator function serves both session kinds.

    In a coroutine session the call returns a coroutine to await, each ``yield x`` awaiting ``x``; in a
    thread session the call runs at once, each ``yield x`` handing ``x`` (already a result) straight back.
    """

    @wraps(gen_func)
    def inner(*args: Any, **kwargs: Any) -> Any:
        __tracebackhide__ = True
        gen = gen_func(*args, **kwargs)
        cls = get_session_implement()
        if cls.runs_coroutines:
            return to_coroutine(gen)
        if cls.awaitable_in_async_code and _called_from_async_code():
            return _run_when_awaited(gen)
        return run_as_function(gen)

    return inner


# Set while an awaited wait runs: the waiting functions it calls in turn run at once.
_running_awaited = contextvars.ContextVar("jupyter_session_running_awaited", default=False)
_PACKAGE = f"{__package__.split('.')[0]}."


def _called_from_async_code() -> bool:
    if _running_awaited.get():
        return False
    # The first frame outside this package decides: `await input(...)` calls through several of our functions.
    frame = sys._getframe(2)
    while frame is not None and frame.f_globals.get("__name__", "").startswith(_PACKAGE):
        frame = frame.f_back  # type: ignore[assignment]
    return frame is not None and bool(frame.f_code.co_flags & inspect.CO_COROUTINE)


async def _run_when_awaited(gen: Generator[Any, Any, Any]) -> Any:
    __tracebackhide__ = True
    token = _running_awaited.set(True)
    try:
        return run_as_function(gen)
    finally:
        _running_awaited.reset(token)


def run_as_function(gen: Generator[Any, Any, Any]) -> Any:
    """Run a ``chose_impl`` generator to its end in a thread session; returns its return value."""
    __tracebackhide__ = True
    value = None
    while True:
        try:
            value = gen.send(value)
        except StopIteration as stop:
            return stop.value


async def to_coroutine(gen: Generator[Any, Any, Any]) -> Any:
    """Run a ``chose_impl`` generator as a coroutine, awaiting what it yields."""
    value: Any = None
    error: BaseException | None = None
    while True:
        try:
            # An error from an awaited step is raised inside the generator, where it yielded, as it would
            # be in a thread session.
            awaitable = gen.send(value) if error is None else gen.throw(error)
        except StopIteration as stop:
            return stop.value
        try:
            value, error = await awaitable, None
        except BaseException as exc:
            value, error = None, exc
