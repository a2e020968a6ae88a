"""The standalone page in Chromium, served by the Tornado platform; the tests that take ``backend`` run on
each web backend (Tornado, aiohttp, FastAPI/Starlette)."""

from __future__ import annotations

import hashlib
import json
import threading
import time
from pathlib import Path
from typing import Any

import pytest
from pages import screenshot, wait_text


def test_eval_js_and_run_js_round_trips_with_promises_and_errors(serve: Any, page: Any, backend: str) -> None:
    server = serve("js_round_trips", backend=backend)
    page.goto(server.url)
    results = json.loads(wait_text(page, "RESULT"))
    assert results == {
        "language": page.evaluate("navigator.language"),
        "sum": 42,
        "promise": ["late", 7],
        "undefined": None,
        "injection": "'); window.pwned = true; ('",
        "pwned": True,
        "throw": ["TypeError", "Cannot read properties of null (reading 'property')", True],
        "reject": ["RangeError", "nope", True],
        "cyclic": ["TypeError", "eval_js", True],
        "ran": "run_js works",
        "browser": "HeadlessChrome",
    }
    screenshot(page, f"{backend}-eval-js")


def test_a_request_the_page_cannot_carry_out_raises_at_once(serve: Any, page: Any, backend: str) -> None:
    page.goto(serve("command_errors", backend=backend).url)
    results = json.loads(wait_text(page, "RESULT"))
    unknown, pin = results["unknown"], results["pin"]
    assert unknown[:3] == ["no_such_command", "TypeError", 'unknown command "no_such_command"']
    assert pin[:3] == ["pin_value", "Error", "broken"]
    # Each waited for the page's answer, not for its timeout (30 s, and 10 s for a pin).
    assert unknown[3] < 5 and pin[3] < 5, results


def rss_mb(pid: int) -> int:
    status = Path(f"/proc/{pid}/status").read_text()
    return int(status.split("VmRSS:")[1].split()[0]) // 1024


@pytest.mark.parametrize(
    "backend, app, name",
    [
        ("tornado", "download_small", "small.bin"),
        ("tornado", "download_big", "big.bin"),
        ("aiohttp", "download_big", "big.bin"),  # the small file's single chunk: tests/test_web_backends.py
        ("fastapi", "download_big", "big.bin"),
    ],
)
def test_download_saves_the_exact_bytes_and_server_memory_stays_flat(
    serve: Any, page: Any, backend: str, app: str, name: str
) -> None:
    # One download per page: Chromium holds back a second automatic download until the user allows it.
    server = serve(app, backend=backend)
    peak = [0]
    watching = threading.Event()

    def watch() -> None:
        while not watching.is_set():
            peak[0] = max(peak[0], rss_mb(server.process.pid))
            time.sleep(0.01)

    started = time.monotonic()
    with page.expect_download(timeout=60_000) as pending:
        page.goto(server.url)
        expected = wait_text(page, "SHA256")  # the app holds the content from here on
        before = rss_mb(server.process.pid)
        threading.Thread(target=watch, daemon=True).start()
    saved = pending.value
    digest = hashlib.sha256(Path(saved.path()).read_bytes()).hexdigest()
    watching.set()
    assert saved.suggested_filename == name
    assert digest == expected
    # The file is streamed from the app's bytes, 1 MiB at a time: the transfer adds a few MiB, not a copy of it.
    assert peak[0] - before < 48, (before, peak[0])
    print(f"{backend} {name}: saved in {time.monotonic() - started:.2f} s; server RSS {before} MB -> peak {peak[0]} MB")


def test_every_set_env_key_reaches_the_page(serve: Any, page: Any) -> None:
    server = serve("env_keys")
    page.goto(server.url)
    wait_text(page, "ENV SET")
    root = page.locator(".jps-root")
    assert page.title() == "Env title"
    assert root.evaluate("el => ({...el.dataset})") == {
        "title": "Env title",
        "outputAnimation": "false",
        "autoScrollBottom": "true",
        "httpPullInterval": "700",
        "outputMaxWidth": "600px",
        "inputPanelMinHeight": "120",
        "inputPanelInitHeight": "240",
        "inputPanelFixed": "false",
        "inputAutoFocus": "false",
    }
    assert page.locator("#output-container").evaluate("el => getComputedStyle(el).maxWidth") == "600px"
    assert root.evaluate("el => el.classList.contains('jps-no-animation')")


def test_config_gives_the_page_its_title_theme_style_and_script(serve: Any, page: Any) -> None:
    server = serve("themed")
    page.goto(server.url)
    wait_text(page, "THEMED")
    assert page.title() == "Dark page" and page.evaluate("window.configured") == "Dark page"

    def luminance(selector: str, prop: str) -> float:
        return float(
            page.locator(selector).first.evaluate(
                "(node, prop) => { const [r, g, b] = getComputedStyle(node)[prop].match(/[\\d.]+/g).map(Number);"
                " return (0.299 * r + 0.587 * g + 0.114 * b) / 255; }",
                prop,
            )
        )

    assert luminance("body", "backgroundColor") < 0.1 and luminance(".jps-text", "color") > 0.8
    assert luminance(".jps-code", "backgroundColor") < 0.2
    page.locator(".jps-text.shout").wait_for()
    assert page.locator(".jps-text.shout").evaluate("node => getComputedStyle(node).letterSpacing") == "3px"
    screenshot(page, "tornado-dark-theme")


def test_outputs_escape_text_sanitize_markdown_and_honour_positions(serve: Any, page: Any) -> None:
    server = serve("outputs")
    page.goto(server.url)
    wait_text(page, "DONE")
    texts = page.locator("#pywebio-scope-ROOT > .jps-text").all_text_contents()
    assert texts[:3] == ["first", "second", "<img src=x onerror=\"window.xss = 'text'\">"]
    assert page.locator("#pywebio-scope-box .jps-text").text_content() == "in box"
    assert page.locator("#pywebio-scope-log .jps-text").text_content() == "log line"
    assert page.locator("#bold").text_content() == "html"
    page.wait_for_timeout(300)  # give any injected handler time to fire
    assert page.evaluate("window.xss") is None
    assert page.locator(".jps-markdown h1").text_content() == "Outputs"
    assert page.locator(".jps-markdown script").count() == 0
    screenshot(page, "tornado-outputs")


def test_two_tabs_are_two_sessions(serve: Any, browser: Any) -> None:
    server = serve("whoami")
    context = browser.new_context()
    first, second = context.new_page(), context.new_page()
    for tab in (first, second):
        tab.goto(server.url)
    values = [wait_text(tab, "SESSION") for tab in (first, second)]
    assert values[0] != values[1]
    context.close()


def test_closing_the_tab_runs_defer_call_and_ends_the_wait(serve: Any, browser: Any, backend: str) -> None:
    """On every backend: a WebSocket's end, or over HTTP the page's goodbye (``sendBeacon``) as it closes."""
    server = serve("until_closed", backend=backend)
    context = browser.new_context()
    tab = context.new_page()
    tab.goto(server.url)
    wait_text(tab, "OPEN")
    tab.close()
    deadline = time.monotonic() + 10
    # Both, in either order: defer_call runs as the session closes, the wait ends in the app's own thread.
    while (
        not ("DEFERRED RAN" in "".join(server.output) and "WAIT ENDED" in "".join(server.output))
        and time.monotonic() < deadline
    ):
        time.sleep(0.05)
    output = "".join(server.output)
    assert "DEFERRED RAN" in output and "WAIT ENDED: SessionClosedException" in output
    context.close()
