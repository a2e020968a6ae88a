"""The benchmark apps, written once and run on either library.

``python -m bench.apps LIBRARY APP PORT SIZE [BACKEND]`` serves ``APP`` with ``LIBRARY`` ("jupyter_session" or
"pywebio") on ``PORT``, on the library's ``BACKEND`` (``tornado``, the default, ``aiohttp``, ``fastapi``, or
``flask``, whose page speaks the HTTP protocol: long-polled pulls and POSTed events). An
app reports its figures as ``RESULT {json}`` lines on stdout. ``APP`` ``leaks`` serves two apps,
``?app=cycle`` and ``?app=census``, for ``bench/leaks.py``. ``python -m bench.apps tornado echo PORT SIZE``
serves the floor: no library at all, see ``serve_echo``.
"""

from __future__ import annotations

import asyncio
import importlib
import json
import os
import statistics
import sys
import threading
import time
from collections.abc import Callable
from types import SimpleNamespace
from typing import Any

# Resolves once every output is in the DOM: the same check on both libraries' pages, whose root scope has
# the same id.
ALL_RENDERED_JS = """new Promise(resolve => {
  const check = () => {
    const root = document.getElementById('pywebio-scope-ROOT');
    if (root && root.children.length >= n && root.lastElementChild.textContent.includes(last)) {
      resolve(true);
    } else {
      requestAnimationFrame(check);
    }
  };
  check();
})"""


def library(name: str, backend: str = "tornado") -> SimpleNamespace:
    """The session, output and input modules of ``name`` and the ``start_server`` of its ``backend``."""
    return SimpleNamespace(
        session=importlib.import_module(f"{name}.session"),
        output=importlib.import_module(f"{name}.output"),
        input=importlib.import_module(f"{name}.input"),
        start_server=importlib.import_module(f"{name}.platform.{backend}").start_server,
    )


_stdout_lock = threading.Lock()


def report(**figures: Any) -> None:
    line = "RESULT " + json.dumps(figures) + "\n"
    with _stdout_lock:  # one whole line at a time: sessions report from their own threads
        sys.stdout.write(line)
        sys.stdout.flush()


def round_trip_figures(seconds: list[float]) -> dict[str, float]:
    """The median and p99 of round-trip times, in ms."""
    ordered = sorted(seconds)
    p99 = ordered[max(0, int(len(ordered) * 0.99) - 1)]
    return dict(median_ms=statistics.median(ordered) * 1000, p99_ms=p99 * 1000)


def eval_js_app(lib: SimpleNamespace, size: int) -> Callable[[], None]:
    def app() -> None:
        lib.session.eval_js("1")  # the page is up
        times = []
        for _ in range(size):
            started = time.perf_counter()
            lib.session.eval_js("1")
            times.append(time.perf_counter() - started)
        report(**round_trip_figures(times))

    return app


def form_app(lib: SimpleNamespace, size: int) -> Callable[[], None]:
    """Asks for ``size`` one-field forms in turn, timing each ``input()`` call from the call to its return: the
    form is sent, rendered, answered by the page's answerer (``cases.FORM_ANSWERER``, which types the field's
    placeholder into it and submits it as soon as it is in the DOM), and the value comes back. The app checks
    each value, so a form answered late, twice or with another's value fails the run instead of timing it."""

    def app() -> None:
        lib.session.eval_js("1")  # the page is up
        times = []
        for i in range(size):
            expected = f"answer-{i}"
            started = time.perf_counter()
            value = lib.input.input("value", placeholder=expected)
            times.append(time.perf_counter() - started)
            if value != expected:
                report(error=f"form {i} returned {value!r}, not {expected!r}")
                return
        report(**round_trip_figures(times))

    return app


def put_text_app(lib: SimpleNamespace, size: int) -> Callable[[], None]:
    def app() -> None:
        lib.session.eval_js("1")
        started = time.perf_counter()
        for i in range(size):
            lib.output.put_text(f"line-{i}")
        lib.session.eval_js(ALL_RENDERED_JS, n=size, last=f"line-{size - 1}")
        report(seconds=time.perf_counter() - started)

    return app


def download_app(lib: SimpleNamespace, size: int) -> Callable[[], None]:
    content = os.urandom(size)

    def app() -> None:
        lib.session.eval_js("1")
        report(started=time.monotonic())
        lib.session.download("blob.bin", content)
        lib.session.hold()  # until the benchmark closes the page

    return app


def idle_coroutine_app(lib: SimpleNamespace, size: int) -> Callable[[], Any]:
    """A coroutine session that shows one line and then waits: what an idle async session costs."""

    async def app() -> None:
        lib.output.put_text("idle")
        await lib.session.hold()

    return app


def idle_thread_app(lib: SimpleNamespace, size: int) -> Callable[[], None]:
    """The same as a plain function: a thread session, whose thread waits in ``hold()``."""

    def app() -> None:
        lib.output.put_text("idle")
        lib.session.hold()

    return app


def load_app(lib: SimpleNamespace, seconds: int) -> Callable[[], None]:
    """For ``seconds``, write a line and ask the page for a value back, in turn; then report the latencies."""

    def app() -> None:
        latencies_us: list[int] = []
        wrong = 0
        try:
            deadline = time.monotonic() + seconds
            while time.monotonic() < deadline:
                lib.output.put_text(f"tick {len(latencies_us)}")
                started = time.perf_counter()
                if lib.session.eval_js("value", value=len(latencies_us)) != len(latencies_us):
                    wrong += 1
                latencies_us.append(round((time.perf_counter() - started) * 1e6))
            report(latencies_us=latencies_us, wrong=wrong)
        except Exception as exc:
            report(latencies_us=latencies_us, wrong=wrong, error=f"{type(exc).__name__}: {exc}")

    return app


def leak_cycle_app(lib: SimpleNamespace, _size: int) -> Callable[[], None]:
    """What a session typically takes: a callback, a registered thread, a wait on the page, a deferred call."""

    def app() -> None:
        lib.session.defer_call(lambda: None)
        lib.output.put_buttons(["press"], onclick=lambda _value: None)
        worker = threading.Thread(target=lambda: lib.output.put_text("from a thread"))
        lib.session.register_thread(worker)
        worker.start()
        worker.join()
        lib.output.put_text(f"READY {lib.session.eval_js('value', value=1)}")

    return app


def census_app(lib: SimpleNamespace, _size: int) -> Callable[[], None]:
    """Shows this process's census (itself included: one session, one thread)."""
    from jupyter_session.testing import census

    def app() -> None:
        lib.output.put_text("CENSUS " + json.dumps(dict(census(), rss_kb=_rss_kb())))

    return app


def _rss_kb() -> int:
    with open("/proc/self/status") as status:
        return next(int(line.split()[1]) for line in status if line.startswith("VmRSS:"))


APPS = {
    "eval_js": eval_js_app,
    "form": form_app,
    "put_text": put_text_app,
    "download": download_app,
    "idle_coroutine": idle_coroutine_app,
    "idle_thread": idle_thread_app,
    "load": load_app,
}


def serve_leak_apps(lib: SimpleNamespace, port: int) -> None:
    lib.start_server({"cycle": leak_cycle_app(lib, 0), "census": census_app(lib, 0)}, port=port, host="127.0.0.1")


ECHO_PAGE = """<!doctype html><script>
const socket = new WebSocket(location.href.replace('http', 'ws') + 'echo');
socket.onmessage = event => socket.send(event.data);
</script>"""


def serve_echo(port: int, size: int) -> None:
    """The fastest WebSocket round trip between Tornado and the page, with no library: the server sends a short
    text frame, the page sends it straight back. ``eval_js`` over a WebSocket cannot beat it."""
    import tornado.web
    import tornado.websocket

    class EchoTimer(tornado.websocket.WebSocketHandler):
        def open(self) -> None:
            self.set_nodelay(True)
            self.times: list[float] = []
            self._send()

        def _send(self) -> None:
            self.started = time.perf_counter()
            self.write_message('{"event":"js_yield","task_id":"eval_js-1","data":1}')

        def on_message(self, message: str | bytes) -> None:
            self.times.append(time.perf_counter() - self.started)
            if len(self.times) <= size:
                self._send()
                return
            report(**round_trip_figures(self.times[1:]))  # the first one warms up

    class Page(tornado.web.RequestHandler):
        def get(self) -> None:
            self.write(ECHO_PAGE)

    async def serve() -> None:
        tornado.web.Application([("/", Page), ("/echo", EchoTimer)]).listen(port, "127.0.0.1")
        await asyncio.Event().wait()

    asyncio.run(serve())


def main() -> None:
    # `import pywebio` imports bokeh when it is installed, 0.7 s of a start-up no app here uses.
    sys.modules["bokeh"] = None  # type: ignore[assignment]
    name, app_name, port, size = sys.argv[1], sys.argv[2], int(sys.argv[3]), int(sys.argv[4])
    if (name, app_name) == ("tornado", "echo"):
        serve_echo(port, size)
        return
    lib = library(name, *sys.argv[5:6])
    if app_name == "leaks":
        serve_leak_apps(lib, port)
        return
    app = APPS[app_name](lib, size)
    # Both serve their own page files: no CDN is reachable here (PyWebIO's FastAPI page would load nothing).
    lib.start_server(app, port=port, host="127.0.0.1", cdn=False)


if __name__ == "__main__":
    main()
