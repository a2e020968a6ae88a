"""The Tornado platform over a real server and real WebSockets, with a small Python client as the page.

Browser tests (tests/e2e) prove the page itself; these check the server's side of the contract.
"""

from __future__ import annotations

import asyncio
import contextlib
import functools
import json
import re
import socket
import threading
import time
import urllib.error
import urllib.parse
import urllib.request
from collections.abc import Callable, Iterator
from typing import Any

import pytest
import tornado.httpclient
import tornado.websocket

from jupyter_session.platform import _core
from jupyter_session.platform import tornado as platform
from jupyter_session.platform._page import make_applications
from jupyter_session.protocol import PROTOCOL_VERSION, decode_frame, encode_frame
from jupyter_session.session import defer_call, download, eval_js, hold, info, run_js

HELLO = {
    "event": "hello",
    "task_id": None,
    "data": {"protocol_version": PROTOCOL_VERSION, "user_agent": "test-client", "language": "en"},
}


@pytest.fixture
def serve(loop: asyncio.AbstractEventLoop, monkeypatch: pytest.MonkeyPatch) -> Iterator[Callable[..., int]]:
    """Start a server for some apps on the shared platform loop; returns its port."""
    monkeypatch.setattr(platform, "_check_bundle", lambda: None)  # these tests load no page script
    servers: list[Any] = []

    def start(applications: Any, **kwargs: Any) -> int:
        async def setup() -> int:
            handler = platform.webio_handler(applications, **kwargs)
            server, port = platform._setup_server(
                handler, 0, "127.0.0.1", None, 1 << 20, websocket_max_message_size=1 << 20
            )
            servers.append(server)
            return port

        return asyncio.run_coroutine_threadsafe(setup(), loop).result(5)

    yield start
    for server in servers:
        loop.call_soon_threadsafe(server.stop)


class Page:
    """A WebSocket client that speaks the protocol like the renderer."""

    def __init__(self, socket: tornado.websocket.WebSocketClientConnection) -> None:
        self.socket = socket
        self.commands: list[dict[str, Any]] = []

    async def next_command(self, name: str, timeout: float = 5) -> dict[str, Any]:
        for command in self.commands:
            if command["command"] == name:
                self.commands.remove(command)
                return command
        while True:
            frame = await asyncio.wait_for(self.socket.read_message(), timeout)
            if frame is None:
                raise ConnectionError(f"closed while waiting for {name}; got {self.commands}")
            if isinstance(frame, bytes):
                message, buffers = decode_frame(frame)
                for path, buffer in zip(message.pop("buffer_paths"), buffers):
                    target = message
                    for key in path[:-1]:
                        target = target[key]
                    target[path[-1]] = bytes(buffer)
            else:
                message = json.loads(frame)
            for command in message["commands"]:
                if command["command"] == name:
                    self.commands.extend(c for c in message["commands"] if c is not command)
                    return command
            self.commands.extend(message["commands"])

    async def send(self, event: dict[str, Any]) -> None:
        await self.socket.write_message(json.dumps(event))


async def connect(port: int, query: str = "", origin: str | None = None) -> Page:
    headers = {
        "Origin": origin or f"http://127.0.0.1:{port}",
        "User-Agent": "Mozilla/5.0 (X11; Linux x86_64) "
        "AppleWebKit/537.36 (KHTML, like Gecko) Chrome/120.0 Safari/537.36",
        "Accept-Language": "de-DE,de",
    }
    request = tornado.httpclient.HTTPRequest(f"ws://127.0.0.1:{port}/{query}", headers=headers)
    page = Page(await tornado.websocket.websocket_connect(request))
    await page.send(HELLO)
    return page


def test_eval_js_round_trip_and_session_info_over_a_websocket(serve: Any) -> None:
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
            )
        )

    port = serve(app)

    async def page() -> None:
        client = await connect(port)
        command = await client.next_command("run_script")
        assert command["spec"] == {"code": "navigator.language", "args": {}, "eval": True}
        await client.send({"event": "js_yield", "task_id": command["task_id"], "data": "de-DE"})
        await client.next_command("close_session")
        assert await client.socket.read_message() is None  # the server closes when the app ends

    asyncio.run(page())
    assert seen == ["de-DE", ("tornado", "websocket", "127.0.0.1", "de-DE", "Chrome", True)]


def fetch(port: int, address: str) -> tuple[bytes, Any]:
    """GET ``address`` (relative to the page) from the server: the body and the headers. An error status
    raises ``HTTPError``."""
    with urllib.request.urlopen(urllib.parse.urljoin(f"http://127.0.0.1:{port}/", address), timeout=10) as response:
        return response.read(), response.headers


def test_a_download_is_fetched_once_from_an_address_of_its_own(serve: Any) -> None:
    content = bytes(range(256)) * 4096 * 3  # 3 MiB
    port = serve(lambda: download("data ü.bin", content))

    async def page() -> tuple[dict[str, Any], Page]:
        client = await connect(port)
        return (await client.next_command("download"))["spec"], client

    spec, _page = asyncio.run(page())  # the page stays referenced: were its socket collected, the session would end
    assert spec["name"] == "data ü.bin" and spec["size"] == len(content) and "chunk" not in spec
    assert re.fullmatch(r"\?download=[A-Za-z0-9]{32}", spec["url"])
    body, headers = fetch(port, spec["url"])
    assert body == content
    assert headers["Content-Disposition"] == "attachment; filename*=UTF-8''data%20%C3%BC.bin"
    assert headers["Content-Type"] == "application/octet-stream"
    with pytest.raises(urllib.error.HTTPError, match="404"):
        fetch(port, spec["url"])  # once only
    with pytest.raises(urllib.error.HTTPError, match="404"):
        fetch(port, "?download=" + "A" * 32)


def test_a_download_nobody_fetched_is_withdrawn_when_its_session_ends(serve: Any) -> None:
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


def test_a_download_the_browser_stops_reading_is_dropped(serve: Any, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(_core, "DOWNLOAD_STALL_TIMEOUT", 0.5)
    content = bytes(64 << 20)
    port = serve(lambda: (download("big.bin", content), hold()))

    async def page() -> str:
        client = await connect(port)
        return str((await client.next_command("download"))["spec"]["url"])

    address = asyncio.run(page())
    with socket.create_connection(("127.0.0.1", port), timeout=10) as reader:
        reader.sendall(f"GET /{address} HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n".encode())
        time.sleep(1.5)  # reads nothing meanwhile: the server's writes stall, and it gives up
        received = 0
        while chunk := reader.recv(1 << 20):
            received += len(chunk)
    assert 0 < received < len(content)  # the server closed the connection mid-file


def test_a_foreign_origin_is_rejected_and_allowed_origins_admit_patterns(serve: Any) -> None:
    port = serve(lambda: run_js("x"), allowed_origins=["https://*.example.com"])

    async def pages() -> None:
        with pytest.raises(tornado.httpclient.HTTPClientError, match="403"):
            await connect(port, origin="https://evil.test")
        client = await connect(port, origin="https://app.example.com")
        await client.next_command("run_script")

    asyncio.run(pages())


def test_check_origin_function_decides(serve: Any) -> None:
    port = serve(lambda: run_js("x"), check_origin=lambda origin: origin.endswith(".trusted"))

    async def pages() -> None:
        with pytest.raises(tornado.httpclient.HTTPClientError, match="403"):
            await connect(port, origin="https://a.untrusted")
        await (await connect(port, origin="https://a.trusted")).next_command("run_script")

    asyncio.run(pages())


def test_malformed_frames_are_dropped_and_the_session_goes_on(serve: Any, caplog: pytest.LogCaptureFixture) -> None:
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


def test_an_oversize_message_closes_only_its_own_connection(serve: Any) -> None:
    """Beyond ``max_payload_size`` Tornado refuses the message (close code 1009); that session ends cleanly, and
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
        # The server's limit is 1 MiB; it may close the connection before the client has written it all.
        with contextlib.suppress(tornado.websocket.WebSocketClosedError):
            await hostile.socket.write_message("x" * (2 << 20))
        assert await asyncio.wait_for(hostile.socket.read_message(), 5) is None
        # 1009 when the close frame is read; none when the server had closed before the client finished writing.
        assert hostile.socket.close_code in (1009, None)
        command = await other.next_command("run_script")
        await other.send({"event": "js_yield", "task_id": command["task_id"], "data": "still served"})
        command = await other.next_command("run_script")
        await other.send({"event": "js_yield", "task_id": command["task_id"], "data": "to the end"})
        await other.next_command("close_session")

    asyncio.run(pages())
    assert ended.acquire(timeout=5) and ended.acquire(timeout=5)  # both sessions ran their defer_call
    assert answers == ["still served", "to the end"]


def test_two_connections_are_two_sessions(serve: Any) -> None:
    seen: list[Any] = []
    port = serve(lambda: seen.append(eval_js("whoami")))

    async def pages() -> None:
        first, second = await connect(port), await connect(port)
        for client, name in ((second, "second"), (first, "first")):
            command = await client.next_command("run_script")
            await client.send({"event": "js_yield", "task_id": command["task_id"], "data": name})
            await client.next_command("close_session")

    asyncio.run(pages())
    assert sorted(seen) == ["first", "second"]


def test_without_reconnect_a_dropped_socket_closes_the_session(serve: Any) -> None:
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
    # defer_call runs as the session closes, which can be before the app's thread wakes from its wait.
    assert closed.wait(5) and failed.wait(5)
    assert "the browser page was closed" in str(errors[0])


def test_reconnect_resumes_the_session_with_queued_commands_in_order(serve: Any) -> None:
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
        resumed = await connect(port, f"?session_id={session_id}")
        order = [(await resumed.next_command("run_script"))["spec"]["args"]["n"] for _ in range(3)]
        assert order == [0, 1, 2]
        command = await resumed.next_command("run_script")
        await resumed.send({"event": "js_yield", "task_id": command["task_id"], "data": 2})
        await resumed.next_command("close_session")

    asyncio.run(pages())
    assert results == [1, 2]


def test_a_guessed_or_expired_session_id_gets_close_session(serve: Any) -> None:
    port = serve(lambda: eval_js("x", timeout=30), reconnect_timeout=0.3)

    async def pages() -> None:
        stranger = await connect(port, "?session_id=guessed0000000000000000000")
        await stranger.next_command("close_session")
        client = await connect(port)
        session_id = (await client.next_command("set_session_id"))["spec"]
        client.socket.close()
        await asyncio.sleep(0.8)  # past reconnect_timeout: the session expired
        late = await connect(port, f"?session_id={session_id}")
        await late.next_command("close_session")

    asyncio.run(pages())


def test_index_page_lists_apps_and_unknown_app_is_404(serve: Any) -> None:
    def report() -> None:
        """Monthly report. Shows numbers."""

    def admin() -> None: ...

    def settings(section: str) -> None:
        """Settings of one section."""

    port = serve([report, admin, functools.partial(settings, "mail")])  # a partial is named after its function

    async def fetch(path: str) -> tornado.httpclient.HTTPResponse:
        client = tornado.httpclient.AsyncHTTPClient()
        return await client.fetch(f"http://127.0.0.1:{port}{path}", raise_error=False)

    index = asyncio.run(fetch("/"))
    assert index.code == 200 and b'href="?app=report"' in index.body and b"Monthly report" in index.body
    page = asyncio.run(fetch("/?app=report"))
    # The title is the docstring's first paragraph, as in PyWebIO.
    assert b"<title>Monthly report. Shows numbers.</title>" in page.body and b'data-ws-path="/"' in page.body
    assert asyncio.run(fetch("/?app=nope")).code == 404
    assert b"<title>Settings of one section.</title>" in asyncio.run(fetch("/?app=settings")).body
    with pytest.raises(ValueError, match="two apps are named 'admin'"):
        make_applications([admin, functools.partial(admin)])


def test_start_server_rejects_remote_access() -> None:
    with pytest.raises(ValueError, match="remote_access is not supported"):
        platform.start_server(lambda: None, remote_access=True)


def test_webio_handler_mounts_under_a_path_of_an_existing_app(
    loop: asyncio.AbstractEventLoop, monkeypatch: pytest.MonkeyPatch
) -> None:
    import tornado.web

    from jupyter_session.platform._core import STATIC_PATH

    seen: list[Any] = []

    async def setup() -> Any:
        app = tornado.web.Application(
            [
                (r"/tool", platform.webio_handler(lambda: seen.append(eval_js("mounted")))),
                (platform.ASSETS_URL + "/(.*)", tornado.web.StaticFileHandler, {"path": str(STATIC_PATH)}),
            ]
        )
        return app.listen(0, address="127.0.0.1")

    server = asyncio.run_coroutine_threadsafe(setup(), loop).result(5)
    port = next(iter(server._sockets.values())).getsockname()[1]

    async def page() -> None:
        response = await tornado.httpclient.AsyncHTTPClient().fetch(f"http://127.0.0.1:{port}/tool")
        assert b'data-ws-path="/tool"' in response.body
        request = tornado.httpclient.HTTPRequest(
            f"ws://127.0.0.1:{port}/tool", headers={"Origin": f"http://127.0.0.1:{port}"}
        )
        client = Page(await tornado.websocket.websocket_connect(request))
        await client.send(HELLO)
        command = await client.next_command("run_script")
        await client.send({"event": "js_yield", "task_id": command["task_id"], "data": "yes"})
        await client.next_command("close_session")

    asyncio.run(page())
    loop.call_soon_threadsafe(server.stop)
    assert seen == ["yes"]


def test_a_handler_mounted_alone_serves_the_renderer_files_itself(loop: asyncio.AbstractEventLoop) -> None:
    # PyWebIO's apps mount only webio_handler (its page loaded the files from a CDN): the page still loads.
    import tornado.web

    async def setup() -> Any:
        app = tornado.web.Application([(r"/tool", platform.webio_handler(lambda: None))])
        return app.listen(0, address="127.0.0.1")

    server = asyncio.run_coroutine_threadsafe(setup(), loop).result(5)
    port = next(iter(server._sockets.values())).getsockname()[1]

    async def fetch() -> None:
        client = tornado.httpclient.AsyncHTTPClient()
        page = (await client.fetch(f"http://127.0.0.1:{port}/tool")).body.decode()
        assert 'src="/tool?_jupyter_session_asset=/jupyter_session.js"' in page, page
        script = await client.fetch(f"http://127.0.0.1:{port}/tool?_jupyter_session_asset=/jupyter_session.js")
        assert script.headers["Content-Type"] in ("application/javascript", "text/javascript")
        assert script.body == (platform.STATIC_PATH / "jupyter_session.js").read_bytes()
        for name in ("../pyproject.toml", ".hidden", "a/b.js", "missing.js"):
            with pytest.raises(tornado.httpclient.HTTPClientError) as refused:
                await client.fetch(f"http://127.0.0.1:{port}/tool?_jupyter_session_asset={name}")
            assert refused.value.code == 404

    try:
        asyncio.run_coroutine_threadsafe(fetch(), loop).result(10)
    finally:
        loop.call_soon_threadsafe(server.stop)
