"""Run apps on FastAPI / Starlette (any ASGI server; ``start_server`` uses uvicorn): ``webio_routes`` (routes
to put in your own app), ``asgi_app`` (an app to ``mount``) and ``start_server``, with PyWebIO 1.8.4's
signatures.

The routes answer a plain GET with the app's page and the page's WebSocket on the same path. The page's
WebSocket, download and asset addresses are built from the ASGI scope's ``root_path`` and ``path``, so they
resolve under a ``mount`` path and behind a proxy that sets ``root_path`` (uvicorn ``--root-path``). Only the
Starlette side lives here: ``_StarletteSocket`` is the core's ``PageSocket`` over a Starlette ``WebSocket``,
whose sends are coroutines, so one writer task per socket sends its frames in order, and the close behind them.
"""

from __future__ import annotations

import asyncio
import logging
import os
import socket
from collections.abc import Callable
from types import FrameType
from typing import Any

try:
    from starlette.applications import Starlette
    from starlette.requests import Request
    from starlette.responses import HTMLResponse, PlainTextResponse, Response
    from starlette.routing import BaseRoute, Mount, Route, WebSocketRoute
    from starlette.staticfiles import StaticFiles
    from starlette.types import Receive, Scope, Send
    from starlette.websockets import WebSocket
except ImportError as exc:  # pragma: no cover - depends on the environment
    raise ImportError(
        'jupyter_session.platform.fastapi needs FastAPI (Starlette): pip install "jupyter_session[fastapi]"',
        name=(exc.name or "starlette").partition(".")[0],
    ) from exc

from .._utils import parse_file_size
from ..protocol import DEFAULT_MAX_PAYLOAD
from ..session import Session
from . import _core, _shutdown
from ._core import (
    ASSETS_URL,
    STATIC_PATH,
    AppEndpoint,
    Offer,
    QueuedPageSocket,
    announce,
    free_port,
    session_info_from_headers,
)
from ._core import check_bundle as _check_bundle
from ._guard import Guard, asgi_guarded
from ._page import Applications
from ._sockets import NO_DOWNLOAD

__all__ = ["asgi_app", "start_server", "webio_routes"]

logger = logging.getLogger(__name__)

_MISSING = 'jupyter_session.platform.fastapi needs {}: pip install "jupyter_session[fastapi]"'


# -- the socket -------------------------------------------------------------------------------------------


class _StarletteSocket(QueuedPageSocket):
    """A ``QueuedPageSocket`` over one accepted Starlette ``WebSocket``."""

    def __init__(self, websocket: WebSocket) -> None:
        self.websocket = websocket
        super().__init__()

    async def send_frame(self, frame: str | bytes) -> None:
        if isinstance(frame, bytes):
            await self.websocket.send_bytes(frame)
        else:
            await self.websocket.send_text(frame)

    async def send_close(self, code: int, reason: str) -> None:
        await self.websocket.close(code=code, reason=reason)


# -- downloads --------------------------------------------------------------------------------------------


class _DownloadResponse(Response):
    """Streams an ``Offer``, each chunk's send bounded by ``_core.DOWNLOAD_STALL_TIMEOUT``. A server before
    ASGI 2.4 (uvicorn) drops writes to a gone client silently, so the client's ``http.disconnect`` is watched
    too (until the last chunk: a complete response reads as a disconnect as well)."""

    def __init__(self, offer: Offer) -> None:
        super().__init__(headers=offer.headers())
        self.offer = offer

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        offer = self.offer
        gone = asyncio.Event()

        async def watch() -> None:
            while (await receive())["type"] != "http.disconnect":
                pass
            gone.set()

        watcher = asyncio.get_running_loop().create_task(watch())
        try:
            await send({"type": "http.response.start", "status": 200, "headers": self.raw_headers})
            for chunk in offer.chunks():
                await asyncio.sleep(0)  # let the watcher see a disconnect
                if gone.is_set():
                    return  # the browser cancelled; the offer stays until its session ends
                message = {"type": "http.response.body", "body": chunk, "more_body": True}
                try:
                    await asyncio.wait_for(send(message), _core.DOWNLOAD_STALL_TIMEOUT)
                except asyncio.TimeoutError:  # before OSError: since Python 3.11 TimeoutError is one
                    # Returning mid-response makes the server close the connection.
                    logger.warning(
                        "dropped the transfer of download %.100r: the browser took nothing for %g s",
                        offer.name,
                        _core.DOWNLOAD_STALL_TIMEOUT,
                    )
                    return
                except OSError:  # the browser went (servers of ASGI 2.4 on)
                    return
            try:
                await send({"type": "http.response.body", "body": b"", "more_body": False})
            except OSError:
                return
            offer.fetched()
        finally:
            watcher.cancel()


# -- the routes -------------------------------------------------------------------------------------------


def _base(scope: Scope) -> tuple[str, str]:
    """The request's full path and the root path of its router (a mount's path, a proxy's ``root_path``)."""
    root, path = scope.get("root_path", ""), scope["path"]
    if not path.startswith(root):  # an ASGI server that strips root_path from path (older servers did)
        path = root + path
    return path, root.rstrip("/")


def _routes(endpoint: AppEndpoint) -> list[BaseRoute]:
    async def http_endpoint(request: Request) -> Response:
        if (token := request.query_params.get("download")) is not None:
            offer = endpoint.download(token)
            if offer is None:
                return PlainTextResponse(
                    NO_DOWNLOAD,
                    status_code=404,
                )
            return _DownloadResponse(offer)
        path, root = _base(request.scope)
        page = endpoint.page(path, request.query_params.get("app"), assets_url=root + ASSETS_URL)
        return HTMLResponse(page.html, status_code=page.status)

    async def websocket_endpoint(websocket: WebSocket) -> None:
        if not endpoint.origin_allowed(websocket.headers.get("origin"), websocket.headers.get("host", "")):
            deny = getattr(websocket, "send_denial_response", None)  # Starlette >= 0.37
            if deny is not None and "websocket.http.response" in websocket.scope.get("extensions", {}):
                await deny(PlainTextResponse("Cross origin websockets not allowed", status_code=403))
            else:
                await websocket.close(code=1008)  # before accept: the server answers 403
            return
        await websocket.accept()
        page = _StarletteSocket(websocket)
        client = websocket.client
        info = session_info_from_headers(
            websocket.headers,
            user_ip=client.host if client else "",
            backend="starlette",
            protocol="websocket",
            request=websocket,
        )
        try:
            endpoint.open(
                page,
                app=websocket.query_params.get("app"),
                session_id=websocket.query_params.get("session_id"),
                session_info=info,
                applied=websocket.query_params.get("applied"),
            )
            while True:
                message = await websocket.receive()
                if message["type"] == "websocket.disconnect":  # either side's close; 1009 past the message limit
                    break
                frame = message.get("text")
                if frame is None:
                    frame = message.get("bytes")
                if frame is not None:
                    page.receive(frame)
        finally:
            page.connection_lost()
            await page.finish()

    return [
        Route("/", http_endpoint),
        WebSocketRoute("/", websocket_endpoint),
        Mount(ASSETS_URL, app=StaticFiles(directory=STATIC_PATH), name="jupyter_session_assets"),
    ]


def webio_routes(
    applications: Applications,
    cdn: bool | str = True,
    reconnect_timeout: float = 0,
    allowed_origins: list[str] | None = None,
    check_origin: Callable[[str], bool] | None = None,
) -> list[BaseRoute]:
    """Starlette routes that serve the apps' page and its WebSocket at ``/``, and the renderer's files at
    ``/_jupyter_session/``, relative to where they are put: ``FastAPI(routes=webio_routes(main))``, or
    ``Mount('/tool', routes=webio_routes(main))``.

    ``cdn`` is accepted for PyWebIO compatibility and ignored: assets are always served locally. The other
    arguments are as for ``start_server``.
    """
    _check_bundle()
    endpoint = AppEndpoint(
        applications, reconnect_timeout=reconnect_timeout, allowed_origins=allowed_origins, check_origin=check_origin
    )
    return _routes(endpoint)


def asgi_app(
    applications: Applications,
    cdn: bool | str = True,
    reconnect_timeout: float = 0,
    static_dir: str | None = None,
    debug: bool = False,
    allowed_origins: list[str] | None = None,
    check_origin: Callable[[str], bool] | None = None,
) -> Starlette:
    """A Starlette app of ``webio_routes`` (and ``static_dir`` at ``/static/``), to mount in an existing app:
    ``app.mount('/tool', asgi_app(main))``. ``debug`` (or ``PYWEBIO_DEBUG``) sets ``Session.debug`` and
    Starlette's debug tracebacks. The other arguments are as for ``start_server``."""
    Session.debug = debug = bool(os.environ.get("PYWEBIO_DEBUG", debug))
    routes = webio_routes(
        applications,
        cdn=cdn,
        reconnect_timeout=reconnect_timeout,
        allowed_origins=allowed_origins,
        check_origin=check_origin,
    )
    if static_dir:
        routes.append(Mount("/static", app=StaticFiles(directory=static_dir), name="static"))
    return Starlette(routes=routes, debug=debug)


# -- the server -------------------------------------------------------------------------------------------


def _check_websocket_library() -> None:
    # uvicorn speaks WebSocket through one of these; without either it answers every handshake with 400.
    for module in ("websockets", "wsproto"):
        try:
            __import__(module)
            return
        except ImportError:
            continue
    raise ImportError(_MISSING.format("websockets (for uvicorn's WebSocket support)"))


def start_server(
    applications: Applications,
    port: int = 0,
    host: str = "",
    cdn: bool | str = True,
    reconnect_timeout: float = 0,
    static_dir: str | None = None,
    remote_access: bool = False,
    debug: bool = False,
    allowed_origins: list[str] | None = None,
    check_origin: Callable[[str], bool] | None = None,
    auto_open_webbrowser: bool = False,
    max_payload_size: int | str = DEFAULT_MAX_PAYLOAD,
    *,
    shutdown_timeout: float = _shutdown.SHUTDOWN_TIMEOUT,
    allowed_hosts: list[str] | None = None,
    auth_token: str | None = None,
    **uvicorn_settings: Any,
) -> None:
    """Serve the apps at ``/`` with uvicorn and run it until SIGTERM or SIGINT (then shut down as the Tornado
    backend's ``start_server`` does, within ``shutdown_timeout`` seconds; ``allowed_hosts`` and ``auth_token``
    are as there).

    ``applications``, ``port`` (0 picks a free one), ``host`` ('' for every interface), the origin checks,
    ``reconnect_timeout``, ``max_payload_size`` (uvicorn's ``ws_max_size``) and ``static_dir`` (served at
    ``/static/``) are as for the Tornado backend's ``start_server``; ``uvicorn_settings`` go to
    ``uvicorn.Config`` (e.g. ``root_path`` behind a proxy, ``log_level``). ``debug`` (or ``PYWEBIO_DEBUG``) sets
    ``Session.debug``. ``cdn`` is accepted and ignored (assets are local). ``remote_access`` (PyWebIO's public
    tunnel) is not supported and raises ``ValueError``.
    """
    if remote_access:
        raise ValueError(
            "remote_access is not supported: it relies on PyWebIO's public tunnel service. "
            "Expose the port with your own reverse proxy or tunnel instead."
        )
    try:
        import uvicorn
    except ImportError as exc:
        raise ImportError(_MISSING.format("uvicorn")) from exc
    _check_websocket_library()
    app = asgi_app(
        applications,
        cdn=cdn,
        reconnect_timeout=reconnect_timeout,
        static_dir=static_dir,
        debug=debug,
        allowed_origins=allowed_origins,
        check_origin=check_origin,
    )
    uvicorn_settings.setdefault("ws_max_size", parse_file_size(max_payload_size))
    port = port or free_port()

    unfinished = 0

    class Server(uvicorn.Server):
        async def startup(self, sockets: list[socket.socket] | None = None) -> None:
            await super().startup(sockets)  # exits the process if it cannot listen
            announce(host, port, auto_open_webbrowser, guard.token)

        def handle_exit(self, sig: int, frame: FrameType | None) -> None:
            super().handle_exit(sig, frame)
            # uvicorn raises the signal again once it has shut down (the status then says "killed by SIGTERM");
            # a graceful shutdown here exits 0, as on the other backends.
            getattr(self, "_captured_signals", []).clear()

        async def shutdown(self, sockets: list[socket.socket] | None = None) -> None:
            # uvicorn has had the signal; stop listening first, as its own shutdown would, then end the sessions
            # while their pages are still connected to be told.
            nonlocal unfinished
            for server in self.servers:
                server.close()
            unfinished = await _shutdown.end_sessions_async(shutdown_timeout)
            await super().shutdown(sockets)

    guard = Guard(host, allowed_hosts, auth_token)
    checked = asgi_guarded(app, guard)
    Server(uvicorn.Config(checked, host=host, port=port, **uvicorn_settings)).run()
    _shutdown.exit_if_unfinished(unfinished)
