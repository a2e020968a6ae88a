"""Code fields on the page are CodeMirror editors, as on PyWebIO's (`textarea(code=...)`,
`put_textarea(code=...)`): line numbers, the app's mode and theme, typed text submitted and read from a pin,
`update_input`/`pin_update` values shown, `required` checked and Reset clearing the editor; the editor's bundle
loads only once a code field shows."""

from __future__ import annotations

import json
from typing import Any

from pages import screenshot, wait_text

#: The text of the CodeMirror editor in the field labelled ``label``.
EDITOR_TEXT = "label => [...document.querySelectorAll('.jps-field')].find(f => f.querySelector('label')"
EDITOR_TEXT += "?.textContent === label).querySelector('.CodeMirror').CodeMirror.getValue()"


def editor_text(page: Any, label: str) -> str:
    return str(page.evaluate(EDITOR_TEXT, label))


def wait_editor_text(page: Any, label: str, text: str) -> None:
    page.wait_for_function(f"([label, text]) => ({EDITOR_TEXT})(label) === text", arg=[label, text])


def test_code_fields_are_codemirror_editors(serve: Any, page: Any) -> None:
    server = serve("form_apps:code_fields")
    loaded: list[str] = []
    page.on("request", lambda request: loaded.append(request.url))
    page.goto(server.url)
    source = page.locator(".jps-field", has_text="Source").locator(".CodeMirror")
    source.wait_for()
    assert page.locator(".CodeMirror").count() == 3  # the pin and the form's two fields
    assert source.locator(".CodeMirror-code .CodeMirror-linenumber").inner_text() == "1"
    assert source.evaluate("e => e.CodeMirror.getOption('mode')") == "python"
    assert source.evaluate("e => getComputedStyle(e).fontSize") == "13px"
    assert [url for url in loaded if "code_editor" in url]  # fetched on demand from the page's static files
    shout = page.locator(".jps-field", has_text="Shout").locator(".CodeMirror")
    assert "cm-s-monokai" in str(shout.get_attribute("class"))
    page.wait_for_function(
        "() => getComputedStyle(document.querySelectorAll('.CodeMirror')[2]).backgroundColor === 'rgb(39, 40, 34)'"
    )  # the theme's stylesheet, linked from the static files

    page.get_by_role("button", name="Submit").click()
    page.locator(".jps-field-feedback", has_text="Please fill in this field").wait_for()

    page.locator(".jps-pin .CodeMirror").click()
    page.keyboard.type("pin text")
    source.click()
    page.keyboard.type("def f():\nreturn 1")  # Python's mode indents after the colon
    wait_editor_text(page, "Shout", "DEF F():\n    RETURN 1")  # update_input's value, from onchange
    assert editor_text(page, "Source") == "def f():\n    return 1"
    assert source.locator(".CodeMirror-code").inner_text().split() == ["1", "def", "f():", "2", "return", "1"]
    screenshot(page, "tornado-code-fields")

    page.get_by_role("button", name="Reset").click()
    wait_editor_text(page, "Source", "")
    source.click()
    page.keyboard.type("x = 1")
    wait_editor_text(page, "Shout", "X = 1")
    page.get_by_role("button", name="Submit").click()
    assert json.loads(wait_text(page, "FORM")) == {"shout": "X = 1", "source": "x = 1"}
    assert json.loads(wait_text(page, "PIN")) == "pin text"

    wait_text(page, "UPDATED")
    wait_editor_text(page, "Snippet", "set by the app")
    assert page.locator(".jps-pin .CodeMirror").evaluate("e => e.CodeMirror.getOption('readOnly')") == "nocursor"


def test_a_page_without_code_fields_loads_no_editor(serve: Any, page: Any) -> None:
    server = serve("form_apps:panel_in_flow")
    loaded: list[str] = []
    page.on("request", lambda request: loaded.append(request.url))
    page.goto(server.url)
    page.locator(".jps-form textarea, .jps-form input").first.wait_for()
    assert not [url for url in loaded if "code_editor" in url or "cm-theme" in url]
