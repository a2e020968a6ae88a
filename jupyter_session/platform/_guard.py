"""What a server started by ``start_server`` checks before any request reaches its apps: the ``Host`` it is
asked for (against DNS rebinding) and, when it has one, the access token; and the addresses it announces.

Host: a page at ``http://evil.example:8080/`` whose name an attacker has pointed at 127.0.0.1 reaches a server
on this machine with ``Host: evil.example:8080`` and runs its app beside the attacker's script. A server
therefore answers only Host names it knows: IP literals (a rebound name never arrives as one), none at all
(not a browser: a health check), ``localhost`` and its subdomains, this machine's own names when it listens
beyond loopback, and ``allowed_hosts`` (shell patterns; ``"*"`` answers every name, as behind a proxy that
checks them). Others get 400 with what to add.

Token, as Jupyter's: with ``auth_token`` (or ``JUPYTER_SESSION_TOKEN``) every request carries it, as
``?token=`` (the address the server prints has it), an ``Authorization: token ...`` header, or the cookie the
server sets on the first request that had it; others get 403.

The checks are ``start_server``'s: a handler mounted in an app of one's own leaves them to that app (Django's
``ALLOWED_HOSTS``, Starlette's ``TrustedHostMiddleware``, its own login).
"""

from __future__ import annotations

import fnmatch
import hashlib
import hmac
import http.cookies
import ipaddress
import logging
import os
import socket
from collections.abc import Awaitable, Callable, Iterable, MutableMapping
from dataclasses import dataclass
from typing import Any
from urllib.parse import parse_qs

__all__ = [
    "ALLOWED_HOSTS_ENV",
    "TOKEN_ENV",
    "Guard",
    "HostCheck",
    "Verdict",
    "asgi_guarded",
    "listening_addresses",
    "wsgi_guarded",
]

logger = logging.getLogger(__name__)

#: Names to answer besides the defaults, comma-separated, for servers whose code one does not edit.
ALLOWED_HOSTS_ENV = "JUPYTER_SESSION_ALLOWED_HOSTS"
#: The access token, when ``start_server`` is given none.
TOKEN_ENV = "JUPYTER_SESSION_TOKEN"
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
            return True  # not a browser (they all send one): a health check, or HTTP/1.0; no rebinding either
        name = _name_of(host_header)
        return _is_ip(name) or any(fnmatch.fnmatchcase(name, pattern) for pattern in self.patterns)

    def refusal(self, host_header: str | None) -> str:
        """The body of the 400 answer to a request whose Host is not allowed."""
        name = _name_of(host_header or "")[:100]
        return (
            f"this server does not answer the host name {name!r} (a guard against DNS rebinding): to serve it, pass "
            f"allowed_hosts=[{name!r}] to start_server or set {ALLOWED_HOSTS_ENV}={name}\n"
        )


@dataclass(frozen=True)
class Verdict:
    """What to do with a request: refuse it with ``status`` and ``message``, or (``status`` 0) serve it, adding
    ``set_cookie`` (a ``Set-Cookie`` value) to the answer when given."""

    status: int = 0
    message: str = ""
    set_cookie: str | None = None


class Guard:
    """The checks of one server: its ``HostCheck`` and, with a token (``auth_token``, else ``TOKEN_ENV``), the
    token. ``bound`` is the address it listens on."""

    def __init__(self, bound: str, allowed_hosts: Iterable[str] | None = None, auth_token: str | None = None) -> None:
        self.hosts = HostCheck(bound, allowed_hosts)
        self.token = auth_token if auth_token is not None else os.environ.get(TOKEN_ENV) or None
        if self.token is None and not _is_loopback(bound):
            logger.warning(
                "serving on %s without an access token: whoever reaches this port can use the apps (right for a "
                "public site; else pass auth_token=... to start_server or set %s)",
                "every address" if bound in ("", "0.0.0.0") else bound,
                TOKEN_ENV,
            )
        if self.token is not None:
            digest = hashlib.sha256(self.token.encode()).hexdigest()
            # Named after the token, so that every process of one deployment reads the same cookie, and servers
            # on other ports of the same machine (whose cookies the browser mixes) read their own.
            self._cookie_name = f"jupyter_session_{digest[:12]}"
            self._cookie_value = hmac.new(self.token.encode(), b"jupyter_session cookie", "sha256").hexdigest()

    def check(self, host: str | None, query: str, cookies: str | None, authorization: str | None) -> Verdict:
        """The verdict on a request with these Host, raw query string, Cookie and Authorization headers."""
        if not self.hosts(host):
            return Verdict(400, self.hosts.refusal(host))
        if self.token is None:
            return Verdict()
        if self._has_cookie(cookies) or _equal(_authorization_token(authorization), self.token):
            return Verdict()
        if _equal(parse_qs(query).get("token", [None])[0], self.token):
            return Verdict(set_cookie=f"{self._cookie_name}={self._cookie_value}; Path=/; HttpOnly; SameSite=Lax")
        return Verdict(403, "this server needs its access token: open the address it printed, with ?token=...\n")

    def _has_cookie(self, header: str | None) -> bool:
        if not header:
            return False
        jar = http.cookies.SimpleCookie()
        try:
            jar.load(header)
        except http.cookies.CookieError:
            return False
        morsel = jar.get(self._cookie_name)
        return morsel is not None and _equal(morsel.value, self._cookie_value)


def _equal(given: str | None, expected: str) -> bool:
    return given is not None and hmac.compare_digest(given.encode(), expected.encode())


def _authorization_token(header: str | None) -> str | None:
    scheme, _, value = (header or "").partition(" ")
    return value.strip() if scheme.lower() == "token" else None


def wsgi_guarded(app: Callable[..., Any], guard: Guard) -> Callable[..., Any]:
    """``app`` (a WSGI application) behind ``guard``."""

    def guarded(environ: dict[str, Any], start_response: Callable[..., Any]) -> Any:
        verdict = guard.check(
            environ.get("HTTP_HOST"),
            environ.get("QUERY_STRING", ""),
            environ.get("HTTP_COOKIE"),
            environ.get("HTTP_AUTHORIZATION"),
        )
        if verdict.status:
            start_response(f"{verdict.status} Refused", [("Content-Type", "text/plain; charset=utf-8")])
            return [verdict.message.encode()]
        if verdict.set_cookie is None:
            return app(environ, start_response)

        def with_cookie(status: str, headers: list[tuple[str, str]], *args: Any) -> Any:
            return start_response(status, [*headers, ("Set-Cookie", verdict.set_cookie)], *args)

        return app(environ, with_cookie)

    return guarded


_Receive = Callable[[], Awaitable[MutableMapping[str, Any]]]
_Send = Callable[[MutableMapping[str, Any]], Awaitable[None]]
_ASGIApp = Callable[[MutableMapping[str, Any], _Receive, _Send], Awaitable[None]]


def asgi_guarded(app: _ASGIApp, guard: Guard) -> _ASGIApp:
    """``app`` (an ASGI application) behind ``guard``: a refused WebSocket is closed before it is accepted."""

    async def guarded(scope: MutableMapping[str, Any], receive: _Receive, send: _Send) -> None:
        if scope["type"] not in ("http", "websocket"):
            await app(scope, receive, send)
            return
        headers = {name.decode("latin-1"): value.decode("latin-1") for name, value in scope["headers"]}
        verdict = guard.check(
            headers.get("host"),
            scope.get("query_string", b"").decode("latin-1"),
            headers.get("cookie"),
            headers.get("authorization"),
        )
        if not verdict.status:
            cookie = verdict.set_cookie

            async def with_cookie(message: MutableMapping[str, Any]) -> None:
                if cookie is not None and message["type"] == "http.response.start":
                    message = {**message, "headers": [*message.get("headers", []), (b"set-cookie", cookie.encode())]}
                await send(message)

            await app(scope, receive, with_cookie)
        elif scope["type"] == "websocket":
            await send({"type": "websocket.close", "code": 1008})
        else:
            body = verdict.message.encode()
            response_headers = [
                (b"content-type", b"text/plain; charset=utf-8"),
                (b"content-length", str(len(body)).encode()),
            ]
            await send({"type": "http.response.start", "status": verdict.status, "headers": response_headers})
            await send({"type": "http.response.body", "body": body})

    return guarded


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
