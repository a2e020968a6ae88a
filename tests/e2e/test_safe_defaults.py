"""What a server started by ``start_server`` refuses by default, on each web backend: a Host name it does not know
(DNS rebinding) gets 400 saying what to add, for the page and for its WebSocket or exchange alike; with an
access token, a request without it gets 403."""

from __future__ import annotations

import http.client
from typing import Any

import pytest
from pages import BACKENDS, HTTP_BACKENDS, wait_text


def _get(port: int, host: str, headers: dict[str, str] | None = None) -> tuple[int, str]:
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
    try:
        connection.request("GET", "/", headers={"Host": host, **(headers or {})})
        response = connection.getresponse()
        return response.status, response.read().decode(errors="replace")
    finally:
        connection.close()


@pytest.mark.parametrize("backend", BACKENDS)
def test_a_host_name_the_server_does_not_know_is_refused(serve: Any, backend: str) -> None:
    server = serve("backend_apps:eval_timeout", backend=backend, env={"JUPYTER_SESSION_ALLOWED_HOSTS": "tool.test"})
    port = server.port
    status, body = _get(port, f"rebound.example:{port}")
    assert status == 400 and "allowed_hosts=['rebound.example']" in body, body
    if backend in HTTP_BACKENDS:  # the exchange, as a page's first pull
        status, _ = _get(port, f"rebound.example:{port}", {"webio-session-id": "NEW-" + "a" * 24})
    else:  # the WebSocket handshake
        upgrade = {"Upgrade": "websocket", "Connection": "Upgrade", "Sec-WebSocket-Version": "13"}
        status, _ = _get(port, f"rebound.example:{port}", {**upgrade, "Sec-WebSocket-Key": "dGhlIHNhbXBsZSBub25jZQ=="})
    assert status in (400, 403)
    for known in (f"127.0.0.1:{port}", f"localhost:{port}", f"app.localhost:{port}", "tool.test", f"[::1]:{port}"):
        assert _get(port, known)[0] == 200, known


@pytest.mark.parametrize("backend", BACKENDS)
def test_with_an_access_token_only_requests_that_carry_it_are_served(serve: Any, backend: str, page: Any) -> None:
    server = serve("backend_apps:eval_timeout", backend=backend, env={"JUPYTER_SESSION_TOKEN": "s3cret"})
    port, host = server.port, f"127.0.0.1:{server.port}"
    assert "?token=s3cret" in "".join(server.output)  # the printed address has it
    assert _get(port, host)[0] == 403
    assert _get(port, host, {"Authorization": "token s3cret"})[0] == 200
    assert _get(port, host, {"Cookie": "jupyter_session_0123456789ab=forged"})[0] == 403
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
    connection.request("GET", "/?token=s3cret")
    response = connection.getresponse()
    response.read()
    cookie = response.getheader("Set-Cookie", "").split(";")[0]
    assert (
        response.status == 200
        and cookie.startswith("jupyter_session_")
        and "HttpOnly" in response.getheader("Set-Cookie", "")
    )
    assert _get(port, host, {"Cookie": cookie})[0] == 200
    # A browser opened at the printed address runs the app: its WebSocket, or its exchange, carries the cookie.
    page.goto(f"{server.url}?token=s3cret")
    assert wait_text(page, "AFTER") == "42"
    assert not page.errors
