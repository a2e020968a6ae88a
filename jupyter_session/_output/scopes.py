"""Scopes: ``put_scope``, ``set_scope``, ``get_scope``, ``clear``, ``remove``, ``scroll_to`` and ``use_scope``."""

from __future__ import annotations

import functools
from collections.abc import Callable
from typing import Any, Literal, TypeVar

from .._utils import iscoroutinefunction, random_str
from ..session import get_current_session
from .core import (
    Output,
    OutputPosition,
    Position,
    _check_scope_name,
    _current_scope,
    _output_spec,
    _send,
    get_scope,
    scope2dom,
)

__all__ = ["put_scope", "set_scope", "get_scope", "clear", "remove", "scroll_to", "use_scope", "use_scope_"]

F = TypeVar("F", bound=Callable[..., Any])


def put_scope(
    name: str,
    content: Output | list[Output] | None = None,
    scope: str | None = None,
    position: int = OutputPosition.BOTTOM,
) -> Output:
    """Output a new scope called ``name``, holding ``content`` (an output or a list of them)."""
    _check_scope_name(name)
    contents = [] if content is None else content if isinstance(content, list) else [content]
    return Output(
        _output_spec("scope", scope, position, dom_id=scope2dom(name, no_css_selector=True), contents=contents)
    )


def set_scope(
    name: str, container_scope: str | None = None, position: int = OutputPosition.BOTTOM, if_exist: str | None = None
) -> None:
    """Create scope ``name`` inside ``container_scope`` (default: the current scope).

    ``if_exist``: ``None`` leaves an existing scope alone, ``'remove'`` replaces it, ``'clear'`` empties it.
    """
    _check_scope_name(name)
    if if_exist not in (None, "remove", "clear", "blank"):
        raise ValueError(f"set_scope(if_exist={if_exist!r}): use None, 'remove' or 'clear'")
    _send(
        "output_ctl",
        dict(
            set_scope=scope2dom(name, no_css_selector=True),
            container=scope2dom(container_scope or _current_scope()),
            position=position,
            if_exist=if_exist,
        ),
    )


def clear(scope: str | None = None) -> None:
    """Empty a scope (default: the current one)."""
    _send("output_ctl", dict(clear=scope2dom(scope or _current_scope())))


def remove(scope: str | None = None) -> None:
    """Remove a scope and its content (default: the current one). ``ROOT`` cannot be removed."""
    scope = scope or _current_scope()
    if scope == "ROOT":
        raise ValueError("Can not remove `ROOT` scope.")
    _send("output_ctl", dict(remove=scope2dom(scope)))


def scroll_to(scope: str | None = None, position: str = Position.TOP) -> None:
    """Scroll so the scope is at the top, middle or bottom of the visible area."""
    if position not in (Position.TOP, Position.MIDDLE, Position.BOTTOM):
        raise ValueError(f"scroll_to(position={position!r}): use 'top', 'middle' or 'bottom'")
    _send("output_ctl", dict(scroll_to=scope2dom(scope or _current_scope()), position=position))


class use_scope_:  # noqa: N801  (PyWebIO's name)
    def __init__(self, name: str, before_enter: Callable[[], None] | None = None) -> None:
        self.name = name
        self.before_enter = before_enter

    def _ipython_display_(self) -> None:
        # `popup(...)` as a cell's last expression returns this: nothing to show.
        pass

    def __enter__(self) -> str:
        if self.before_enter is not None:
            self.before_enter()
        get_current_session().push_scope(self.name)
        return self.name

    def __exit__(self, *exc_info: Any) -> Literal[False]:
        scope = get_current_session().pop_scope()
        _send("output_ctl", dict(loose=scope2dom(scope)))  # release the height held while clearing
        return False

    def __call__(self, func: F) -> F:
        if iscoroutinefunction(func):

            @functools.wraps(func)
            async def coroutine_wrapper(*args: Any, **kwargs: Any) -> Any:
                with self:
                    return await func(*args, **kwargs)

            return coroutine_wrapper  # type: ignore[return-value]

        @functools.wraps(func)
        def wrapper(*args: Any, **kwargs: Any) -> Any:
            with self:
                return func(*args, **kwargs)

        return wrapper  # type: ignore[return-value]


def use_scope(name: str | None = None, clear: bool = False, **kwargs: Any) -> use_scope_:
    """Send outputs to scope ``name`` (created if missing) inside a ``with`` block or a decorated function.

    ``clear=True`` empties the scope on entry. Other keyword arguments (``container_scope``, ``position``,
    ``if_exist``) go to ``set_scope``; ``create_scope=False`` uses an existing scope without creating it.
    """
    create_scope = kwargs.pop("create_scope", True)
    name = name or random_str(10)
    _check_scope_name(name)

    def before_enter() -> None:
        if create_scope:
            set_scope(name, if_exist="blank" if clear else None, **kwargs)

    return use_scope_(name, before_enter)
