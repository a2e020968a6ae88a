"""Behind nginx that refuses WebSocket upgrades (as some corporate proxies and hosts do): a page of an HTTP
backend (flask) works in full through it, pulls held up to 20 s included, while the WebSocket page of the
Tornado backend behind the same nginx cannot connect, which shows the refusal is real.

nginx is Debian's, started unprivileged on loopback with everything it writes under the test's directory. A
machine without it fails this test (tests/run.sh installs it)."""

from __future__ import annotations

import json
import time
from pathlib import Path
from typing import Any

from deploy_cluster import Nginx, nginx_path
from pages import free_port, screenshot, wait_text
from test_backends import use_tool


def test_behind_nginx_that_refuses_websockets_the_http_page_works(
    serve: Any, page: Any, browser: Any, tmp_path: Path
) -> None:
    nginx_path()
    flask = serve("http_apps:BEHIND_NGINX", backend="flask")
    tornado = serve("http_apps:BEHIND_NGINX", backend="tornado")
    http_port, websocket_port = free_port(), free_port()
    nginx = Nginx(tmp_path / "nginx", [(http_port, flask.port), (websocket_port, tornado.port)])
    base = f"http://127.0.0.1:{http_port}/"
    # A second page stays open while the rest runs, so that its pull is held the full 20 s through nginx.
    idle_context = browser.new_context()
    idle = idle_context.new_page()
    idle.set_default_timeout(15_000)
    try:
        idle.goto(base)
        assert json.loads(wait_text(idle, "TOOL")) == {"path": "/", "backend": "flask"}
        opened = time.monotonic()

        # The form app: a validation error, then the choices, then a cancel, each a push and its answer.
        page.goto(f"{base}?app=form")
        age = page.locator(".jps-form input[type=number]")
        age.fill("12")
        page.get_by_role("button", name="Submit").click()
        page.locator(".jps-field-feedback", has_text="Too young").wait_for()
        age.fill("42")
        page.get_by_role("button", name="Submit").click()
        assert wait_text(page, "AGE") == "42"
        form = page.locator(".jps-form", has_text="Choose")
        form.get_by_label("Nuts").check()
        form.get_by_role("radio", name="L").check()
        form.locator("input[type=text]").fill("through nginx")
        form.get_by_role("button", name="Submit").click()
        choice = json.loads(wait_text(page, "CHOICE"))
        assert choice == {"extras": ["nuts"], "fruit": "pear", "note": "through nginx", "size": "L", "volume": 0.5}
        page.wait_for_timeout(300)  # the new output fades in
        screenshot(page, "nginx-flask-form")
        page.locator(".jps-form", has_text="Cancel me").get_by_role("button", name="Cancel").click()
        assert wait_text(page, "CANCELLED") == "None"
        assert page.errors == []

        # The tool: eval_js, a button's callback, a download streamed through nginx.
        use_tool(page, base, "/", "flask", "nginx-flask-tool")

        # Tornado's page behind the same nginx: its WebSocket is refused, so no output ever comes.
        page.goto(f"http://127.0.0.1:{websocket_port}/")
        root = page.locator("#jupyter-session-root.jps-disconnected")
        root.wait_for(state="attached")  # empty, so not visible
        page.wait_for_timeout(1000)
        assert page.locator(".jps-text").count() == 0
        screenshot(page, "nginx-tornado-refused")
        before_direct = len(tornado.output)
        # The same page straight from Tornado works: it is nginx that refuses.
        page.goto(tornado.url)
        assert json.loads(wait_text(page, "TOOL")) == {"path": "/", "backend": "tornado"}
        page.goto("about:blank")

        # The idle page's pull came back empty after 20 s (not cut by nginx), and the page still answers.
        idle.wait_for_timeout(max(0.0, opened + 21 - time.monotonic()) * 1000)
        idle.get_by_role("button", name="Press").click()
        assert json.loads(wait_text(idle, "PRESSED")) == "pressed at /"
        assert idle.locator("#jupyter-session-root.jps-disconnected").count() == 0
        idle.goto("about:blank")
    finally:
        idle_context.close()
        access = nginx.stop()
    flask_log, tornado_log = flask.stop(), tornado.stop()
    assert "Traceback" not in flask_log + tornado_log, flask_log + tornado_log
    flask_side = [line for line in access.splitlines() if line.startswith(f"{http_port} ")]
    tornado_side = [line for line in access.splitlines() if line.startswith(f"{websocket_port} ")]
    # The HTTP pages' exchange all went through nginx, nothing asked to upgrade, and a pull was held 20 s.
    assert any('"POST /?app=form&ack=' in line and " 200 " in line for line in flask_side), access
    assert any('"GET /?download=' in line and " 200 " in line for line in flask_side), access
    assert all(line.endswith('upgrade="-"') for line in flask_side), access
    held = [line for line in flask_side if "&wait=20 " in line and " 200 " in line]
    assert any(float(line.split()[-2]) >= 19.5 for line in held), access
    # Tornado's page asked to upgrade and nginx said 403; Tornado never saw a WebSocket until the direct visit.
    refused = [line for line in tornado_side if 'upgrade="websocket"' in line]
    assert refused and all(" 403 " in line for line in refused), access
    assert "101 GET" not in "".join(tornado.output[:before_direct]), tornado_log
    assert "101 GET" in tornado_log, tornado_log
