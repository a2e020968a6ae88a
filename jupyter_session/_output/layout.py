"""Layout outputs: rows, columns, grids, collapsible and scrollable boxes, spinners, tabs; and ``style``."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from .content import _BUTTON_COLORS, _Span
from .core import Output, OutputPosition, _contents, _item, _output_spec
from .scopes import remove


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


def style(outputs: Output | Sequence[Output], css_style: str) -> Any:
    """Add CSS declarations to one output or to each of a list (as ``output.style(css_style)``)."""
    if isinstance(outputs, Output):
        return outputs.style(css_style)
    return [output.style(css_style) for output in outputs]
