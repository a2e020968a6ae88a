"""Content, layout, message, popup and toast outputs on the Tornado page; text stays text everywhere."""

from __future__ import annotations

from typing import Any

from pages import screenshot, wait_text

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


def test_layouts_match_pywebio(serve: Any, page: Any) -> None:
    server = serve("layouts")
    page.goto(server.url)
    wait_text(page, "LAYOUTS READY")

    def box(selector: str) -> dict[str, float]:
        return page.locator(selector).first.bounding_box()

    assert page.locator("#pywebio-scope-table th").all_inner_texts() == ["H1", "H2"]
    b_cell, c_cell = box("#pywebio-scope-spanned th:nth-child(2)"), box("#pywebio-scope-spanned td")
    assert abs(c_cell["x"] - b_cell["x"]) < 1  # A spans two rows, so C sits under B
    gap = box("#pywebio-scope-row .jps-gap")
    assert round(gap["width"]) == 10
    wide, first, second = (box(f"#pywebio-scope-grid .jps-text >> text={name}") for name in ("WIDE", "G1", "G2"))
    assert round(wide["width"]) == 200 and wide["y"] < first["y"] and second["x"] - first["x"] == 100
    centred = box("#pywebio-scope-centred")
    middle = centred["x"] + centred["width"] / 2
    buttons = [box(f"#pywebio-scope-centred .jps-button >> text={label}") for label in ("x", "y")]
    assert abs((buttons[0]["x"] + buttons[1]["x"] + buttons[1]["width"]) / 2 - middle) < 8
    assert page.locator("#pywebio-scope-centred td").evaluate("cell => getComputedStyle(cell).textAlign") == "center"
    styles = page.locator("#pywebio-scope-markdown").evaluate("""scope => {
        const style = selector => getComputedStyle(scope.querySelector(selector));
        return [style('pre').backgroundColor, style('pre code').paddingLeft, style('blockquote').borderLeftWidth,
                style('td').borderTopWidth];
    }""")
    assert styles[0] != "rgba(0, 0, 0, 0)" and styles[1] == "0px" and styles[2] != "0px" and styles[3] == "1px"
    code = page.locator("#pywebio-scope-code .jps-code").first
    assert code.inner_text() == f"def f():  # {XSS}\n    return '{XSS}'"  # coloured, the same text
    assert code.locator(".token.keyword").first.inner_text() == "def"
    assert code.locator(".token.comment").inner_text() == f"# {XSS}"
    assert page.locator("#pywebio-scope-code .jps-markdown .token.number").inner_text() == "42"
    for plain in (1, 2):
        assert page.locator("#pywebio-scope-code .jps-code").nth(plain).locator("span").count() == 0
    assert page.errors == []
    assert page.locator("#pywebio-scope-code img, #pywebio-scope-code b").count() == 0
    assert page.evaluate("window.pwned") is None
    assert "jps-button--warning" in page.get_by_role("button", name="Warn").get_attribute("class")
    assert page.get_by_role("button", name="Off").is_disabled()
    assert page.locator("#pywebio-scope-pins .jps-field--valid .jps-field-feedback").inner_text() == "Looks good"
    screenshot(page, "tornado-layouts")


def test_images_files_tabs_progress_and_clickable_outputs(serve: Any, page: Any, tmp_path: Any) -> None:
    server = serve("media")
    page.goto(server.url)
    image = page.locator(".jps-image[title=pixels]")
    image.wait_for()
    assert image.evaluate("img => img.complete && img.naturalWidth === 2 && img.naturalHeight === 2")
    with page.expect_download() as download:
        page.get_by_text("Get the file").click()
    saved = tmp_path / "data.bin"
    download.value.save_as(saved)
    assert saved.read_bytes() == b"\x00\x01file bytes" and download.value.suggested_filename == "data.bin"
    assert page.get_by_text("first tab").is_visible() and not page.get_by_text("second tab").is_visible()
    page.get_by_role("tab", name="Second").click()
    assert page.get_by_text("second tab").is_visible() and not page.get_by_text("first tab").is_visible()
    assert page.locator(".jps-progress-bar").inner_text() == "25.0%"  # PyWebIO's label, one decimal
    screenshot(page, "tornado-media")
    page.get_by_text("CLICK ME").click()
    page.get_by_text("TEXT CLICKED").wait_for()
    page.get_by_role("button", name="Advance").click()
    page.locator(".jps-progress").wait_for(state="detached")  # auto_close at 100%


def test_datatable_selects_acts_and_updates(serve: Any, page: Any) -> None:
    server = serve("datatable")
    page.goto(server.url)
    table = page.locator(".jps-datatable-table")
    table.locator("tbody tr").nth(1).wait_for()  # all_inner_texts() does not wait for the table
    assert table.locator("th").all_inner_texts() == ["id", "name", "City"]
    assert table.locator("tbody tr").first.locator("td").all_inner_texts() == ["1", XSS, "Paris"]
    assert not page.get_by_role("button", name="Rename").is_enabled()  # nothing selected yet
    table.locator("tbody tr").nth(1).click()
    assert wait_text(page, "SELECTED") == "2"
    assert page.locator(".jps-datatable-cell").inner_text() == "Ada"  # the clicked cell, in full
    page.get_by_role("button", name="Rename").click()
    page.wait_for_function(
        "() => document.querySelector('.jps-datatable-table tbody tr:nth-child(2) td:nth-child(2)')"
        "?.textContent === 'Grace'"
    )
    page.get_by_role("button", name="Add").click()
    table.locator("tbody tr", has_text="Alan").wait_for()
    page.get_by_role("button", name="Delete").click()
    page.wait_for_function("() => document.querySelectorAll('.jps-datatable-table tbody tr').length === 2")
    assert table.locator("tbody tr td:nth-child(2)").all_inner_texts() == [XSS, "Alan"]
    assert page.get_by_text("SELECTED").count() == 1  # updating a row does not report a selection

    def ids() -> list[str]:
        return table.locator("tbody tr td:first-child").all_inner_texts()

    sort_by_id = table.locator("th .jps-datatable-sort").first
    for state, expected in (("ascending", ["1", "3"]), ("descending", ["3", "1"]), ("none", ["1", "3"])):
        sort_by_id.click()
        assert table.locator("th").first.get_attribute("aria-sort") == state and ids() == expected
    sort_by_id.click()
    sort_by_id.click()  # descending again
    page.get_by_role("button", name="Add").click()  # inserted rows take their sorted place
    table.locator("tbody tr", has_text="Alan").nth(1).wait_for()
    assert ids() == ["4", "3", "1"]
    page.get_by_role("searchbox", name="Filter rows").fill("PARIS")
    assert ids() == ["1"]
    table.locator("tbody tr").first.click()  # selection works on a filtered, sorted table
    page.locator(".jps-text", has_text="SELECTED 1").wait_for()
    page.get_by_role("searchbox", name="Filter rows").fill("")
    assert ids() == ["4", "3", "1"]
    screenshot(page, "tornado-datatable")
    assert page.evaluate("window.pwned") is None


def test_a_few_outputs_fade_in_and_a_burst_shows_at_once(serve: Any, page: Any) -> None:
    server = serve("burst")
    page.goto(server.url)
    wait_text(page, "BURST DONE")
    animated = page.evaluate(
        "[...document.querySelectorAll('.jps-text')].filter(e => "
        "e.classList.contains('jps-appear')).map(e => e.textContent)"
    )
    assert animated[:3] == ["few 0", "few 1", "few 2"]
    # 8 a frame; on a slow machine the burst may arrive over a few frames, yet most of it shows at once.
    assert 0 < len([text for text in animated if text.startswith("burst")]) <= 100


def test_auto_scroll_bottom_keeps_the_end_of_the_page_in_view(serve: Any, page: Any) -> None:
    """PyWebIO scrolls to the bottom of the whole page (its form included) as output reaches the ROOT scope."""
    page.set_viewport_size({"width": 800, "height": 400})
    server = serve("scroll_bottom")
    page.goto(server.url)
    wait_text(page, "MORE DONE")
    at_bottom = "Math.abs(scrollY + innerHeight - document.documentElement.scrollHeight) <= 2"
    page.wait_for_function(f"() => {at_bottom}", timeout=3000)
    assert page.evaluate("document.querySelector('.jps-form').getBoundingClientRect().bottom <= innerHeight")
    screenshot(page, "tornado-auto-scroll-bottom")


def test_markdown_keeps_single_line_breaks_as_pywebio(serve: Any, page: Any) -> None:
    """PyWebIO sets marked's `breaks: true` (and GFM); an app's own options still override it."""
    server = serve("markdown_breaks")
    page.goto(server.url)
    first, second = page.locator(".jps-markdown").nth(0), page.locator(".jps-markdown").nth(1)
    second.wait_for()
    assert first.locator("p").first.evaluate("p => p.innerHTML") == "first line<br>second line"
    assert first.locator("table td").all_inner_texts() == ["1", "2"]
    assert second.locator("br").count() == 0
