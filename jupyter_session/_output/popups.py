"""Messages over the page: ``toast`` and ``popup``/``close_popup``."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from ..session import get_current_session
from .core import _contents, _send, scope2dom
from .scopes import use_scope_


def toast(
    content: str,
    duration: float = 2,
    position: str = "center",
    color: str = "info",
    onclick: Callable[[], Any] | None = None,
) -> None:
    """Show a notification for ``duration`` seconds (0: until clicked). ``position``: 'left', 'center' or
    'right'; ``color``: 'info', 'error', 'warn', 'success' or a CSS color. ``onclick()`` runs on a click."""
    if position not in ("left", "center", "right"):
        raise ValueError("toast() position must be 'left', 'center' or 'right'")
    callback_id = None
    if onclick is not None:
        callback_id = get_current_session().register_callback(lambda _data: onclick())
    _send("toast", dict(content=str(content), duration=duration, position=position, color=color, onclick=callback_id))


class PopupSize:
    LARGE = "large"
    NORMAL = "normal"
    SMALL = "small"


_POPUP_SCOPE = "_popup_"


def popup(
    title: str, content: Any = None, size: str = PopupSize.NORMAL, implicit_close: bool = True, closable: bool = True
) -> use_scope_:
    """Show a dialog with ``content``; or, used as a context manager (``with popup('Title'):``), write the
    outputs made inside the block into it. ``implicit_close``: a click outside or Escape closes it."""
    if size not in (PopupSize.LARGE, PopupSize.NORMAL, PopupSize.SMALL):
        raise ValueError("popup() size must be 'large', 'normal' or 'small'")
    _send(
        "popup",
        dict(
            title=str(title),
            contents=_contents(content),
            size=size,
            implicit_close=implicit_close,
            closable=closable,
            dom_id=scope2dom(_POPUP_SCOPE, no_css_selector=True),
        ),
    )
    return use_scope_(_POPUP_SCOPE)


def close_popup() -> None:
    """Close the dialog shown by ``popup``."""
    _send("close_popup", None)
