"""Run apps on aiohttp: ``webio_handler`` (a request handler to mount in your own ``web.Application``),
``static_routes`` (the renderer's files) and ``start_server``, with PyWebIO 1.8.4's signatures.

The handler answers a plain GET with the app's page and the page's WebSocket on the same path. Only the aiohttp
side lives here: ``_AiohttpSocket`` is the core's ``PageSocket`` over a ``WebSocketResponse``, whose sends are
coroutines, so one writer task per socket sends its frames in order, and the close behind them.
"""

from __future__ import annotations

import asyncio
import logging
import os
from collections.abc import Awaitable, Callable
from typing import Any

try:
    from aiohttp import WSMsgType, web
except ImportError as exc:  # pragma: no cover - depends on the environment
    raise ImportError(
        'jupyter_session.platform.aiohttp needs aiohttp: pip install "jupyter_session[aiohttp]"',
        name=(exc.name or "aiohttp").partition(".")[0],
    ) from exc

from .._utils import parse_file_size
from ..protocol import DEFAULT_MAX_PAYLOAD
from ..session import Session
from . import _core, _shutdown
from ._core import (
    ASSET_QUERY,
    ASSETS_URL,
    STATIC_PATH,
    AppEndpoint,
    QueuedPageSocket,
    announce,
    asset_file,
    free_port,
    session_info_from_headers,
)
from ._core import check_bundle as _check_bundle
from ._guard import Guard
from ._page import Applications
from ._sockets import NO_DOWNLOAD

__all__ = ["start_server", "static_routes", "webio_handler"]

logger = logging.getLogger(__name__)

# The name of the route ``static_routes`` adds, by which the page finds where the renderer's files are.
_ASSETS_ROUTE = "jupyter_session_assets"
# Seconds between WebSocket pings (aiohttp's ``heartbeat``), as the Tornado backend: keeps idle sockets open
# through proxies and notices dead peers.
_HEARTBEAT = 30.0


# -- the socket -------------------------------------------------------------------------------------------


class _AiohttpSocket(QueuedPageSocket):
    """A ``QueuedPageSocket`` over one prepared ``WebSocketResponse``."""

    def __init__(self, ws: web.WebSocketResponse) -> None:
        self.ws = ws
        super().__init__()

    async def send_frame(self, frame: str | bytes) -> None:
        await (self.ws.send_bytes(frame) if isinstance(frame, bytes) else self.ws.send_str(frame))

    async def send_close(self, code: int, reason: str) -> None:
        await self.ws.close(code=code, message=reason.encode())

    def gone(self) -> bool:
        return self.ws.closed


# -- the handler ------------------------------------------------------------------------------------------


def _assets_url(request: web.Request) -> str:
    """Where the page loads the renderer's files: the route ``static_routes`` added (in the handler's app or
    one of its parents), else the handler's own path with ``?_jupyter_session_asset=``."""
    for app in reversed(request.match_info.apps):
        resource = app.router.named_resources().get(_ASSETS_ROUTE)
        if resource is not None:
            return resource.canonical
    return f"{request.path}?{ASSET_QUERY}="


def _asset(name: str) -> web.StreamResponse:
    path = asset_file(name)
    if path is None:
        raise web.HTTPNotFound(text="no such file in the renderer bundle")
    return web.FileResponse(path)


async def _send_file(request: web.Request, endpoint: AppEndpoint, token: str) -> web.StreamResponse:
    offer = endpoint.download(token)
    if offer is None:
        raise web.HTTPNotFound(text=NO_DOWNLOAD)
    response = web.StreamResponse(headers=offer.headers())
    await response.prepare(request)
    for chunk in offer.chunks():
        try:
            await asyncio.wait_for(response.write(chunk), _core.DOWNLOAD_STALL_TIMEOUT)
        except ConnectionError:
            return response  # the browser cancelled; the offer stays until its session ends
        except asyncio.TimeoutError:
            logger.warning(
                "dropped the transfer of download %.100r: the browser took nothing for %g s",
                offer.name,
                _core.DOWNLOAD_STALL_TIMEOUT,
            )
            if request.transport is not None:
                request.transport.abort()
            return response
    try:
        await response.write_eof()
    except ConnectionError:
        return response
    offer.fetched()
    return response


async def _open_socket(
    request: web.Request, endpoint: AppEndpoint, websocket_settings: dict[str, Any], sockets: set[_AiohttpSocket]
) -> web.StreamResponse:
    if not endpoint.origin_allowed(request.headers.get("Origin"), request.headers.get("Host", "")):
        return web.Response(status=403, text="Cross origin websockets not allowed")
    ws = web.WebSocketResponse(**websocket_settings)
    if not ws.can_prepare(request).ok:
        return web.Response(status=400, text="not a WebSocket handshake")
    await ws.prepare(request)
    page = _AiohttpSocket(ws)
    sockets.add(page)
    info = session_info_from_headers(
        request.headers, user_ip=request.remote, backend="aiohttp", protocol="websocket", request=request
    )
    try:
        query = request.query
        endpoint.open(
            page,
            app=query.get("app"),
            session_id=query.get("session_id"),
            session_info=info,
            applied=query.get("applied"),
        )
        async for message in ws:
            if message.type in (WSMsgType.TEXT, WSMsgType.BINARY):
                page.receive(message.data)
            elif message.type is WSMsgType.ERROR:  # e.g. a message beyond max_msg_size: aiohttp closes with 1009
                logger.info("closed a page's WebSocket: %s", ws.exception())
                break
    finally:
        sockets.discard(page)
        page.connection_lost()
        await page.finish()
    return ws


class _Handler:
    """What one ``webio_handler`` serves: its endpoint, its WebSocket settings and its open sockets, which a
    server closes as it shuts down (else aiohttp waits for open WebSockets up to its ``shutdown_timeout``, 60 s)."""

    def __init__(self, endpoint: AppEndpoint, websocket_settings: dict[str, Any]) -> None:
        self.endpoint = endpoint
        self.websocket_settings = websocket_settings
        self.sockets: set[_AiohttpSocket] = set()

    async def handle(self, request: web.Request) -> web.StreamResponse:
        endpoint = self.endpoint
        if request.headers.get("Upgrade", "").lower() == "websocket":
            return await _open_socket(request, endpoint, self.websocket_settings, self.sockets)
        if (token := request.query.get("download")) is not None:
            return await _send_file(request, endpoint, token)
        if (asset := request.query.get(ASSET_QUERY)) is not None:
            return _asset(asset)
        page = endpoint.page(request.path, request.query.get("app"), assets_url=_assets_url(request))
        return web.Response(status=page.status, text=page.html, content_type="text/html")

    async def close_sockets(self, _app: web.Application) -> None:
        """Close every open page socket (an ``on_shutdown`` handler): 1001, the server is going away."""
        for page in list(self.sockets):
            page.close_socket(1001, "the server is shutting down")


def webio_handler(
    applications: Applications,
    cdn: bool | str = True,
    reconnect_timeout: float = 0,
    allowed_origins: list[str] | None = None,
    check_origin: Callable[[str], bool] | None = None,
    max_payload_size: int | str = DEFAULT_MAX_PAYLOAD,
    websocket_settings: dict[str, Any] | None = None,
) -> Callable[[web.Request], Awaitable[web.StreamResponse]]:
    """An aiohttp request handler that serves the apps' page and its WebSocket on the path it is routed at:
    ``app.add_routes([web.get('/tool', webio_handler(main)), *static_routes()])``.

    The page loads the renderer's files from the route ``static_routes`` adds, when the app has it, else from
    the handler itself. ``max_payload_size`` (bytes, or ``'200M'``) bounds one WebSocket message (aiohttp's
    ``max_msg_size``); ``websocket_settings`` go to ``aiohttp.web.WebSocketResponse`` and win (pings every
    30 s by default: ``heartbeat``). ``cdn`` is accepted for PyWebIO compatibility and ignored: assets are
    always served locally. The other arguments are as for ``start_server``.
    """
    handler, _ = _webio_handler(
        applications, reconnect_timeout, allowed_origins, check_origin, max_payload_size, websocket_settings
    )
    return handler


def _webio_handler(
    applications: Applications,
    reconnect_timeout: float,
    allowed_origins: list[str] | None,
    check_origin: Callable[[str], bool] | None,
    max_payload_size: int | str,
    websocket_settings: dict[str, Any] | None,
) -> tuple[Callable[[web.Request], Awaitable[web.StreamResponse]], _Handler]:
    """The request handler (a coroutine function, as aiohttp wants) and what it serves."""
    _check_bundle()
    endpoint = AppEndpoint(
        applications, reconnect_timeout=reconnect_timeout, allowed_origins=allowed_origins, check_origin=check_origin
    )
    settings = dict(websocket_settings or {})
    settings.setdefault("max_msg_size", parse_file_size(max_payload_size))
    settings.setdefault("heartbeat", _HEARTBEAT)
    served = _Handler(endpoint, settings)

    async def wshandle(request: web.Request) -> web.StreamResponse:
        return await served.handle(request)

    return wshandle, served


def static_routes(prefix: str = "/") -> list[web.AbstractRouteDef]:
    """The route that serves the renderer's files, at ``<prefix>_jupyter_session/``, for
    ``app.add_routes(static_routes())``. The handler's page finds it by its name, ``jupyter_session_assets``."""
    return [web.static(prefix.rstrip("/") + ASSETS_URL, STATIC_PATH, name=_ASSETS_ROUTE)]


# -- the server -------------------------------------------------------------------------------------------


def start_server(
    applications: Applications,
    port: int = 0,
    host: str = "",
    debug: bool = False,
    cdn: bool | str = True,
    static_dir: str | None = None,
    remote_access: bool = False,
    reconnect_timeout: float = 0,
    allowed_origins: list[str] | None = None,
    check_origin: Callable[[str], bool] | None = None,
    auto_open_webbrowser: bool = False,
    max_payload_size: int | str = DEFAULT_MAX_PAYLOAD,
    websocket_settings: dict[str, Any] | None = None,
    *,
    shutdown_timeout: float = _shutdown.SHUTDOWN_TIMEOUT,
    allowed_hosts: list[str] | None = None,
    auth_token: str | None = None,
    **aiohttp_settings: Any,
) -> None:
    """Serve the apps at ``/`` on an aiohttp server and run it until the process is stopped.

    ``applications``, ``port`` (0 picks a free one), ``host`` ('' for every interface), the origin checks,
    ``reconnect_timeout``, ``max_payload_size`` and ``static_dir`` (served at ``/static/``) are as for the
    Tornado backend's ``start_server``; ``websocket_settings`` go to ``aiohttp.web.WebSocketResponse`` and
    ``aiohttp_settings`` to ``aiohttp.web.Application``. ``debug`` (or the ``PYWEBIO_DEBUG`` environment
    variable) sets ``Session.debug`` and asyncio's debug logging. ``cdn`` is accepted and ignored (assets are
    local). ``remote_access`` (PyWebIO's public tunnel) is not supported and raises ``ValueError``. SIGTERM
    and SIGINT shut down as in the Tornado backend's ``start_server``, within ``shutdown_timeout`` seconds;
    ``allowed_hosts`` and ``auth_token`` are as there.
    """
    if remote_access:
        raise ValueError(
            "remote_access is not supported: it relies on PyWebIO's public tunnel service. "
            "Expose the port with your own reverse proxy or tunnel instead."
        )
    Session.debug = debug = bool(os.environ.get("PYWEBIO_DEBUG", debug))
    if debug:
        logging.getLogger("asyncio").setLevel(logging.DEBUG)
    handler, served = _webio_handler(
        applications, reconnect_timeout, allowed_origins, check_origin, max_payload_size, websocket_settings
    )
    guard = Guard(host, allowed_hosts, auth_token)

    @web.middleware
    async def guarded(request: web.Request, handler: Callable[..., Awaitable[web.StreamResponse]]) -> Any:
        headers = request.headers
        verdict = guard.check(
            headers.get("Host"), request.query_string, headers.get("Cookie"), headers.get("Authorization")
        )
        if verdict.status:
            return web.Response(status=verdict.status, text=verdict.message)
        response = await handler(request)
        if verdict.set_cookie is not None:
            response.headers.add("Set-Cookie", verdict.set_cookie)
        return response

    app = web.Application(middlewares=[guarded, *aiohttp_settings.pop("middlewares", ())], **aiohttp_settings)
    app.add_routes([web.get("/", handler), *static_routes()])
    unfinished: list[int] = []

    async def end_sessions(_app: web.Application) -> None:  # aiohttp has stopped listening
        unfinished.append(await _shutdown.end_sessions_async(shutdown_timeout))

    app.on_shutdown.append(end_sessions)
    app.on_shutdown.append(served.close_sockets)  # else Ctrl-C waits for every open page to go
    if static_dir is not None:
        app.add_routes([web.static("/static", static_dir)])
    port = port or free_port()

    def started(_message: str) -> None:  # run_app calls it once the sockets listen
        announce(host, port, auto_open_webbrowser, guard.token)

    web.run_app(app, host=host or None, port=port, print=started)
    _shutdown.exit_if_unfinished(sum(unfinished))
