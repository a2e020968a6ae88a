"""Content outputs: text, HTML, markdown, code, links, message boxes, tables and buttons."""

from __future__ import annotations

import copy
import logging
from collections.abc import Callable, Mapping, Sequence
from typing import Any

from ..session import get_current_session
from .core import Output, OutputPosition, _contents, _output_spec, _text_spec

# The name the logger had before this module was split out of ``jupyter_session.output``.
logger = logging.getLogger("jupyter_session.output")


def put_text(
    *texts: Any, sep: str = " ", inline: bool = False, scope: str | None = None, position: int = OutputPosition.BOTTOM
) -> Output:
    """Output plain text; non-strings are converted with ``str``. Shown as text: markup is not interpreted."""
    content = sep.join(str(text) for text in texts)
    return Output(_output_spec("text", scope, position, content=content, inline=inline))


_BUTTON_COLORS = frozenset({"primary", "secondary", "success", "danger", "warning", "info", "light", "dark"})


def _format_buttons(buttons: Sequence[Any]) -> tuple[list[dict[str, Any]], list[Any]]:
    """The buttons' specs, whose values are their indexes (values may be any object), and the real values."""
    specs, values = [], []
    for index, button in enumerate(buttons):
        if isinstance(button, Mapping):
            if "label" not in button or "value" not in button:
                raise ValueError(f"button {button!r} needs a 'label' and a 'value'")
            spec = copy.deepcopy(dict(button))
        elif isinstance(button, (list, tuple)):
            if len(button) != 2:
                raise ValueError(f"button {button!r} must be a (label, value) pair")
            spec = dict(label=button[0], value=button[1])
        else:
            spec = dict(label=button, value=button)
        if spec.get("color") is not None and spec["color"] not in _BUTTON_COLORS:
            raise ValueError(f"button color {spec['color']!r} is not one of {', '.join(sorted(_BUTTON_COLORS))}")
        values.append(spec["value"])
        spec["label"], spec["value"] = str(spec["label"]), index
        specs.append(spec)
    return specs, values


def put_buttons(
    buttons: Sequence[Any],
    onclick: Callable[[Any], Any] | Sequence[Callable[[], Any]],
    small: bool | None = None,
    link_style: bool = False,
    outline: bool = False,
    group: bool = False,
    scope: str | None = None,
    position: int = OutputPosition.BOTTOM,
    **callback_options: Any,
) -> Output:
    """Output buttons; a click calls ``onclick(value)`` with the button's value, or, when ``onclick`` is a list
    (one function per button), the clicked button's function with no argument.

    ``buttons`` items: ``dict(label=..., value=..., color=..., disabled=...)``, a ``(label, value)`` pair, or
    a value that is its own label. Labels are text. ``callback_options`` go to the session's
    ``register_callback`` (``serial_mode`` in thread sessions, ``mutex_mode`` in coroutine sessions). In a
    notebook the callback runs after its cell has finished and writes to that cell.
    """
    specs, values = _format_buttons(buttons)
    per_button = not callable(onclick)
    if per_button and len(onclick) != len(specs):  # type: ignore[arg-type]
        raise ValueError("`onclick` and `buttons` must be the same length")

    def clicked(index: Any) -> Any:
        if not isinstance(index, int) or isinstance(index, bool) or not 0 <= index < len(specs):
            logger.warning("dropped a click on unknown button %.100r", index)
            return None
        if specs[index].get("disabled"):
            return None
        if per_button:
            return onclick[index]()  # type: ignore[index]
        return onclick(values[index])  # type: ignore[operator]

    # In a coroutine session, a coroutine returned by an async ``onclick`` runs as a task of the session.
    callback_id = get_current_session().register_callback(clicked, **callback_options)
    return Output(
        _output_spec(
            "buttons",
            scope,
            position,
            callback_id=callback_id,
            buttons=specs,
            small=small,
            link=link_style,
            outline=outline,
            group=group,
        )
    )


def put_button(
    label: str,
    onclick: Callable[[], Any],
    color: str | None = None,
    small: bool | None = None,
    link_style: bool = False,
    outline: bool = False,
    disabled: bool = False,
    scope: str | None = None,
    position: int = OutputPosition.BOTTOM,
) -> Output:
    """Output one button; a click calls ``onclick()``."""
    return put_buttons(
        [dict(label=label, value="", color=color or "primary", disabled=disabled)],
        onclick=[onclick],
        small=small,
        link_style=link_style,
        outline=outline,
        scope=scope,
        position=position,
    )


def put_html(
    html: Any, sanitize: bool = False, scope: str | None = None, position: int = OutputPosition.BOTTOM
) -> Output:
    """Output HTML (objects with ``__html__`` or ``_repr_html_`` work too). With ``sanitize=True`` the browser
    removes scripts and event handlers first (DOMPurify)."""
    if hasattr(html, "__html__"):
        html = html.__html__()
    elif hasattr(html, "_repr_html_"):
        html = html._repr_html_()
    return Output(_output_spec("html", scope, position, content=str(html), sanitize=sanitize))


def put_markdown(
    mdcontent: str,
    lstrip: bool = True,
    options: dict[str, str | bool] | None = None,
    sanitize: bool = True,
    scope: str | None = None,
    position: int = OutputPosition.BOTTOM,
    **kwargs: Any,
) -> Output:
    """Output markdown, rendered in the browser. ``lstrip`` removes the indent of a multi-line string
    literal. The resulting HTML is always sanitized (PyWebIO sanitized it only when ``sanitize=True``)."""
    if "strip_indent" in kwargs:
        import warnings

        warnings.warn("`strip_indent` parameter is deprecated in `put_markdown()`", DeprecationWarning, stacklevel=2)
    if lstrip:
        mdcontent = _strip_literal_indent(mdcontent)
    return Output(_output_spec("markdown", scope, position, content=mdcontent, options=options, sanitize=sanitize))


def _strip_literal_indent(text: str) -> str:
    """Remove the common indent of the lines after the first (a triple-quoted literal in indented code)."""
    lines = text.splitlines()
    if len(lines) < 2:
        return text
    indents = [len(line) - len(line.lstrip(" \t")) for line in lines[1:] if line.strip()]
    cut = min(indents, default=0)
    return "\n".join(lines[:1] + [line[cut:] for line in lines[1:]])


def put_code(
    content: str,
    language: str = "",
    rows: int | None = None,
    scope: str | None = None,
    position: int = OutputPosition.BOTTOM,
) -> Output:
    """Output code as preformatted text (``rows``: the visible height in lines; more lines scroll)."""
    return Output(_output_spec("code", scope, position, content=str(content), language=language, rows=rows))


def put_link(
    name: str,
    url: str | None = None,
    app: str | None = None,
    new_window: bool = False,
    scope: str | None = None,
    position: int = OutputPosition.BOTTOM,
) -> Output:
    """Output a link to ``url``, or to another app of the same server (``app``). Links with a scheme other
    than http, https or mailto (``javascript:``...) are shown as text without a target."""
    if (url is None) == (app is None):
        raise ValueError("put_link() takes exactly one of `url` and `app`")
    href = f"?app={app}" if app is not None else str(url)
    return Output(_output_spec("link", scope, position, name=str(name), href=href, new_window=new_window))


def _alert(color: str, contents: tuple[Any, ...], closable: bool, scope: str | None, position: int) -> Output:
    return Output(
        _output_spec("alert", scope, position, color=color, contents=_contents(list(contents)), closable=closable)
    )._as_container()


def put_info(
    *contents: Any, closable: bool = False, scope: str | None = None, position: int = OutputPosition.BOTTOM
) -> Output:
    """Output a blue message box holding ``contents`` (strings or outputs)."""
    return _alert("info", contents, closable, scope, position)


def put_success(
    *contents: Any, closable: bool = False, scope: str | None = None, position: int = OutputPosition.BOTTOM
) -> Output:
    """Output a green message box."""
    return _alert("success", contents, closable, scope, position)


def put_warning(
    *contents: Any, closable: bool = False, scope: str | None = None, position: int = OutputPosition.BOTTOM
) -> Output:
    """Output a yellow message box."""
    return _alert("warning", contents, closable, scope, position)


def put_error(
    *contents: Any, closable: bool = False, scope: str | None = None, position: int = OutputPosition.BOTTOM
) -> Output:
    """Output a red message box."""
    return _alert("danger", contents, closable, scope, position)


class _Span:
    def __init__(self, content: Any, row: int, col: int) -> None:
        self.content, self.row, self.col = content, row, col


def span(content: Any, row: int = 1, col: int = 1) -> Any:
    """A ``put_table`` cell that spans ``row`` rows and ``col`` columns."""
    if not (isinstance(row, int) and isinstance(col, int) and row >= 1 and col >= 1):
        raise ValueError("span() takes positive whole numbers of rows and columns")
    return _Span(content, row, col)


def _cell(value: Any) -> dict[str, Any]:
    rows = cols = 1
    if isinstance(value, _Span):
        value, rows, cols = value.content, value.row, value.col
    content = value.embed_data() if isinstance(value, Output) else _text_spec("" if value is None else value)
    return dict(content=content, row=rows, col=cols)


def put_table(
    tdata: Sequence[Any],
    header: Sequence[Any] | None = None,
    scope: str | None = None,
    position: int = OutputPosition.BOTTOM,
) -> Output:
    """Output a table whose first row is its header: ``header``, else the first row of ``tdata``. Rows are
    lists, or dicts (their keys, capitalized, make the header unless ``header`` lists the keys or
    ``(title, key)`` pairs). Cells are strings, outputs, or ``span(...)``; a header cell may span rows into
    the body."""
    if any(isinstance(row, Mapping) for row in tdata) and not all(isinstance(row, Mapping) for row in tdata):
        raise ValueError("put_table() rows mix dicts and lists")
    rows = list(tdata)
    if tdata and isinstance(tdata[0], Mapping):
        if header is None:
            keys, header = list(tdata[0]), [str(key).capitalize() for key in tdata[0]]
        elif header and isinstance(header[0], (list, tuple)):
            keys, header = [item[-1] for item in header], [item[0] for item in header]
        else:
            keys = list(header)
        rows = [[row.get(key, "") for key in keys] for row in tdata]
    elif header and isinstance(header[0], (list, tuple)):
        header = [item[0] for item in header]
    if header:
        rows = [header, *rows]
    return Output(_output_spec("table", scope, position, rows=[[_cell(value) for value in row] for row in rows]))
