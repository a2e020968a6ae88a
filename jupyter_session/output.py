"""Output functions with PyWebIO 1.8.4's names and semantics.

A ``put_*`` call returns an ``Output``. When the return value is not used, the output is sent at once
(PyWebIO sends it when the object is dropped, and so does this module); when it is passed into another
output, it is embedded there instead.

Scopes are named areas of the page: ``ROOT`` is the whole output area; ``use_scope(name)`` makes outputs go
into ``name``; ``position`` 0 puts an output first in its scope, -1 last, other integers at that index.
Text is always shown as text (escaped); only ``put_html`` takes HTML, and markdown's HTML is sanitized.
"""

from __future__ import annotations

import copy
import functools
import logging
import string
from collections.abc import Callable, Mapping, Sequence
from typing import Any, TypeVar

from ._utils import iscoroutinefunction, random_str
from .session import get_current_session, get_current_task_id

__all__ = [
    "Output",
    "OutputPosition",
    "Position",
    "put_text",
    "put_html",
    "put_markdown",
    "put_scope",
    "set_scope",
    "get_scope",
    "clear",
    "remove",
    "scroll_to",
    "use_scope",
    "put_buttons",
    "put_button",
    "put_code",
    "put_link",
    "put_info",
    "put_success",
    "put_warning",
    "put_error",
    "put_table",
    "span",
    "put_row",
    "put_column",
    "put_grid",
    "put_collapse",
    "put_scrollable",
    "put_loading",
    "toast",
    "popup",
    "close_popup",
    "style",
    "PopupSize",
    "put_image",
    "put_file",
    "put_tabs",
    "put_processbar",
    "set_processbar",
    "put_progressbar",
    "set_progressbar",
    "put_widget",
    "output",
    "put_datatable",
    "datatable_update",
    "datatable_insert",
    "datatable_remove",
    "JSFunction",
]

logger = logging.getLogger(__name__)

F = TypeVar("F", bound=Callable[..., Any])

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

    def __exit__(self, *exc_info: Any) -> bool:
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
    spec["scope"] = scope2dom(scope if scope else get_scope())
    spec["position"] = position
    return spec


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
            container=scope2dom(container_scope or get_scope()),
            position=position,
            if_exist=if_exist,
        ),
    )


def get_scope(stack_idx: int = -1) -> str | None:
    """The name of a scope of the current task's scope stack: -1 the current one, 0 ``ROOT``; ``None`` when
    there is no such entry."""
    try:
        return get_current_session().get_scope_name(stack_idx)
    except ValueError:
        return None


def clear(scope: str | None = None) -> None:
    """Empty a scope (default: the current one)."""
    _send("output_ctl", dict(clear=scope2dom(scope or get_scope())))


def remove(scope: str | None = None) -> None:
    """Remove a scope and its content (default: the current one). ``ROOT`` cannot be removed."""
    scope = scope or get_scope()
    if scope == "ROOT":
        raise ValueError("Can not remove `ROOT` scope.")
    _send("output_ctl", dict(remove=scope2dom(scope)))


def scroll_to(scope: str | None = None, position: str = Position.TOP) -> None:
    """Scroll so the scope is at the top, middle or bottom of the visible area."""
    if position not in (Position.TOP, Position.MIDDLE, Position.BOTTOM):
        raise ValueError(f"scroll_to(position={position!r}): use 'top', 'middle' or 'bottom'")
    _send("output_ctl", dict(scroll_to=scope2dom(scope or get_scope()), position=position))


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

    def __exit__(self, *exc_info: Any) -> bool:
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


# -- content, layout and messages -------------------------------------------------------------------------


def _contents(content: Any) -> list[dict[str, Any]]:
    """Specs to embed: strings become text, outputs are embedded, ``None`` is skipped."""
    items = content if isinstance(content, (list, tuple)) else [content]
    return [_item(item) for item in items if item is not None]


def _item(value: Any) -> dict[str, Any] | None:
    """The spec of one item of a container: an output embedded, anything else as text; ``None`` stays empty."""
    if value is None:
        return None
    return value.embed_data() if isinstance(value, Output) else _text_spec(value)


def _text_spec(value: Any) -> dict[str, Any]:
    return dict(type="text", content=str(value), inline=False)


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


def _flex(direction: str, content: Any, size: str | None, scope: str | None, position: int) -> Output:
    items = list(content) if isinstance(content, (list, tuple)) else [content]
    # As PyWebIO: without a size, each output takes an equal share and each None is a 10px gap.
    size = size or " ".join("10px" if item is None else "1fr" for item in items)
    spec = _output_spec(
        "flex", scope, position, direction=direction, size=size, contents=[_item(item) for item in items]
    )
    return Output(spec)._as_container()


def put_row(
    content: Sequence[Any] = (),
    size: str | None = None,
    scope: str | None = None,
    position: int = OutputPosition.BOTTOM,
) -> Output:
    """Output items side by side. ``None`` items are gaps; ``size`` is a CSS grid template
    (``'40% 60%'``, ``'1fr 2fr'``...)."""
    return _flex("row", content, size, scope, position)


def put_column(
    content: Sequence[Any] = (),
    size: str | None = None,
    scope: str | None = None,
    position: int = OutputPosition.BOTTOM,
) -> Output:
    """Output items one above the other (``size`` as for ``put_row``)."""
    return _flex("column", content, size, scope, position)


def put_grid(
    content: Sequence[Sequence[Any]],
    cell_width: str = "auto",
    cell_height: str = "auto",
    cell_widths: str | None = None,
    cell_heights: str | None = None,
    direction: str = "row",
    scope: str | None = None,
    position: int = OutputPosition.BOTTOM,
) -> Output:
    """Output a grid of items: a list of rows, or of columns with ``direction='column'``. ``None`` is an empty
    cell; ``span(item, row=, col=)`` covers several."""
    if direction not in ("row", "column"):
        raise ValueError("put_grid() direction must be 'row' or 'column'")
    lines: list[list[dict[str, Any]]] = [[] for _ in content]
    widths = [0] * len(lines)  # the cells each line takes, counting spans that reach down from lines above
    for index, line in enumerate(content):
        for item in line:
            rows = cols = 1
            if isinstance(item, _Span):
                item, rows, cols = item.content, item.row, item.col
            for covered in range(index, min(index + rows, len(lines))):
                widths[covered] += cols
            lines[index].append(dict(content=_item(item), row=rows, col=cols))
    longest = max(widths, default=0)
    for line, width in zip(lines, widths):
        line.extend(dict(content=None, row=1, col=1) for _ in range(longest - width))
    rows_count, columns_count = (longest, len(lines)) if direction == "column" else (len(lines), longest)
    return Output(
        _output_spec(
            "grid",
            scope,
            position,
            contents=lines,
            flow=direction,
            columns=cell_widths or f"repeat({columns_count}, {cell_width})",
            rows=cell_heights or f"repeat({rows_count}, {cell_height})",
        )
    )


def put_collapse(
    title: str,
    content: Any = (),
    open: bool = False,
    scope: str | None = None,  # noqa: A002
    position: int = OutputPosition.BOTTOM,
) -> Output:
    """Output a collapsible section (``open``: shown expanded)."""
    return Output(
        _output_spec(
            "collapse",
            scope,
            position,
            title=str(title),
            contents=_contents(list(content) if isinstance(content, (list, tuple)) else content),
            open=open,
        )
    )._as_container()


def put_scrollable(
    content: Any = (),
    height: int | tuple[int, int] = 400,
    keep_bottom: bool = False,
    border: bool = True,
    scope: str | None = None,
    position: int = OutputPosition.BOTTOM,
    **kwargs: Any,
) -> Output:
    """Output a box of fixed ``height`` (pixels, or a ``(min, max)`` pair) that scrolls its content;
    ``keep_bottom`` follows new content."""
    if "max_height" in kwargs:  # PyWebIO's old name
        height = kwargs.pop("max_height")
    if kwargs:
        raise TypeError(f"put_scrollable() got unexpected arguments: {', '.join(kwargs)}")
    low, high = height if isinstance(height, (list, tuple)) else (height, height)
    return Output(
        _output_spec(
            "scrollable",
            scope,
            position,
            contents=_contents(content),
            min_height=low,
            max_height=high,
            keep_bottom=keep_bottom,
            border=border,
        )
    )._as_container()


def put_loading(
    shape: str = "border", color: str = "dark", scope: str | None = None, position: int = OutputPosition.BOTTOM
) -> Output:
    """Output a spinner (``shape``: 'border' or 'grow'); remove it with ``remove``/``clear`` on its scope."""
    if shape not in ("border", "grow"):
        raise ValueError("put_loading() shape must be 'border' or 'grow'")
    if color not in _BUTTON_COLORS:
        raise ValueError(f"put_loading() color must be one of {', '.join(sorted(_BUTTON_COLORS))}")
    # As a context manager the spinner and what is output inside go away when the block ends (PyWebIO 1.8).
    return Output(_output_spec("loading", scope, position, shape=shape, color=color))._as_container(remove)


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


def style(outputs: Output | Sequence[Output], css_style: str) -> Any:
    """Add CSS declarations to one output or to each of a list (as ``output.style(css_style)``)."""
    if isinstance(outputs, Output):
        return outputs.style(css_style)
    return [output.style(css_style) for output in outputs]


# -- images, files, tabs and progress ----------------------------------------------------------------------


def put_image(
    src: Any,
    format: str | None = None,
    title: str = "",
    width: str | None = None,  # noqa: A002
    height: str | None = None,
    scope: str | None = None,
    position: int = OutputPosition.BOTTOM,
) -> Output:
    """Output an image: ``src`` is a URL, the image file's bytes, or a PIL image (sent as PNG unless it has a
    format). Bytes travel as a binary buffer."""
    if hasattr(src, "save") and hasattr(src, "mode"):  # a PIL image, without importing PIL
        import io

        format = format or getattr(src, "format", None) or "png"
        buffer = io.BytesIO()
        src.save(buffer, format=format)
        src = buffer.getvalue()
    if not isinstance(src, (str, bytes, bytearray, memoryview)):
        raise TypeError(f"put_image() takes a URL, bytes or a PIL image, not {type(src).__name__}")
    return Output(
        _output_spec(
            "image",
            scope,
            position,
            src=src,
            format=(format or "").lower() or None,
            title=str(title),
            width=width,
            height=height,
        )
    )


def put_file(
    name: str, content: bytes, label: str | None = None, scope: str | None = None, position: int = OutputPosition.BOTTOM
) -> Output:
    """Output a link that saves ``content`` as a file called ``name`` (the bytes travel as a binary buffer)."""
    if not isinstance(content, (bytes, bytearray, memoryview)):
        raise TypeError(f"put_file() content must be bytes, not {type(content).__name__}")
    return Output(
        _output_spec(
            "file", scope, position, name=str(name), content=content, label=str(label if label is not None else name)
        )
    )


def put_tabs(
    tabs: Sequence[Mapping[str, Any]], scope: str | None = None, position: int = OutputPosition.BOTTOM
) -> Output:
    """Output tabs: ``[dict(title=..., content=...), ...]``; ``content`` is a string, an output or a list."""
    specs = []
    for tab in tabs:
        if "title" not in tab or "content" not in tab:
            raise ValueError(f"tab {dict(tab)!r} needs a 'title' and a 'content'")
        specs.append(dict(title=str(tab["title"]), contents=_contents(tab["content"])))
    return Output(_output_spec("tabs", scope, position, tabs=specs))


def put_processbar(
    name: str,
    init: float = 0,
    label: str | None = None,
    auto_close: bool = False,
    scope: str | None = None,
    position: int = OutputPosition.BOTTOM,
) -> Output:
    """Output a progress bar called ``name``, at ``init`` (0 to 1); ``auto_close`` removes it at 1."""
    _check_scope_name(name)
    return Output(
        _output_spec(
            "processbar", scope, position, name=name, value=_fraction(init), label=label, auto_close=auto_close
        )
    )


def set_processbar(name: str, value: float, label: str | None = None) -> None:
    """Move the progress bar ``name`` to ``value`` (0 to 1), with an optional ``label``."""
    _check_scope_name(name)
    _send("processbar", dict(name=name, value=_fraction(value), label=label))


def put_widget(
    template: str, data: dict[str, Any], scope: str | None = None, position: int = OutputPosition.BOTTOM
) -> Output:
    """Output your own HTML: a mustache ``template`` filled with ``data``. Outputs inside ``data`` are placed
    with ``{{& pywebio_output_parse}}`` in a section over them; other items placed that way show as text."""
    if not isinstance(data, Mapping):
        raise TypeError(f"put_widget() data must be a dict, not {type(data).__name__}")
    return Output(_output_spec("custom_widget", scope, position, template=str(template), data=dict(data)))


class OutputHandler(Output):
    """What ``output()`` returns: a placeholder whose content can be reset, appended to and inserted into
    after it is shown. It is not sent by itself when dropped."""

    def __init__(self, spec: dict[str, Any], scope: str) -> None:
        super().__init__(spec)
        self.scope = scope

    def __del__(self) -> None:
        pass

    def reset(self, *outputs: Any) -> None:
        clear(self.scope)
        self.append(*outputs)

    def append(self, *outputs: Any) -> None:
        for item in outputs:
            self._place(item, OutputPosition.BOTTOM)

    def insert(self, idx: int, *outputs: Any) -> None:
        """Insert before the item at ``idx`` (``idx`` < 0: after the item at ``idx``)."""
        direction = 1 if idx >= 0 else -1
        for offset, item in enumerate(outputs):
            self._place(item, idx + direction * offset)

    def _place(self, item: Any, position: int) -> None:
        placed = item if isinstance(item, Output) else put_text(item)
        placed.spec["scope"] = scope2dom(self.scope)
        placed.spec["position"] = position
        placed.send()


def output(*contents: Any) -> OutputHandler:
    """A placeholder that can be passed wherever a ``put_*`` output can, then changed with ``reset``,
    ``append`` and ``insert``. Deprecated since PyWebIO 1.5: use ``put_scope``."""
    import warnings

    warnings.warn(
        "`output()` is deprecated since PyWebIO 1.5, use `put_scope()` instead", DeprecationWarning, stacklevel=2
    )
    name = random_str(10)
    spec = _output_spec(
        "scope",
        None,
        OutputPosition.BOTTOM,
        dom_id=scope2dom(name, no_css_selector=True),
        contents=_contents(list(contents)),
    )
    return OutputHandler(spec, name)


def _fraction(value: float) -> float:
    if not isinstance(value, (int, float)) or isinstance(value, bool) or not 0 <= value <= 1:
        raise ValueError(f"progress must be a number from 0 to 1, not {value!r}")
    return float(value)


#: PyWebIO 1.8's spellings of the progress bar functions.
put_progressbar = put_processbar
set_progressbar = set_processbar


# The datatable has its own module, which builds on this one.
from ._datatable import (  # noqa: E402
    JSFunction,
    datatable_insert,
    datatable_remove,
    datatable_update,
    put_datatable,
)
