"""Forms on the page, on each web backend: validation messages, choices, cancel; labels stay text."""

from __future__ import annotations

import json
from typing import Any

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
