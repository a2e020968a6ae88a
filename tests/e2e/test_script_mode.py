"""Script mode end to end: `python script.py` starts a server, the page connects, the script runs on."""

from __future__ import annotations

import os
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

from pages import HERE, free_port, screenshot, wait_text

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
    page.locator(".jps-notice", has_text="This session has ended.").wait_for()


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
