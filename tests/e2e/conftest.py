"""Browser tests: a real server in a subprocess, driven by Playwright on Debian's Chromium.

Screenshots go to ``tests/e2e/screenshots/`` (git-ignored) so a person can look at what the page showed.
"""

from __future__ import annotations

import os
import re
import shutil
import socket
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

HERE = Path(__file__).resolve().parent
SCREENSHOTS = HERE / "screenshots"
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage", "--disable-background-networking",
                 "--disable-component-update", "--disable-sync", "--no-first-run"]


def chromium_path() -> str:
    path = shutil.which("chromium") or shutil.which("chromium-browser")
    if path is None:
        raise RuntimeError("browser tests need Debian's chromium: `apt-get install -y chromium` "
                           "(.ci/run installs it)")
    return path


@pytest.fixture(scope="session")
def browser() -> Iterator[Any]:
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=chromium_path(), args=CHROMIUM_ARGS)
        yield browser
        browser.close()


@pytest.fixture
def page(browser: Any, tmp_path: Path) -> Iterator[Any]:
    context = browser.new_context(accept_downloads=True)
    page = context.new_page()
    page.set_default_timeout(15_000)
    errors: list[str] = []
    page.on("pageerror", lambda error: errors.append(str(error)))
    page.errors = errors  # type: ignore[attr-defined]
    yield page
    context.close()


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


class Server:
    """``python tests/e2e/serve.py APP [options]`` in a subprocess; ``url`` is its page."""

    def __init__(self, app: str, *options: str, env: dict[str, str] | None = None) -> None:
        self.port = free_port()
        self.process = subprocess.Popen(
            [sys.executable, str(HERE / "serve.py"), app, "--port", str(self.port), *options],
            stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True, env={**os.environ, **(env or {})})
        self.output: list[str] = []
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline:
            line = self.process.stdout.readline()  # type: ignore[union-attr]
            if not line:
                break
            self.output.append(line)
            if re.match(r"Running on http://", line):
                break
        else:
            raise TimeoutError(f"server did not start: {''.join(self.output)}")
        if self.process.poll() is not None:
            raise RuntimeError(f"server exited: {''.join(self.output)}{self.process.stdout.read()}")  # type: ignore[union-attr]
        self.url = f"http://127.0.0.1:{self.port}/"
        # Keep reading, or a full pipe would block the server's logging.
        self._reader = threading.Thread(target=self._drain, daemon=True)
        self._reader.start()

    def _drain(self) -> None:
        for line in self.process.stdout:  # type: ignore[union-attr]
            self.output.append(line)

    def stop(self) -> str:
        self.process.terminate()
        try:
            self.process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait()
        self._reader.join(5)
        return "".join(self.output)


@pytest.fixture
def serve() -> Iterator[Any]:
    servers: list[Server] = []

    def start(app: str, *options: str, env: dict[str, str] | None = None) -> Server:
        servers.append(Server(app, *options, env=env))
        return servers[-1]

    yield start
    for server in servers:
        server.stop()


def screenshot(page: Any, name: str) -> Path:
    SCREENSHOTS.mkdir(exist_ok=True)
    path = SCREENSHOTS / f"{name}.png"
    page.screenshot(path=str(path), full_page=True)
    return path
