"""A notebook without a browser (nbclient, nbconvert, nbval): each output becomes a plain display output of
its cell, readable in the saved notebook."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

from ...protocol import Command, Transport

__all__ = ["TextTransport"]


class TextTransport(Transport):
    """No browser: each output becomes a plain display output of the cell, readable in a saved notebook."""

    def __init__(self, publish: Callable[[dict[str, str]], None]) -> None:
        self._publish = publish

    def send(self, message: dict[str, Any], buffers: Sequence[bytes | memoryview] = ()) -> None:
        for command in message.get("commands", []):
            bundle = _as_text(command)
            if bundle is not None:
                self._publish(bundle)

    def offer_download(
        self, name: str, content: memoryview, on_fetched: Callable[[], None]
    ) -> tuple[str, Callable[[], None]]:
        on_fetched()  # nowhere to fetch it from: the cell shows what it would have been
        return "", lambda: None

    def on_message(self, callback: Callable[[dict[str, Any], list[memoryview]], None]) -> None:
        """No browser sends anything."""

    def on_close(self, callback: Callable[[], None]) -> None:
        """It never closes by itself."""

    def close(self) -> None:
        """Nothing to close: what was published stays in the notebook."""

    def closed(self) -> bool:
        return False


def _as_text(command: Command) -> dict[str, str] | None:
    spec = command.get("spec") or {}
    if command["command"] == "download":
        return {"text/plain": f"[download {spec.get('name')!r}: {spec.get('size')} bytes]"}
    if command["command"] != "output":
        return None  # scripts, scopes, environment: nothing to show without a browser
    kind, content = spec.get("type"), spec.get("content")
    if kind == "markdown":
        return {"text/markdown": str(content), "text/plain": str(content)}
    if kind == "html":
        return {"text/html": str(content), "text/plain": str(content)}
    text = _plain(spec)
    return {"text/plain": text} if text else None


def _plain(spec: dict[str, Any]) -> str:
    """A readable text form of an output, for notebooks run without a browser."""
    kind = spec.get("type")
    if kind in ("text", "code", "markdown", "html"):
        return str(spec.get("content", ""))
    if kind == "link":
        return f"{spec.get('name')} <{spec.get('href')}>"
    if kind == "buttons":
        return " ".join(f"[{button.get('label')}]" for button in spec.get("buttons", []))
    if kind == "table":
        return "\n".join(" | ".join(_plain(cell.get("content") or {}) for cell in row) for row in spec.get("rows", []))
    if kind in ("alert", "scope", "collapse", "scrollable", "flex"):
        title = [str(spec["title"])] if spec.get("title") else []
        return "\n".join(title + [_plain(item) for item in spec.get("contents") or [] if item])
    if kind == "datatable":
        columns = [column for column in spec.get("columns", []) if not column.get("hide")]
        lines = [" | ".join(str(column.get("header")) for column in columns)]
        lines += [
            " | ".join(str(row.get("cells", {}).get(column.get("field"), "")) for column in columns)
            for row in spec.get("rows", [])
        ]
        return "\n".join(lines)
    if kind == "pin":
        return f"[{spec.get('input', {}).get('label') or spec.get('input', {}).get('name')}]"
    return f"[{kind}]"
