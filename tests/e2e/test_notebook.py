"""The session API in real notebook cells: JupyterLab 4 and Notebook 7 in Chromium, a real kernel."""

from __future__ import annotations

import hashlib
import re
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from notebook_ui import JupyterServer, NotebookPage, kernel_message
from pages import screenshot

SETUP = (
    "%load_ext jupyter_session\n"
    "from jupyter_session.session import *\n"
    "from jupyter_session.output import put_text, put_markdown, put_html, put_buttons, use_scope\n"
    "from jupyter_session.exceptions import JSError"
)


@pytest.fixture(scope="module", params=["lab", "notebook"])
def server(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory) -> Iterator[JupyterServer]:
    jupyter = JupyterServer(request.param, tmp_path_factory.mktemp(request.param))
    yield jupyter
    jupyter.stop()


# What these exercise is the same under both UIs (one renderer, one widget manager, one kernel and comm): they run
# under JupyterLab only, to keep the suite in its time budget. The others run under both.
LAB_ONLY = pytest.mark.parametrize("server", ["lab"], indirect=True)


@pytest.fixture
def notebook(server: JupyterServer, page: Any, request: pytest.FixtureRequest) -> NotebookPage:
    name = re.sub(r"\W+", "_", request.node.name) + ".ipynb"
    nb = NotebookPage(page, server, server.notebook(name), server.app)
    nb.run(SETUP)
    return nb


def test_output_and_eval_js_in_a_cell(notebook: NotebookPage, server: JupyterServer) -> None:
    cell = notebook.run(
        "put_markdown('## Hello from a cell')\n"
        "put_text('<b>escaped</b>')\n"
        "print('language:', eval_js('navigator.language'))\n"
        "print('sum:', eval_js('new Promise(r => setTimeout(() => r(a + b), 50))', a=1, b=2))\n"
        "print('browser:', info.user_agent.browser.family, info.backend, info.protocol)"
    )
    text = notebook.output_text(cell)
    assert "Hello from a cell" in text and "<b>escaped</b>" in text
    assert re.search(r"language: \w\w", text)
    assert "sum: 3" in text
    assert re.search(r"browser: (Headless)?Chrome jupyter comm", text)
    assert cell.locator(".jps-output h2", has_text="Hello from a cell").count() == 1
    assert cell.locator(".jps-output b").count() == 0
    # JupyterLab styles `pre` and `a` in output areas; the renderer's own look must win there too.
    styled = notebook.run(
        "from jupyter_session.output import put_code, put_link\n"
        "put_code('x = 1', language='python')\n"
        "put_link('a link', url='https://example.org/')\n"
        "put_markdown('[markdown link](https://example.org/)\\n\\n```\\nblock\\n```')"
    )
    code_padding, link_line, markdown_line, block_padding = styled.locator(".jps-output").first.evaluate(
        "out => [getComputedStyle(out.querySelector('.jps-code')).paddingLeft,"
        " getComputedStyle(out.querySelector('.jps-link')).textDecorationLine,"
        " getComputedStyle(out.querySelector('.jps-markdown a')).textDecorationLine,"
        " getComputedStyle(out.querySelector('.jps-markdown pre')).paddingLeft]"
    )
    assert code_padding != "0px" and block_padding != "0px" and link_line == markdown_line == "underline"
    screenshot(notebook.page, f"notebook-{server.app}-output")


@LAB_ONLY
def test_run_js_and_js_errors(notebook: NotebookPage) -> None:
    cell = notebook.run(
        "run_js('document.body.dataset.fromKernel = value', value='yes')\n"
        "try:\n"
        "    eval_js('null.property')\n"
        "except JSError as error:\n"
        "    print('JSError:', error.js_name)"
    )
    assert "JSError: TypeError" in notebook.output_text(cell)
    assert notebook.page.evaluate("document.body.dataset.fromKernel") == "yes"
    # PyWebIO apps' jQuery code (its wordle demo) gets `$` as a parameter; JupyterLab's page gets no global.
    jquery = notebook.run(
        "put_buttons(['P', 'Q'], onclick=print)\n"
        'run_js(\'$("button:contains(P)").css("background-color", "rgb(1, 2, 3)")\')\n'
        "print('JQUERY', eval_js('jQuery.fn.jquery'))"
    )
    assert "JQUERY 3.7.1" in notebook.output_text(jquery)
    button = jquery.get_by_role("button", name="P")
    assert button.evaluate("button => getComputedStyle(button).backgroundColor") == "rgb(1, 2, 3)"
    assert notebook.page.evaluate("[window.$ === undefined, window.jQuery === undefined]") == [True, True]
    # The scripts of put_html run: an offline plotly chart draws.
    chart = notebook.run(
        "import plotly.graph_objects as go\n"
        "put_html(go.Figure(go.Bar(y=[2, 3, 1])).to_html(include_plotlyjs=True, full_html=False))"
    )
    chart.locator(".jps-output .plotly-graph-div .main-svg").first.wait_for(timeout=30_000)


@LAB_ONLY
def test_a_wait_times_out_and_the_next_cell_runs(notebook: NotebookPage) -> None:
    cell = notebook.run(
        "try:\n"
        "    eval_js('new Promise(() => {})', timeout=1)\n"
        "except Exception as error:\n"
        "    print(type(error).__name__)"
    )
    assert "SessionTimeout" in notebook.output_text(cell)
    after = notebook.run("print(eval_js('1 + 1'))")
    assert "2" in notebook.output_text(after)


@LAB_ONLY
def test_download_from_a_cell_saves_the_exact_bytes(notebook: NotebookPage, tmp_path: Path) -> None:
    notebook.run("import os, hashlib\ndata = os.urandom(50 * 1024 * 1024)\nprint(hashlib.sha256(data).hexdigest())")
    with notebook.page.expect_download(timeout=120_000) as info:
        cell = notebook.run("download('blob.bin', data)")
    saved = tmp_path / "blob.bin"
    info.value.save_as(saved)
    printed = notebook.page.locator(".jp-OutputArea-output", has_text=re.compile(r"[0-9a-f]{64}")).first
    assert hashlib.sha256(saved.read_bytes()).hexdigest() == printed.inner_text().strip()
    assert cell.locator(".jp-OutputArea").count() == 1


def test_outputs_survive_a_page_reload(notebook: NotebookPage, server: JupyterServer) -> None:
    notebook.run("put_text('kept across reloads')")
    notebook.page.wait_for_timeout(3000)  # the widget reports its drawn output to the kernel
    notebook.reload()
    notebook.page.locator(".jps-output", has_text="kept across reloads").first.wait_for(timeout=20_000)
    after = notebook.run("put_text('written after the reload')\nprint(eval_js('40 + 2'))")
    assert "42" in notebook.output_text(after)
    assert "written after the reload" in notebook.output_text(after)
    screenshot(notebook.page, f"notebook-{server.app}-reloaded")


def test_a_button_callback_runs_after_its_cell_and_writes_to_that_cell(
    notebook: NotebookPage, server: JupyterServer
) -> None:
    buttons = notebook.run(
        "def pressed(value):\n"
        "    put_text(f'pressed {value} in its own cell, says {eval_js(\"navigator.language\")}')\n"
        "put_buttons(['Press me'], onclick=pressed)"
    )
    later = notebook.run("put_text('a later cell')")
    buttons.get_by_role("button", name="Press me").click()
    buttons.locator(".jps-text", has_text="pressed Press me in its own cell, says").wait_for()
    assert "pressed" not in notebook.output_text(later)
    notebook.page.wait_for_timeout(3000)  # the widget reports its drawn output to the kernel
    notebook.reload()
    restored = notebook.page.locator(".jp-Notebook .jp-Cell").nth(1)
    restored.get_by_role("button", name="Press me").click()  # drawn from the snapshot, still wired
    notebook.page.wait_for_function(
        "document.querySelectorAll('.jps-text').length >= 1 && "
        "[...document.querySelectorAll('.jps-text')].filter(e => "
        "e.textContent.startsWith('pressed Press me')).length >= 2",
        timeout=20_000,
    )
    screenshot(notebook.page, f"notebook-{server.app}-button")


def test_a_cell_waits_for_input_filled_in_the_browser(notebook: NotebookPage, server: JupyterServer) -> None:
    page = notebook.page
    cell = notebook.start(
        "from jupyter_session.input import input as ask\n"
        "name = ask('Your name', validate=lambda v: None if v.strip() else 'Required')\n"
        "print('hello', name)"
    )
    field = cell.locator(".jps-form input")
    field.wait_for(timeout=30_000)
    cell.get_by_role("button", name="Submit").click()
    cell.locator(".jps-field-feedback", has_text="Required").wait_for()
    field.fill("Ada")
    screenshot(page, f"notebook-{server.app}-input")
    cell.get_by_role("button", name="Submit").click()
    cell.locator(".jp-OutputArea-output", has_text="hello Ada").wait_for(timeout=30_000)
    assert cell.locator(".jps-form").count() == 0


def test_enter_submits_a_waiting_form_once(notebook: NotebookPage, server: JupyterServer) -> None:
    """Keyboard only: the form takes the focus and Enter in its field submits it, once. JupyterLab cancels the
    browser's own submission; Notebook 7 does not, and would add it to the renderer's."""
    page = notebook.page
    cell = notebook.start("from jupyter_session.input import input as ask\nprint('hello', ask('Your name'))")
    notebook.wait_for_focus(cell, ".jps-form input")
    page.evaluate("() => { window.submits = 0; document.addEventListener('submit', () => window.submits++, true); }")
    page.keyboard.type("Ada")
    page.keyboard.press("Enter")
    cell.locator(".jp-OutputArea-output", has_text="hello Ada").wait_for(timeout=30_000)
    assert page.evaluate("window.submits") == 1


def test_escape_leaves_a_waiting_form_and_i_i_interrupts_its_cell(
    notebook: NotebookPage, server: JupyterServer
) -> None:
    """Keyboard only: Escape gives the focus back to the cell, whose command mode then takes `I, I`, which interrupts
    the kernel. The KeyboardInterrupt's traceback shows the frames of the user's cell and function only, as an
    interrupted time.sleep's does."""
    page = notebook.page
    cell = notebook.start(
        "from jupyter_session.input import input as ask\n"
        "def ask_name():\n"
        "    return ask('Your name')\n"
        "name = ask_name()"
    )
    notebook.wait_for_focus(cell, ".jps-form input")
    page.keyboard.type("ad")
    page.keyboard.press("Escape")
    assert cell.evaluate("cell => document.activeElement === cell")
    assert cell.locator(".jps-form input").input_value() == "ad"
    page.keyboard.press("i")
    page.keyboard.press("i")
    error = cell.locator(".jp-OutputArea-output", has_text="KeyboardInterrupt")
    error.wait_for(timeout=30_000)
    screenshot(page, f"notebook-{server.app}-interrupted-input")
    text = error.inner_text()
    frames = re.findall(r"^(?:Cell In\[\d+\]|File ).*$", text, re.MULTILINE)
    assert [re.sub(r"\[\d+\]", "[n]", frame) for frame in frames] == [
        "Cell In[n], line 4",
        "Cell In[n], line 3, in ask_name()",
    ], text
    assert "skipping hidden" not in text
    assert cell.locator(".jps-form").count() == 0


@LAB_ONLY
def test_a_cells_forms_stack_as_on_a_pywebio_page(notebook: NotebookPage, server: JupyterServer) -> None:
    """A registered thread and the cell ask at once: the cell's widget shows the newest form only, and the
    thread's comes back, with what was typed in it, once the cell's is answered."""
    cell = notebook.start(
        "import threading\n"
        "from jupyter_session.input import input as ask\n"
        "thread = threading.Thread(target=lambda: put_text('BACKGROUND ' + ask('Background name')))\n"
        "register_thread(thread)\n"
        "thread.start()\n"
        'eval_js(\'new Promise(r => { const t = () => [...document.querySelectorAll(".jps-form input")]'
        ".some(f => f.value) ? r() : setTimeout(t, 20); t(); })', timeout=60)\n"
        "put_text('MAIN ' + ask('Main name'))"
    )
    older = cell.locator(".jps-form", has_text="Background name")
    older.locator("input").fill("ada", timeout=30_000)
    newer = cell.locator(".jps-form", has_text="Main name")
    newer.wait_for(timeout=30_000)
    older.wait_for(state="hidden")
    newer.locator("input").fill("bob")
    newer.get_by_role("button", name="Submit").click()
    cell.locator(".jps-text", has_text="MAIN bob").wait_for(timeout=30_000)
    older.wait_for(state="visible")
    assert older.locator("input").input_value() == "ada"
    older.get_by_role("button", name="Submit").click()
    cell.locator(".jps-text", has_text="BACKGROUND ada").wait_for(timeout=30_000)
    assert cell.locator(".jps-form").count() == 0


def test_a_representative_app_in_a_cell(notebook: NotebookPage, server: JupyterServer, tmp_path: Any) -> None:
    """Scopes updated from a thread, a pin, a popup and a 20 MB upload, all in one cell's output."""
    import os

    page = notebook.page
    cell = notebook.run(
        "import threading, time, hashlib\n"
        "from jupyter_session.output import put_scope, popup\n"
        "from jupyter_session.pin import pin, put_input\n"
        "put_scope('clock')\n"
        "def tick():\n"
        "    for i in range(3):\n"
        "        with use_scope('clock', clear=True):\n"
        "            put_text(f'tick {i}')\n"
        "        time.sleep(0.2)\n"
        "t = threading.Thread(target=tick)\n"
        "register_thread(t)\n"
        "t.start()\n"
        "put_input('city', label='City')"
    )
    cell.locator(".jps-text", has_text="tick 2").wait_for()
    cell.get_by_label("City").fill("Oslo")
    shown = notebook.run("print('city is', pin.city)\npopup('Hello', 'from a popup')")
    assert "city is Oslo" in notebook.output_text(shown)
    page.get_by_role("dialog").get_by_text("from a popup").wait_for()
    page.get_by_role("dialog").get_by_role("button", name="Close").click()

    data = os.urandom(20 * 1024 * 1024)
    big = tmp_path / "big.bin"
    big.write_bytes(data)
    upload = notebook.start(
        "from jupyter_session.input import file_upload\n"
        "f = file_upload('Data')\n"
        "print(len(f['content']), hashlib.sha256(f['content']).hexdigest())"
    )
    upload.locator(".jps-form input[type=file]").set_input_files(str(big))
    upload.get_by_role("button", name="Submit").click()
    expected = f"{len(data)} {hashlib.sha256(data).hexdigest()}"
    upload.locator(".jp-OutputArea-output", has_text=expected).wait_for(timeout=60_000)
    screenshot(page, f"notebook-{server.app}-app")


def choose_theme(notebook: NotebookPage, name: str) -> None:
    """Switch the UI to the theme ``name`` through the settings API (the same in both UIs), then reload to apply it."""
    notebook.page.evaluate(
        """async theme => {
        const config = JSON.parse(document.getElementById('jupyter-config-data').textContent);
        const xsrf = (document.cookie.match(/_xsrf=([^;]+)/) || [])[1] || '';
        const response = await fetch(`${config.settingsUrl}/@jupyterlab/apputils-extension:themes`, {
          method: 'PUT', headers: {'Content-Type': 'application/json', 'X-XSRFToken': xsrf},
          body: JSON.stringify({raw: JSON.stringify({theme})})});
        if (!response.ok) throw new Error(`settings: ${response.status}`);
    }""",
        name,
    )
    notebook.reload()
    notebook.page.wait_for_function(f"() => document.body.dataset.jpThemeName === {name!r}")


@LAB_ONLY
def test_outputs_follow_the_dark_theme(notebook: NotebookPage, server: JupyterServer) -> None:
    """Outputs use JupyterLab's CSS variables: in the dark theme text is light and controls are dark."""
    page = notebook.page
    choose_theme(notebook, "JupyterLab Dark")
    try:
        cell = notebook.run(
            "from jupyter_session.output import put_info, put_table, put_code\n"
            "from jupyter_session.pin import put_input, put_select\n"
            "put_info('A message box')\n"
            "put_table([['Name', 'Born'], ['Ada', 1815]])\n"
            "put_code('print(42)', language='python')\n"
            "put_buttons(['Primary', dict(label='Danger', value=2, color='danger')], onclick=print)\n"
            "put_input('who', label='Who')\n"
            "put_select('pick', ['one', 'two'], label='Pick')"
        )
        cell.get_by_label("Who").wait_for()

        def luminance(selector: str, prop: str) -> float:
            return page.evaluate(
                "([selector, prop]) => { const c = getComputedStyle(document.querySelector(selector))[prop];"
                " const [r, g, b] = c.match(/[\\d.]+/g).map(Number);"
                " return (0.299 * r + 0.587 * g + 0.114 * b) / 255; }",
                [selector, prop],
            )

        assert luminance(".jps-output .jps-table td", "color") > 0.6
        assert luminance(".jps-output .jps-control", "backgroundColor") < 0.4
        assert luminance(".jps-output .jps-code", "backgroundColor") < 0.4
        # Code is coloured with the theme's editor colours (Prism counts `print` among Python's keywords).
        keyword = page.evaluate("getComputedStyle(document.body).getPropertyValue('--jp-mirror-editor-keyword-color')")
        assert keyword.strip() and cell.locator(".jps-code .token.keyword").evaluate(
            "(token, keyword) => { const probe = document.createElement('span'); probe.style.color = keyword;"
            " document.body.append(probe); const colour = getComputedStyle(probe).color; probe.remove();"
            " return colour === getComputedStyle(token).color; }",
            keyword,
        )
        page.wait_for_timeout(800)  # outputs fade in
        screenshot(page, f"notebook-{server.app}-dark")
    finally:
        choose_theme(notebook, "JupyterLab Light")


@LAB_ONLY
def test_two_tabs_on_one_kernel(notebook: NotebookPage, server: JupyterServer) -> None:
    """Both tabs hear the kernel's widget messages; the tab that shows the output answers (the kernel test
    ``test_with_two_frontends_the_first_answer_wins_once`` has both answer); a click is applied once; closing
    one tab leaves the other working."""
    second = NotebookPage(notebook.page.context.new_page(), server, notebook.path, server.app)
    notebook.page.evaluate("window.tabName = 'first'")
    second.page.evaluate("window.tabName = 'second'")
    cell = notebook.run(
        "answers = [eval_js('window.tabName') for _ in range(20)]\n"
        "print('ANSWERS', len(answers), sorted(set(answers)) <= ['first', 'second'])\n"
        "clicks = []\n"
        "put_buttons(['Count'], onclick=clicks.append)"
    )
    assert "ANSWERS 20 True" in notebook.output_text(cell)
    cell.get_by_role("button", name="Count").click()
    notebook.page.wait_for_timeout(1000)
    counted = notebook.run("print('CLICKS', clicks)")
    assert "CLICKS ['Count']" in notebook.output_text(counted)  # once, not once per tab
    second.page.close()
    after = notebook.run("print('STILL', eval_js('window.tabName'))")
    assert "STILL first" in notebook.output_text(after)


#: WCAG's contrast ratio of each button's text against what is behind it, from computed styles: the text colour
#: composited over the button's background, itself composited over its ancestors' until an opaque one.
BUTTON_CONTRASTS = """cell => {
  const parse = colour => {
    const rgb = colour.match(/^rgba?\\(([^)]*)\\)$/);
    const srgb = colour.match(/^color\\(srgb ([^)]*)\\)$/);
    const parts = (rgb || srgb)[1].split(/[\\s,\\/]+/).filter(Boolean).map(Number);
    const scale = srgb ? 255 : 1;
    return [parts[0] * scale, parts[1] * scale, parts[2] * scale, parts[3] ?? 1];
  };
  const over = (top, below) => [0, 1, 2].map(i => top[i] * top[3] + below[i] * (1 - top[3])).concat(1);
  const luminance = colour => {
    const [r, g, b] = colour.slice(0, 3).map(value => {
      const c = value / 255;
      return c <= 0.03928 ? c / 12.92 : ((c + 0.055) / 1.055) ** 2.4;
    });
    return 0.2126 * r + 0.7152 * g + 0.0722 * b;
  };
  const behind = element => {
    const layers = [];
    for (let node = element; node; node = node.parentElement) {
      const layer = parse(getComputedStyle(node).backgroundColor);
      layers.push(layer);
      if (layer[3] === 1) break;
    }
    return layers.reverse().reduce((below, layer) => over(layer, below), [255, 255, 255, 1]);
  };
  return [...cell.querySelectorAll('.jps-button')].map(button => {
    const background = behind(button);
    const text = over(parse(getComputedStyle(button).color), background);
    const [light, dark] = [luminance(text), luminance(background)].sort((a, b) => b - a);
    return [button.className.match(/jps-button--\\w+(?: jps-button--(?:outline|link))?/)[0] + ' ' +
      button.textContent, Math.round((light + 0.05) / (dark + 0.05) * 100) / 100];
  });
}"""


@LAB_ONLY
def test_every_button_colour_keeps_aa_contrast_in_light_and_dark_themes(
    notebook: NotebookPage, server: JupyterServer
) -> None:
    """Each colour of put_buttons, filled, outlined and as a link, and a form's Submit, Reset and Cancel keep 4.5:1
    (WCAG AA for normal text) between their text and what is behind it."""
    colours = ["primary", "secondary", "success", "danger", "warning", "info", "light", "dark"]
    buttons = (
        f"colours = {colours!r}\n"
        "for style in (dict(), dict(outline=True), dict(link_style=True)):\n"
        "    put_buttons([dict(label=c, value=c, color=c) for c in colours], onclick=print, **style)"
    )
    form = (
        "from jupyter_session.input import input_group, input as field\n"
        "print('FORM', input_group('Who', [field('Name', name='name')], cancelable=True))"
    )

    def contrasts(theme: str) -> list[tuple[str, float]]:
        shown = notebook.run(buttons)
        measured = shown.locator(".jps-output").first.evaluate(BUTTON_CONTRASTS)
        asking = notebook.start(form)
        asking.get_by_role("button", name="Cancel").wait_for(timeout=30_000)
        measured += asking.locator(".jps-form").evaluate(BUTTON_CONTRASTS)
        shown.evaluate("cell => cell.scrollIntoView()")
        notebook.page.wait_for_timeout(300)  # outputs fade in
        screenshot(notebook.page, f"notebook-{server.app}-buttons-{theme.split()[-1].lower()}")
        asking.get_by_role("button", name="Cancel").click()
        asking.locator(".jp-OutputArea-output", has_text="FORM None").wait_for(timeout=30_000)
        return [(f"{theme}: {name}", ratio) for name, ratio in measured]

    measured = contrasts("JupyterLab Light")
    choose_theme(notebook, "JupyterLab Dark")
    try:
        measured += contrasts("JupyterLab Dark")
    finally:
        choose_theme(notebook, "JupyterLab Light")
    assert len(measured) == 2 * (3 * len(colours) + 3)
    assert [(name, ratio) for name, ratio in measured if ratio < 4.5] == []


def test_a_cell_that_shows_only_a_popup_or_a_toast_takes_no_height(notebook: NotebookPage) -> None:
    """JupyterLab gives a cell with any output a band of 25 px; an output with nothing in the flow keeps none, and
    its popup or toast still shows."""

    def band(cell: Any) -> list[Any]:
        return cell.locator(".jp-Cell-outputWrapper").evaluate(
            "wrapper => [wrapper.getBoundingClientRect().height, getComputedStyle(wrapper).marginTop]"
        )

    assert band(notebook.run("nothing = None")) == [0, "0px"]
    shown = notebook.run("from jupyter_session.output import popup, toast\npopup('Title', 'in a popup')")
    notebook.page.get_by_role("dialog").get_by_text("in a popup").wait_for()
    assert shown.locator(".jps-root").count() == 1
    assert band(shown) == [0, "0px"]
    notebook.page.get_by_role("dialog").get_by_role("button", name="Close").click()
    toasted = notebook.run("toast('a toast', duration=0)")
    notebook.page.locator(".jps-toast", has_text="a toast").wait_for()
    assert band(toasted) == [0, "0px"]
    assert band(notebook.run("put_text('in the flow')"))[0] > 20


@LAB_ONLY
def test_a_datatable_in_a_cell_is_as_tall_as_its_rows_up_to_its_height(notebook: NotebookPage) -> None:
    """put_datatable's height (600 px by default) is the most a table takes in a notebook; on a page it is the
    table's height, as in PyWebIO."""
    cell = notebook.run(
        "from jupyter_session.output import put_datatable\n"
        "put_datatable([{'name': 'Ada'}, {'name': 'Bob'}])\n"
        "put_datatable([{'row': n} for n in range(100)])\n"
        "put_datatable([{'row': n} for n in range(100)], height=200)"
    )
    cell.locator(".jps-datatable-box").nth(2).wait_for()
    short, long, lower = (
        box.evaluate("box => [box.clientHeight, box.scrollHeight, box.querySelector('table').offsetHeight]")
        for box in cell.locator(".jps-datatable-box").all()
    )
    assert short[0] == short[1] == short[2] < 150  # no empty space under the two rows
    assert long[0] == 600 and long[1] > long[0]  # the rows scroll
    assert lower[0] == 200 and lower[1] > lower[0]


@LAB_ONLY
def test_the_first_widgets_cell_shows_busy_while_it_waits(notebook: NotebookPage) -> None:
    """JupyterLab asks the kernel for a subshell when a kernel's first widget opens, and shows the idle that
    answers it as the kernel's status: the waiting cell must still be shown busy."""
    statuses: list[tuple[str, str]] = []  # (execution state, the parent's message type), in arrival order

    def watch(socket: Any) -> None:
        if "/channels" not in socket.url:  # the kernel's, not the server's event stream
            return

        def hear(payload: bytes | str) -> None:
            message = kernel_message(payload)
            if message["header"]["msg_type"] == "status":
                statuses.append((message["content"]["execution_state"], message["parent_header"].get("msg_type", "")))

        socket.on("framereceived", hear)

    notebook.page.on("websocket", watch)
    notebook.reload()  # a kernel connection of its own, watched from its start
    cell = notebook.start("from jupyter_session.input import input as ask\nprint('got', ask('Name'))")
    cell.locator(".jps-form input").wait_for(timeout=30_000)
    # What JupyterLab shows is the last status it heard; other control requests (its debugger's) come and go too.
    deadline = time.monotonic() + 10
    while ("idle", "create_subshell_request") not in statuses or statuses[-1] != ("busy", "execute_request"):
        assert time.monotonic() < deadline, f"the waiting cell is not shown busy: {statuses}"
        notebook.page.wait_for_timeout(50)
    notebook.page.locator(".jp-Notebook-ExecutionIndicator[data-status=busy]").wait_for(timeout=5_000)
    cell.locator(".jps-form input").fill("Ada")
    cell.get_by_role("button", name="Submit").click()
    cell.locator(".jp-OutputArea-output", has_text="got Ada").wait_for(timeout=30_000)
    notebook.wait_idle()
