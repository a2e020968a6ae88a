"""Buttons on the Tornado page: clicks run the callback, labels are text, disabled buttons stay quiet."""

from __future__ import annotations

from typing import Any

from pages import screenshot


def test_clicks_run_callbacks_and_labels_stay_text(serve: Any, page: Any) -> None:
    server = serve("buttons")
    page.goto(server.url)
    first = page.locator(".jps-button", has_text="<img src=x onerror=window.pwned=1>")
    first.click()
    page.locator(".jps-text", has_text="PRESSED {'n': 1}").wait_for()
    page.get_by_role("button", name="Second").click()
    page.locator(".jps-text", has_text="PRESSED 2").wait_for()
    page.get_by_role("button", name="Off").click(force=True)
    page.get_by_role("button", name="Outline").click()
    page.locator(".jps-text", has_text="PRESSED 'outline'").wait_for()
    texts = page.locator("#pywebio-scope-log .jps-text").all_inner_texts()
    assert texts == ["PRESSED {'n': 1}", "PRESSED 2", "PRESSED 'outline'"]
    assert page.evaluate("window.pwned") is None and page.locator(".jps-output img").count() == 0
    screenshot(page, "tornado-buttons")
