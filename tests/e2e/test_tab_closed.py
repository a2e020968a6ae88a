"""A browser tab closed while its session waits: the session ends, ``defer_call`` runs, and the server process
gives back every thread, session, connection and file descriptor it took.

The server runs in this process (on the platform loop's thread) so that ``census()`` can count what it holds;
each test runs on each web backend.
"""

from __future__ import annotations

import asyncio
import http.client
import json
import os
import re
import threading
import time
import urllib.error
import urllib.parse
import urllib.request
from collections.abc import Callable, Iterator
from typing import Any

import pytest
from pages import WEBSOCKET_BACKENDS, wait_text
from test_web_backends import Servers

from jupyter_session.exceptions import SessionClosedException
from jupyter_session.input import input as ask
from jupyter_session.output import put_text
from jupyter_session.platform import tornado as platform
from jupyter_session.session import defer_call, download, eval_js, hold
from jupyter_session.testing import census as process_census

# The WebSocket backends: what follows is theirs (the HTTP protocol's: tests/test_http_protocol.py).
pytestmark = pytest.mark.parametrize("backend", WEBSOCKET_BACKENDS)

# Pooled worker threads of the web frameworks (aiohttp serves files from the loop's default executor, whose
# threads are named asyncio_N, Starlette from anyio's worker threads): they grow with concurrent requests and
# outlive them, and are no session's.
_POOLED = ("ThreadPoolExecutor-", "asyncio_", "AnyIO worker thread")


def census() -> dict[str, int]:
    """``jupyter_session.testing.census`` without the frameworks' pooled worker threads."""
    counts = process_census()
    counts["threads"] -= sum(thread.name.startswith(_POOLED) for thread in threading.enumerate())
    return counts


class Ending:
    """How an app ended: its ``defer_call`` ran, and what its wait raised."""

    def __init__(self) -> None:
        self.deferred = threading.Event()
        self.raised: list[str] = []  # messages only: a kept exception would keep the session, by its traceback
        self.returned = threading.Event()

    def run(self, wait: Callable[[], Any]) -> None:
        defer_call(self.deferred.set)
        put_text("WAITING")
        try:
            wait()
        except SessionClosedException as exc:
            self.raised.append(str(exc))
        finally:
            self.returned.set()


@pytest.fixture
def serve(loop: asyncio.AbstractEventLoop, backend: str) -> Iterator[Callable[[dict[str, Callable[[], Any]]], str]]:
    if backend != "tornado":  # aiohttp, FastAPI/Starlette: as tests/test_web_backends.py serves them
        others = Servers("aiohttp" if backend == "aiohttp" else "starlette", loop)
        yield lambda apps: f"http://127.0.0.1:{others({'warm_up': lambda: put_text('WARM'), **apps})}/"
        others.stop()
        return
    servers: list[Any] = []

    def start(apps: dict[str, Callable[[], Any]]) -> str:
        async def setup() -> int:
            handler = platform.webio_handler({"warm_up": lambda: put_text("WARM"), **apps})
            server, port = platform._setup_server(
                handler, 0, "127.0.0.1", None, 200 << 20, websocket_max_message_size=200 << 20
            )
            servers.append(server)
            return port

        return f"http://127.0.0.1:{asyncio.run_coroutine_threadsafe(setup(), loop).result(5)}/"

    yield start
    for server in servers:
        loop.call_soon_threadsafe(server.stop)


def baseline(page_factory: Callable[[], Any], url: str) -> dict[str, int]:
    """The census once a first session has come and gone (it starts the loop's lazily made helpers)."""
    page = page_factory()
    page.goto(url + "?app=warm_up")
    wait_text(page, "WARM")
    page.close()
    return settled()


def settled(expected: dict[str, int] | None = None, timeout: float = 10) -> dict[str, int]:
    """The census, once it matches ``expected`` (or stops changing); the last one seen on timeout."""
    deadline = time.monotonic() + timeout
    last = census()
    while time.monotonic() < deadline:
        time.sleep(0.2)
        now = census()
        if (expected is None and now == last) or now == expected:
            return now
        last = now
    return last


def close_tab_while_waiting(
    page_factory: Callable[[], Any],
    url: str,
    app: str,
    ending: Ending,
    prepare: Callable[[Any], Callable[[], None]] | None = None,
    raises: bool = True,
    after_close: Callable[[], None] = lambda: None,
) -> None:
    before = baseline(page_factory, url)
    page = page_factory()
    ready = prepare(page) if prepare else None
    page.goto(f"{url}?app={app}")
    wait_text(page, "WAITING")
    if ready:
        ready()
    during = census()
    assert during["sessions"] == before["sessions"] + 1 and during["threads"] == before["threads"] + 1, [
        thread.name for thread in threading.enumerate()
    ]
    page.close()
    assert ending.deferred.wait(10), "defer_call did not run"
    assert ending.returned.wait(10), "the app's wait did not end"
    if raises:
        assert "the browser page was closed" in ending.raised[0]
    else:
        assert ending.raised == []
    after_close()
    assert settled(before) == before


def test_a_tab_closed_during_eval_js(serve: Any, browser: Any) -> None:
    ending = Ending()
    url = serve({"app": lambda: ending.run(lambda: eval_js("new Promise(() => {})", timeout=60))})
    close_tab_while_waiting(browser.new_page, url, "app", ending)


def test_a_tab_closed_during_input(serve: Any, browser: Any) -> None:
    ending = Ending()
    url = serve({"app": lambda: ending.run(lambda: ask("Your name?"))})
    close_tab_while_waiting(browser.new_page, url, "app", ending)


def test_a_tab_closed_during_a_download(serve: Any, browser: Any) -> None:
    """The page's 64 MiB download is taken over by a client that reads 3 MiB and stops (a browser's download
    cannot be paused), then the tab closes: the session ends, and once that client goes, the server holds
    nothing more and the file's address is gone."""
    ending = Ending()

    def app() -> None:
        download("big.bin", os.urandom(64 << 20))
        ending.run(hold)  # which returns when the page closes

    url = serve({"app": app})
    transfers: list[tuple[str, http.client.HTTPConnection]] = []

    def stall_after_three_mib(page: Any) -> Callable[[], None]:
        def route(socket: Any) -> None:
            server = socket.connect_to_server()

            def forward(message: Any) -> None:
                command = json.loads(message)["commands"][0] if isinstance(message, str) else {}
                if command.get("command") != "download":
                    socket.send(message)
                    return
                address = urllib.parse.urljoin(page.url, command["spec"]["url"])  # the page never sees it
                parts = urllib.parse.urlsplit(address)
                connection = http.client.HTTPConnection(parts.netloc, timeout=10)
                connection.request("GET", f"{parts.path}?{parts.query}")
                connection.getresponse().read(3 << 20)
                transfers.append((address, connection))

            server.on_message(forward)

        page.route_web_socket(re.compile(r"^ws://"), route)

        def transfer_started() -> None:
            deadline = time.monotonic() + 10
            while not transfers and time.monotonic() < deadline:
                page.wait_for_timeout(50)
            assert transfers, "the download did not start"

        return transfer_started

    def drop_transfers() -> None:
        for _address, connection in transfers:
            connection.close()

    close_tab_while_waiting(
        browser.new_page, url, "app", ending, stall_after_three_mib, raises=False, after_close=drop_transfers
    )
    with pytest.raises(urllib.error.HTTPError, match="404"):
        urllib.request.urlopen(transfers[0][0], timeout=5)
