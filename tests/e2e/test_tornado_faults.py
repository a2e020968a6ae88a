"""The standalone page when the connection misbehaves: drops, foreign origins, junk frames, oversized messages;
on each web backend (Tornado, aiohttp, FastAPI/Starlette)."""

from __future__ import annotations

import json
import re
from typing import Any

import pytest
from pages import WEBSOCKET_BACKENDS, wait_text

# The WebSocket backends: what follows is theirs (the HTTP protocol's: tests/test_http_protocol.py).
pytestmark = pytest.mark.parametrize("backend", WEBSOCKET_BACKENDS)

# How each backend's log shows a refused WebSocket handshake.
REFUSED = {
    "tornado": r"403 GET",
    "aiohttp": r'"GET / HTTP/1\.1" 403',
    "fastapi": r'"WebSocket /" 403',
}


def route_sockets(page: Any) -> list[tuple[Any, Any]]:
    """Proxy the page's WebSockets through Playwright so a test can drop them or inject frames."""
    routes: list[tuple[Any, Any]] = []

    def handler(socket: Any) -> None:
        routes.append((socket, socket.connect_to_server()))

    page.route_web_socket(re.compile(r"^ws://"), handler)
    return routes


def test_reconnect_mid_eval_resumes_the_session_and_loses_nothing(serve: Any, page: Any, backend: str) -> None:
    server = serve("slow_eval", "--reconnect-timeout", "10", backend=backend)
    routes = route_sockets(page)
    page.goto(server.url)
    wait_text(page, "WAITING")
    page_side, server_side = routes[0]
    server_side.close()
    page_side.close()
    page.evaluate("window.resolveLater({answer: 42})")  # answered while the connection is down
    page.wait_for_function("document.querySelectorAll('.jps-text').length >= 12", timeout=15_000)
    assert wait_text(page, "RESUMED") == json.dumps({"answer": 42})
    ticks = [t for t in page.locator(".jps-text").all_text_contents() if t.startswith("TICK")]
    assert ticks == [f"TICK {n}" for n in range(10)]  # in order, none lost, none doubled
    assert len(routes) == 2  # the page reconnected once
    log = "".join(server.output)
    assert "Traceback" not in log


def test_without_reconnect_a_drop_ends_the_session(serve: Any, page: Any, backend: str) -> None:
    server = serve("until_closed", backend=backend)
    routes = route_sockets(page)
    page.goto(server.url)
    wait_text(page, "OPEN")
    routes[0][1].close()
    routes[0][0].close()
    page.wait_for_timeout(500)
    assert len(routes) == 1  # no session id was given, so the page does not try to resume
    page.wait_for_function("document.querySelector('#jupyter-session-root').classList.contains('jps-disconnected')")
    deadline_output = "".join(server.output)
    for _ in range(50):
        if "DEFERRED RAN" in deadline_output:
            break
        page.wait_for_timeout(100)
        deadline_output = "".join(server.output)
    assert "DEFERRED RAN" in deadline_output


def test_a_foreign_origin_is_rejected(serve: Any, page: Any, backend: str) -> None:
    target, other = serve("whoami", backend=backend), serve("whoami", backend=backend)
    page.goto(other.url)
    wait_text(page, "READY")
    probe = """url => new Promise(resolve => {
        const socket = new WebSocket(url);
        socket.onopen = () => { socket.close(); resolve('open'); };
        socket.onerror = () => resolve('refused');
    })"""
    assert page.evaluate(probe, target.url.replace("http", "ws")) == "refused"
    assert page.evaluate(probe, other.url.replace("http", "ws")) == "open"  # its own origin is fine
    # The server logs the refusal on its own time: read its output for up to 5 s.
    for _ in range(50):
        if re.search(REFUSED[backend], "".join(target.output)):
            break
        page.wait_for_timeout(100)
    assert re.search(REFUSED[backend], "".join(target.output)), "".join(target.output)


def test_a_malformed_frame_is_dropped_and_the_session_stays_alive(serve: Any, page: Any, backend: str) -> None:
    server = serve("echo", backend=backend)
    routes = route_sockets(page)
    page.goto(server.url)
    wait_text(page, "READY")
    page.wait_for_function("typeof window.answer === 'function'")
    _, server_side = routes[0]
    for junk in [
        "{oops",
        "[1, 2]",
        json.dumps({"event": "js_yield", "task_id": 5, "data": 1}),
        json.dumps({"event": "js_yield", "task_id": "no-such-request", "data": 1}),
        b"\x00\x00\x00\x07",
    ]:
        server_side.send(junk)
    page.evaluate("window.answer('still here')")
    assert wait_text(page, "ECHO") == json.dumps("still here")
    log = "".join(server.output)
    assert log.count("dropped a malformed") >= 4 and "dropped a js_yield event for unknown task_id" in log


def test_an_oversized_message_closes_its_socket_and_ends_its_session(serve: Any, page: Any, backend: str) -> None:
    """Past ``max_payload_size`` the backend closes the WebSocket (1009); without reconnection the session ends."""
    server = serve("until_closed", "--max-payload-size", "1M", backend=backend)
    routes = route_sockets(page)
    page.goto(server.url)
    wait_text(page, "OPEN")
    page_side, server_side = routes[0]
    closed: list[Any] = []

    def on_close(code: Any, reason: Any) -> None:  # a handler stops Playwright passing the close on by itself
        closed.append(code)
        page_side.close()

    server_side.on_close(on_close)
    server_side.send("x" * (2 << 20))
    page.wait_for_function("document.querySelector('#jupyter-session-root').classList.contains('jps-disconnected')")
    ended = ("DEFERRED RAN", "WAIT ENDED: SessionClosedException")
    for _ in range(50):
        if all(line in "".join(server.output) for line in ended):
            break
        page.wait_for_timeout(100)
    assert all(line in "".join(server.output) for line in ended), "".join(server.output)
    # aiohttp and uvicorn send a close frame with 1009; Tornado does, or drops the connection before it has read
    # the whole message (1006: no close frame).
    assert closed[:1] in ([[1009], [1006]] if backend == "tornado" else [[1009]]), closed
