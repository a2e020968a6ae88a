"""What PyWebIO apps' own JavaScript expects of the Tornado page: jQuery as ``$`` in ``run_js`` and
``config(js_code=...)``, pin controls named after their pin, and the scripts of ``put_html`` running."""

from __future__ import annotations

import json
from typing import Any

from pages import screenshot, wait_text


def test_jquery_is_the_page_global_for_run_js_and_js_code(serve: Any, page: Any) -> None:
    server = serve("js_apps:jquery")
    page.goto(server.url)
    version, own = json.loads(wait_text(page, "JQUERY"))
    assert version == "3.7.1" and own == 45
    colour = page.get_by_role("button", name="P").evaluate("button => getComputedStyle(button).backgroundColor")
    assert colour == "rgb(1, 2, 3)"
    assert page.get_by_role("button", name="Q").evaluate("b => getComputedStyle(b).backgroundColor") != colour
    assert page.evaluate("[window.jsCodeJQuery, document.body.dataset.ready, window.$ === window.jQuery]") == [
        "3.7.1",
        "yes",
        True,
    ]
    assert page.errors == []


def test_pin_controls_carry_the_pin_name_and_radio_pins_stay_apart(serve: Any, page: Any) -> None:
    server = serve("js_apps:pin_names")
    page.goto(server.url)
    page.locator(".jps-form").wait_for()
    names = page.evaluate(
        "names => names.map(name => [...document.querySelectorAll(`[name=${name}]`)].map(e => e.type))",
        ["x", "second", "text", "choice", "area", "level"],
    )
    assert names == [
        ["checkbox", "checkbox"],
        ["radio", "radio"],
        ["text"],
        ["select-one"],
        ["textarea"],
        ["range"],
    ]
    assert page.locator(".jps-pin [name=first]").count() == 2 and page.locator("form [name=first]").count() == 2
    page.locator(".jps-pin[data-name=first]").get_by_label("two").check()
    page.locator(".jps-pin[data-name=second]").get_by_label("one").check()
    page.locator(".jps-pin[data-name=x]").get_by_label("b").check()
    page.locator("form").get_by_label("one").check()  # same name as a pin, in a form of its own
    assert page.locator(".jps-pin[data-name=first]").get_by_label("two").is_checked()
    assert page.locator(".jps-pin[data-name=second]").get_by_label("one").is_checked()
    page.get_by_role("button", name="Submit").click()
    assert json.loads(wait_text(page, "PINS")) == ["one", "two", "one", ["b"]]


def test_put_html_scripts_run_in_order_and_draw_charts(serve: Any, page: Any) -> None:
    server = serve("js_apps:html_scripts")
    page.goto(server.url)
    wait_text(page, "HTML SENT")
    page.locator("#order", has_text="inline 1,external,inline 2").wait_for()
    page.locator(".jps-html .plotly-graph-div .main-svg").first.wait_for()
    page.locator(".jps-html canvas").first.wait_for()  # bokeh's, inside its shadow root
    assert page.locator("#widget").get_attribute("data-ran") == "yes"
    # Sanitized HTML and markdown run nothing; a data block stays data.
    assert page.evaluate("[window.ran, document.getElementById('data').textContent]") == [None, '{"a": 1}']
    screenshot(page, "tornado-html-scripts")
    assert page.errors == []
