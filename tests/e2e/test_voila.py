"""A notebook served by Voilà, in Chromium: outputs, button callbacks, and what waits do while the notebook runs.

Voilà runs the notebook's cells itself and gives the page each cell's output only once the cell has run: after
the whole notebook by default (the page connects to the kernel only then), or cell by cell with progressive
rendering. So a running cell cannot wait for the page; a button callback, which runs once the page shows, can.
In progressive mode the last cell also checks that what a cell shows after its session output (the second
refused wait's message) is there: Voilà's page dropped it when the cell's outputs came before the widget.
"""

from __future__ import annotations

import json
import re
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from pages import Command, free_port, screenshot

CELLS = [
    "%load_ext jupyter_session\n"
    "import time\n"
    "from jupyter_session.session import eval_js\n"
    "from jupyter_session.output import put_buttons, put_markdown, put_text\n"
    "from jupyter_session.input import input as ask\n"
    "started = time.monotonic()\n"
    "put_markdown('## Hello from Voilà')\n"
    "print(f'first output after {time.monotonic() - started:.1f} s')",
    "def pressed(label):\n"
    "    put_text(f'pressed {label}, the page says {eval_js(\"navigator.language\")}')\n"
    "put_buttons(['Press me'], onclick=pressed)",
    "def asked(_label):\n    put_text(f\"hello {ask('Your name')}\")\nput_buttons(['Ask'], onclick=asked)",
    "for wait in (lambda: eval_js('1 + 1'), lambda: ask('Name')):\n"
    "    try:\n"
    "        wait()\n"
    "    except Exception as error:\n"
    "        print(type(error).__name__, error)",
]

MODES = {
    "default": [],
    "progressive": ["--VoilaConfiguration.progressive_rendering=True"],
}


@pytest.fixture(scope="module", params=list(MODES))
def voila(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Command]:
    root = tmp_path_factory.mktemp(f"voila-{request.param}")
    notebook = root / "app.ipynb"
    cells = [
        dict(cell_type="code", id=f"cell{i}", metadata={}, source=source, outputs=[], execution_count=None)
        for i, source in enumerate(CELLS)
    ]
    kernelspec = dict(name="python3", display_name="Python 3", language="python")
    notebook.write_text(
        json.dumps(dict(cells=cells, metadata=dict(kernelspec=kernelspec), nbformat=4, nbformat_minor=5))
    )
    port = free_port()
    argv = [sys.executable, "-m", "voila", str(notebook), "--no-browser", f"--port={port}", "--Voila.ip=127.0.0.1"]
    server = Command([*argv, "--Voila.port_retries=0", *MODES[request.param]], port, r"Voilà is running at")
    server.mode = request.param  # type: ignore[attr-defined]
    yield server
    server.stop()


def test_a_notebook_in_voila_shows_outputs_and_answers_callbacks(voila: Command, page: Any, tmp_path: Path) -> None:
    mode = voila.mode  # type: ignore[attr-defined]
    page.goto(voila.url, timeout=60_000)
    page.locator(".jps-output h2", has_text="Hello from Voilà").wait_for(timeout=60_000)
    # The kernel knows a page will show the outputs: it does not wait 5 s for a browser that is not there yet.
    first = page.locator(".jp-OutputArea-output", has_text="first output after").first.inner_text()
    assert float(re.search(r"after ([\d.]+) s", first).group(1)) < 2  # type: ignore[union-attr]

    # Waits of a running cell fail at once, saying why and what to do.
    errors = page.locator(".jp-OutputArea", has_text="SessionTimeout").last.inner_text()
    for name in ("eval_js", r"input \(a form waiting for the page\)"):
        assert re.search(f"SessionTimeout {name} cannot be answered while Voilà runs the notebook", errors), errors
    assert errors.count("put_buttons(..., onclick=...)") == 2

    # A callback runs once the page shows; it writes to its own cell's output and can wait for the page.
    press = page.get_by_role("button", name="Press me")
    press.click()
    own_output = page.locator(".jp-OutputArea-output", has=press)
    own_output.locator(".jps-text", has_text=re.compile(r"^pressed Press me, the page says \w\w")).wait_for()
    ask_button = page.get_by_role("button", name="Ask")
    ask_button.click()
    asking = page.locator(".jp-OutputArea-output", has=ask_button)
    asking.locator(".jps-form input").fill("Ada")
    asking.get_by_role("button", name="Submit").click()
    asking.locator(".jps-text", has_text="hello Ada").wait_for()
    assert asking.locator(".jps-form").count() == 0
    assert page.locator(".jps-text", has_text="pressed").count() == 1
    screenshot(page, f"voila-{mode}")
    assert not [error for error in page.errors if "jupyter_session" in error or "jupyter-session" in error]
