"""The ``Output`` object and what every output is built with: scope names, specs and sending."""

from __future__ import annotations

import logging
import string
from collections.abc import Callable
from typing import Any, Literal

from .._utils import random_str
from ..session import get_current_session, get_current_task_id

# The name the logger had before this module was split out of ``jupyter_session.output``.
logger = logging.getLogger("jupyter_session.output")

_SCOPE_NAME_CHARS = frozenset(string.ascii_letters + string.digits + "_-")


class OutputPosition:
    TOP = 0
    BOTTOM = -1


class Position:
    TOP = "top"
    MIDDLE = "middle"
    BOTTOM = "bottom"


def scope2dom(name: str | tuple[str, str], no_css_selector: bool = False) -> str:
    """The DOM id (or its CSS selector) of a scope: ``#pywebio-scope-<name>``."""
    selector = "#"
    if isinstance(name, tuple):
        selector, name = name
    name = name.replace(" ", "-")
    return f"{'' if no_css_selector else selector}pywebio-scope-{name}"


def _check_scope_name(name: Any) -> None:
    if not isinstance(name, str) or not name or not set(name) <= _SCOPE_NAME_CHARS:
        raise ValueError(f"scope name {name!r} must be a non-empty string of letters, digits, '_' or '-'")


def _send(command: str, spec: Any) -> None:
    get_current_session().send_task_command(dict(command=command, task_id=get_current_task_id(), spec=spec))


class Output:
    """The return value of a ``put_*`` function: sent when dropped unused, embedded when nested."""

    def __init__(self, spec: dict[str, Any], on_embed: Callable[[dict[str, Any]], dict[str, Any]] | None = None):
        self.processed = True  # nothing to send if the checks below fail
        get_current_session()  # outside a session, fail here rather than silently in __del__
        self.spec = _embed(spec)
        self.on_embed = on_embed or (lambda data: data)
        # Set for outputs that hold other outputs: `with put_collapse('t'):` sends them inside.
        self._holds_outputs = False
        self._after_exit: Callable[[str], None] | None = None
        self.processed = False

    def _as_container(self, after_exit: Callable[[str], None] | None = None) -> Output:
        self._holds_outputs = True
        self._after_exit = after_exit
        return self

    def __enter__(self) -> str:
        if not self._holds_outputs:
            raise RuntimeError("This output function can't be used as context manager!")
        name = random_str(10)
        self.spec["container_dom_id"] = scope2dom(name, no_css_selector=True)
        self.send()
        get_current_session().push_scope(name)
        return name

    def __exit__(self, *exc_info: Any) -> Literal[False]:
        name = get_current_session().pop_scope()
        if self._after_exit is not None:
            self._after_exit(name)
        return False

    def embed_data(self) -> dict[str, Any]:
        """The spec to place inside another output; this output will not be sent by itself."""
        self.processed = True
        return self.on_embed(self.spec)

    def send(self) -> None:
        """Send the output now."""
        self.processed = True
        _send("output", self.spec)

    show = send

    def onclick(self, callback: Callable[[], Any]) -> Output:
        """Call ``callback()`` when the output is clicked."""
        self.spec["click_callback_id"] = get_current_session().register_callback(lambda _data: callback())
        return self

    def style(self, css_style: str) -> Output:
        """Add CSS declarations to the output's element, e.g. ``put_text('hi').style('color: red')``."""
        self.spec["style"] = f"{self.spec.get('style', '')};{css_style}"
        return self

    def _ipython_display_(self) -> None:
        # A notebook cell's last expression: show the output instead of printing the object.
        if not self.processed:
            self.send()

    def __del__(self) -> None:
        if not getattr(self, "processed", True):
            try:
                self.send()
            except Exception:  # nothing useful can be raised from __del__ (e.g. the session closed)
                logger.debug("an output was dropped unsent", exc_info=True)


def _embed(value: Any) -> Any:
    if isinstance(value, Output):
        return value.embed_data()
    if isinstance(value, dict):
        return {key: _embed(item) for key, item in value.items()}
    if isinstance(value, (list, tuple)):
        return [_embed(item) for item in value]
    return value


def _output_spec(type: str, scope: str | None, position: int, **fields: Any) -> dict[str, Any]:  # noqa: A002
    spec = dict(type=type, **{key: value for key, value in fields.items() if value is not None})
    spec["scope"] = scope2dom(scope if scope else _current_scope())
    spec["position"] = position
    return spec


def get_scope(stack_idx: int = -1) -> str | None:
    """The name of a scope of the current task's scope stack: -1 the current one, 0 ``ROOT``; ``None`` when
    there is no such entry."""
    try:
        return get_current_session().get_scope_name(stack_idx)
    except ValueError:
        return None


def _current_scope() -> str:
    """The current scope's name: ``get_scope()``, which is never ``None`` for it, as a task's scope stack always
    holds ``ROOT`` (``pop_scope`` does not remove it)."""
    return get_current_session().get_scope_name(-1)


def _contents(content: Any) -> list[dict[str, Any]]:
    """Specs to embed: strings become text, outputs are embedded, ``None`` is skipped."""
    items = content if isinstance(content, (list, tuple)) else [content]
    return [spec for spec in map(_item, items) if spec is not None]


def _item(value: Any) -> dict[str, Any] | None:
    """The spec of one item of a container: an output embedded, anything else as text; ``None`` stays empty."""
    if value is None:
        return None
    return value.embed_data() if isinstance(value, Output) else _text_spec(value)


def _text_spec(value: Any) -> dict[str, Any]:
    return dict(type="text", content=str(value), inline=False)
