"""What every web backend shares, whatever its framework: the page and its WebSocket as a session's transport,
and the apps served on one path (their page, origin checks, sessions started and resumed, offered downloads).

A backend supplies a ``PageSocket`` subclass (write a frame, close, hop onto its loop) and maps its framework's
requests onto an ``Endpoint`` (usually an ``AppEndpoint``): a GET to ``page`` (or, with ``?download=TOKEN``,
to ``download``), the WebSocket handshake to ``origin_allowed``, an opened WebSocket to ``open``, each frame to
``PageSocket.receive`` and the end of the socket to ``PageSocket.connection_lost``. Nothing here imports a web
framework; it needs an asyncio loop, on which the backend calls everything except ``PageSocket.send``.

The sockets and the download offers are in ``_sockets``; this module re-exports them.
"""

from __future__ import annotations

import asyncio
import fnmatch
import logging
import socket
import threading
import time
import webbrowser
from abc import ABC, abstractmethod
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import urlparse

from .._connection import Connection, start_session
from .._utils import random_str
from ..protocol import Command, Transport
from ..session import register_session_implement_for_target
from ..session._info import make_session_info
from . import _shutdown
from ._guard import listening_addresses
from ._page import Applications, make_applications, page_settings, render_index, render_page
from ._sockets import Offer, PageSocket, QueuedPageSocket, offers

__all__ = [
    "ASSETS_URL",
    "CLOSE_SESSION",
    "DOWNLOAD_STALL_TIMEOUT",
    "STATIC_PATH",
    "AppEndpoint",
    "Endpoint",
    "Offer",
    "PageResponse",
    "OriginCheck",
    "PageSocket",
    "QueuedPageSocket",
    "check_bundle",
    "same_site",
    "session_info_from_headers",
]

logger = logging.getLogger(__name__)

#: URL prefix under which a backend serves the renderer bundle (the files in ``STATIC_PATH``); the user's
#: ``static_dir`` keeps ``/static/``.
ASSETS_URL = "/_jupyter_session"
#: Where the built renderer bundle lives (build output; see labextension/).
STATIC_PATH = Path(__file__).resolve().parent.parent / "static"
#: A handler mounted where nothing serves ``ASSETS_URL`` serves the renderer's files itself, at
#: ``PATH?_jupyter_session_asset=NAME`` (``asset_file``): a PyWebIO app that mounts only the handler works.
ASSET_QUERY = "_jupyter_session_asset"
#: Seconds a download may wait for the browser to take its next chunk before the backend drops the transfer, so
#: a client that stops reading cannot hold the file's memory for ever. Backends read it at each transfer.
DOWNLOAD_STALL_TIMEOUT = 60.0
#: The command that tells the page its session is over.
CLOSE_SESSION: Command = dict(command="close_session", task_id=None, spec=None)
# What a page that comes back for a session this process does not hold is told.
_UNKNOWN_SESSION = "the server no longer holds it (it expired, or its process restarted): reload the page"
# A WebSocket close frame carries at most 125 bytes: the code's two and the reason's.
_MAX_CLOSE_REASON = 123


def asset_file(name: str) -> Path | None:
    """The renderer's file called ``name`` (a plain file name, never a path), or ``None``."""
    name = name.lstrip("/")
    path = STATIC_PATH / name
    if not name or "/" in name or "\\" in name or name.startswith(".") or not path.is_file():
        return None
    return path


def check_bundle() -> None:
    """Raise ``RuntimeError`` unless the renderer bundle is built (a server without it serves a blank page)."""
    if not (STATIC_PATH / "jupyter_session.js").exists():
        raise RuntimeError(
            "the browser renderer is not built: jupyter_session/static/jupyter_session.js is "
            "missing. Install the package with pip (which builds it), or run "
            "`npm ci && npm run build` in labextension/."
        )


def session_info_from_headers(
    headers: Mapping[str, str],
    *,
    user_ip: str | None = "",
    backend: str = "",
    protocol: str = "",
    request: Any = None,
) -> dict[str, Any]:
    """``session.info`` from a request's headers (User-Agent, Accept-Language's first tag, Host, Origin), as
    PyWebIO, with what only the backend knows. ``headers`` must look names up case-insensitively."""
    language = headers.get("Accept-Language", "").split(",", 1)[0].split(";", 1)[0].strip()
    return make_session_info(
        user_agent=headers.get("User-Agent", ""),
        user_language=language,
        server_host=headers.get("Host", ""),
        origin=headers.get("Origin", ""),
        user_ip=user_ip or "",
        backend=backend,
        protocol=protocol,
        request=request,
    )


def same_site(origin: str, host: str) -> bool:
    """Whether ``origin`` (an Origin header) names ``host`` (the request's Host header)."""
    return urlparse(origin).netloc.lower() == host.lower()


class OriginCheck:
    """Which origins may open a page's WebSocket: the page's own host; else, with ``check_origin``, those it
    accepts; else those matching one of ``allowed_origins`` (shell patterns such as ``https://*.example.com``).
    No Origin header (not a browser) is allowed, as Tornado does."""

    def __init__(self, allowed_origins: Sequence[str] | None, check_origin: Callable[[str], bool] | None) -> None:
        self._check_origin = check_origin
        self._patterns = list(allowed_origins or [])

    def __call__(self, origin: str | None, host: str) -> bool:
        if origin is None or same_site(origin, host):
            return True
        if self._check_origin is not None:
            return bool(self._check_origin(origin))
        return any(fnmatch.fnmatch(origin, pattern) for pattern in self._patterns)


def _count(value: str | None) -> int | None:
    """A count of messages from a query string (``?applied=``), or ``None`` if it is none."""
    if value is None or not value.isdigit() or len(value) > 12:
        return None
    return int(value)


def _fit_close_reason(reason: str) -> str:
    encoded = reason.encode()
    if len(encoded) <= _MAX_CLOSE_REASON:
        return reason
    return encoded[: _MAX_CLOSE_REASON - 3].decode(errors="ignore") + "..."


# -- serving ----------------------------------------------------------------------------------------------


def free_port() -> int:
    """A TCP port nothing listens on now, on the loopback address."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def page_address(host: str, port: int) -> str:
    """The address to open for a server listening on ``host`` (``''`` and ``0.0.0.0``: every address)."""
    return f"http://{'127.0.0.1' if host in ('', '0.0.0.0') else host}:{port}/"


def announce(host: str, port: int, open_browser: bool = False, token: str | None = None) -> None:
    """Say where a server listening on ``host`` and ``port`` is reached, with its access ``token`` (the first
    line is the one a person, and the tests, wait for); open a browser at the first address."""
    address = page_address(host, port) + (f"?token={token}" if token else "")
    print(f"Running on {address}", flush=True)
    others = listening_addresses(host, port)
    if others:
        print(f"Listening on every address, also {', '.join(others)}", flush=True)
    if open_browser:
        threading.Thread(target=webbrowser.open, args=(address,), daemon=True).start()


def announce_once_listening(host: str, port: int, token: str | None = None) -> None:
    """``announce`` from a thread as soon as ``port`` takes connections: for a server that gives no hook between
    binding its socket and serving (Werkzeug's, Django's), so that the line still means "ready"."""

    def wait_then_announce() -> None:
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            try:
                socket.create_connection((urlparse(page_address(host, port)).hostname, port), timeout=1).close()
            except OSError:
                time.sleep(0.02)
                continue
            announce(host, port, token=token)
            return

    threading.Thread(target=wait_then_announce, daemon=True, name="announce").start()


# -- reconnection -----------------------------------------------------------------------------------------


class _DetachedSessions:
    """Sessions whose page dropped, kept ``timeout`` seconds for the page to come back (by session id)."""

    def __init__(self, timeout: float) -> None:
        self.timeout = timeout
        self._connections: dict[str, Connection] = {}
        self._expiry: dict[str, asyncio.TimerHandle] = {}

    def add(self, connection: Connection) -> str:
        session_id = random_str(24)  # unguessable: it is the only key to someone else's session
        self._connections[session_id] = connection
        assert connection.session is not None
        connection.session.defer_call(lambda: self._forget(session_id))
        return session_id

    def detached(self, connection: Connection) -> None:
        session_id = next((sid for sid, conn in self._connections.items() if conn is connection), None)
        if session_id is not None:
            self._expiry[session_id] = asyncio.get_running_loop().call_later(self.timeout, self._expire, session_id)

    def resume(self, session_id: str, transport: Transport, applied: int) -> bool:
        connection = self._connections.get(session_id)
        if connection is None:
            return False  # unknown or expired
        if not connection.resume(transport, applied):
            return False  # the page missed more than the server kept: it cannot go on
        timer = self._expiry.pop(session_id, None)
        if timer is not None:
            timer.cancel()
        return True

    def _expire(self, session_id: str) -> None:
        self._expiry.pop(session_id, None)
        connection = self._connections.pop(session_id, None)
        if connection is not None and connection.session is not None:
            reason = f"the page did not reconnect within {self.timeout:g} s (a larger reconnect_timeout waits longer)"
            connection.session.close(nonblock=True, reason=reason)

    def _forget(self, session_id: str) -> None:
        self._connections.pop(session_id, None)
        timer = self._expiry.pop(session_id, None)
        if timer is not None:
            timer.cancel()


# -- endpoints --------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class PageResponse:
    """The answer to a plain GET: an HTTP status and an HTML body."""

    status: int
    html: str


class Endpoint(ABC):
    """What one path serves: a page, its WebSocket, and the files its sessions offer for download."""

    @abstractmethod
    def page(self, path: str, app: str | None, assets_url: str = ASSETS_URL) -> PageResponse:
        """The page for a GET of ``path`` (whose WebSocket the page opens) with ``?app=`` ``app``."""

    def origin_allowed(self, origin: str | None, host: str) -> bool:
        """Whether a WebSocket handshake from ``origin`` (its Origin header; ``None`` when absent, i.e. not a
        browser, allowed as Tornado does) to ``host`` (its Host header) may proceed. Refuse others with 403."""
        return origin is None or same_site(origin, host)

    @abstractmethod
    def open(
        self,
        socket: PageSocket,
        *,
        app: str | None,
        session_id: str | None,
        session_info: dict[str, Any],
        applied: str | None = None,
    ) -> Connection | None:
        """A WebSocket opened (``?app=`` ``app``, ``?session_id=`` ``session_id``, and with it ``?applied=``
        ``applied``, how many messages the page applied): start or resume its session, or close the socket;
        returns the connection, if any. Called on the loop."""

    def download(self, token: str) -> Offer | None:
        """The file offered at ``?download=<token>``, or ``None`` (unknown, already fetched, or its session
        ended): answer 404."""
        return offers.get(token)


class AppEndpoint(Endpoint):
    """The apps served on one path: ``?app=name`` picks one (else the app called ``index``, else an index page
    lists them); each WebSocket is one session.

    ``applications`` is as for ``start_server``. A WebSocket's origin must be the page's own host, or pass
    ``check_origin(origin)`` when given, else match one of ``allowed_origins`` (shell patterns). With
    ``reconnect_timeout`` > 0 a page whose WebSocket dropped may come back within that many seconds with
    ``?session_id=`` (the page gets its id in a ``set_session_id`` command) and carry on with its session.
    """

    def __init__(
        self,
        applications: Applications,
        *,
        reconnect_timeout: float = 0,
        allowed_origins: Sequence[str] | None = None,
        check_origin: Callable[[str], bool] | None = None,
    ) -> None:
        self.apps = make_applications(applications)
        for app in self.apps.values():
            register_session_implement_for_target(app)
        self._origins = OriginCheck(allowed_origins, check_origin)
        self._detached = _DetachedSessions(reconnect_timeout) if reconnect_timeout > 0 else None

    def app_name(self, app: str | None) -> str | None:
        """The app ``?app=`` ``app`` names: without one, ``index`` if there is such an app."""
        if app is None and "index" in self.apps:
            return "index"
        return app

    def page(
        self, path: str, app: str | None, assets_url: str = ASSETS_URL, protocol: str = "websocket"
    ) -> PageResponse:
        """The app's page, whose script speaks ``protocol`` ("websocket" or "http") to ``path``; for no app or
        an unknown one the index of apps (with status 200 or 404)."""
        if _shutdown.draining():
            return PageResponse(503, f"<!doctype html><title>503</title><p>{_shutdown.GOING_AWAY}: try again soon.")
        name = self.app_name(app)
        if name not in self.apps:
            return PageResponse(404 if name is not None else 200, render_index(self.apps, assets_url))
        settings = page_settings(self.apps[name], name)
        return PageResponse(200, render_page(settings, ws_path=path, static_url=assets_url, protocol=protocol))

    def origin_allowed(self, origin: str | None, host: str) -> bool:
        return self._origins(origin, host)

    def open(
        self,
        socket: PageSocket,
        *,
        app: str | None,
        session_id: str | None,
        session_info: dict[str, Any],
        applied: str | None = None,
    ) -> Connection | None:
        """Resume the session ``session_id`` names (an unknown or expired one gets ``close_session`` and the
        socket closed), or start a session of the app (an unknown app closes the socket with code 4004). While
        the server shuts down the socket is closed with 1001."""
        if _shutdown.draining():
            socket.close_socket(code=1001, reason=_shutdown.GOING_AWAY)
            return None
        if session_id is not None:
            count = _count(applied)
            if self._detached is None or count is None or not self._detached.resume(session_id, socket, count):
                socket.send({"commands": [{**CLOSE_SESSION, "spec": _UNKNOWN_SESSION}]})
                socket.close_socket(reason="unknown or expired session: reload the page to start a new one")
            return None
        name = self.app_name(app)
        if name is None or name not in self.apps:
            socket.close_socket(
                code=4004, reason=_fit_close_reason(f"no app named {name!r}: check ?app= in the page's address")
            )
            return None
        detached = self._detached
        connection = start_session(
            self.apps[name],
            socket,
            session_info,
            loop=asyncio.get_running_loop(),
            on_detached=detached.detached if detached else None,
        )
        _shutdown.track(connection)
        if detached is not None:
            socket.keep_for_replay()
            session_id = detached.add(connection)
            connection.send_commands([dict(command="set_session_id", task_id=None, spec=session_id)])
        return connection
