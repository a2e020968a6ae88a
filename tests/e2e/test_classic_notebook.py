"""The session API in the classic Notebook (nbclassic): its nbextension loads the widget's AMD bundle, a real kernel
answers, Chromium shows it."""

from __future__ import annotations

import hashlib
import re
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from notebook_ui import JupyterServer
from pages import screenshot

SETUP = (
    "%load_ext jupyter_session\n"
    "from jupyter_session.session import *\n"
    "from jupyter_session.output import put_text, put_markdown, put_buttons"
)
KERNEL_IDLE = "#kernel_indicator_icon.kernel_idle_icon"


class ClassicNotebookPage:
    """A notebook open in nbclassic: each cell is a CodeMirror 5 editor, Shift+Enter runs the selected cell."""

    def __init__(self, page: Any, server: JupyterServer, path: str) -> None:
        self.page = page
        self.path = path
        page.goto(f"{server.url}/nbclassic/notebooks/{path}")
        self.wait_idle()

    def wait_idle(self, timeout: float = 60_000) -> None:
        self.page.locator(KERNEL_IDLE).wait_for(timeout=timeout)

    @property
    def cells(self) -> Any:
        return self.page.locator("#notebook-container .cell")

    def start(self, code: str) -> Any:
        """Put ``code`` in the last cell and run it with Shift+Enter, without waiting for it to end. Returns the
        locator of that cell."""
        cell = self.cells.nth(self.cells.count() - 1)
        editor = cell.locator(".CodeMirror")
        editor.click()  # selects the cell, in edit mode
        # Through CodeMirror's own API: typed text would be re-indented and get closing brackets added.
        editor.evaluate("(editor, code) => editor.CodeMirror.setValue(code)", code)
        self.page.keyboard.press("Shift+Enter")
        return cell

    def run(self, code: str) -> Any:
        """Run ``code`` in the last cell and wait until its prompt shows its execution count."""
        cell = self.start(code)
        prompt = cell.locator(".input_prompt")
        deadline = time.monotonic() + 60
        while not re.search(r"\[\d+\]", prompt.inner_text()):
            if time.monotonic() > deadline:
                shot = screenshot(self.page, "classic-stuck-cell")
                raise TimeoutError(f"the cell did not finish (prompt {prompt.inner_text()!r}, see {shot}): {code!r}")
            time.sleep(0.05)
        return cell

    def output_text(self, cell: Any) -> str:
        return str(cell.locator(".output_wrapper").inner_text())

    def reload(self) -> None:
        """Save, reload the page, and wait until the kernel is idle and every cell is back."""
        self.page.evaluate("() => Jupyter.notebook.save_notebook()")
        cells = self.cells.count()
        self.page.reload()
        self.wait_idle()
        self.page.wait_for_function(f"() => document.querySelectorAll('#notebook-container .cell').length >= {cells}")


def wait_until_the_kernel_has_the_snapshots(page: Any, texts: list[str], timeout: float = 20) -> None:
    """Wait until the session models' snapshots (the HTML each view reports having drawn, which a reloaded page
    draws from) hold each of ``texts``, and the kernel has acknowledged every update sent to it."""
    deadline = time.monotonic() + timeout
    while True:
        states = page.evaluate(
            """async () => {
            const models = await Promise.all(Object.values(Jupyter.notebook.kernel.widget_manager._models));
            return models.filter(model => model.get('_model_name') === 'SessionModel')
              .map(model => [model.get('snapshot') || '', model._pending_msgs]);
        }"""
        )
        if all(any(text in snapshot for snapshot, _ in states) for text in texts) and all(
            pending == 0 for _, pending in states
        ):
            return
        if time.monotonic() > deadline:
            raise TimeoutError(f"snapshots without {texts!r}: {states!r}")
        time.sleep(0.05)


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[JupyterServer]:
    jupyter = JupyterServer("nbclassic", tmp_path_factory.mktemp("nbclassic"))
    yield jupyter
    jupyter.stop()


@pytest.fixture
def notebook(server: JupyterServer, page: Any, request: pytest.FixtureRequest) -> ClassicNotebookPage:
    name = re.sub(r"\W+", "_", request.node.name) + ".ipynb"
    nb = ClassicNotebookPage(page, server, server.notebook(name))
    nb.run(SETUP)
    return nb


def test_outputs_eval_js_input_and_a_download_in_a_classic_notebook(
    notebook: ClassicNotebookPage, tmp_path: Path
) -> None:
    page = notebook.page
    cell = notebook.run(
        "put_markdown('## Hello from classic')\n"
        "put_text('<b>escaped</b>')\n"
        "print('sum:', eval_js('new Promise(r => setTimeout(() => r(a + b), 50))', a=1, b=2))\n"
        "print('browser:', info.user_agent.browser.family, info.backend)"
    )
    text = notebook.output_text(cell)
    assert "sum: 3" in text and "<b>escaped</b>" in text
    assert re.search(r"browser: (Headless)?Chrome jupyter", text)
    assert cell.locator(".jps-output h2", has_text="Hello from classic").count() == 1
    assert cell.locator(".jps-output b").count() == 0

    asking = notebook.start(
        "from jupyter_session.input import input as ask\n"
        "name = ask('Your name', validate=lambda v: None if v.strip() else 'Required')\n"
        "print('hello', name)"
    )
    field = asking.locator(".jps-form input")
    field.wait_for(timeout=30_000)
    asking.get_by_role("button", name="Submit").click()
    asking.locator(".jps-field-feedback", has_text="Required").wait_for()
    cells = notebook.cells.count()
    field.press_sequentially("Ada")  # keys, not a paste: "a" and "d" are also the Notebook's own shortcuts
    assert field.input_value() == "Ada" and notebook.cells.count() == cells
    screenshot(page, "classic-input")
    asking.get_by_role("button", name="Submit").click()
    asking.locator(".output_subarea", has_text="hello Ada").wait_for(timeout=30_000)
    assert asking.locator(".jps-form").count() == 0

    notebook.run("import os, hashlib\ndata = os.urandom(3 * 1024 * 1024)\nprint(hashlib.sha256(data).hexdigest())")
    with page.expect_download(timeout=60_000) as info:
        notebook.run("download('blob.bin', data)")
    saved = tmp_path / "blob.bin"
    info.value.save_as(saved)
    printed = page.locator(".output_subarea", has_text=re.compile(r"^[0-9a-f]{64}\s*$")).first
    assert hashlib.sha256(saved.read_bytes()).hexdigest() == printed.inner_text().strip()
    assert page.errors == []  # type: ignore[attr-defined]


def test_a_button_callback_writes_to_its_cell_and_a_reload_shows_the_outputs_in_a_classic_notebook(
    notebook: ClassicNotebookPage,
) -> None:
    page = notebook.page
    buttons = notebook.run(
        "def pressed(value):\n"
        "    put_text(f'pressed {value}, says {eval_js(\"navigator.language\")}')\n"
        "put_markdown('## Kept across reloads')\n"
        "put_buttons(['Press me'], onclick=pressed)"
    )
    later = notebook.run("put_text('a later cell')")
    buttons.get_by_role("button", name="Press me").click()
    buttons.locator(".jps-text", has_text="pressed Press me, says").wait_for()
    assert "pressed" not in notebook.output_text(later)
    wait_until_the_kernel_has_the_snapshots(page, ["pressed Press me", "a later cell"])
    notebook.reload()
    restored = notebook.cells.nth(1)
    restored.locator(".jps-output h2", has_text="Kept across reloads").wait_for(timeout=20_000)
    assert restored.locator(".jps-text", has_text="pressed Press me, says").count() == 1
    # A cell whose output was all there before its view was drawn (the classic Notebook draws views late).
    notebook.cells.nth(2).locator(".jps-text", has_text="a later cell").wait_for()
    restored.get_by_role("button", name="Press me").click()  # drawn from the snapshot, still wired
    restored.locator(".jps-text", has_text="pressed Press me, says").nth(1).wait_for(timeout=20_000)
    after = notebook.run("print(eval_js('40 + 2'))")
    assert "42" in notebook.output_text(after)
    screenshot(page, "classic-reloaded")
    assert page.errors == []  # type: ignore[attr-defined]
