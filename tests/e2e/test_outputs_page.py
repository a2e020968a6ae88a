"""Content, layout, message, popup and toast outputs on the Tornado page; text stays text everywhere."""

from __future__ import annotations

from typing import Any

from pages import screenshot

XSS = "<img src=x onerror=window.pwned=1>"


def test_outputs_render_and_no_text_runs_as_html(serve: Any, page: Any) -> None:
    server = serve("showcase")
    page.goto(server.url)
    page.locator(".jps-loading").wait_for()
    assert page.locator(".jps-code code").first.inner_text() == f"print('{XSS}')"
    bad_link = page.locator(".jps-link", has_text=XSS)
    assert bad_link.get_attribute("href") is None  # javascript: links lose their target
    assert page.locator(".jps-link", has_text="docs").get_attribute("target") == "_blank"
    assert page.locator(".jps-alert--info").inner_text().startswith(XSS)
    table = page.locator(".jps-table").first
    assert table.locator("th").all_inner_texts() == ["one", "two", "three"]
    assert table.locator("td[colspan='2']").inner_text() == XSS
    assert page.locator(".jps-table").nth(1).locator("td").all_inner_texts() == ["Ada", "1815"]
    assert page.locator(".jps-flex > *").count() == 3 and page.locator(".jps-grid > *").count() == 4
    assert page.locator(".jps-collapse summary").inner_text() == XSS
    assert not page.locator(".jps-collapse-body").is_visible()
    scrollable = page.locator(".jps-scrollable")
    assert scrollable.evaluate("box => box.scrollTop > 0 && box.clientHeight <= 100")
    screenshot(page, "tornado-outputs-showcase")

    page.locator(".jps-toast", has_text=XSS).click()
    page.locator(".jps-text", has_text="TOAST CLICKED").wait_for()
    page.get_by_role("button", name="Open popup").click()
    dialog = page.get_by_role("dialog")
    dialog.locator(".jps-text", has_text="POPUP BODY").wait_for()
    assert dialog.locator(".jps-popup-title").inner_text() == XSS
    screenshot(page, "tornado-popup")
    dialog.get_by_role("button", name="Close it").click()
    dialog.wait_for(state="detached")
    page.locator(".jps-alert-close").click()
    assert page.locator(".jps-alert--info").count() == 0
    assert page.evaluate("window.pwned") is None and page.locator(".jps-output img").count() == 0
