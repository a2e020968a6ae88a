"""The benchmark apps, written once and run on either library.

``python -m bench.apps LIBRARY APP PORT SIZE`` serves ``APP`` with ``LIBRARY`` ("jupyter_session" or
"pywebio") on ``PORT``. An app reports its figures as ``RESULT {json}`` lines on stdout.
"""

from __future__ import annotations

import importlib
import json
import os
import statistics
import sys
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


def library(name: str) -> SimpleNamespace:
    """The session and output modules and ``start_server`` of ``name``."""
    return SimpleNamespace(session=importlib.import_module(f"{name}.session"),
                           output=importlib.import_module(f"{name}.output"),
                           start_server=importlib.import_module(name).start_server)


def report(**figures: Any) -> None:
    print("RESULT " + json.dumps(figures), flush=True)


def eval_js_app(lib: SimpleNamespace, size: int) -> Callable[[], None]:
    def app() -> None:
        lib.session.eval_js("1")  # the page is up
        times = []
        for _ in range(size):
            started = time.perf_counter()
            lib.session.eval_js("1")
            times.append(time.perf_counter() - started)
        times.sort()
        report(median_ms=statistics.median(times) * 1000, p99_ms=times[int(len(times) * 0.99) - 1] * 1000)

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


def idle_app(lib: SimpleNamespace, size: int) -> Callable[[], Any]:
    async def app() -> None:
        lib.output.put_text("idle")
        await lib.session.hold()

    return app


APPS = {"eval_js": eval_js_app, "put_text": put_text_app, "download": download_app, "idle": idle_app}


def main() -> None:
    name, app_name, port, size = sys.argv[1], sys.argv[2], int(sys.argv[3]), int(sys.argv[4])
    lib = library(name)
    app = APPS[app_name](lib, size)
    lib.start_server(app, port=port, host="127.0.0.1")


if __name__ == "__main__":
    main()
