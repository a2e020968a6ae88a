"""Saved notebooks keep readable outputs: JupyterLab and Notebook 7 save without widget state (JupyterLab's
default), the kernel goes away, and the notebook, its nbconvert HTML and its raw outputs still show what the user
saw."""

from __future__ import annotations

import json
import re
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from notebook_ui import JupyterServer, NotebookPage
from pages import screenshot

SETUP = (
    "%load_ext jupyter_session\n"
    "from jupyter_session.output import put_text, put_markdown, put_buttons, put_table, put_info, use_scope"
)

CELL = (
    "put_markdown('## Saved heading')\n"
    "put_text('saved text')\n"
    "put_table([['Name', 'Born'], ['Ada', 1815]])\n"
    "put_info('a note')\n"
    "def pressed(label):\n"
    "    put_text(f'pressed {label} after the cell')\n"
    "put_buttons(['Press me'], onclick=pressed)"
)

SESSION_MIME = "application/vnd.jupyter-session.output+json"
WIDGET_MIME = "application/vnd.jupyter.widget-view+json"


@pytest.fixture(scope="module", params=["lab", "notebook"])
def server(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory) -> Iterator[JupyterServer]:
    jupyter = JupyterServer(request.param, tmp_path_factory.mktemp(request.param), save_widget_state=False)
    yield jupyter
    jupyter.stop()


def session_outputs(path: Path) -> list[dict[str, Any]]:
    saved = json.loads(path.read_text())
    assert "widgets" not in saved["metadata"], "saved with widget state: this test is about saving without"
    return [
        output for cell in saved["cells"] for output in cell.get("outputs", []) if WIDGET_MIME in output.get("data", {})
    ]


def test_a_notebook_saved_without_widget_state_shows_its_outputs(server: JupyterServer, page: Any) -> None:
    notebook = NotebookPage(page, server, server.notebook("saved.ipynb"), server.app)
    notebook.run(SETUP)
    notebook.run(CELL)
    page.get_by_role("button", name="Press me").click()  # changes the output after its cell has ended
    page.locator(".jps-text", has_text="pressed Press me after the cell").wait_for()
    notebook.save()

    (output,) = session_outputs(server.root / notebook.path)
    data = {kind: "".join(value) if isinstance(value, list) else value for kind, value in output["data"].items()}
    assert SESSION_MIME in data
    assert "<h2" in data["text/html"] and "Saved heading" in data["text/html"]
    assert "pressed Press me after the cell" in data["text/html"]
    assert "<script" not in data["text/html"]
    # The text a notebook run without a browser shows for the same outputs, one line each.
    assert data["text/plain"].splitlines() == [
        "Saved heading",
        "saved text",
        "Name | Born",
        "Ada | 1815",
        "a note",
        "[Press me]",
        "pressed Press me after the cell",
    ]

    # Reloaded while the kernel lives: the live widget again, whose button still calls back.
    notebook.reload()
    page.get_by_role("button", name="Press me").click()
    page.locator(".jps-text", has_text="pressed Press me after the cell").nth(1).wait_for()
    assert page.locator(".jps-saved").count() == 0

    # The kernel is gone and there is no widget state: the saved HTML, looking as it did, inert.
    server.shut_down_kernels()
    reopened = NotebookPage(page, server, notebook.path, server.app)
    saved = reopened.page.locator(".jps-saved")
    saved.locator("h2", has_text="Saved heading").wait_for(timeout=20_000)
    assert "Error displaying widget" not in page.locator(".jp-OutputArea").first.inner_text()
    assert saved.locator("table td", has_text="Ada").count() == 1
    assert saved.locator(".jps-text", has_text="pressed Press me after the cell").count() == 1
    assert saved.evaluate("element => element.inert") is True
    screenshot(page, f"saved-{server.app}-reopened-without-state")


@pytest.mark.parametrize("server", ["lab"], indirect=True)
def test_nbconvert_html_of_a_notebook_saved_without_widget_state(
    server: JupyterServer, page: Any, tmp_path: Path
) -> None:
    notebook = NotebookPage(page, server, server.notebook("exported.ipynb"), server.app)
    notebook.run(SETUP)
    notebook.run(CELL)
    page.wait_for_timeout(700)  # the rendered output settles
    notebook.save()
    source = server.root / notebook.path
    subprocess.run(
        [sys.executable, "-m", "jupyter", "nbconvert", "--to", "html", "--output-dir", str(tmp_path), str(source)],
        check=True,
        capture_output=True,
        timeout=120,
    )
    html = (tmp_path / notebook.path).with_suffix(".html")
    assert "widget-view+json" not in html.read_text(), "nbconvert chose the widget view with no state to draw it"
    page.route(re.compile(r"^https?://"), lambda route: route.abort())  # offline
    page.goto(html.as_uri())
    output = page.locator(".jp-OutputArea-output", has_text="saved text")
    output.locator("h2", has_text="Saved heading").wait_for(timeout=20_000)
    assert output.locator("table td", has_text="1815").count() == 1
    screenshot(page, "saved-nbconvert-without-state")
