"""The widget as VS Code loads it, simulated (there is no VS Code here).

VS Code's Jupyter extension finds a custom widget's JavaScript in the kernel environment: it scans each Jupyter
data folder's ``nbextensions/`` for ``extension.js`` files, reads the module names and paths out of their
``require.config`` calls with string searches (it never runs them), and registers each path with requirejs in its
notebook webview, where an ipywidgets manager loads the module as AMD. These tests do the same: the scan and the
parse ported from vscode-jupyter (``baseIPyWidgetScriptManager.ts``, ``localIPyWidgetScriptManager.node.ts``,
``requirejsRegistry.ts``), then ipywidgets' html-manager in Chromium, once on saved model state and once with a
real kernel behind a ``@jupyterlab/services`` connection that, like VS Code's, sends widget messages to the
kernel's main shell (no subshells).
"""

from __future__ import annotations

import json
import re
import subprocess
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from jupyter_core.paths import jupyter_path
from notebook_ui import JupyterServer
from pages import screenshot

LABEXTENSION = Path(__file__).resolve().parents[2] / "labextension"
NODE_MODULES = LABEXTENSION / "node_modules"
#: vscode-jupyter's patterns for the start of the config call, in its order; it tries them from the last.
REQUIRE_PATTERNS = [
    "require.config({",
    "requirejs?.config({",
    "window.requirejs?.config({",
    "requirejs.config({",
    '["require"].config({',
    "['require'].config({",
    '["requirejs"].config({',
    "['requirejs'].config({",
    '["require"]["config"]({',
    "['require']['config']({",
    '["requirejs"]["config"]({',
    "['requirejs']['config']({",
]
#: Modules that VS Code bundles itself, dropped from what it found.
BUNDLED = {"jupyter-js-widgets", "@jupyter-widgets/base", "@jupyter-widgets/controls", "@jupyter-widgets/output"}
VIEW_MIMETYPE = "application/vnd.jupyter.widget-view+json"


def _find_config_call(contents: str) -> int:
    """Where the config call starts, as vscode-jupyter finds it: the last pattern found wins, with or without
    the brace, and a match at offset 0 counts as none (its loop goes on while the index is <= 0)."""
    for patterns in (REQUIRE_PATTERNS, [pattern[:-2] for pattern in REQUIRE_PATTERNS]):
        for pattern in reversed(patterns):
            index = contents.find(pattern)
            if index > 0:
                return index
    return -1


def _trim_quotes(value: str) -> str:
    return re.sub(r"^['\"]|['\"]$", "", value)


def require_config_map(contents: str) -> dict[str, str]:
    """The module name to path mapping that VS Code reads out of an ``extension.js``: the text from the first
    ``{`` after the config call to the first ``)``, comments stripped, lines trimmed and joined, then the entries
    between its last ``{`` and the ``}`` after it, split at commas and at each entry's first colon."""
    start = _find_config_call(contents)
    if start < 0:
        return {}
    end = contents.find(")", start)
    if end <= 0:
        return {}
    config = contents[contents.find("{", start) : end]
    config = re.sub(r"/\*.*?\*/|//[^\n]*", "", config, flags=re.DOTALL)
    config = "".join(line.strip() for line in config.splitlines() if line.strip())
    innermost = config.split("{")[-1].split("}")[0]
    mapping = {}
    for entry in (part.strip() for part in innermost.split(",")):
        if entry and ":" in entry:
            key, value = entry.split(":", 1)
            mapping[_trim_quotes(key.strip()).strip()] = _trim_quotes(value.strip()).strip()
    return mapping


def widget_modules() -> dict[str, Path]:
    """What VS Code's local loader finds: every data folder's ``nbextensions/`` merged into one, the higher
    priority folders' files over the lower ones', each ``**/extension.js`` read; each module name with the file
    that its path names (requirejs adds ``.js``)."""
    data_dirs = [Path(folder).parent for folder in jupyter_path("nbextensions")]  # highest priority first

    def merged(relative: str) -> Path | None:
        return next((folder / relative for folder in data_dirs if (folder / relative).is_file()), None)

    entries = {
        path.relative_to(folder)
        for folder in data_dirs
        if (folder / "nbextensions").is_dir()
        for path in (folder / "nbextensions").glob("**/extension.js")
    }
    modules: dict[str, Path] = {}
    for entry in sorted(entries):
        file = merged(str(entry))
        assert file is not None
        for name, target in require_config_map(file.read_text(errors="replace")).items():
            script = merged(target + ".js")
            if name not in BUNDLED and script is not None:
                modules[name] = script
    return modules


def test_vs_code_finds_the_widget_module_in_the_environments_nbextensions() -> None:
    from jupyter_session.platform.jupyter import SessionWidget

    widget = SessionWidget()
    try:
        module = widget._model_module
    finally:
        widget.close()
    script = widget_modules().get(module)
    assert script is not None, f"no nbextensions/*/extension.js maps {module!r}: {widget_modules()!r}"
    assert script.parts[-3:] == ("nbextensions", "jupyter-session", "index.js")
    # An AMD module that takes ipywidgets' base from the page, as VS Code's webview and html-manager define it.
    assert script.read_text().startswith('define(["@jupyter-widgets/base"],')


def test_the_parse_reads_the_forms_vs_code_reads() -> None:
    """The parse follows vscode-jupyter's: the optional call that anywidget writes, a comment inside the config,
    and our own extension.js."""
    optional_call = (
        "// require.config is what most widgets call\n"
        "define(() => {\n  window.requirejs?.config({\n    map: {\n      '*': {\n"
        "        some_widget: 'nbextensions/some-widget/index', // trailing comma below\n      },\n    },\n  });\n});\n"
    )
    assert require_config_map(optional_call) == {"some_widget": "nbextensions/some-widget/index"}
    ours = (LABEXTENSION / "nbextension" / "extension.js").read_text()
    assert require_config_map(ours) == {"jupyter-session": "nbextensions/jupyter-session/index"}


class Webview:
    """A simulated VS Code webview's files, at ``base`` (a folder's address): ``page``'s requests for them are
    answered from ``files``; other requests to ``base``'s origin go on (a Jupyter server's API and pages), and
    all others, off the machine, fail."""

    def __init__(self, page: Any, base: str, files: dict[str, Path | str]) -> None:
        self.base = base
        self.origin = re.match(r"^https?://[^/]+", base).group(0)  # type: ignore[union-attr]
        self.files = files
        self.served: list[str] = []
        self.refused: list[str] = []
        page.route(re.compile(r"^https?://"), self._answer)

    def url(self, name: str) -> str:
        return self.base + name

    def _file(self, name: str) -> Path | str | None:
        if name in self.files:
            return self.files[name]
        for key, folder in self.files.items():
            if key.endswith("/") and name.startswith(key) and isinstance(folder, Path):
                return folder / name[len(key) :]
        return None

    def _answer(self, route: Any) -> None:
        url = route.request.url
        content = self._file(url[len(self.base) :].split("?", 1)[0]) if url.startswith(self.base) else None
        if isinstance(content, str):
            self.served.append(url[len(self.base) :])
            route.fulfill(body=content, content_type="text/html")
        elif isinstance(content, Path) and content.is_file():
            self.served.append(url[len(self.base) :])
            route.fulfill(path=content, content_type="application/javascript" if content.suffix == ".js" else None)
        elif url.startswith(self.origin + "/"):
            route.continue_()
        else:
            self.refused.append(url)
            route.abort()


def webview_files(page_html: str) -> dict[str, Path | str]:
    return {
        "index.html": page_html,
        "require.js": NODE_MODULES / "requirejs" / "require.js",
        "html-manager/": NODE_MODULES / "@jupyter-widgets" / "html-manager" / "dist",
        # VS Code copies the data folders' nbextensions under one folder of its own and serves that.
        "nbextensions/": widget_modules()["jupyter-session"].parents[1],
    }


#: VS Code's registerScriptsInRequireJs: the module's path, without `.js`, under requirejs' `paths`.
REGISTER_SCRIPT = """<script>
requirejs.config({ paths: { 'jupyter-session': new URL('nbextensions/jupyter-session/index', location.href).href } });
</script>"""


def test_html_manager_draws_a_saved_output_with_the_module_vs_code_found(page: Any) -> None:
    from ipywidgets.embed import embed_data

    from jupyter_session.platform.jupyter import SessionWidget

    widget = SessionWidget()
    try:
        widget.snapshot = '<p class="jps-text">drawn from the saved state</p>'
        data = embed_data(views=[widget])
    finally:
        widget.close()
    state, (view,) = data["manager_state"], data["view_specs"]
    html = f"""<!doctype html><html><head>
<script src="require.js"></script>
{REGISTER_SCRIPT}
<script src="html-manager/embed-amd.js"></script>
</head><body>
<script type="application/vnd.jupyter.widget-state+json">{json.dumps(state)}</script>
<script type="{VIEW_MIMETYPE}">{json.dumps(view)}</script>
</body></html>"""
    webview = Webview(page, "http://vscode-webview.invalid/", webview_files(html))
    page.goto(webview.url("index.html"))
    page.locator(".jps-output .jps-text", has_text="drawn from the saved state").wait_for(timeout=20_000)
    assert "nbextensions/jupyter-session/index.js" in webview.served
    assert webview.refused == []  # no CDN fallback
    assert page.errors == []  # type: ignore[attr-defined]


@pytest.fixture(scope="module")
def services_bundle(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """``@jupyterlab/services`` (the labextension's dependency, as VS Code's webview has it) bundled for a page
    with the labextension's esbuild, as the global ``jupyterlabServices``."""
    out = tmp_path_factory.mktemp("services") / "services.js"
    script = """
const [outfile] = process.argv.slice(1);
require('esbuild').build({
  stdin: { contents: "export { KernelManager, ServerConnection, CommsOverSubshells } from '@jupyterlab/services';",
           resolveDir: process.cwd() },
  bundle: true, format: 'iife', globalName: 'jupyterlabServices', platform: 'browser', outfile,
  define: { 'process.env.NODE_ENV': '"production"' }, logLevel: 'error'
}).catch(() => process.exit(1));
"""
    subprocess.run(["node", "-e", script, str(out)], cwd=LABEXTENSION, check=True, timeout=60)
    return out


@pytest.fixture(scope="module")
def jupyter_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[JupyterServer]:
    """``jupyter server``, which also serves the folder ``static/`` of its root under ``/static/``: unlike its
    ``/files/``, without a sandbox, so that a page from there is of the server's origin."""
    root = tmp_path_factory.mktemp("server")
    (root / "static").mkdir()
    config = root / ".jupyter-config" / "jupyter_server_config.json"
    config.parent.mkdir(parents=True)
    config.write_text(json.dumps({"ServerApp": {"extra_static_paths": [str(root / "static")]}}))
    server = JupyterServer("server", root)
    yield server
    server.stop()


#: The webview's side: a kernel connection without subshells, an html-manager that opens its comms on it (as
#: jupyterlab-manager's KernelWidgetManager does), and `runCell(code)`, which runs code and shows its widget
#: outputs while it runs.
KERNEL_PAGE_SCRIPT = """<script>
const VIEW = '%(view)s';
window.session = (async () => {
  const services = window.jupyterlabServices;
  const serverSettings = services.ServerConnection.makeSettings({
    baseUrl: location.origin + '/', wsUrl: location.origin.replace(/^http/, 'ws') + '/' });
  const kernel = await new services.KernelManager({ serverSettings }).startNew({ name: 'python3' });
  // VS Code's kernel connection supports no subshells: every comm message goes to the kernel's main shell.
  kernel.commsOverSubshells = services.CommsOverSubshells.Disabled;
  const [htmlManager, base, embed] = await new Promise((resolve, reject) => requirejs(
    ['@jupyter-widgets/html-manager', '@jupyter-widgets/base', '@jupyter-widgets/html-manager/dist/libembed-amd'],
    (...modules) => resolve(modules), reject));
  class KernelWidgetManager extends htmlManager.HTMLManager {
    constructor() {
      super({ loader: embed.requireLoader });
      kernel.registerCommTarget(this.comm_target_name,
        (comm, message) => this.handle_comm_open(new base.shims.services.Comm(comm), message));
    }
    async _create_comm(target, modelId, data, metadata, buffers) {
      const comm = kernel.createComm(target, modelId);
      if (data || metadata) comm.open(data, metadata, buffers);
      return new base.shims.services.Comm(comm);
    }
    async _get_comm_info() {
      const reply = await kernel.requestCommInfo({ target_name: this.comm_target_name });
      return reply.content.status === 'ok' ? reply.content.comms : {};
    }
  }
  return { kernel, manager: new KernelWidgetManager() };
})();

async function showView(manager, modelId, element) {
  // The model exists once its comm_open is handled, which loads its module first: it may come after the display.
  for (let tries = 0; !manager.has_model(modelId); tries++) {
    if (tries > 400) throw new Error(`no model ${modelId}`);
    await new Promise(resolve => setTimeout(resolve, 25));
  }
  const model = await manager.get_model(modelId);
  await manager.display_view(await manager.create_view(model), element);
}

window.runCell = async code => {
  const { kernel, manager } = await window.session;
  const cell = document.body.appendChild(document.createElement('div'));
  const text = [];
  const views = [];
  const future = kernel.requestExecute({ code });
  future.onIOPub = message => {
    const content = message.content;
    if (message.header.msg_type === 'stream') text.push(content.text);
    if (message.header.msg_type === 'error') text.push(`${content.ename}: ${content.evalue}`);
    if (message.header.msg_type === 'display_data' && content.data[VIEW]) {
      views.push(showView(manager, content.data[VIEW].model_id, cell.appendChild(document.createElement('div'))));
    }
  };
  const reply = await Promise.race([future.done, new Promise((_, reject) =>
    setTimeout(() => reject(new Error(`the cell did not finish in 30 s: ${text.join('')}`)), 30000))]);
  await Promise.all(views);
  return { status: reply.content.status, text: text.join('') };
};

window.subshells = async () => {
  const { kernel } = await window.session;
  return (await kernel.requestListSubshell({}).done).content.subshell_id;
};
</script>"""


def test_a_cell_waits_on_eval_js_answered_through_a_comm_on_the_main_shell(
    page: Any, jupyter_server: JupyterServer, services_bundle: Path
) -> None:
    html = f"""<!doctype html><html><head>
<script src="require.js"></script>
{REGISTER_SCRIPT}
<script src="html-manager/embed-amd.js"></script>
<script src="services.js"></script>
{KERNEL_PAGE_SCRIPT % {"view": VIEW_MIMETYPE}}
</head><body></body></html>"""
    # The page itself comes from the server, not from a route: Chromium lets only a page that came from loopback
    # open a WebSocket to loopback.
    (jupyter_server.root / "static" / "vscode-webview").mkdir(exist_ok=True)
    (jupyter_server.root / "static" / "vscode-webview" / "index.html").write_text(html)
    files = {**webview_files(html), "services.js": services_bundle}
    del files["index.html"]
    webview = Webview(page, f"{jupyter_server.url}/static/vscode-webview/", files)
    page.goto(webview.url("index.html"))
    setup = page.evaluate(
        "code => runCell(code)",
        "%load_ext jupyter_session\nfrom jupyter_session.session import *\n"
        "from jupyter_session.output import put_markdown",
    )
    assert setup == {"status": "ok", "text": ""}
    cell = page.evaluate(
        "code => runCell(code)",
        "put_markdown('## Drawn by the module VS Code found')\n"
        "print('sum:', eval_js('new Promise(r => setTimeout(() => r(a + b), 50))', a=1, b=2))\n"
        "print('browser:', info.user_agent.browser.family, info.backend)",
    )
    assert cell["status"] == "ok", cell
    assert "sum: 3" in cell["text"] and re.search(r"browser: (Headless)?Chrome jupyter", cell["text"]), cell
    assert page.locator(".jps-output h2", has_text="Drawn by the module VS Code found").count() == 1
    assert page.evaluate("subshells()") == []  # the answer came over the main shell, as from VS Code
    assert "nbextensions/jupyter-session/index.js" in webview.served
    assert webview.refused == []
    screenshot(page, "vscode-loader-kernel")
    assert page.errors == []  # type: ignore[attr-defined]
