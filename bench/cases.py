"""Each case runs the same app on jupyter_session and on PyWebIO 1.8.4, in the same headless Chromium, on loopback.

A case returns ``{library: {figure: value}}``; the apps (``bench/apps.py``) run in server subprocesses and
report what they time themselves, so both libraries are measured by the same code.
"""

from __future__ import annotations

import asyncio
import concurrent.futures
import json
import os
import resource
import shutil
import socket
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

LIBRARIES = ("jupyter_session", "pywebio")
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-dev-shm-usage",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]
ROOT = Path(__file__).resolve().parent.parent


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def rss_bytes(pid: int) -> int:
    with open(f"/proc/{pid}/status") as status:
        for line in status:
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) * 1024
    raise RuntimeError(f"no VmRSS for process {pid}")


class Server:
    """``python -m bench.apps LIBRARY APP PORT SIZE BACKEND`` in a subprocess; collects its RESULT lines."""

    def __init__(self, library: str, app: str, size: int, backend: str = "tornado") -> None:
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}/"
        self.process = subprocess.Popen(
            [sys.executable, "-m", "bench.apps", library, app, str(self.port), str(size), backend],
            cwd=ROOT,
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
            text=True,
            env={**os.environ, "BROWSER": "true"},
        )
        self.results: list[dict[str, Any]] = []
        self.output: list[str] = []
        self._got_result = threading.Condition()
        threading.Thread(target=self._read, daemon=True).start()
        wait_for_port(self.port, self.process)

    def _read(self) -> None:
        for line in self.process.stdout:  # type: ignore[union-attr]
            self.output.append(line)
            if line.startswith("RESULT "):
                with self._got_result:
                    self.results.append(json.loads(line[len("RESULT ") :]))
                    self._got_result.notify_all()

    def result(self, count: int = 1, timeout: float = 600) -> dict[str, Any]:
        """The ``count``-th result of the app, waiting for it."""
        with self._got_result:
            if not self._got_result.wait_for(lambda: len(self.results) >= count, timeout):
                raise TimeoutError(f"no result from the app in {timeout} s:\n{''.join(self.output[-30:])}")
            return self.results[count - 1]

    def stop(self) -> None:
        self.process.terminate()
        try:
            self.process.wait(10)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait()


def wait_for_port(port: int, process: subprocess.Popen[str], timeout: float = 30) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"the server exited with {process.returncode}")
        try:
            socket.create_connection(("127.0.0.1", port), timeout=0.2).close()
            return
        except OSError:
            time.sleep(0.05)
    raise TimeoutError(f"nothing listens on port {port} after {timeout} s")


@contextmanager
def server(library: str, app: str, size: int, backend: str = "tornado") -> Iterator[Server]:
    running = Server(library, app, size, backend)
    try:
        yield running
    finally:
        running.stop()


@contextmanager
def browser() -> Iterator[Any]:
    from playwright.sync_api import sync_playwright

    executable = shutil.which("chromium") or shutil.which("chromium-browser")
    if executable is None:
        raise RuntimeError("the benchmark needs Debian's chromium (apt-get install -y chromium)")
    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(executable_path=executable, args=CHROMIUM_ARGS)
        try:
            yield chromium
        finally:
            chromium.close()


def _app_result(
    chromium: Any, app_name: str, size: int, backend: str = "tornado", page_script: str | None = None
) -> dict[str, dict[str, float]]:
    """Open each library's app in a page (running ``page_script`` in it before the page's own scripts, where
    given) and take the figures it reports."""
    figures = {}
    for library in LIBRARIES:
        with server(library, app_name, size, backend) as app:
            page = chromium.new_page()
            if page_script is not None:
                page.add_init_script(page_script)
            page.goto(app.url)
            figures[library] = app.result()
            page.close()
            if "error" in figures[library]:
                raise RuntimeError(f"{library}'s {app_name} app on {backend}: {figures[library]['error']}")
    return figures


def eval_js_round_trip(chromium: Any, size: int) -> dict[str, dict[str, float]]:
    """Both libraries' ``eval_js``, and beside them the floor: a bare Tornado WebSocket echo to the same page."""
    figures = _app_result(chromium, "eval_js", size)
    with server("tornado", "echo", size) as echo:
        page = chromium.new_page()
        page.goto(echo.url)
        figures["bare WebSocket echo"] = echo.result()
        page.close()
    return figures


def eval_js_round_trip_aiohttp(chromium: Any, size: int) -> dict[str, dict[str, float]]:
    return _app_result(chromium, "eval_js", size, "aiohttp")


def eval_js_round_trip_fastapi(chromium: Any, size: int) -> dict[str, dict[str, float]]:
    return _app_result(chromium, "eval_js", size, "fastapi")


def eval_js_round_trip_flask(chromium: Any, size: int) -> dict[str, dict[str, float]]:
    """``eval_js`` on the Flask backends, whose pages speak HTTP: PyWebIO's page pulls every second and each of
    its POSTs is held 100 ms for the answer's commands; jupyter_session's holds a long-polled pull. Beside them
    the floor: one bare ``fetch`` of ``?test=1`` from the same page to the same server, which any HTTP round
    trip needs at least once."""
    figures = _app_result(chromium, "eval_js", size, "flask")
    with server("jupyter_session", "eval_js", size, "flask") as app:
        page = chromium.new_page()
        page.goto(app.url + "?test=1")
        times = sorted(page.evaluate(FETCH_LOOP, size))
        page.close()
    figures["bare fetch"] = dict(median_ms=times[len(times) // 2], p99_ms=times[int(len(times) * 0.99)])
    return figures


# Times `size` fetches of `?test=1` in turn, in the page: what one HTTP exchange costs this browser.
FETCH_LOOP = """async size => {
  const times = [];
  for (let i = 0; i < size; i++) {
    const started = performance.now();
    await (await fetch('?test=1', { cache: 'no-store' })).text();
    times.push(performance.now() - started);
  }
  return times;
}"""


# The page's side of the form case, the same on both libraries' pages (both render a form as a <form> with an
# <input placeholder=...> and a <button type=submit>): as soon as a form is in the DOM, type its field's
# placeholder into the field and submit it, from inside the page, with no automation round trip in between.
FORM_ANSWERER = """new MutationObserver(() => {
  for (const form of document.querySelectorAll('form:not([data-bench-answered])')) {
    const field = form.querySelector('input[placeholder]');
    const submit = form.querySelector('button[type=submit]');
    if (!field || !submit) continue;
    form.setAttribute('data-bench-answered', '');
    field.value = field.placeholder;
    field.dispatchEvent(new Event('input', {bubbles: true}));
    field.dispatchEvent(new Event('change', {bubbles: true}));
    submit.click();
  }
}).observe(document, {childList: true, subtree: true});"""


def form_round_trip_flask(chromium: Any, size: int) -> dict[str, dict[str, float]]:
    """``input()`` on the Flask backends, ``size`` times: from the call to its return (see ``apps.form_app``),
    with the page answering each form as it appears (``FORM_ANSWERER``)."""
    return _app_result(chromium, "form", size, "flask", page_script=FORM_ANSWERER)


def put_text_rendered(chromium: Any, size: int) -> dict[str, dict[str, float]]:
    return _app_result(chromium, "put_text", size)


class PeakMemory:
    """Samples a process's RSS every 10 ms from ``start()`` to ``stop()``; ``extra`` is the peak above the first."""

    def __init__(self, pid: int) -> None:
        self.pid = pid
        self.baseline = self.peak = 0
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._sample, daemon=True)

    def start(self) -> None:
        self.baseline = self.peak = rss_bytes(self.pid)
        self._thread.start()

    def _sample(self) -> None:
        while not self._stop.is_set():
            self.peak = max(self.peak, rss_bytes(self.pid))
            time.sleep(0.01)

    def stop(self) -> float:
        self._stop.set()
        self._thread.join()
        return (self.peak - self.baseline) / 2**20


def download_saved(chromium: Any, size: int, backend: str = "tornado") -> dict[str, dict[str, float]]:
    figures = {}
    for library in LIBRARIES:
        with server(library, "download", size, backend) as app, tempfile.TemporaryDirectory() as folder:
            context = chromium.new_context(accept_downloads=True)
            page = context.new_page()
            memory = PeakMemory(app.process.pid)
            with page.expect_download(timeout=600_000) as download:
                page.goto(app.url)
                started = app.result()["started"]
                memory.start()
            saved = Path(folder) / "blob.bin"
            download.value.save_as(saved)
            seconds = time.monotonic() - started
            extra = memory.stop()
            if saved.stat().st_size != size:
                raise RuntimeError(f"{library} saved {saved.stat().st_size} bytes of {size}")
            figures[library] = dict(seconds=seconds, peak_extra_mb=extra)
            context.close()
    return figures


def download_saved_aiohttp(chromium: Any, size: int) -> dict[str, dict[str, float]]:
    return download_saved(chromium, size, "aiohttp")


def download_saved_fastapi(chromium: Any, size: int) -> dict[str, dict[str, float]]:
    return download_saved(chromium, size, "fastapi")


# Sessions opened at once: many enough that opening is not one round trip after another, few enough to stay
# under Tornado's listen backlog (128); the same batches for both libraries.
OPEN_BATCH = 100
IDLE_CPU_SECONDS = 5


def cpu_seconds(pid: int) -> float:
    """The user plus system CPU time a process (all its threads) has used so far, from ``/proc/PID/stat``."""
    with open(f"/proc/{pid}/stat") as stat:
        fields = stat.read().rsplit(")", 1)[1].split()  # after the command name, which may hold spaces
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")  # fields 14 and 15: utime, stime


def raise_fd_limit() -> None:
    """Raise this process's open-file limit to its hard limit: every session is a socket at each end. A server
    subprocess started afterwards inherits the limit."""
    _soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    resource.setrlimit(resource.RLIMIT_NOFILE, (hard, hard))


def idle_thread_sessions(_chromium: Any, size: int) -> dict[str, dict[str, float]]:
    return _idle_sessions("idle_thread", size)


def idle_coroutine_sessions(_chromium: Any, size: int) -> dict[str, dict[str, float]]:
    return _idle_sessions("idle_coroutine", size)


def _idle_sessions(app_name: str, size: int) -> dict[str, dict[str, float]]:
    """Open ``size`` sessions of an app that shows one line and waits, from one async client (no browser): the
    time to open them all, the server's CPU use while they idle, and its memory per session."""
    raise_fd_limit()
    figures = {}
    for library in LIBRARIES:
        with server(library, app_name, size) as app:
            time.sleep(0.5)
            # In a thread of its own: Playwright's sync API keeps an event loop running in this one.
            with concurrent.futures.ThreadPoolExecutor(1) as client:
                figures[library] = client.submit(asyncio.run, _idle_figures(library, app, size)).result()
    return figures


async def _idle_figures(library: str, app: Server, size: int) -> dict[str, float]:
    from tornado.httpclient import HTTPRequest
    from tornado.websocket import WebSocketClientConnection, websocket_connect

    from .client import HELLO

    async def open_one() -> WebSocketClientConnection:
        # Tornado's 20 s timeouts would end the run where a busy server is slow to accept: measure it instead.
        request = HTTPRequest(
            f"ws://127.0.0.1:{app.port}/",
            headers={"Origin": f"http://127.0.0.1:{app.port}"},
            connect_timeout=300,
            request_timeout=300,
        )
        connection = await websocket_connect(request)
        if library == "jupyter_session":
            await connection.write_message(HELLO)  # as its page does; PyWebIO's page sends nothing first
        first = await connection.read_message()  # the app's first output: the session runs
        if not isinstance(first, str) or '"idle"' not in first:
            raise RuntimeError(f"{library} sent {first!r:.200} first, not the app's output")
        return connection

    pid = app.process.pid
    before = rss_bytes(pid)
    connections: list[WebSocketClientConnection] = []
    started = time.monotonic()
    for opened in range(0, size, OPEN_BATCH):
        connections += await asyncio.gather(*(open_one() for _ in range(min(OPEN_BATCH, size - opened))))
    open_seconds = time.monotonic() - started
    await asyncio.sleep(1)  # what opening left to do is done
    cpu_before = cpu_seconds(pid)
    idle_seconds = IDLE_CPU_SECONDS if size >= 100 else 1  # a smoke run checks the harness, not the figure
    await asyncio.sleep(idle_seconds)
    idle_cpu_percent = (cpu_seconds(pid) - cpu_before) / idle_seconds * 100
    after = rss_bytes(pid)
    for connection in connections:
        connection.close()
    return dict(
        open_seconds=open_seconds,
        idle_cpu_percent=idle_cpu_percent,
        kb_per_session=(after - before) / size / 1024,
        sessions=size,
    )


SCRIPT = "from {library}.output import put_text\nput_text('first output')\n"


def script_mode_first_paint(chromium: Any, _size: int) -> dict[str, dict[str, float]]:
    """From starting ``python app.py`` to its first output painted in the page."""
    figures = {}
    for library in LIBRARIES:
        port = free_port()
        variable = "JUPYTER_SESSION_SCRIPT_MODE_PORT" if library == "jupyter_session" else "PYWEBIO_SCRIPT_MODE_PORT"
        started = time.monotonic()
        process = subprocess.Popen(
            [sys.executable, "-c", SCRIPT.format(library=library)],
            cwd=ROOT,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
            env={**os.environ, variable: str(port), "BROWSER": "true"},
        )
        try:
            wait_for_port(port, process)
            page = chromium.new_page()
            page.goto(f"http://127.0.0.1:{port}/")
            page.get_by_text("first output").wait_for(timeout=30_000)
            figures[library] = dict(seconds=time.monotonic() - started)
            page.close()
        finally:
            process.terminate()
            process.wait(10)
    return figures
