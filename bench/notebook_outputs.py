"""Outputs in a JupyterLab cell against IPython's own, in the same JupyterLab and Chromium:

- many lines: ``size`` ``put_text`` in one cell against ``size`` ``print()``, timed by the page's clock from the
  Shift+Enter that runs the cell until its last line is in the DOM, with the kernel WebSocket's frames and bytes
  the tab receives while the cell runs;
- a saved notebook: ``size`` cells of a 10×5 ``put_table`` against the same tables shown by
  ``display(HTML(...))``, run with Run All Cells and saved with the widget state;
- the first output: ``put_text`` in the cell after ``%load_ext`` in a fresh kernel, against ``print()`` in the
  cell after a first cell in a fresh kernel.
"""

from __future__ import annotations

import json
import re
import statistics
import sys
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from .cases import ROOT

OURS, PRINT, HTML = "jupyter_session", "IPython print()", "IPython display(HTML)"
WHOLE_FILE = "our whole saved file"  # the baseline of the figures that say what part of our file a thing takes
REPETITIONS = 3

# Arms the page to time one run of ``cell``: from the Shift+Enter (or the pointer's release on a menu item)
# that starts it until its output area's text contains ``marker``; ``window.benchShown`` resolves to the ms
# between them. Only the output area is read: the cell's code may hold the marker too.
ARM = """([cell, marker]) => {
  let started = null;
  const onKey = event => {
    if (started === null && event.key === 'Enter' && event.shiftKey) started = performance.now();
  };
  const onPointer = () => {
    if (started === null) started = performance.now();
  };
  window.addEventListener('keydown', onKey, true);
  window.addEventListener('pointerup', onPointer, true);
  window.benchShown = new Promise((resolve, reject) => {
    const shown = () => (cell.querySelector('.jp-OutputArea')?.textContent ?? '').includes(marker);
    const observer = new MutationObserver(() => {
      if (started !== null && shown()) {
        const ms = performance.now() - started;
        observer.disconnect();
        window.removeEventListener('keydown', onKey, true);
        window.removeEventListener('pointerup', onPointer, true);
        resolve(ms);
      }
    });
    observer.observe(cell, { subtree: true, childList: true, characterData: true });
    const failed = () => `${JSON.stringify(marker)} not shown within 180 s (started: ${started}, output: ` +
      `${JSON.stringify((cell.querySelector('.jp-OutputArea')?.textContent ?? '').slice(-200))})`;
    setTimeout(() => reject(new Error(failed())), 180_000);
  });
}"""

FINISHED = "cell => /^\\[\\d+\\]:$/.test(cell.querySelector('.jp-InputPrompt').textContent.trim())"

# Every element under the notebook panel, in shadow roots too.
DOM_NODES = """() => {
  const count = root => [...root.querySelectorAll('*')].reduce(
    (total, element) => total + 1 + (element.shadowRoot ? count(element.shadowRoot) : 0), 0);
  return count(document.querySelector('.jp-NotebookPanel'));
}"""


@dataclass
class KernelFrames:
    """Counts the frames and bytes the page receives on its kernels' WebSockets."""

    frames: int = 0
    received: int = 0
    sockets: list[Any] = field(default_factory=list)

    def watch(self, page: Any) -> None:
        page.on("websocket", self._opened)

    def _opened(self, socket: Any) -> None:
        if "/api/kernels/" in socket.url:
            self.sockets.append(socket)
            socket.on("framereceived", self._received)

    def _received(self, payload: str | bytes) -> None:
        self.frames += 1
        self.received += len(payload.encode() if isinstance(payload, str) else payload)

    def reset(self) -> None:
        self.frames = self.received = 0


@contextmanager
def lab(chromium: Any) -> Iterator[tuple[Any, Any, Path]]:
    """A JupyterLab server (saving widget state) in a fresh folder and a page; yields the server, the page and the
    folder."""
    sys.path.insert(0, str(ROOT / "tests" / "e2e"))
    from notebook_ui import JupyterServer

    with tempfile.TemporaryDirectory() as folder:
        root = Path(folder)
        server = JupyterServer("lab", root, save_widget_state=True)
        page = chromium.new_page(viewport=dict(width=1280, height=900))
        page.set_default_timeout(60_000)
        try:
            yield server, page, root
        finally:
            page.close()
            server.stop()


def open_notebook(page: Any, server: Any, name: str, cells: list[str] | None = None) -> Any:
    """Write the notebook ``name`` (with ``cells`` of code, or none), open it and wait for its kernel."""
    from notebook_ui import NotebookPage

    server.notebook(name)
    if cells:
        path = server.root / name
        content = json.loads(path.read_text())
        content["cells"] = [
            dict(cell_type="code", execution_count=None, id=f"cell-{i}", metadata={}, outputs=[], source=source)
            for i, source in enumerate(cells)
        ]
        path.write_text(json.dumps(content))
    return NotebookPage(page, server, name, "lab")


def timed_cell(notebook: Any, code: str, marker: str) -> float:
    """Run ``code`` in the last cell; the ms from its Shift+Enter until ``marker`` shows in its output, once the
    cell has finished."""
    page = notebook.page
    cell = page.locator(".jp-Notebook .jp-Cell").last.element_handle()  # the last until Shift+Enter adds one
    page.evaluate(ARM, [cell, marker])
    notebook.start(code)
    shown_ms = float(page.evaluate("window.benchShown"))
    page.wait_for_function(FINISHED, arg=cell, timeout=180_000)
    return shown_ms


def many_lines_in_a_cell(chromium: Any, size: int) -> dict[str, dict[str, float]]:
    """``size`` lines in one cell, each way, in fresh cells of one notebook, in turn, ``REPETITIONS`` times; the
    median of each figure. The first lines of both are made in warm-up cells."""
    with lab(chromium) as (server, page, _root):
        frames = KernelFrames()
        frames.watch(page)
        notebook = open_notebook(page, server, "lines.ipynb")
        notebook.run('%load_ext jupyter_session\nfrom jupyter_session.output import put_text\nput_text("warm")')
        notebook.run('print("warm")')
        runs: dict[str, list[dict[str, float]]] = {OURS: [], PRINT: []}
        for repetition in range(REPETITIONS):
            for library, call in ((OURS, "put_text"), (PRINT, "print")):
                tag = f"{call}-{repetition}"
                frames.reset()
                shown_ms = timed_cell(
                    notebook, f'for i in range({size}):\n    {call}(f"{tag} line {{i}}")', f"{tag} line {size - 1}"
                )
                runs[library].append(dict(shown_ms=shown_ms, frames=frames.frames, kb=frames.received / 1024))
    return {library: _medians(figures) for library, figures in runs.items()}


TABLE_SETUP = {
    OURS: "%load_ext jupyter_session\nfrom jupyter_session.output import put_table",
    HTML: """\
from html import escape
from IPython.display import HTML, display
def table(data):
    rows = ("".join(f"<td>{escape(value)}</td>" for value in row) for row in data)
    return HTML("<table>" + "".join(f"<tr>{row}</tr>" for row in rows) + "</table>")""",
}


def table_cell(library: str, index: int) -> str:
    """A cell that shows the 10×5 table ``index``: the same strings in each library's table."""
    data = f'[[f"{index}.{{row}}.{{column}}" for column in range(5)] for row in range(10)]'
    return f"put_table({data})" if library == OURS else f"display(table({data}))"


def saved_tables(chromium: Any, size: int) -> dict[str, dict[str, float]]:
    """``size`` table cells after a setup cell, each way in its own notebook and kernel: Run All Cells, then the
    DOM's size, then the saved file's size and what in it is widget state and what outputs."""
    import nbformat

    figures: dict[str, dict[str, float]] = {}
    with lab(chromium) as (server, page, root):
        for library in (OURS, HTML):
            name = f"tables-{'ours' if library == OURS else 'html'}.ipynb"
            cells = [TABLE_SETUP[library]] + [table_cell(library, index) for index in range(size)]
            notebook = open_notebook(page, server, name, cells)
            last = page.locator(".jp-Notebook .jp-Cell").nth(len(cells) - 1)
            last.wait_for(state="attached")
            _run_first_cell(notebook)  # the first request may be dropped; so that none of Run All's is
            page.locator(".lm-MenuBar-itemLabel", has_text=re.compile("^Run$")).click()
            page.evaluate(ARM, [last.element_handle(), f"{size - 1}.9.4"])
            page.locator(".lm-Menu-itemLabel", has_text=re.compile("^Run All Cells$")).click()
            run_all_ms = float(page.evaluate("window.benchShown"))
            page.wait_for_function(FINISHED, arg=last.element_handle(), timeout=180_000)
            dom_nodes = page.evaluate(DOM_NODES)
            path = root / name
            written = path.stat().st_mtime_ns
            notebook.save()
            deadline = time.monotonic() + 30
            while path.stat().st_mtime_ns == written or not _has_all_outputs(path, len(cells)):
                if time.monotonic() > deadline:
                    raise TimeoutError(f"{name} was not saved with its outputs within 30 s")
                time.sleep(0.1)
            saved = path.read_bytes()
            content = nbformat.reads(saved.decode(), as_version=4)
            without_widgets = nbformat.from_dict(json.loads(saved))
            without_widgets.metadata.pop("widgets", None)
            without_outputs = nbformat.from_dict(json.loads(saved))
            for cell in without_outputs.cells:
                cell.outputs = []
            figures[library] = dict(
                saved_kb=len(saved) / 1024,
                widget_state_kb=(len(saved) - _size(without_widgets)) / 1024,
                outputs_kb=(len(saved) - _size(without_outputs)) / 1024,
                dom_nodes=dom_nodes,
                run_all_s=run_all_ms / 1000,
                cells=len(content.cells),
            )
            page.goto("about:blank")
            server.shut_down_kernels()
    figures[WHOLE_FILE] = dict(widget_state_kb=figures[OURS]["saved_kb"], outputs_kb=figures[OURS]["saved_kb"])
    return figures


def _run_first_cell(notebook: Any) -> None:
    """Run the notebook's first cell in place (Ctrl+Enter) until its prompt is numbered: a request sent while
    the kernel connection is still being set up is dropped, so it is sent again after 5 s."""
    cell = notebook.page.locator(".jp-Notebook .jp-Cell").first
    for _attempt in range(6):
        cell.locator(".cm-content").click()
        notebook.page.keyboard.press("Control+Enter")
        try:
            notebook.page.wait_for_function(FINISHED, arg=cell.element_handle(), timeout=5_000)
            return
        except Exception:
            if (cell.locator(".jp-InputPrompt").text_content() or "").strip() != "[ ]:":
                notebook.page.wait_for_function(FINISHED, arg=cell.element_handle(), timeout=60_000)
                return
    raise TimeoutError("the first cell did not run")


def _has_all_outputs(path: Path, cells: int) -> bool:
    try:
        content = json.loads(path.read_text())
    except ValueError:  # caught while it was being written
        return False
    return len(content["cells"]) == cells and all(cell["outputs"] for cell in content["cells"][1:])


def _size(content: Any) -> int:
    """The bytes of ``content`` written as Jupyter's contents manager writes a notebook."""
    import nbformat

    return len(nbformat.writes(content).encode())


FIRST_CELL = {OURS: "%load_ext jupyter_session", PRINT: "pass"}
FIRST_OUTPUT = {OURS: 'from jupyter_session.output import put_text\nput_text("hi")', PRINT: 'print("hi")'}


def first_output(chromium: Any, size: int) -> dict[str, dict[str, float]]:
    """``size`` times each way, in turn, each in a fresh notebook and kernel: a first cell, then the timed cell
    that shows "hi"; the median."""
    runs: dict[str, list[dict[str, float]]] = {OURS: [], PRINT: []}
    with lab(chromium) as (server, page, _root):
        for repetition in range(size):
            for library in (OURS, PRINT):
                notebook = open_notebook(
                    page, server, f"first-{repetition}-{'ours' if library == OURS else 'print'}.ipynb"
                )
                notebook.run(FIRST_CELL[library])
                runs[library].append(dict(first_output_ms=timed_cell(notebook, FIRST_OUTPUT[library], "hi")))
                page.goto("about:blank")
                server.shut_down_kernels()
    return {library: _medians(figures) for library, figures in runs.items()}


def _medians(runs: list[dict[str, float]]) -> dict[str, float]:
    return {name: statistics.median(run[name] for run in runs) for name in runs[0]}
