"""Pins on the Tornado page: reading, writing, waiting for a change, and change callbacks."""

from __future__ import annotations

import json
from typing import Any

from pages import screenshot, wait_text

XSS = "<img src=x onerror=window.pwned=1>"


def test_pins_are_read_written_and_watched(serve: Any, page: Any) -> None:
    server = serve("pins")
    page.goto(server.url)
    page.get_by_label("Fruit").select_option(label="Pear")
    assert json.loads(wait_text(page, "FRUIT")) == {"kind": "pear"}
    page.get_by_placeholder("type here").fill("Lyon")
    assert json.loads(wait_text(page, "CHANGED")) == {"name": "city", "value": "Lyon"}
    assert json.loads(wait_text(page, "VALUES")) == ["Paris", {"kind": "pear"}, ["nuts"], None]
    assert page.get_by_placeholder("type here").input_value() == "Paris"
    assert page.get_by_text("set by the app").is_visible()
    assert page.get_by_label("nuts").is_checked() and not page.get_by_label("cream").is_checked()
    assert wait_text(page, "TIMEOUT") == "None"
    screenshot(page, "tornado-pins")


def test_widget_template_containers_action_button_code_field_and_file_pin(serve: Any, page: Any) -> None:
    server = serve("extras")
    page.goto(server.url)
    card = page.locator("section.card")
    assert card.locator("h4").inner_text() == XSS  # mustache escapes the data
    assert card.locator(".jps-text").first.inner_text() == XSS
    assert card.locator(".jps-code code").inner_text() == "x = 1"
    assert page.locator(".jps-collapse-body .jps-text").inner_text() == "INSIDE COLLAPSE"
    wait_text(page, "LOADED")
    assert page.locator(".jps-loading").count() == 0 and page.get_by_text("LOADING TEXT").count() == 0

    # A code pin is a CodeMirror editor on the page (test_code_editor_page.py); the label's click focuses it.
    page.get_by_text("Source", exact=True).click()
    page.keyboard.type("def f():\n    return 1")
    source = page.locator(".jps-pin .CodeMirror")
    assert source.evaluate("e => e.CodeMirror.getValue()") == "def f():\n    return 1"
    page.get_by_label("Document").set_input_files(dict(name="a.txt", mimeType="text/plain", buffer=b"hello"))
    assert wait_text(page, "DOC") == "a.txt hello"

    page.get_by_role("button", name="Fill").click()
    stamp = page.locator(".jps-form input[type=number]")
    page.wait_for_function("() => document.querySelector('.jps-form input[type=number]')?.value === '42'")
    screenshot(page, "tornado-extras")
    stamp.press("Enter")
    assert wait_text(page, "STAMP") == "42"
    assert wait_text(page, "PINS") == "\"def f():\\n    return 1\" a.txt ['doc', 'source']"

    note = page.locator(".jps-form .CodeMirror")
    note.click()
    page.keyboard.press("Control+BracketRight")  # CodeMirror's indentMore, by the app's indentUnit
    page.keyboard.type("x")
    assert note.evaluate("e => e.CodeMirror.getValue()") == "  x"
    page.get_by_role("button", name="Submit").click()
    assert wait_text(page, "NOTE") == '"  x"'
    assert page.evaluate("window.pwned") is None
