"""What only the Tornado platform has, over a real server and real WebSockets, and the small Python client
(``connect``, ``Page``, ``fetch``) that plays the page. The server's side of the contract that every backend
shares is checked for all of them in ``test_web_backends.py``; browser tests (tests/e2e) prove the page itself.
"""

from __future__ import annotations

import asyncio
import json
import urllib.error
import urllib.parse
import urllib.request
from collections.abc import Callable, Iterator
from typing import Any

import pytest
import tornado.httpclient
import tornado.websocket

from jupyter_session.input import file_upload
from jupyter_session.output import put_text
from jupyter_session.platform import tornado as platform
from jupyter_session.protocol import DEFAULT_MAX_PAYLOAD, PROTOCOL_VERSION, decode_frame, encode_frame
from jupyter_session.session import eval_js

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
                handler, 0, "127.0.0.1", None, DEFAULT_MAX_PAYLOAD, websocket_max_message_size=DEFAULT_MAX_PAYLOAD
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
        self.received = 0  # messages read: what a reconnecting page says it applied (?applied=)

    async def next_command(self, name: str, timeout: float = 5) -> dict[str, Any]:
        for command in self.commands:
            if command["command"] == name:
                self.commands.remove(command)
                return command
        while True:
            frame = await asyncio.wait_for(self.socket.read_message(), timeout)
            if frame is None:
                raise ConnectionError(f"closed while waiting for {name}; got {self.commands}")
            self.received += 1
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


CHROME = "Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/120.0 Safari/537.36"


async def connect(
    port: int, query: str = "", origin: str | None = None, user_agent: str = CHROME, hello: bool = True
) -> Page:
    """Open a page of the server at ``port``; it says hello unless told not to."""
    headers = {"Origin": origin or f"http://127.0.0.1:{port}", "Accept-Language": "de-DE,de", "User-Agent": user_agent}
    request = tornado.httpclient.HTTPRequest(f"ws://127.0.0.1:{port}/{query}", headers=headers)
    page = Page(await tornado.websocket.websocket_connect(request))
    if hello:
        await page.send(HELLO)
    return page


def fetch(port: int, address: str) -> tuple[bytes, Any]:
    """GET ``address`` (relative to the page) from the server: the body and the headers. An error status
    raises ``HTTPError``."""
    with urllib.request.urlopen(urllib.parse.urljoin(f"http://127.0.0.1:{port}/", address), timeout=10) as response:
        return response.read(), response.headers


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


def _chunk_frame(task_id: str, upload_id: str, offset: int, chunk: bytes) -> bytes:
    data = {"upload_id": upload_id, "name": "data", "offset": offset, "chunk": None}
    event = {"event": "file_chunk", "task_id": task_id, "data": data, "buffer_paths": [["data", "chunk"]]}
    return encode_frame(event, [chunk])


def _described(upload_id: str, size: int) -> dict[str, Any]:
    return dict(upload_id=upload_id, filename=f"{upload_id}.bin", size=size, mime_type="", last_modified=1)


def test_an_upload_flood_stops_at_the_default_limit(serve: Any) -> None:
    """A field without limits takes 64 MiB: a page that sends more gets no acknowledgement for it, and the server
    keeps none of it (before the default, 1,024 chunks of 1 MiB took the server from 32 to 1,058 MB)."""
    port = serve(lambda: put_text(str(len(file_upload("Data")["content"]))))
    chunk = bytes(1 << 20)

    async def page() -> tuple[str, int]:
        client = await connect(port)
        task_id = (await client.next_command("input_group"))["task_id"]
        for n in range(64):  # as the page would, one acknowledgement at a time
            await client.socket.write_message(_chunk_frame(task_id, "u1", n << 20, chunk), binary=True)
            assert (await client.next_command("file_ack"))["spec"]["received"] == (n + 1) << 20
        for n in range(64, 70):
            await client.socket.write_message(_chunk_frame(task_id, "u1", n << 20, chunk), binary=True)
        submitted = {"event": "from_submit", "task_id": task_id, "data": {"data": [_described("u1", 64 << 20)]}}
        await client.send(submitted)
        shown = (await client.next_command("output"))["spec"]["content"]
        return shown, sum(command["command"] == "file_ack" for command in client.commands)

    shown, more_acks = asyncio.run(page())
    assert (shown, more_acks) == (str(64 << 20), 0)


def test_a_single_file_field_buffers_one_upload_of_many(serve: Any, caplog: pytest.LogCaptureFixture) -> None:
    """A page that sends chunks of 100 upload ids to a field with ``max_size='1M'`` gets one file buffered
    (before: each was, 300 took the server from 34 to 352 MB)."""
    port = serve(lambda: put_text(file_upload("Doc", max_size="1M")["filename"]))
    chunk = bytes(1 << 20)

    def dropped() -> int:
        return sum("takes one file" in r.getMessage() or "is full" in r.getMessage() for r in caplog.records)

    async def page() -> tuple[str, list[dict[str, Any]]]:
        client = await connect(port)
        task_id = (await client.next_command("input_group"))["task_id"]
        for n in range(100):
            await client.socket.write_message(_chunk_frame(task_id, f"u{n}", 0, chunk), binary=True)
        assert (await client.next_command("file_ack"))["spec"] == {"upload_id": "u0", "received": 1 << 20}
        for _ in range(100):
            if dropped() == 99:
                break
            await asyncio.sleep(0.05)
        await client.send({"event": "from_submit", "task_id": task_id, "data": {"data": [_described("u0", 1 << 20)]}})
        shown = (await client.next_command("output"))["spec"]["content"]
        return shown, [command for command in client.commands if command["command"] == "file_ack"]

    shown, more_acks = asyncio.run(page())
    assert (shown, more_acks) == ("u0.bin", [])
    assert dropped() == 99
