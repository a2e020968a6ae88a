"""Hostile text and code-like arguments on the standalone page: nothing runs that the app did not write as code."""

from __future__ import annotations

import json
import re
from typing import Any

from hostile_apps import SWEPT_AS_MARKUP, SWEPT_AS_TEXT, SWEPT_AS_VALUE, _attack
from pages import screenshot, wait_text


def test_text_through_every_output_function_is_shown_not_run(serve: Any, page: Any) -> None:
    server = serve("xss_sweep")
    page.goto(server.url)
    wait_text(page, "SWEEP DONE")
    page.wait_for_timeout(500)  # image errors fire asynchronously
    assert page.evaluate("window.pwned") == []
    shown = page.evaluate("document.body.innerText")
    missing = [name for name in SWEPT_AS_TEXT if _attack(name) not in shown]
    assert missing == [], f"not shown as text: {missing}"
    values = page.evaluate("[...document.querySelectorAll('input, textarea')].map(e => e.value + e.placeholder)")
    assert all(any(_attack(name) in value for value in values) for name in SWEPT_AS_VALUE), values
    for name in SWEPT_AS_MARKUP:  # markup, sanitized: the image stays, its handler and the script go
        assert page.locator("img:not([onerror])").count() >= 1
        assert f"{name} script" not in page.content()
    assert page.locator("[onerror]").count() == 0
    screenshot(page, "tornado-xss-sweep")
    assert page.errors == []  # type: ignore[attr-defined]


def test_javascript_arguments_travel_as_data(serve: Any, page: Any) -> None:
    server = serve("js_arguments")
    page.goto(server.url)
    assert json.loads(wait_text(page, "EVAL")) == "'); window.pwned.push('eval_js value'); ('"
    assert json.loads(wait_text(page, "STORED")) == "</script><script>window.pwned.push('run_js value')</script>"
    assert json.loads(wait_text(page, "NESTED")) == "${window.pwned.push(1)}"
    assert "argument names must be JavaScript identifiers" in wait_text(page, "REFUSED")
    assert page.evaluate("window.pwned") == []


def test_the_page_refuses_argument_names_that_are_not_identifiers(serve: Any, page: Any) -> None:
    """Were a server to send one anyway, the page would not splice it into code."""
    server = serve("js_arguments")
    sockets: list[Any] = []
    page.route_web_socket(re.compile(r"^ws://"), lambda socket: sockets.append((socket, socket.connect_to_server())))
    console: list[str] = []
    page.on("console", lambda message: console.append(message.text))
    page.goto(server.url)
    wait_text(page, "REFUSED")
    forged = dict(command="run_script", task_id=None, spec=dict(code="1", args={"{[window.pwned.push(1)]: a}": 0}))
    sockets[0][0].send(json.dumps(dict(commands=[forged])))
    page.wait_for_function("() => true")
    page.wait_for_timeout(300)
    assert page.evaluate("window.pwned") == []
    assert any("run_script refused" in line for line in console), console
