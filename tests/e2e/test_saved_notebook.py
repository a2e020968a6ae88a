"""Saved notebooks keep readable outputs: JupyterLab and Notebook 7 save without widget state (JupyterLab's
default) or with it, the kernel goes away, and the notebook, its nbconvert HTML and its raw outputs still show what
the user saw."""

from __future__ import annotations

import json
import re
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any
from urllib.parse import quote

import pytest
from notebook_ui import JupyterServer, NotebookPage
from pages import screenshot

from jupyter_session import __version__

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


def session_outputs(path: Path, with_state: bool = False) -> list[dict[str, Any]]:
    saved = json.loads(path.read_text())
    assert ("widgets" in saved["metadata"]) == with_state, "saved with or without widget state, not as expected"
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


def test_a_notebook_saved_with_widget_state_keeps_each_output_once(page: Any, tmp_path: Path) -> None:
    """With JupyterLab's "save widget state" on, a session output is stored as its HTML in the output only: the
    saved widget state has no model of ours (whose state would be the same HTML again), so nbconvert, which draws a
    widget view only for a model in the saved state, exports that HTML."""
    server = JupyterServer("lab", tmp_path / "lab", save_widget_state=True)
    try:
        notebook = NotebookPage(page, server, server.notebook("with-state.ipynb"), server.app)
        notebook.run(SETUP + "\nimport ipywidgets")
        notebook.run(CELL)
        notebook.run("ipywidgets.IntSlider(value=7)")  # another library's widget keeps its saved state
        page.wait_for_timeout(700)  # the rendered output settles
        notebook.save()
        source = server.root / notebook.path
        saved = json.loads(source.read_text())
        # Reopened without its kernel: the saved HTML, as without widget state, and the slider from its state.
        server.shut_down_kernels()
        reopened = NotebookPage(page, server, notebook.path, server.app)
        reopened.page.locator(".jps-saved h2", has_text="Saved heading").wait_for(timeout=20_000)
        assert page.locator(".jps-saved table td", has_text="1815").count() == 1
        page.locator(".widget-slider").wait_for()
        screenshot(page, "saved-lab-reopened-with-state")
    finally:
        server.stop()
    state = saved["metadata"]["widgets"]["application/vnd.jupyter.widget-state+json"]["state"]
    assert sorted({model["model_name"] for model in state.values()}) == [
        "IntSliderModel",
        "LayoutModel",
        "SliderStyleModel",
    ]
    (output,) = [output for output in session_outputs(source, with_state=True) if SESSION_MIME in output["data"]]
    assert output["data"][WIDGET_MIME]["model_id"] not in state
    assert "Saved heading" in "".join(output["data"]["text/html"])
    subprocess.run(
        [sys.executable, "-m", "jupyter", "nbconvert", "--to", "html", "--output-dir", str(tmp_path), str(source)],
        check=True,
        capture_output=True,
        timeout=120,
    )
    html = (tmp_path / notebook.path).with_suffix(".html").read_text()
    assert "Saved heading" in html and "1815" in html
    views = html.count('<script type="application/vnd.jupyter.widget-view+json">')
    assert views == 1, "only the slider is drawn from the saved state"


LABEXTENSION = Path(__file__).resolve().parents[2] / "labextension"
NODE_MODULES = LABEXTENSION / "node_modules"
#: The files that nbconvert's HTML fetches from CDNs, by URL prefix, and where this checkout has them: require.js
#: and ipywidgets' html-manager are pinned dev dependencies of the labextension, and the widget's AMD bundle is
#: what `npm publish` puts on npm, where jsDelivr serves it.
CDN_FILES = {
    "https://cdnjs.cloudflare.com/ajax/libs/require.js/": NODE_MODULES / "requirejs/require.js",
    "https://unpkg.com/@jupyter-widgets/html-manager@": NODE_MODULES / "@jupyter-widgets/html-manager/dist",
    "https://cdn.jsdelivr.net/npm/jupyter-session@": LABEXTENSION / "dist",
}


def serve_cdn_files(page: Any) -> list[str]:
    """Answer the CDN requests of ``page`` from ``CDN_FILES`` and refuse every other request off the machine;
    returns the URLs served, in order."""
    served: list[str] = []

    def answer(route: Any) -> None:
        url = route.request.url
        for prefix, path in CDN_FILES.items():
            if url.startswith(prefix):
                served.append(url)
                file = path / url.rsplit("/", 1)[1] if path.is_dir() else path
                route.fulfill(path=file, content_type="application/javascript" if file.suffix == ".js" else None)
                return
        route.abort()

    page.route(re.compile(r"^https?://"), answer)
    return served


def test_nbconvert_draws_an_output_from_saved_widget_state_with_the_published_bundle(page: Any, tmp_path: Path) -> None:
    """A notebook whose widget state holds a session model, as classic Notebook's "Save Notebook Widget State"
    writes it (JupyterLab leaves the model out, its outputs carry their HTML): nbconvert's page loads the widget's
    bundle from jsDelivr at the version range the kernel gave, and draws the model's snapshot."""
    from ipywidgets.embed import embed_data

    from jupyter_session.platform.jupyter import SessionWidget

    widget = SessionWidget()
    try:
        widget.snapshot = '<h2>Exported heading</h2><p class="jps-text">exported &lt;b&gt;text&lt;/b&gt;</p>'
        data = embed_data(views=[widget])
    finally:
        widget.close()
    (view,) = data["view_specs"]
    output = dict(
        output_type="display_data", metadata={}, data={"text/plain": "jupyter_session output", WIDGET_MIME: view}
    )
    cell = dict(cell_type="code", id="saved", metadata={}, source="", outputs=[output], execution_count=1)
    metadata = dict(widgets={"application/vnd.jupyter.widget-state+json": data["manager_state"]})
    source = tmp_path / "classic.ipynb"
    source.write_text(json.dumps(dict(cells=[cell], metadata=metadata, nbformat=4, nbformat_minor=5)))
    subprocess.run(
        [sys.executable, "-m", "jupyter", "nbconvert", "--to", "html", "--output-dir", str(tmp_path), str(source)],
        check=True,
        capture_output=True,
        timeout=120,
    )
    served = serve_cdn_files(page)
    page.goto(source.with_suffix(".html").as_uri())
    page.locator(".jps-output h2", has_text="Exported heading").wait_for(timeout=20_000)
    assert page.locator(".jps-output .jps-text").inner_text() == "exported <b>text</b>"
    # The widget's module version is a range that the release being tested satisfies.
    assert f"https://cdn.jsdelivr.net/npm/jupyter-session@{quote('^' + __version__)}/dist/index.js" in served
    page.wait_for_function("() => document.getAnimations().length === 0")  # restored outputs fade in
    screenshot(page, "nbconvert-from-widget-state")
