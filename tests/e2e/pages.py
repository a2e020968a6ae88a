"""Helpers for the browser tests: Chromium, a server subprocess, screenshots, reading the page."""

from __future__ import annotations

import os
import re
import shutil
import socket
import subprocess
import sys
import threading
import time
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
SCREENSHOTS = HERE / "screenshots"
#: The web backends ``serve.py --backend`` runs (tests take the ``backend`` fixture to run on each): those that
#: speak WebSocket, and those that speak the HTTP protocol.
WEBSOCKET_BACKENDS = ("tornado", "aiohttp", "fastapi")
HTTP_BACKENDS = ("tornado_http", "flask", "django")
BACKENDS = WEBSOCKET_BACKENDS + HTTP_BACKENDS
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-dev-shm-usage",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]


def chromium_path() -> str:
    path = shutil.which("chromium") or shutil.which("chromium-browser")
    if path is None:
        raise RuntimeError("browser tests need Debian's chromium: `apt-get install -y chromium` (.ci/run installs it)")
    return path


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


class Server:
    """``python tests/e2e/serve.py APP --backend BACKEND [options]`` in a subprocess; ``url`` is its page."""

    def __init__(self, app: str, *options: str, env: dict[str, str] | None = None, backend: str = "tornado") -> None:
        self.port = free_port()
        self.backend = backend
        argv = [sys.executable, str(HERE / "serve.py"), app, "--port", str(self.port), "--backend", backend, *options]
        self._launch(argv, env, r"^Running on http://")  # ours, not Werkzeug's " * Running on"

    def _launch(self, argv: list[str], env: dict[str, str] | None, ready: str, cwd: Path | None = None) -> None:
        """Start ``argv`` and wait for a line of its output that matches ``ready``."""
        self.process = subprocess.Popen(
            argv,
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
            text=True,
            env={**os.environ, **(env or {})},
            cwd=cwd,
        )
        self.output: list[str] = []
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline:
            line = self.process.stdout.readline()  # type: ignore[union-attr]
            if not line:
                break
            self.output.append(line)
            if re.search(ready, line):
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
        return stop_process(self.process, self._reader, self.output, timeout=10)


class Command(Server):
    """Any server command (``argv``, run in tests/e2e/) listening on ``port``; ready once a line of its output
    matches ``ready``."""

    def __init__(self, argv: list[str], port: int, ready: str, env: dict[str, str] | None = None) -> None:
        self.port = port
        self.backend = ""
        self._launch(argv, env, ready, cwd=HERE)


def screenshot(page: Any, name: str) -> Path:
    SCREENSHOTS.mkdir(exist_ok=True)
    path = SCREENSHOTS / f"{name}.png"
    page.screenshot(path=str(path), full_page=True)
    return path


def wait_text(page: Any, prefix: str) -> str:
    """Wait for a text output that starts with ``prefix`` and return the rest of it."""
    locator = page.locator(".jps-text", has_text=re.compile("^" + re.escape(prefix)))
    locator.first.wait_for()
    return str(locator.first.text_content())[len(prefix) :].strip()


def stop_process(process: subprocess.Popen[str], reader: threading.Thread, output: list[str], timeout: float) -> str:
    """Stop a server started by a test (killed if it does not end within ``timeout`` s); returns what it printed."""
    process.terminate()
    try:
        process.wait(timeout=timeout)
    except subprocess.TimeoutExpired:
        process.kill()
        process.wait()
    reader.join(5)
    return "".join(output)
