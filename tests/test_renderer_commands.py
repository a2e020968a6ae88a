"""The browser's renderer handles exactly the commands the Python side sends (``protocol.COMMANDS``).

The renderer's table is the ``handlers`` object literal in ``labextension/src/core/render.ts``; its keys are
read with a regex, so this runs without node.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from jupyter_session.protocol import COMMANDS

RENDER_TS = Path(__file__).resolve().parents[1] / "labextension" / "src" / "core" / "render.ts"

_TABLE = re.compile(r"\bconst\s+handlers\b[^=]*=\s*\{(?P<body>.*?)\}\s*;", re.DOTALL)
_COMMENTS = re.compile(r"/\*.*?\*/|//[^\n]*", re.DOTALL)
# `name,` (shorthand), `name: fn,` or `'name': fn,`
_ENTRY = re.compile(
    r"""^(?:(?P<quote>['"])(?P<quoted>[^'"]+)(?P=quote)|(?P<name>[A-Za-z_$][\w$]*))\s*(?::.*)?$""", re.DOTALL
)


def handler_names(source: str) -> set[str]:
    """The keys of the `handlers` object literal in `source` (TypeScript)."""
    table = _TABLE.search(source)
    assert table, "no `const handlers = { ... };` object literal in render.ts: update this test's regex"
    names: set[str] = set()
    for entry in _COMMENTS.sub("", table["body"]).split(","):
        entry = entry.strip()
        if not entry:
            continue
        match = _ENTRY.match(entry)
        assert match, f"cannot read the key of the handlers entry {entry!r} in render.ts: update this test's regex"
        names.add(match["quoted"] or match["name"])
    return names


def test_the_parser_reads_shorthand_colon_and_quoted_keys() -> None:
    source = """
    const other = { no: 1 };
    const handlers: Record<string, Handler> = {
      output,  // a comment, with a comma
      output_ctl: outputControl,
      /* block: comment */ 'pin-value': pinValue,
      "quoted": fn
    };
    """
    assert handler_names(source) == {"output", "output_ctl", "pin-value", "quoted"}


def test_the_renderer_handles_exactly_the_protocol_commands() -> None:
    renderer = handler_names(RENDER_TS.read_text(encoding="utf-8"))
    assert renderer, "the handlers table in render.ts is empty"
    only_python = sorted(COMMANDS - renderer)
    only_renderer = sorted(renderer - COMMANDS)
    assert not only_python and not only_renderer, (
        f"protocol.COMMANDS and the handlers table of {RENDER_TS.name} differ:\n"
        f"  sent by Python, with no handler in the renderer (answered with command_error): {only_python}\n"
        f"  handled by the renderer, missing from protocol.COMMANDS: {only_renderer}"
    )


if __name__ == "__main__":  # pragma: no cover
    raise SystemExit(pytest.main([__file__, "-q"]))
