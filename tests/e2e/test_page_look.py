"""PyWebIO's look on the standalone page: Bootstrap 4 and PyWebIO's class names, so that an app's CSS written for
PyWebIO's page finds its elements, and the details a user sees (toasts, spinners, progress labels, forms)."""

from __future__ import annotations

from typing import Any

from pages import screenshot, wait_text


def style(page: Any, selector: str, prop: str) -> str:
    return str(page.locator(selector).first.evaluate("(node, prop) => getComputedStyle(node)[prop]", prop))


def test_the_page_looks_like_pywebios_and_an_apps_css_for_it_applies(serve: Any, page: Any) -> None:
    server = serve("js_apps:look")
    page.goto(server.url)
    page.get_by_role("dialog").wait_for()
    # Bootstrap 4's type, as on PyWebIO's page (its font stack starts with the system UI fonts).
    assert style(page, "body", "fontSize") == "16px"
    assert style(page, "body", "fontFamily").startswith("-apple-system")
    assert page.locator("footer.footer").inner_text() == "Powered by jupyter_session"
    # The app's rules: `.pywebio` beats the page's own padding, the table and the scope in its cell are sized,
    # a light button is the app's grey.
    assert style(page, ".pywebio", "paddingTop") == "0px"
    assert page.locator(".markdown-body table").first.bounding_box()["width"] == 250
    cell = page.locator("th > div#pywebio-scope-cell").bounding_box()
    assert (cell["width"], cell["height"]) == (50, 50)
    assert style(page, ".btn.btn-light", "backgroundColor") == "rgb(211, 214, 218)"
    # PyWebIO's texts: a spinner's "Loading..." for screen readers, a progress label with one decimal.
    assert page.locator(".spinner-border .sr-only").text_content() == "Loading..."
    assert page.locator(".progress-bar").inner_text() == "60.0%"

    # A toast shows above a popup's backdrop, and one that stays has a ✖ that closes it without its onclick.
    toast = page.locator(".toastify", has_text="STAYS")
    box = toast.bounding_box()
    centre = f"document.elementFromPoint({box['x'] + box['width'] / 2}, {box['y'] + box['height'] / 2})"
    assert page.evaluate(f"{centre}.closest('.toastify') !== null")
    screenshot(page, "tornado-look-popup")
    toast.get_by_role("button", name="Close").click()
    toast.wait_for(state="detached")
    page.get_by_role("dialog").get_by_role("button", name="Close").click()

    # The form: a card with its title in the header band, Reset in yellow, an invalid field with its icon.
    form = page.locator("#input-cards > .card")  # PyWebIO's structure, which its own tests select
    assert form.locator(".card-header").inner_text() == "Name"
    assert style(page, ".card button[type=reset]", "backgroundColor") == "rgb(255, 193, 7)"
    form.locator("input").fill("ab")
    form.locator("input").press("Enter")
    form.locator(".invalid-feedback", has_text="Too short").wait_for()
    assert style(page, ".card input.is-invalid", "backgroundImage").startswith('url("data:image/svg+xml')
    screenshot(page, "tornado-look-form")
    form.locator("input").fill("Ada")
    form.locator("input").press("Enter")
    wait_text(page, "NAME Ada")
    assert page.locator(".jps-text", has_text="TOAST CLICKED").count() == 0
    assert page.errors == []
