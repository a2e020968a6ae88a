"""Script mode end to end: `python script.py` starts a server, the page connects, the script runs on."""

from __future__ import annotations

import asyncio
import concurrent.futures
import json
import os
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

import tornado.websocket
from pages import HERE, free_port, screenshot, wait_text

from jupyter_session.platform._script import ScriptPage

ROOT = HERE.parent.parent


def run_script(path: Path) -> tuple[subprocess.Popen[str], int]:
    port = free_port()
    process = subprocess.Popen(
        [sys.executable, str(path)],
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
        env={**os.environ, "JUPYTER_SESSION_SCRIPT_MODE_PORT": str(port)},
    )
    line = process.stdout.readline()  # type: ignore[union-attr]
    assert line.startswith(f"Running on http://127.0.0.1:{port}/"), line
    return process, port


def test_a_plain_script_serves_its_page_and_ends_cleanly(page: Any) -> None:
    process, port = run_script(HERE / "script_app.py")
    try:
        started = time.monotonic()
        page.goto(f"http://127.0.0.1:{port}/")
        assert wait_text(page, "LANG") == page.evaluate("navigator.language")
        print(f"script mode: page connected and answered in {time.monotonic() - started:.2f} s")
        out, _ = process.communicate(timeout=20)
    finally:
        process.kill()
    assert process.returncode == 0, out
    assert "SCRIPT DONE" in out and "Traceback" not in out
    page.locator(".jps-root.jps-closed").wait_for()  # the session ended: as on PyWebIO's page, no line says so


def test_the_demo_shows_every_seed_function(page: Any) -> None:
    process, port = run_script(ROOT / "examples" / "demo.py")
    try:
        with page.expect_download() as pending:
            page.goto(f"http://127.0.0.1:{port}/")
        page.get_by_text("The page stays live until you close the tab.").wait_for()
        text = page.locator(".jps-root").inner_text()
        assert f"eval_js('navigator.language') → '{page.evaluate('navigator.language')}'" in text
        assert "a JavaScript error comes back as JSError → SyntaxError" in text
        assert (
            page.locator("#pywebio-scope-facts").evaluate("el => el.style.borderLeft") == "4px solid rgb(47, 129, 247)"
        )
        assert pending.value.suggested_filename == "browser-report.csv"
        assert Path(pending.value.path()).read_text().startswith("key,value")
        assert page.title() == "jupyter_session demo"
        page.wait_for_timeout(400)  # let the fade-in finish
        screenshot(page, "demo")
        page.close()
        out, _ = process.communicate(timeout=20)
    finally:
        process.kill()
    assert process.returncode == 0, out
    assert "defer_call: the page was closed, cleaning up." in out


def _run(coroutine: Any) -> None:
    """``asyncio.run`` in a thread: Playwright's sync API runs an event loop in this one."""
    with concurrent.futures.ThreadPoolExecutor(1) as thread:
        thread.submit(asyncio.run, coroutine).result(60)


async def _commands(page: Any) -> list[dict[str, Any]]:
    frame = await asyncio.wait_for(page.read_message(), 10)
    assert isinstance(frame, str), f"the page's socket ended ({page.close_code} {page.close_reason!r})"
    return list(json.loads(frame)["commands"])


def test_a_copy_of_the_page_torn_down_at_once_leaves_the_script_to_the_next(page: Any, tmp_path: Path) -> None:
    """A tab that loads the page twice in a row (Chromium reloads its own error page once the server is up,
    while the opener loads it again): the first copy gets the script's first output and goes without a
    word; the copy that comes next takes the session over, gets that output again, and answers the script.
    The next copy may also connect before the first one's close reaches the server. Then the same with a
    browser: a reload right after the first load."""

    async def two_copies(port: int, overlap: bool) -> None:
        url = f"ws://127.0.0.1:{port}/"
        first = await tornado.websocket.websocket_connect(url)
        outputs = [c for c in await _commands(first) if c["command"] == "output"]
        assert outputs
        if overlap:
            second = await tornado.websocket.websocket_connect(url)
            first.close()
        else:
            first.close()
            await asyncio.sleep(0.1)
            second = await tornado.websocket.websocket_connect(url)
        replayed: list[dict[str, Any]] = []
        while not any(c["command"] == "run_script" for c in replayed):
            replayed += await _commands(second)
        assert [c for c in replayed if c["command"] == "output"] == outputs
        request = next(c for c in replayed if c["command"] == "run_script")
        await second.write_message(json.dumps(dict(event="js_yield", task_id=request["task_id"], data="xx-YY")))
        while not any(c["command"] == "close_session" for c in await _commands(second)):
            pass

    for overlap in (False, True):
        process, port = run_script(HERE / "script_app.py")
        try:
            _run(two_copies(port, overlap))
            out, _ = process.communicate(timeout=20)
        finally:
            process.kill()
        assert process.returncode == 0 and "SCRIPT DONE xx-YY" in out and "Traceback" not in out, (overlap, out)

    # The page answers a second after it asked: only the reloaded page can.
    slow = tmp_path / "slow_answer.py"
    slow.write_text(SLOW_ANSWER)
    process, port = run_script(slow)
    try:
        page.goto(f"http://127.0.0.1:{port}/")
        page.reload()
        assert wait_text(page, "LANG") == page.evaluate("navigator.language")
        assert page.locator(".jps-text", has_text="hello from a plain script").count() == 1
        out, _ = process.communicate(timeout=20)
    finally:
        process.kill()
    assert process.returncode == 0 and "Traceback" not in out, out


SLOW_ANSWER = """
from jupyter_session.output import put_text
from jupyter_session.session import eval_js

put_text("hello from a plain script")
put_text("LANG " + eval_js("new Promise(done => setTimeout(() => done(navigator.language), 1000))"))
"""


def test_a_closed_page_that_no_other_replaces_ends_the_script() -> None:
    process, port = run_script(HERE / "script_app.py")

    async def close_the_page() -> None:
        page = await tornado.websocket.websocket_connect(f"ws://127.0.0.1:{port}/")
        await _commands(page)
        page.close()

    try:
        _run(close_the_page())
        started = time.monotonic()
        out, _ = process.communicate(timeout=20)
    finally:
        process.kill()
    assert "SessionClosedException: the session has closed (the browser page was closed)" in out, out
    assert time.monotonic() - started < ScriptPage.GRACE + 5
