"""Tornado servers on a network: 1,100 half-sent requests against a ``start_server`` process under
``ulimit -n 1024`` neither stop the service nor flood the log, a half-sent request is dropped after the header
timeout, and the access log holds no session key and no 100 KB address."""

from __future__ import annotations

import asyncio
import logging
import socket
import sys
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from typing import Any

import pytest
import tornado.web
from pages import Command, free_port

from jupyter_session.platform import tornado as platform
from jupyter_session.platform._tornado_server import LimitedHTTPServer, log_request

HALF_SENT = b"GET / HTTP/1.1\r\nHost: 127.0.0.1\r\nX-Slow: "


def _half_open(port: int, count: int) -> list[socket.socket]:
    sockets = []
    for _ in range(count):
        sock = socket.create_connection(("127.0.0.1", port), timeout=5)
        sock.sendall(HALF_SENT)
        sockets.append(sock)
    return sockets


def test_a_thousand_half_sent_requests_leave_the_page_served_and_the_log_short() -> None:
    port = free_port()
    serve = f"ulimit -n 1024 && exec {sys.executable} serve.py backend_apps:eval_timeout --port {port}"
    server = Command(["bash", "-c", serve], port, r"^Running on http://")
    sockets: list[socket.socket] = []
    try:
        sockets = _half_open(port, 1100)
        started = time.monotonic()
        with urllib.request.urlopen(f"http://127.0.0.1:{port}/", timeout=10) as response:
            assert response.status == 200
        took = time.monotonic() - started
        time.sleep(0.5)
        assert server.process.poll() is None
    finally:
        for sock in sockets:
            sock.close()
        output = server.stop()
    print(f"GET / after 1,100 half-sent requests: {took * 1000:.0f} ms; {len(output)} bytes of server output")
    assert took < 1, output[-2000:]
    assert output.count("refused a connection") <= 1 and len(output) < 20_000, output[-2000:]


def _ended_by_the_server(sock: socket.socket) -> bool:
    try:
        return sock.recv(1) == b""
    except ConnectionResetError:  # closed with our half-sent request unread
        return True


@pytest.fixture
def small_server(loop: asyncio.AbstractEventLoop) -> Iterator[tuple[int, Any]]:
    async def start() -> tuple[int, LimitedHTTPServer]:
        handler = platform.webio_handler(lambda: None)
        app = tornado.web.Application([(r"/", handler)], log_function=log_request)
        server = LimitedHTTPServer(app, max_connections=20, idle_connection_timeout=0.5)
        sock = socket.socket()
        sock.bind(("127.0.0.1", 0))
        sock.listen(128)
        sock.setblocking(False)
        server.add_sockets([sock])
        return int(sock.getsockname()[1]), server

    port, server = asyncio.run_coroutine_threadsafe(start(), loop).result(5)
    yield port, server
    loop.call_soon_threadsafe(server.stop)


def test_at_the_cap_the_longest_waiting_connection_makes_room_and_a_slow_one_times_out(
    small_server: tuple[int, Any],
) -> None:
    port, server = small_server
    sockets = _half_open(port, 30)
    try:
        assert len(server._streams) <= 20
        # The first ten were closed to make room for the last ten: the server ends them.
        assert all(_ended_by_the_server(sock) for sock in sockets[:10])
        request = b"GET /?app=none HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n"
        with socket.create_connection(("127.0.0.1", port), timeout=5) as fresh:
            fresh.sendall(request)
            assert fresh.recv(100).startswith(b"HTTP/1.1 ")
        started = time.monotonic()
        assert _ended_by_the_server(sockets[-1])  # its headers never came: dropped after the header timeout
        assert 0.2 < time.monotonic() - started < 3
    finally:
        for sock in sockets:
            sock.close()


def test_the_access_log_keeps_no_secrets_and_no_long_address(
    small_server: tuple[int, Any], caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.INFO)
    port, _server = small_server
    query = "session_id=SESSION-KEY&download=FILE-KEY&token=ACCESS-KEY&app=" + "x" * 30_000
    with pytest.raises(urllib.error.HTTPError):  # 404: no such download
        urllib.request.urlopen(f"http://127.0.0.1:{port}/?{query}", timeout=5)
    lines = [record.getMessage() for record in caplog.records]
    assert lines and all("KEY" not in line and len(line) < 500 for line in lines), lines
    assert f"({len(query) + 2} characters)" in lines[-1]
