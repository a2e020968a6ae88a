"""Which ``Host`` a server started by ``start_server`` answers, against DNS rebinding; and the addresses it
announces.

A page at ``http://evil.example:8080/`` whose name an attacker has pointed at 127.0.0.1 reaches a server on
this machine with ``Host: evil.example:8080`` and runs its app with the attacker's script as the page's
neighbour. A server therefore answers only Host names it knows: IP literals (a rebound name never arrives as
one), ``localhost`` and its subdomains, this machine's own names when it listens beyond loopback, and
``allowed_hosts`` (shell patterns; ``"*"`` answers every name, as behind a proxy that checks them). Others get
400 with what to add. The check is ``start_server``'s: a handler mounted in an app of one's own leaves Host
to that app (Django's ``ALLOWED_HOSTS``, Starlette's ``TrustedHostMiddleware``).
"""

from __future__ import annotations

import fnmatch
import ipaddress
import os
import socket
from collections.abc import Awaitable, Callable, Iterable, MutableMapping
from typing import Any

__all__ = ["ALLOWED_HOSTS_ENV", "HostCheck", "asgi_host_check", "listening_addresses", "wsgi_host_check"]

#: Names to answer besides the defaults, comma-separated, for servers whose code one does not edit.
ALLOWED_HOSTS_ENV = "JUPYTER_SESSION_ALLOWED_HOSTS"
_LOOPBACK_NAMES = ("localhost", "*.localhost")


def _name_of(host_header: str) -> str:
    """The name or address in a Host header, without its port or an IPv6 address's brackets, lower-cased."""
    host = host_header.strip().lower()
    if host.startswith("["):
        return host[1 : host.find("]")] if "]" in host else host
    return host.rsplit(":", 1)[0] if host.count(":") == 1 else host


def _is_ip(name: str) -> bool:
    try:
        ipaddress.ip_address(name)
    except ValueError:
        return False
    return True


def _is_loopback(bound: str) -> bool:
    if bound == "localhost":
        return True
    try:
        return ipaddress.ip_address(bound).is_loopback
    except ValueError:
        return False


class HostCheck:
    """Whether a request's Host header names this server (see the module's doc). ``bound`` is the address the
    server listens on (``''`` or ``0.0.0.0``: every address)."""

    def __init__(self, bound: str, allowed_hosts: Iterable[str] | None = None) -> None:
        patterns = [*_LOOPBACK_NAMES, *(allowed_hosts or ())]
        patterns += [name.strip() for name in os.environ.get(ALLOWED_HOSTS_ENV, "").split(",") if name.strip()]
        if not _is_loopback(bound):
            patterns += [bound, socket.gethostname(), socket.getfqdn()]
        self.patterns = sorted({pattern.lower() for pattern in patterns if pattern})

    def __call__(self, host_header: str | None) -> bool:
        if not host_header:
            return False  # HTTP/1.1 requires it; without one the name cannot be checked
        name = _name_of(host_header)
        return _is_ip(name) or any(fnmatch.fnmatchcase(name, pattern) for pattern in self.patterns)

    def refusal(self, host_header: str | None) -> str:
        """The body of the 400 answer to a request whose Host is not allowed."""
        name = _name_of(host_header or "")[:100]
        return (
            f"this server does not answer the host name {name!r} (a guard against DNS rebinding): to serve it, pass "
            f"allowed_hosts=[{name!r}] to start_server or set {ALLOWED_HOSTS_ENV}={name}\n"
        )


def wsgi_host_check(app: Callable[..., Any], check: HostCheck) -> Callable[..., Any]:
    """``app`` (a WSGI application) behind ``check``."""

    def checked(environ: dict[str, Any], start_response: Callable[..., Any]) -> Any:
        host = environ.get("HTTP_HOST")
        if check(host):
            return app(environ, start_response)
        start_response("400 Bad Request", [("Content-Type", "text/plain; charset=utf-8")])
        return [check.refusal(host).encode()]

    return checked


_Receive = Callable[[], Awaitable[MutableMapping[str, Any]]]
_Send = Callable[[MutableMapping[str, Any]], Awaitable[None]]


def asgi_host_check(
    app: Callable[[MutableMapping[str, Any], _Receive, _Send], Awaitable[None]], check: HostCheck
) -> Callable[[MutableMapping[str, Any], _Receive, _Send], Awaitable[None]]:
    """``app`` (an ASGI application) behind ``check``: a refused WebSocket is closed before it is accepted."""

    async def checked(scope: MutableMapping[str, Any], receive: _Receive, send: _Send) -> None:
        if scope["type"] not in ("http", "websocket"):
            await app(scope, receive, send)
            return
        host = next((value.decode("latin-1") for name, value in scope["headers"] if name == b"host"), None)
        if check(host):
            await app(scope, receive, send)
        elif scope["type"] == "websocket":
            await send({"type": "websocket.close", "code": 1008})
        else:
            body = check.refusal(host).encode()
            headers = [(b"content-type", b"text/plain; charset=utf-8"), (b"content-length", str(len(body)).encode())]
            await send({"type": "http.response.start", "status": 400, "headers": headers})
            await send({"type": "http.response.body", "body": body})

    return checked


def listening_addresses(host: str, port: int) -> list[str]:
    """Addresses besides the first (``_core.page_address``) where a server listening on ``host`` is reached: for
    ``''`` or ``0.0.0.0`` this machine's name and its other addresses."""
    if host not in ("", "0.0.0.0"):
        return []
    names = [socket.gethostname()]
    try:
        infos = socket.getaddrinfo(names[0], port, socket.AF_INET, socket.SOCK_STREAM)
    except OSError:
        infos = []
    names += [str(info[4][0]) for info in infos if not ipaddress.ip_address(info[4][0]).is_loopback]
    return [f"http://{name}:{port}/" for name in dict.fromkeys(names)]
