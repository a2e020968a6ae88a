"""Images, files, progress bars and custom widgets."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from .core import Output, OutputPosition, _check_scope_name, _output_spec, _send


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


def _fraction(value: float) -> float:
    if not isinstance(value, (int, float)) or isinstance(value, bool) or not 0 <= value <= 1:
        raise ValueError(f"progress must be a number from 0 to 1, not {value!r}")
    return float(value)


#: PyWebIO 1.8's spellings of the progress bar functions.
put_progressbar = put_processbar
set_progressbar = set_processbar
