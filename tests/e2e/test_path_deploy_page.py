"""``jupyter-session-path-deploy`` end to end: a folder of apps served at their paths, in Chromium.

Three apps, one hidden (``_secret.py``) and one in a subfolder: the index lists the visible ones, an app runs
and answers ``eval_js``, the hidden path is refused, and an edited file runs anew after ``?reload``.
"""

from __future__ import annotations

import re
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from pages import free_port, screenshot, stop_process, wait_text

APP = '''from jupyter_session.output import put_text
from jupyter_session.session import eval_js


def main():
    """{title}"""
    put_text("{marker} {version}")
    put_text("LANG " + eval_js("navigator.language"))
'''


class Deployed:
    """``jupyter-session-path-deploy`` (its ``main``: the console script is installed with the package) on a
    folder, in a subprocess."""

    def __init__(self, base: Path) -> None:
        self.base = base
        self.port = free_port()
        command = "import sys; from jupyter_session.platform.path_deploy import main; sys.exit(main())"
        self.process = subprocess.Popen(
            [sys.executable, "-c", command, "-p", str(self.port), "-h", "127.0.0.1", str(base)],
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
            text=True,
        )
        self.output: list[str] = []
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline:
            line = self.process.stdout.readline()  # type: ignore[union-attr]
            if not line:
                raise RuntimeError(f"the server exited: {''.join(self.output)}")
            self.output.append(line)
            if re.match(r"Running on http://", line):
                break
        else:
            raise TimeoutError(f"the server did not start: {''.join(self.output)}")
        self.url = f"http://127.0.0.1:{self.port}/"
        self._reader = threading.Thread(target=self._drain, daemon=True)
        self._reader.start()

    def _drain(self) -> None:
        for line in self.process.stdout:  # type: ignore[union-attr]
            self.output.append(line)

    def stop(self) -> str:
        return stop_process(self.process, self._reader, self.output, timeout=10)


def write_app(path: Path, marker: str, version: int = 1) -> None:
    path.write_text(APP.format(title=f"The {marker.lower()} app", marker=marker, version=version))


@pytest.fixture
def deployed(tmp_path: Path) -> Iterator[Deployed]:
    base = tmp_path / "apps"
    (base / "tools").mkdir(parents=True)
    write_app(base / "hello.py", "HELLO")
    write_app(base / "_secret.py", "SECRET")
    write_app(base / "tools" / "deep.py", "DEEP")
    server = Deployed(base)
    yield server
    out = server.stop()
    assert "Traceback" not in out, out


def test_a_folder_of_apps_in_the_browser(page: Any, deployed: Deployed) -> None:
    language = page.evaluate("navigator.language")

    response = page.goto(deployed.url)
    assert response.status == 200 and page.title() == "Index of /"
    listed = page.locator("a").all_inner_texts()
    assert listed == ["tools/", "hello"]  # folders first; the hidden app is not listed
    assert "The hello app" in page.locator("body").inner_text()
    screenshot(page, "path_deploy_index")

    page.get_by_role("link", name="tools/").click()
    page.wait_for_url(deployed.url + "tools/")
    assert page.locator("a").all_inner_texts() == ["../", "deep"]
    page.get_by_role("link", name="deep").click()
    page.wait_for_url(deployed.url + "tools/deep")
    assert wait_text(page, "DEEP") == "1"
    assert wait_text(page, "LANG") == language  # eval_js answered by the page
    assert page.title() == "The deep app"

    response = page.goto(deployed.url + "hello")
    assert response.status == 200
    assert wait_text(page, "HELLO") == "1" and wait_text(page, "LANG") == language

    response = page.goto(deployed.url + "_secret")
    assert response.status == 403
    assert "SECRET" not in page.content() and page.locator(".jps-text").count() == 0

    write_app(deployed.base / "hello.py", "HELLO", version=2)
    page.goto(deployed.url + "hello")
    assert wait_text(page, "HELLO") == "1"  # imported once: the old code until ?reload
    page.goto(deployed.url + "hello?reload")
    assert wait_text(page, "HELLO") == "2"
    assert wait_text(page, "LANG") == language
    screenshot(page, "path_deploy_reloaded")
    page.goto(deployed.url + "hello")
    assert wait_text(page, "HELLO") == "2"
    assert page.errors == []
