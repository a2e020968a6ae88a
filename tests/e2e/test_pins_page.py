"""Pins on the Tornado page: reading, writing, waiting for a change, and change callbacks."""

from __future__ import annotations

import json
from typing import Any

from pages import screenshot, wait_text


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
