"""The web backends (Tornado, aiohttp, FastAPI/Starlette) over real servers (in this process, on the platform
loop) and real WebSockets, with the small Python client of ``test_tornado_platform`` as the page: the server's
side of the contract, one set of tests for every backend (``test_tornado_platform.py`` keeps what only Tornado
has). Browser tests: tests/e2e (``backend``)."""

from __future__ import annotations

import asyncio
import contextlib
import json
import os
import random
import re
import signal
import socket
import struct
import subprocess
import sys
import textwrap
import threading
import time
import urllib.error
import urllib.request
from collections.abc import Callable, Iterator
from typing import Any

import pytest
import tornado.httpclient
import tornado.websocket
import uvicorn
from aiohttp import web
from starlette.routing import Mount
from test_fuzz import COUNT, SEED, DropCounter, hostile_events
from test_tornado_platform import HELLO, Page, connect, fetch

from jupyter_session.platform import _core
from jupyter_session.platform import aiohttp as aiohttp_platform
from jupyter_session.platform import fastapi as fastapi_platform
from jupyter_session.platform import tornado as tornado_platform
from jupyter_session.platform._shutdown import GOING_AWAY
from jupyter_session.protocol import encode_frame
from jupyter_session.session import defer_call, download, eval_js, hold, info, register_thread, run_js

BACKENDS = ["tornado", "aiohttp", "starlette"]
LIMIT = 1 << 20  # the servers' message limit here


class Servers:
    """Starts servers of one backend on the shared platform loop: ``servers(applications, **kwargs)`` (the
    arguments of ``webio_handler`` / ``asgi_app``) returns the port; ``server_sockets(port)`` the server's ends
    of its open connections. Everything started is stopped after the test."""

    def __init__(self, backend: str, loop: asyncio.AbstractEventLoop) -> None:
        self.backend = backend
        self.loop = loop
        self._stops: list[Callable[[], Any]] = []
        self._connections: dict[int, Callable[[], list[Any]]] = {}
        self._served: dict[Any, Any] = {}

    def __call__(self, applications: Any, **kwargs: Any) -> int:
        if self.backend == "tornado":
            return int(self.run(self._tornado(applications, **kwargs)))
        if self.backend == "aiohttp":
            return int(self.run(self._aiohttp(self.aiohttp_handler(applications, max_payload_size=LIMIT, **kwargs))))
        return self.asgi(fastapi_platform.asgi_app(applications, **kwargs))

    def aiohttp_handler(self, applications: Any, **kwargs: Any) -> Any:
        """``webio_handler(applications, **kwargs)``; the server closes its sockets as it stops, as
        ``start_server``'s does."""
        arguments = dict(reconnect_timeout=0, allowed_origins=None, check_origin=None, max_payload_size="200M")
        arguments.update(kwargs)
        handler, served = aiohttp_platform._webio_handler(applications, websocket_settings=None, **arguments)
        self._served[handler] = served
        return handler

    async def _tornado(self, applications: Any, **kwargs: Any) -> int:
        handler = tornado_platform.webio_handler(applications, **kwargs)
        server, port = tornado_platform._setup_server(
            handler, 0, "127.0.0.1", None, LIMIT, websocket_max_message_size=LIMIT
        )

        async def stop() -> None:
            server.stop()

        self._stops.append(stop)
        return port

    def run(self, coroutine: Any) -> Any:
        return asyncio.run_coroutine_threadsafe(coroutine, self.loop).result(10)

    async def _aiohttp(self, handler: Any, app: web.Application | None = None) -> int:
        if app is None:
            app = web.Application()
            app.add_routes([web.get("/", handler), *aiohttp_platform.static_routes()])
        app.on_shutdown.append(self._served[handler].close_sockets)
        runner = web.AppRunner(app, shutdown_timeout=2)
        await runner.setup()
        await web.TCPSite(runner, "127.0.0.1", 0).start()
        port = int(runner.addresses[0][1])
        self._stops.append(runner.cleanup)
        assert runner.server is not None
        server = runner.server
        self._connections[port] = lambda: [c.transport for c in server.connections]
        return port

    def aiohttp_app(self, app: web.Application, handler: Any) -> int:
        return int(self.run(self._aiohttp(handler, app)))

    def asgi(self, app: Any, **config: Any) -> int:
        async def setup() -> int:
            settings = dict(host="127.0.0.1", port=0, ws_max_size=LIMIT, log_config=None, lifespan="off")
            server = uvicorn.Server(uvicorn.Config(app, **{**settings, **config}))
            task = self.loop.create_task(server.serve())
            while not server.started:
                if task.done():
                    task.result()
                await asyncio.sleep(0.01)

            async def stop() -> None:
                server.should_exit = True
                await task

            self._stops.append(stop)
            port = int(server.servers[0].sockets[0].getsockname()[1])
            self._connections[port] = lambda: [c.transport for c in server.server_state.connections]
            return port

        return int(self.run(setup()))

    def server_sockets(self, port: int) -> list[socket.socket]:
        async def sockets() -> list[socket.socket]:
            return [t.get_extra_info("socket") for t in self._connections[port]() if t is not None]

        return list(self.run(sockets()))

    def stop(self) -> None:
        for stop in reversed(self._stops):
            self.run(stop())


@pytest.fixture(params=BACKENDS)
def backend(request: pytest.FixtureRequest) -> str:
    return str(request.param)


@pytest.fixture
def serve(backend: str, loop: asyncio.AbstractEventLoop) -> Iterator[Servers]:
    servers = Servers(backend, loop)
    yield servers
    servers.stop()


def test_eval_js_round_trip_and_session_info_over_a_websocket(serve: Servers, backend: str) -> None:
    seen: list[Any] = []

    def app() -> None:
        seen.append(eval_js("navigator.language"))
        seen.append(
            (
                info.backend,
                info.protocol,
                info.user_ip,
                info.user_language,
                info.user_agent.browser.family,
                info.server_host.startswith("127.0.0.1:"),
                type(info.request).__name__,
            )
        )

    port = serve(app)

    async def page() -> None:
        client = await connect(port)
        command = await client.next_command("run_script")
        assert command["spec"] == {"code": "navigator.language", "args": {}, "eval": True}
        await client.send({"event": "js_yield", "task_id": command["task_id"], "data": "de-DE"})
        await client.next_command("close_session")
        assert await asyncio.wait_for(client.socket.read_message(), 5) is None  # closed when the app ends

    asyncio.run(page())
    request_type = {"tornado": "HTTPServerRequest", "aiohttp": "Request", "starlette": "WebSocket"}[backend]
    assert seen == ["de-DE", (backend, "websocket", "127.0.0.1", "de-DE", "Chrome", True, request_type)]


def test_frames_from_several_threads_keep_their_order_and_the_close_comes_last(serve: Servers) -> None:
    """Every send is queued to the socket's one writer: the app's and another thread's messages arrive in the
    order each sent them, and the close after them all."""

    def app() -> None:
        def other() -> None:
            for n in range(300):
                run_js("other", n=n)

        thread = threading.Thread(target=other)
        register_thread(thread)
        thread.start()
        for n in range(300):
            run_js("main", n=n)
        thread.join()

    port = serve(app)

    async def page() -> dict[str, list[int]]:
        client = await connect(port)
        order: dict[str, list[int]] = {"main": [], "other": []}
        for _ in range(600):
            spec = (await client.next_command("run_script"))["spec"]
            order[spec["code"]].append(spec["args"]["n"])
        await client.next_command("close_session")
        assert await asyncio.wait_for(client.socket.read_message(), 5) is None
        return order

    order = asyncio.run(page())
    assert order == {"main": list(range(300)), "other": list(range(300))}


@pytest.mark.parametrize("size", [10, 3 << 20], ids=["one_chunk", "3_MiB"])
def test_a_download_is_fetched_once_from_an_address_of_its_own(serve: Servers, size: int) -> None:
    content = (bytes(range(256)) * (size // 256 + 1))[:size]
    port = serve(lambda: download("data ü.bin", content))

    async def page() -> tuple[dict[str, Any], Page]:
        client = await connect(port)
        return (await client.next_command("download"))["spec"], client

    spec, _page = asyncio.run(page())  # the page stays referenced: were its socket collected, the session would end
    assert spec["name"] == "data ü.bin" and spec["size"] == len(content)
    assert re.fullmatch(r"\?download=[A-Za-z0-9]{32}", spec["url"])
    body, headers = fetch(port, spec["url"])
    assert body == content
    assert headers["Content-Disposition"] == "attachment; filename*=UTF-8''data%20%C3%BC.bin"
    assert headers["Content-Type"] == "application/octet-stream"
    assert headers["Content-Length"] == str(size) and headers["Cache-Control"] == "no-store"
    with pytest.raises(urllib.error.HTTPError, match="404"):
        fetch(port, spec["url"])  # once only
    with pytest.raises(urllib.error.HTTPError, match="404"):
        fetch(port, "?download=" + "A" * 32)


def test_a_download_nobody_fetched_is_withdrawn_when_its_session_ends(serve: Servers) -> None:
    ended = threading.Event()

    def app() -> None:
        defer_call(ended.set)
        download("data.bin", b"secret")
        hold()

    port = serve(app)

    async def page() -> str:
        client = await connect(port)
        address = (await client.next_command("download"))["spec"]["url"]
        client.socket.close()
        return str(address)

    address = asyncio.run(page())
    assert ended.wait(5)
    with pytest.raises(urllib.error.HTTPError, match="404"):
        fetch(port, address)


async def _offered_download(port: int) -> tuple[str, Page]:
    """A page of the app at ``port``, and the address of the download its app offers first."""
    client = await connect(port)
    return str((await client.next_command("download"))["spec"]["url"]), client


def test_a_download_the_browser_stops_reading_is_dropped(
    serve: Servers, monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    monkeypatch.setattr(_core, "DOWNLOAD_STALL_TIMEOUT", 0.5)
    content = bytes(64 << 20)
    port = serve(lambda: (download("big.bin", content), hold()))

    address, _page = asyncio.run(_offered_download(port))
    with socket.create_connection(("127.0.0.1", port), timeout=10) as reader:
        reader.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 1 << 16)
        reader.sendall(f"GET /{address} HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n".encode())
        time.sleep(1.5)  # reads nothing meanwhile: the server's writes stall, and it gives up
        received = 0
        while chunk := reader.recv(1 << 20):
            received += len(chunk)
    assert 0 < received < len(content)  # the server closed the connection mid-file
    assert "dropped the transfer of download 'big.bin': the browser took nothing for 0.5 s" in caplog.text
    body, _ = fetch(port, address)  # the offer stays: the browser may try again
    assert len(body) == len(content)


def test_a_download_address_serves_one_transfer_at_a_time(serve: Servers) -> None:
    """While one transfer of an offered file runs, a second request for it gets 404; once the first fails (the
    browser went), the address serves a retry, in full. Before: any number of transfers at once."""
    content = bytes(64 << 20)
    port = serve(lambda: (download("big.bin", content), hold()))

    address, _page = asyncio.run(_offered_download(port))
    reader = socket.create_connection(("127.0.0.1", port), timeout=10)
    reader.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 1 << 16)
    reader.sendall(f"GET /{address} HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n".encode())
    assert reader.recv(1 << 16).startswith(b"HTTP/1.1 200")  # the first transfer runs, and stalls
    with pytest.raises(urllib.error.HTTPError) as second:
        fetch(port, address)
    assert second.value.code == 404
    reader.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
    reader.close()  # a reset: the first transfer fails
    deadline = time.monotonic() + 10
    while True:
        try:
            body, _ = fetch(port, address)
            break
        except urllib.error.HTTPError as refused:  # until the server notices the reset
            assert refused.code == 404 and time.monotonic() < deadline
            time.sleep(0.05)
    assert len(body) == len(content)
    with pytest.raises(urllib.error.HTTPError, match="404"):
        fetch(port, address)  # that one went whole: the offer is gone


def _page_that_never_reads(port: int) -> socket.socket:
    """A WebSocket handshake from a client that then reads nothing, with a small receive buffer."""
    client = socket.socket()
    client.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 1 << 16)
    client.connect(("127.0.0.1", port))
    client.sendall(
        f"GET / HTTP/1.1\r\nHost: 127.0.0.1:{port}\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"
        f"Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\n"
        f"Origin: http://127.0.0.1:{port}\r\n\r\n".encode()
    )
    return client


def test_a_page_that_does_not_read_has_its_session_closed(
    serve: Servers, monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    """Output for a page that takes none of it piles up on the server (before: +1 GB in 10 s of put_text);
    past MAX_UNREAD_BYTES behind the frame being written the session closes, with one log line."""
    from jupyter_session.output import put_text
    from jupyter_session.platform import _sockets

    monkeypatch.setattr(_sockets, "MAX_UNREAD_BYTES", 8 << 20)
    ended = threading.Event()

    def app() -> None:
        defer_call(ended.set)
        while True:
            put_text("x" * 100_000)

    port = serve(app)
    client = _page_that_never_reads(port)
    try:
        assert ended.wait(10), "the session of a page that reads nothing went on"
    finally:
        client.close()
    lines = [r.getMessage() for r in caplog.records if "is not reading" in r.getMessage()]
    assert len(lines) == 1, lines
    assert re.fullmatch(
        r"a page's WebSocket has \d+ frames \(\d+ bytes\) waiting behind the one being written: the page is not "
        r"reading, and its session closes \(MAX_UNREAD_BYTES is 8388608, MAX_UNREAD_FRAMES 10000\)",
        lines[0],
    ), lines[0]


def test_a_foreign_origin_is_rejected_and_allowed_origins_admit_patterns(serve: Servers) -> None:
    port = serve(lambda: run_js("x"), allowed_origins=["https://*.example.com"])

    async def pages() -> None:
        with pytest.raises(tornado.httpclient.HTTPClientError, match="403"):
            await connect(port, origin="https://evil.test")
        client = await connect(port, origin="https://app.example.com")
        await client.next_command("run_script")

    asyncio.run(pages())


def test_check_origin_function_decides(serve: Servers) -> None:
    port = serve(lambda: run_js("x"), check_origin=lambda origin: origin.endswith(".trusted"))

    async def pages() -> None:
        with pytest.raises(tornado.httpclient.HTTPClientError, match="403"):
            await connect(port, origin="https://a.untrusted")
        await (await connect(port, origin="https://a.trusted")).next_command("run_script")

    asyncio.run(pages())


def test_malformed_frames_are_dropped_and_the_session_goes_on(serve: Servers, caplog: pytest.LogCaptureFixture) -> None:
    seen: list[Any] = []
    port = serve(lambda: seen.append(eval_js("1")))

    async def page() -> None:
        client = await connect(port)
        command = await client.next_command("run_script")
        for junk in [
            "{not json",
            "[]",
            '{"event": "js_yield"}',
            b"\x00\x00\x00\x09garbage",
            encode_frame(
                {"event": "js_yield", "task_id": command["task_id"], "data": 1, "buffer_paths": [["nowhere", "x"]]},
                [b"x"],
            ),
        ]:
            await client.socket.write_message(junk, binary=isinstance(junk, bytes))
        await client.send({"event": "js_yield", "task_id": command["task_id"], "data": "ok"})
        await client.next_command("close_session")

    asyncio.run(page())
    assert seen == ["ok"]
    assert caplog.text.count("dropped a malformed") >= 5


def test_an_oversize_message_closes_only_its_own_connection(serve: Servers) -> None:
    """Beyond the message limit the backend closes that WebSocket with 1009; that session ends cleanly, and
    another page's session goes on."""
    ended = threading.Semaphore(0)
    answers: list[Any] = []

    def app() -> None:
        defer_call(ended.release)
        answers.append(eval_js("first", timeout=30))
        answers.append(eval_js("second", timeout=30))

    port = serve(app)

    async def pages() -> None:
        hostile, other = await connect(port), await connect(port)
        await hostile.next_command("run_script")
        with contextlib.suppress(tornado.websocket.WebSocketClosedError):
            await hostile.socket.write_message("x" * (2 * LIMIT))
        assert await asyncio.wait_for(hostile.socket.read_message(), 5) is None
        # Tornado writes the 1009 close frame and aborts the stream at once: while this client is still
        # sending, the reset can overtake the frame, so the page may see a dropped connection instead.
        assert hostile.socket.close_code in ({1009, None} if serve.backend == "tornado" else {1009})
        command = await other.next_command("run_script")
        await other.send({"event": "js_yield", "task_id": command["task_id"], "data": "still served"})
        command = await other.next_command("run_script")
        await other.send({"event": "js_yield", "task_id": command["task_id"], "data": "to the end"})
        await other.next_command("close_session")

    asyncio.run(pages())
    assert ended.acquire(timeout=5) and ended.acquire(timeout=5)  # both sessions ran their defer_call
    assert answers == ["still served", "to the end"]


@pytest.mark.parametrize("size", [LIMIT - 1, LIMIT + 1], ids=["under_the_limit", "over_the_limit"])
def test_the_message_limit(serve: Servers, size: int) -> None:
    """A message under the limit gets through; one over it closes the socket with 1009. (At exactly the limit,
    uvicorn lets it through and aiohttp, for an uncompressed message, does not.)"""
    seen: list[Any] = []
    port = serve(lambda: seen.append(eval_js("big", timeout=30)))

    async def page() -> int | None:
        client = await connect(port)
        task_id = (await client.next_command("run_script"))["task_id"]
        envelope = json.dumps({"event": "js_yield", "task_id": task_id, "data": ""})
        text = json.dumps({"event": "js_yield", "task_id": task_id, "data": "y" * (size - len(envelope))})
        assert len(text) == size
        with contextlib.suppress(tornado.websocket.WebSocketClosedError):  # closed while it was being written
            await client.socket.write_message(text)
        try:
            await client.next_command("close_session")
        except ConnectionError:  # closed without it
            return client.socket.close_code
        assert await asyncio.wait_for(client.socket.read_message(), 5) is None
        return client.socket.close_code

    close_code = asyncio.run(page())
    if size < LIMIT:
        assert len(seen) == 1 and set(seen[0]) == {"y"} and len(seen[0]) > size - 100
    else:
        # As in the test above: Tornado's reset can overtake its 1009 close frame while the client still sends.
        assert seen == [] and close_code in ({1009, None} if serve.backend == "tornado" else {1009})


def test_without_reconnect_a_dropped_socket_closes_the_session(serve: Servers) -> None:
    closed, failed = threading.Event(), threading.Event()
    errors: list[BaseException] = []

    def app() -> None:
        defer_call(closed.set)
        try:
            eval_js("never", timeout=30)
        except Exception as exc:
            errors.append(exc)
            failed.set()

    port = serve(app)

    async def page() -> None:
        client = await connect(port)
        await client.next_command("run_script")
        client.socket.close()

    asyncio.run(page())
    assert closed.wait(5) and failed.wait(5)
    assert "the browser page was closed" in str(errors[0])


def test_reconnect_resumes_the_session_with_queued_commands_in_order(serve: Servers) -> None:
    results: list[Any] = []
    dropped = threading.Event()

    def app() -> None:
        results.append(eval_js("first"))
        dropped.wait(5)
        for n in range(3):
            run_js("queued", n=n)  # sent while no page is connected
        results.append(eval_js("after"))

    port = serve(app, reconnect_timeout=5)

    async def pages() -> None:
        client = await connect(port)
        session_id = (await client.next_command("set_session_id"))["spec"]
        command = await client.next_command("run_script")
        await client.send({"event": "js_yield", "task_id": command["task_id"], "data": 1})
        client.socket.close()
        await asyncio.sleep(0.2)
        dropped.set()
        await asyncio.sleep(0.3)
        resumed = await connect(port, f"?session_id={session_id}&applied={client.received}")
        order = [(await resumed.next_command("run_script"))["spec"]["args"]["n"] for _ in range(3)]
        assert order == [0, 1, 2]
        command = await resumed.next_command("run_script")
        await resumed.send({"event": "js_yield", "task_id": command["task_id"], "data": 2})
        await resumed.next_command("close_session")

    asyncio.run(pages())
    assert results == [1, 2]


def test_a_page_that_comes_back_before_its_old_socket_closed_takes_the_session_over(serve: Servers) -> None:
    """A fast reconnect can reach the server before the old socket's close does: the new socket gets the
    session and what it missed, and the old one is closed, not the session."""
    results: list[Any] = []
    closed = threading.Event()

    def app() -> None:
        defer_call(closed.set)
        results.append(eval_js("first"))
        results.append(eval_js("second"))

    port = serve(app, reconnect_timeout=5)

    async def pages() -> None:
        old = await connect(port)
        session_id = (await old.next_command("set_session_id"))["spec"]
        await old.next_command("run_script")  # not answered: the page "reloads" with the socket still open
        applied = old.received - 1  # it missed the script
        resumed = await connect(port, f"?session_id={session_id}&applied={applied}")
        command = await resumed.next_command("run_script")
        assert command["spec"]["code"] == "first"
        await resumed.send({"event": "js_yield", "task_id": command["task_id"], "data": 1})
        command = await resumed.next_command("run_script")
        await resumed.send({"event": "js_yield", "task_id": command["task_id"], "data": 2})
        await resumed.next_command("close_session")
        with pytest.raises(ConnectionError):
            await old.next_command("run_script")  # closed by the server when the new page took over

    asyncio.run(pages())
    assert results == [1, 2] and closed.wait(5)


def test_a_reconnecting_page_gets_again_what_was_lost_on_the_way(serve: Servers) -> None:
    """Messages the server wrote to the old socket but the page never applied (lost in a proxy's buffers) come
    again, once each, after what the page says it applied; what it acknowledged is forgotten, so it cannot ask
    for that again."""
    written = threading.Event()

    def app() -> None:
        for n in range(20):
            run_js("line", n=n)
            time.sleep(0.02)  # one message each
        written.set()
        eval_js("last", timeout=30)

    port = serve(app, reconnect_timeout=5)

    async def pages() -> None:
        client = await connect(port)
        session_id = (await client.next_command("set_session_id"))["spec"]
        assert written.wait(5)
        await asyncio.sleep(0.2)  # every line is written to this socket
        lines = [(await client.next_command("run_script"))["spec"]["args"]["n"] for _ in range(5)]
        applied = client.received
        await client.send({"ack": applied})
        client.socket.close()  # whatever else it was sent is dropped unread
        await asyncio.sleep(0.3)
        too_early = await connect(port, f"?session_id={session_id}&applied={applied - 1}")
        await too_early.next_command("close_session")  # it acknowledged more than that: nothing to go on from
        resumed = await connect(port, f"?session_id={session_id}&applied={applied}")
        while len(lines) < 20:
            lines.append((await resumed.next_command("run_script"))["spec"]["args"].get("n"))
        assert lines == list(range(20))
        command = await resumed.next_command("run_script")
        assert command["spec"]["code"] == "last"

    asyncio.run(pages())


def test_a_guessed_or_expired_session_id_gets_close_session(serve: Servers) -> None:
    port = serve(lambda: eval_js("x", timeout=30), reconnect_timeout=0.3)

    async def pages() -> None:
        stranger = await connect(port, "?session_id=guessed0000000000000000000&applied=0")
        await stranger.next_command("close_session")
        assert await asyncio.wait_for(stranger.socket.read_message(), 5) is None  # the close after it
        client = await connect(port)
        session_id = (await client.next_command("set_session_id"))["spec"]
        client.socket.close()
        await asyncio.sleep(0.8)  # past reconnect_timeout: the session expired
        late = await connect(port, f"?session_id={session_id}&applied={client.received}")
        await late.next_command("close_session")

    asyncio.run(pages())


def test_index_page_lists_apps_and_an_unknown_app_is_404(serve: Servers) -> None:
    def report() -> None:
        """Monthly report. Shows numbers."""

    def admin() -> None: ...

    port = serve([report, admin])
    index, _ = fetch(port, "/")
    assert b'href="?app=report"' in index and b"Monthly report" in index
    page, headers = fetch(port, "/?app=report")
    assert b"<title>Monthly report. Shows numbers.</title>" in page and b'data-ws-path="/"' in page
    assert headers["Content-Type"].startswith("text/html")
    with pytest.raises(urllib.error.HTTPError, match="404"):
        fetch(port, "/?app=nope")
    script, _ = fetch(port, "/_jupyter_session/jupyter_session.js")
    assert script == (_core.STATIC_PATH / "jupyter_session.js").read_bytes()

    async def unknown_app() -> None:
        client = await connect(port, "?app=nope")
        assert await asyncio.wait_for(client.socket.read_message(), 5) is None
        assert client.socket.close_code == 4004 and "no app named 'nope'" in str(client.socket.close_reason)

    asyncio.run(unknown_app())


@pytest.mark.parametrize("backend", ["aiohttp", "starlette"])  # Tornado's handler sets it itself, on open
def test_the_server_side_sockets_have_tcp_nodelay(serve: Servers) -> None:
    """Small frames must not wait for Nagle (eval_js latency): aiohttp sets TCP_NODELAY on every connection,
    and asyncio's own transports, which uvicorn uses, do as well."""
    port = serve(lambda: eval_js("x", timeout=30))

    async def open_page() -> Page:
        client = await connect(port)
        await client.next_command("run_script")
        return client

    client_loop = asyncio.new_event_loop()  # the page stays open while the server's sockets are looked at
    try:
        client = client_loop.run_until_complete(open_page())
        sockets = serve.server_sockets(port)
        assert sockets, "no open connection"
        assert all(s.getsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY) for s in sockets)

        async def close() -> None:
            client.socket.close()

        client_loop.run_until_complete(close())
    finally:
        client_loop.close()


def test_the_backends_drop_thousands_of_hostile_frames(serve: Servers) -> None:
    """``test_fuzz``'s hostile frames, to these backends' sockets."""
    results: list[Any] = []
    port = serve(lambda: results.append([eval_js("1"), eval_js("2")]))
    rng = random.Random(SEED)

    async def page() -> int:
        client = await connect(port)
        first = await client.next_command("run_script")
        await client.send({"event": "js_yield", "task_id": first["task_id"], "data": 1})
        second = await client.next_command("run_script")
        events = hostile_events(rng, first["task_id"])
        sent = 0
        for _ in range(COUNT):
            message, buffers = next(events)
            choice = rng.randrange(10)
            if choice == 0:
                await client.socket.write_message(rng.choice(["{nope", "[" * 100_000, "\x00", '"' + "a" * 1000]))
            elif choice == 1:
                frame = encode_frame(message if isinstance(message, dict) else {"x": 1}, buffers or [b"b"])[: 1 << 19]
                cut = rng.randrange(len(frame))
                await client.socket.write_message(frame[:cut] + frame[cut:][::-1], binary=True)
            elif buffers or not rng.randrange(3):
                frame = encode_frame(message if isinstance(message, dict) else {"x": 1}, buffers)
                if len(frame) >= LIMIT:
                    continue
                await client.socket.write_message(frame, binary=True)
            else:
                text = json.dumps(message)
                if len(text.encode()) >= LIMIT:
                    continue
                await client.socket.write_message(text)
            sent += 1
        await client.send({"event": "js_yield", "task_id": second["task_id"], "data": 2})
        await client.next_command("close_session", timeout=30)
        return sent

    with DropCounter() as log:
        sent = asyncio.run(page())
    assert results == [[1, 2]]
    assert log.dropped >= sent
    assert log.longest < 1000


# -- mounted in an app of one's own -----------------------------------------------------------------------


async def _mounted_page(port: int, path: str, query: str = "") -> None:
    """Open the WebSocket at ``path`` and answer the tool's eval_js; returns what the app saw."""
    request = tornado.httpclient.HTTPRequest(
        f"ws://127.0.0.1:{port}{path}{query}", headers={"Origin": f"http://127.0.0.1:{port}"}
    )
    client = Page(await tornado.websocket.websocket_connect(request))
    await client.send(HELLO)
    command = await client.next_command("run_script")
    await client.send({"event": "js_yield", "task_id": command["task_id"], "data": "mounted"})
    await client.next_command("close_session")


@pytest.mark.parametrize("backend", ["aiohttp"])
def test_the_aiohttp_handler_at_a_path_of_a_sub_app_finds_static_routes(serve: Servers) -> None:
    seen: list[Any] = []
    handler = serve.aiohttp_handler(lambda: seen.append((eval_js("where"), info.request.path)))

    async def own(request: web.Request) -> web.Response:
        return web.json_response({"own": True})

    tools = web.Application()
    tools.add_routes([web.get("/report", handler)])
    app = web.Application()
    app.add_routes([web.get("/api", own), *aiohttp_platform.static_routes("/assets/")])
    app.add_subapp("/tools/", tools)
    port = serve.aiohttp_app(app, handler)
    assert json.loads(fetch(port, "/api")[0]) == {"own": True}
    page, _ = fetch(port, "/tools/report")
    assert b'data-ws-path="/tools/report"' in page and b'src="/assets/_jupyter_session/jupyter_session.js"' in page
    css = (_core.STATIC_PATH / "jupyter_session.css").read_bytes()
    assert fetch(port, "/assets/_jupyter_session/jupyter_session.css")[0] == css
    asyncio.run(_mounted_page(port, "/tools/report"))
    assert seen == [("mounted", "/tools/report")]


@pytest.mark.parametrize("backend", ["aiohttp"])
def test_without_static_routes_the_aiohttp_handler_serves_the_renderer_itself(serve: Servers) -> None:
    """A PyWebIO app written for PyWebIO's CDN assets, ``add_routes([web.get('/tool', webio_handler(main))])``
    and nothing else, still gets a working page."""
    handler = serve.aiohttp_handler(lambda: eval_js("x"))
    app = web.Application()
    app.add_routes([web.get("/tool", handler)])
    port = serve.aiohttp_app(app, handler)
    page, _ = fetch(port, "/tool")
    assert b'src="/tool?_jupyter_session_asset=/jupyter_session.js"' in page
    body, headers = fetch(port, "/tool?_jupyter_session_asset=/jupyter_session.js")
    assert body == (_core.STATIC_PATH / "jupyter_session.js").read_bytes()
    assert "javascript" in headers["Content-Type"]
    for name in ["../pyproject.toml", "/../../pyproject.toml", ".hidden", "nope.js"]:
        with pytest.raises(urllib.error.HTTPError, match="404"):
            fetch(port, f"/tool?_jupyter_session_asset={name}")


@pytest.mark.parametrize("backend", ["starlette"])
@pytest.mark.parametrize("root_path", ["", "/prefix"])
def test_asgi_app_mounted_at_a_sub_path_and_behind_a_root_path(serve: Servers, root_path: str) -> None:
    """``app.mount('/tool', asgi_app(main))`` under uvicorn's ``root_path``; requests come as a proxy that strips
    the prefix sends them (without it), and the page's addresses carry it."""
    from fastapi import FastAPI

    seen: list[Any] = []
    app = FastAPI()

    @app.get("/api/items/{item}")
    def item(item: int) -> dict[str, int]:
        return {"item": item}

    app.mount("/tool", fastapi_platform.asgi_app(lambda: seen.append((eval_js("where"), info.request.url.path))))
    app.router.routes.append(Mount("/routes", routes=fastapi_platform.webio_routes(lambda: eval_js("x"))))
    port = serve.asgi(app, root_path=root_path)
    assert json.loads(fetch(port, "/api/items/5")[0]) == {"item": 5}
    page, _ = fetch(port, "/tool/")
    assert f'data-ws-path="{root_path}/tool/"'.encode() in page
    assert f'src="{root_path}/tool/_jupyter_session/jupyter_session.js"'.encode() in page
    assert (
        fetch(port, "/tool/_jupyter_session/jupyter_session.js")[0]
        == (_core.STATIC_PATH / "jupyter_session.js").read_bytes()
    )
    routes_page, _ = fetch(port, "/routes/")
    assert f'src="{root_path}/routes/_jupyter_session/jupyter_session.js"'.encode() in routes_page
    asyncio.run(_mounted_page(port, "/tool/"))
    assert seen == [("mounted", f"{root_path}/tool/")]


# -- start_server ---------------------------------------------------------------------------------------------


MODULES = {"aiohttp": "jupyter_session.platform.aiohttp", "starlette": "jupyter_session.platform.fastapi"}


def test_start_server_rejects_remote_access(backend: str) -> None:
    module = {"tornado": tornado_platform, "aiohttp": aiohttp_platform, "starlette": fastapi_platform}[backend]
    with pytest.raises(ValueError, match="remote_access is not supported"):
        module.start_server(lambda: None, remote_access=True)


@pytest.mark.parametrize("backend", ["aiohttp", "starlette"])  # Tornado's start_server does not handle SIGTERM yet
def test_start_server_prints_its_address_sets_debug_and_stops_with_its_pages(backend: str) -> None:
    """``port=0`` picks a port, printed once the server listens; ``PYWEBIO_DEBUG`` sets ``Session.debug``;
    SIGTERM with a page open tells the page why, closes its socket with 1001 and exits 0 at once."""
    code = f"""
        from jupyter_session.session import Session, eval_js
        from {MODULES[backend]} import start_server
        start_server(lambda: eval_js("debug", debug=Session.debug, timeout=60), host="127.0.0.1")
    """
    process = subprocess.Popen(
        [sys.executable, "-c", textwrap.dedent(code)],
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
        env={**os.environ, "PYWEBIO_DEBUG": "1"},
    )
    try:
        assert process.stdout is not None
        for line in process.stdout:
            if match := re.match(r"Running on http://127\.0\.0\.1:(\d+)/$", line):
                break
        else:
            pytest.fail("no address printed")
        port = int(match.group(1))

        async def page() -> Page:
            client = await connect(port)
            command = await client.next_command("run_script")
            assert command["spec"]["args"] == {"debug": True}
            return client

        async def session() -> tuple[Any, Any]:
            client = await page()
            started = time.monotonic()
            process.send_signal(signal.SIGTERM)
            told = json.loads(await asyncio.wait_for(client.socket.read_message(), 10))
            assert told["commands"] == [{"command": "close_session", "task_id": None, "spec": GOING_AWAY}]
            assert await asyncio.wait_for(client.socket.read_message(), 10) is None
            return client.socket.close_code, time.monotonic() - started

        close_code, seconds = asyncio.run(session())
        print(f"{backend}: the page's socket closed {seconds:.2f} s after SIGTERM, with {close_code}")
        assert process.wait(10) == 0 and seconds < 5
        assert close_code == 1001
    finally:
        if process.poll() is None:
            process.kill()
        process.wait()


NEEDS = {"aiohttp": "aiohttp", "fastapi": "FastAPI (Starlette)", "flask": "Flask", "django": "Django"}


@pytest.mark.parametrize(
    "module, library, install",
    [
        ("aiohttp", "aiohttp", "jupyter_session[aiohttp]"),
        ("fastapi", "starlette", "jupyter_session[fastapi]"),
        ("flask", "flask", "jupyter_session[flask]"),
        ("django", "django", "jupyter_session[django]"),
    ],
)
def test_a_missing_library_names_the_extra_to_install(module: str, library: str, install: str) -> None:
    code = f"""
        import sys
        sys.modules[{library!r}] = None  # as if it were not installed
        try:
            import jupyter_session.platform.{module}
        except ImportError as exc:
            print(type(exc).__name__, exc.name, "|", exc)
    """
    out = subprocess.run([sys.executable, "-c", textwrap.dedent(code)], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == (
        f'ImportError {library} | jupyter_session.platform.{module} needs {NEEDS[module]}: pip install "{install}"'
    ), out.stderr
