"""The aiohttp and FastAPI/Starlette backends in Chromium: what the Tornado-only browser tests check (buttons),
an eval_js timeout on every backend, and each backend mounted in a site of its own: a FastAPI app with JSON
routes and the tool at ``/tool`` (directly, and behind a proxy at ``/prefix`` with uvicorn's ``--root-path``),
an aiohttp app with a route of its own and the handler at ``/tools/report``."""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import pytest
from backend_apps import REPORT
from pages import Command, free_port, screenshot, wait_text


@pytest.mark.parametrize("backend", ["aiohttp", "fastapi"])  # Tornado's: test_buttons.py
def test_clicks_run_callbacks_and_labels_stay_text(serve: Any, page: Any, backend: str) -> None:
    server = serve("buttons", backend=backend)
    page.goto(server.url)
    page.locator(".jps-button", has_text="<img src=x onerror=window.pwned=1>").click()
    page.locator(".jps-text", has_text="PRESSED {'n': 1}").wait_for()
    page.get_by_role("button", name="Second").click()
    page.locator(".jps-text", has_text="PRESSED 2").wait_for()
    page.get_by_role("button", name="Off").click(force=True)
    page.get_by_role("button", name="Outline").click()
    page.locator(".jps-text", has_text="PRESSED 'outline'").wait_for()
    texts = page.locator("#pywebio-scope-log .jps-text").all_inner_texts()
    assert texts == ["PRESSED {'n': 1}", "PRESSED 2", "PRESSED 'outline'"]
    assert page.evaluate("window.pwned") is None and page.locator(".jps-output img").count() == 0
    screenshot(page, f"{backend}-buttons")


def test_an_unanswered_eval_js_times_out_and_the_session_goes_on(serve: Any, page: Any, backend: str) -> None:
    page.goto(serve("backend_apps:eval_timeout", backend=backend).url)
    seconds, kind = wait_text(page, "TIMEOUT").split()
    assert kind == "SessionTimeout" and 0.5 <= float(seconds) < 3
    assert wait_text(page, "AFTER") == "42"


# -- sites of their own -----------------------------------------------------------------------------------


def use_tool(page: Any, url: str, path: str, backend: str, name: str) -> None:
    """Open the tool at ``url``: it runs eval_js at ``path``, a button's callback, and a download."""
    page.goto(url)
    assert json.loads(wait_text(page, "TOOL")) == {"path": path, "backend": backend}
    assert urlsplit(page.url).path == path
    page.get_by_role("button", name="Press").click()
    assert json.loads(wait_text(page, "PRESSED")) == f"pressed at {path}"
    with page.expect_download() as pending:
        page.get_by_role("button", name="Report").click()
    saved = pending.value
    assert saved.suggested_filename == "report.txt"
    assert Path(saved.path()).read_bytes() == REPORT
    assert page.errors == []
    screenshot(page, name)
    page.goto("about:blank")  # closes the WebSocket, so the servers stop at once


def uvicorn(port: int, *options: str) -> Command:
    argv = [sys.executable, "-m", "uvicorn", "fastapi_site:app", "--port", str(port), "--log-level", "info", *options]
    return Command(argv, port, r"Uvicorn running on")


def test_a_fastapi_app_with_routes_of_its_own_and_the_tool_mounted(page: Any) -> None:
    site = uvicorn(free_port())
    try:
        page.goto(f"{site.url}api/items/7")
        assert json.loads(page.locator("body").inner_text()) == {"item": 7, "root_path": ""}
        use_tool(page, f"{site.url}tool", "/tool/", "starlette", "fastapi-mounted")  # redirected to /tool/
    finally:
        log = site.stop()
    assert "Traceback" not in log, log


def test_a_fastapi_app_behind_a_proxy_at_a_prefix(page: Any) -> None:
    """A reverse proxy serves the site at ``/prefix/`` and strips the prefix; uvicorn's ``--root-path /prefix``
    tells the app. The browser only ever sees the proxy: the page's WebSocket, its renderer files, its download
    and the redirect to ``/tool/`` must all come back through ``/prefix/``."""
    site_port, proxy_port = free_port(), free_port()
    site = uvicorn(site_port, "--root-path", "/prefix")
    argv = [sys.executable, "prefix_proxy.py", "--port", str(proxy_port), "--prefix", "/prefix"]
    proxy = Command([*argv, "--upstream", f"127.0.0.1:{site_port}"], proxy_port, r"Running on http://")
    requests: list[str] = []
    page.on("request", lambda request: requests.append(request.url))
    try:
        base = f"{proxy.url}prefix/"
        page.goto(f"{base}api/items/3")
        assert json.loads(page.locator("body").inner_text()) == {"item": 3, "root_path": "/prefix"}
        use_tool(page, f"{base}tool", "/prefix/tool/", "starlette", "fastapi-root-path")
    finally:
        proxy_log, log = proxy.stop(), site.stop()
    local = [url for url in requests if url.startswith(("http://127.0.0.1", "ws://127.0.0.1"))]
    assert local and all(url.startswith(base) for url in local), local  # nothing bypassed the prefix
    assert "Traceback" not in log + proxy_log, log + proxy_log
    # The proxy stripped the prefix; uvicorn logs the full path, root_path included.
    assert (
        "PROXY GET /prefix/tool/_jupyter_session/jupyter_session.js -> /tool/_jupyter_session/jupyter_session.js"
        in proxy_log
    )
    assert "PROXY WS /prefix/tool/ -> /tool/" in proxy_log
    assert '"WebSocket /prefix/tool/" [accepted]' in log


@pytest.mark.parametrize("static_routes", [True, False], ids=["static_routes", "without_static_routes"])
def test_an_aiohttp_app_with_a_route_of_its_own_and_the_handler_at_a_sub_path(page: Any, static_routes: bool) -> None:
    port = free_port()
    argv = [sys.executable, "aiohttp_site.py", "--port", str(port), *([] if static_routes else ["--no-static-routes"])]
    site = Command(argv, port, r"Running on http://")
    try:
        page.goto(f"{site.url}api/health")
        assert json.loads(page.locator("body").inner_text()) == {"ok": True, "path": "/api/health"}
        page.goto(f"{site.url}tools/report")
        asset = page.locator("script[data-ws-path]").get_attribute("src")
        if static_routes:
            assert asset == "/tools/_jupyter_session/jupyter_session.js"
        else:
            assert asset == "/tools/report?_jupyter_session_asset=/jupyter_session.js"
        name = "aiohttp-mounted" + ("" if static_routes else "-without-static-routes")
        use_tool(page, f"{site.url}tools/report", "/tools/report", "aiohttp", name)
    finally:
        log = site.stop()
    assert "Traceback" not in log, log
