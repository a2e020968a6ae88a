"""Forms on the page: validation messages, choices, cancel, labels that stay text (on each web backend); Enter,
field messages, numbers and file dicts as PyWebIO's page has them, two tasks' forms stacked, and the input panel
fixed to the bottom of the window (on Tornado)."""

from __future__ import annotations

import json
import os
from pathlib import Path
from typing import Any

import pytest
from pages import screenshot, wait_text


def test_a_form_shows_errors_then_returns_the_fixed_value(serve: Any, page: Any, backend: str) -> None:
    server = serve("form", backend=backend)
    page.goto(server.url)
    age = page.locator(".jps-form input[type=number]")
    age.fill("12")
    page.get_by_role("button", name="Submit").click()
    page.locator(".jps-field-feedback", has_text="Too young").wait_for()
    screenshot(page, f"{backend}-form-invalid")
    age.fill("42")
    page.get_by_role("button", name="Submit").click()
    assert wait_text(page, "AGE") == "42"

    form = page.locator(".jps-form", has_text="Choose")
    form.wait_for()
    assert form.locator("select").input_value() == "1"  # "pear" was given as the value
    form.locator("select").select_option(label="apple")
    form.get_by_label("Nuts").check()
    form.get_by_role("radio", name="M").check()
    form.locator("input[type=text]").fill("<script>window.pwned = 1</script>")
    form.locator("input[type=range]").fill("0.75")
    assert form.locator(".jps-slider-value").inner_text() == "0.75"
    assert form.locator(".jps-field-label", has_text="Note <b>").count() == 1
    screenshot(page, f"{backend}-form-choices")
    form.get_by_role("button", name="Submit").click()
    assert json.loads(wait_text(page, "CHOICE")) == {
        "extras": ["nuts"],
        "fruit": "apple",
        "note": "<script>window.pwned = 1</script>",
        "size": "M",
        "volume": 0.75,
    }

    page.locator(".jps-form", has_text="Cancel me").get_by_role("button", name="Cancel").click()
    assert wait_text(page, "CANCELLED") == "None"
    assert page.locator(".jps-form").count() == 0
    assert page.evaluate("window.pwned") is None


def test_enter_sends_with_the_first_action_and_chat_room_logs_no_stray_event(serve: Any, page: Any) -> None:
    """PyWebIO's chat_room: Enter in the message box sends with the first action ("Send"), as the browser's
    implicit submission clicks a form's first submit button; Enter in a textarea is a new line. Its forms
    send no event the session has to drop with a warning."""
    server = serve("chat")
    page.goto(server.url)
    nickname = page.locator(".jps-form", has_text="Your nickname").locator("input")
    nickname.fill("ada")
    nickname.press("Enter")
    assert wait_text(page, "NICK") == "ada"
    message = page.locator(".jps-form", has_text="Send message").locator("input")
    message.fill("hello")
    message.press("Enter")
    assert wait_text(page, "SENT Send") == '"hello"'
    page.locator(".jps-form", has_text="Send message").locator("input").press("Enter")
    page.locator(".jps-field-feedback", has_text="Message content cannot be empty").wait_for()
    page.get_by_role("button", name="Multiline Input").click()
    area = page.locator(".jps-form", has_text="Message content").locator("textarea")
    area.press_sequentially("a")
    area.press("Enter")
    area.press_sequentially("b")
    page.get_by_role("button", name="Submit").click()
    assert wait_text(page, "SENT Multiline Input") == json.dumps("\na\nb")
    page.locator(".jps-form", has_text="Send message").get_by_role("button", name="Exit").click()
    wait_text(page, "LEFT")
    output = server.stop()
    assert "dropped" not in output, output


def test_a_fixed_field_loses_its_error_when_the_group_blames_another(serve: Any, page: Any) -> None:
    """As on PyWebIO's page, each submit clears every field's error; the session's answer shows the new one."""
    server = serve("group_errors")
    page.goto(server.url)
    name, age = page.get_by_label("Name"), page.get_by_label("Age")
    name.fill("Alexander")
    age.fill("30")
    page.get_by_role("button", name="Submit").click()
    name_feedback = page.locator(".jps-field[data-name=name] .jps-field-feedback")
    name_feedback.filter(has_text="Name too long!").wait_for()
    name.fill("Al")
    age.fill("-1")
    page.get_by_role("button", name="Submit").click()
    page.locator(".jps-field[data-name=age] .jps-field-feedback", has_text="bad age").wait_for()
    assert name_feedback.inner_text() == ""
    assert page.locator(".jps-field--invalid").count() == 1
    age.fill("30")
    page.get_by_role("button", name="Submit").click()
    assert json.loads(wait_text(page, "PERSON")) == {"age": 30, "name": "Al"}


def test_number_fields_refuse_what_is_not_their_number_in_the_browser(serve: Any, page: Any) -> None:
    """PyWebIO's page refused these with the browser's own check; the app never sees `None` for them."""
    server = serve("numbers")
    page.goto(server.url)
    ratio = page.locator(".jps-form", has_text="Ratio").locator("input")
    ratio.press_sequentially("1e")
    page.get_by_role("button", name="Submit").click()
    page.locator(".jps-field-feedback", has_text="Please enter a number.").wait_for()
    ratio.fill("2.5")
    ratio.press("Enter")
    assert wait_text(page, "RATIO") == "2.5"
    count = page.locator(".jps-form", has_text="Count").locator("input")
    count.fill("2.5")
    page.get_by_role("button", name="Submit").click()
    page.locator(".jps-field-feedback", has_text="Please enter a whole number.").wait_for()
    count.fill("3")
    page.get_by_role("button", name="Submit").click()
    assert wait_text(page, "COUNT") == "3"
    assert page.locator(".jps-text", has_text="None").count() == 0
    assert "is not valid" not in server.stop()  # the session never had to refuse an answer


def test_file_dicts_have_pywebio_keys_and_units(serve: Any, page: Any, tmp_path: Path) -> None:
    """`filename`, `size`, `mime_type`, `last_modified` (seconds, as PyWebIO's page sends it), `content`."""
    server = serve("upload_dicts")
    path = tmp_path / "a.txt"
    path.write_bytes(b"hello")
    os.utime(path, (1600000000.25, 1600000000.25))
    page.goto(server.url)
    page.locator(".jps-form input[type=file]").set_input_files(str(path))
    page.get_by_role("button", name="Submit").click()
    expected = {"filename": "a.txt", "size": 5, "mime_type": "text/plain", "last_modified": 1600000000.25, "content": 5}
    described = json.loads(wait_text(page, "FORM"))
    assert list(described.items()) == list(expected.items())
    page.locator(".jps-pin input[type=file]").set_input_files(str(path))
    assert list(json.loads(wait_text(page, "PIN")).items()) == list(expected.items())


@pytest.mark.parametrize("app", ["two_forms_thread", "two_forms_coroutine"])
def test_only_the_newest_form_shows_and_the_older_comes_back_with_its_text(serve: Any, page: Any, app: str) -> None:
    """As PyWebIO's page: forms of two tasks stack; the older one waits hidden, and keeps what was typed in it."""
    server = serve(f"form_apps:{app}")
    page.goto(server.url)
    older = page.locator(".jps-form", has_text="Background name")
    older.locator("input").fill("ada")
    newer = page.locator(".jps-form", has_text="Main name")
    newer.wait_for()
    older.wait_for(state="hidden", timeout=5000)
    assert page.locator(".jps-form:visible").count() == 1
    newer.locator("input").fill("bob")
    newer.get_by_role("button", name="Submit").click()
    assert wait_text(page, "MAIN") == "bob"
    older.wait_for(state="visible", timeout=5000)
    assert older.locator("input").input_value() == "ada"
    assert page.locator(".jps-form").count() == 1
    older.get_by_role("button", name="Submit").click()
    assert wait_text(page, "BACKGROUND") == "ada"


# The input panel, its form's card and the last output, in the window's coordinates.
_PANEL = """() => {
  const box = element => { const r = element.getBoundingClientRect(); return { top: r.top, bottom: r.bottom }; };
  const panel = document.querySelector('#input-container');
  const texts = document.querySelectorAll('#pywebio-scope-ROOT .jps-text');
  return { fixed: panel.classList.contains('fixed'), panel: box(panel), height: panel.offsetHeight,
    card: box(document.querySelector('#input-cards > .jps-form')), last: box(texts[texts.length - 1]),
    window: innerHeight, page: document.documentElement.scrollHeight, scroll: scrollY };
}"""


def test_the_form_is_pinned_to_the_bottom_of_the_window_under_many_outputs(serve: Any, page: Any) -> None:
    """PyWebIO's default input panel: fixed to the bottom, as tall as the form up to 300 px; at the end of the page
    the last output is above it, and scrolling back up pins it again."""
    page.set_viewport_size({"width": 800, "height": 600})
    server = serve("form_apps:panel_under_outputs")
    page.goto(server.url)
    page.locator("#input-container #input-cards.container .jps-form", has_text="Your name").wait_for()
    shown = page.evaluate(_PANEL)
    assert shown["page"] > 3 * shown["window"]  # the outputs overflow the window
    assert shown["fixed"] and abs(shown["panel"]["bottom"] - shown["window"]) <= 1, shown
    assert 0 <= shown["card"]["top"] < shown["card"]["bottom"] <= shown["window"], shown
    assert abs(shown["height"] - min(shown["card"]["bottom"] - shown["card"]["top"] + 80, 300)) <= 1, shown
    assert page.evaluate("document.activeElement.closest('.jps-form') !== null")  # input_auto_focus
    screenshot(page, "tornado-input-panel-fixed")
    page.evaluate("window.scrollTo(0, document.documentElement.scrollHeight)")
    page.wait_for_timeout(300)
    end = page.evaluate(_PANEL)
    assert 0 <= end["last"]["top"] and end["last"]["bottom"] <= end["panel"]["top"], end
    assert end["card"]["bottom"] <= end["window"], end
    screenshot(page, "tornado-input-panel-end")
    page.evaluate("window.scrollTo(0, 0)")
    page.wait_for_function("() => document.querySelector('#input-container').classList.contains('fixed')")
    page.locator("#input-cards input").fill("ada")
    page.locator("#input-cards input").press("Enter")
    assert wait_text(page, "NAME") == "ada"
    assert page.evaluate("document.querySelector('#input-container').classList.contains('fixed')") is False
    assert page.evaluate("document.querySelector('#end-space').offsetHeight") == 0


def test_input_panel_fixed_false_puts_the_form_in_the_page_flow(serve: Any, page: Any) -> None:
    page.set_viewport_size({"width": 800, "height": 600})
    server = serve("form_apps:panel_in_flow")
    page.goto(server.url)
    page.locator("#input-cards .jps-form", has_text="Your name").wait_for()
    shown = page.evaluate(_PANEL)
    # Under the outputs, beyond the first window of the page (the focus on its field scrolled it into view).
    assert not shown["fixed"] and shown["card"]["top"] + shown["scroll"] > shown["window"], shown
    assert shown["card"]["top"] >= shown["last"]["bottom"], shown
    page.evaluate("window.scrollTo(0, document.documentElement.scrollHeight)")
    page.wait_for_timeout(300)
    end = page.evaluate(_PANEL)
    assert not end["fixed"] and end["last"]["bottom"] <= end["card"]["top"] < end["card"]["bottom"] <= end["window"]


def test_input_panel_heights_follow_set_env(serve: Any, page: Any) -> None:
    """`input_panel_init_height` is the panel's height for a taller form (300 by default); the wheel over the panel
    resizes it, down to `input_panel_min_height` and up to the whole form, as on PyWebIO's page."""
    page.set_viewport_size({"width": 800, "height": 700})
    server = serve("form_apps:panel_heights")
    page.goto(server.url)
    first = page.locator("#input-cards .jps-form", has_text="Default heights")
    first.wait_for()
    assert page.evaluate(_PANEL)["height"] == 300
    first.locator("textarea").fill("one")
    first.locator("form").evaluate("form => form.requestSubmit()")
    assert wait_text(page, "FIRST") == "'one'"
    page.locator("#input-cards .jps-form", has_text="Heights of set_env").wait_for()
    shown = page.evaluate(_PANEL)
    card = shown["card"]["bottom"] - shown["card"]["top"]
    assert shown["fixed"] and shown["height"] == 400 and card + 80 > 400, shown
    page.mouse.move(400, 650)
    page.mouse.wheel(0, -1000)
    page.wait_for_function("() => document.querySelector('#input-container').offsetHeight === 250")
    page.mouse.wheel(0, 2000)
    page.wait_for_function(
        "h => Math.abs(document.querySelector('#input-container').offsetHeight - h) <= 1", arg=min(card + 80, 700)
    )
    shown = page.evaluate(_PANEL)
    assert shown["fixed"] and 0 <= shown["card"]["top"] and shown["card"]["bottom"] <= shown["window"] + 1, shown
