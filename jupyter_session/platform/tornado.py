"""Run apps on a Tornado server: ``start_server`` and ``webio_handler`` (script mode's server is ``_script``).

The page at ``/`` loads the renderer bundle, which opens a WebSocket back to the same path. Each WebSocket
is one session. With ``reconnect_timeout`` the page may drop and come back within that many seconds and
carry on with the same session; without it, a dropped WebSocket closes the session.

Only the Tornado side lives here: ``_PageHandler`` maps Tornado's GET, WebSocket and download streaming onto
the framework-independent ``_core`` (``AppEndpoint`` for apps, another ``Endpoint`` for script mode), and
``_TornadoSocket`` is the core's ``PageSocket`` over a ``WebSocketHandler``.
"""

from __future__ import annotations

import asyncio
import logging
import mimetypes
import os
from collections.abc import Callable
from typing import Any, ClassVar

import tornado.httpserver
import tornado.ioloop
import tornado.iostream
import tornado.web
import tornado.websocket

from .._utils import parse_file_size
from ..protocol import DEFAULT_MAX_PAYLOAD
from ..session import Session
from . import _core, _shutdown
from ._core import (
    ASSET_QUERY,
    ASSETS_URL,
    STATIC_PATH,
    AppEndpoint,
    Endpoint,
    Offer,
    PageSocket,
    announce,
    asset_file,
    free_port,
    session_info_from_headers,
)
from ._core import check_bundle as _check_bundle
from ._guard import Guard
from ._page import Applications
from ._sockets import NO_DOWNLOAD
from ._tornado_server import LimitedHTTPServer, log_request, request_summary

__all__ = ["start_server", "webio_handler"]

logger = logging.getLogger(__name__)


# -- the socket and the handler ---------------------------------------------------------------------------


class _TornadoSocket(PageSocket):
    """A ``PageSocket`` over one open ``WebSocketHandler``."""

    def __init__(self, handler: tornado.websocket.WebSocketHandler) -> None:
        super().__init__()
        self.handler = handler
        self.loop = tornado.ioloop.IOLoop.current()

    def write_frame(self, frame: str | bytes) -> bool | asyncio.Future[None]:
        try:
            return self.handler.write_message(frame, binary=isinstance(frame, bytes))
        except tornado.websocket.WebSocketClosedError:
            return False

    def close_socket(self, code: int | None = None, reason: str | None = None) -> None:
        self.handler.close(code, reason)

    def call_soon(self, callback: Callable[..., None], *args: Any) -> None:
        self.loop.add_callback(callback, *args)


class _PageHandler(tornado.websocket.WebSocketHandler):
    """Serves ``endpoint`` on one path: a plain GET gets the page, or with ``?download=TOKEN`` an offered
    file; an Upgrade opens the WebSocket, whose frames go to ``self.socket``."""

    endpoint: ClassVar[Endpoint]
    #: Where the page loads the renderer's files; ``None``: from this handler (``?_jupyter_session_asset=``),
    #: for a handler mounted in an app that serves nothing at ``ASSETS_URL`` (PyWebIO's apps mount only it).
    assets_url: ClassVar[str | None] = None
    socket: _TornadoSocket | None = None
    #: The checks of ``start_server``'s server (Host, token); ``None``: none, as in an app of one's own.
    guard: ClassVar[Guard | None] = None

    def prepare(self) -> None:
        apply_guard(self, self.guard)

    def _request_summary(self) -> str:  # Tornado's warnings about this request name it so
        return request_summary(self)

    async def get(self, *args: Any, **kwargs: Any) -> None:
        if self.request.headers.get("Upgrade", "").lower() == "websocket":
            await super().get(*args, **kwargs)
        elif (token := self.get_query_argument("download", None)) is not None:
            offer = self.endpoint.download(token)
            if offer is None:
                raise tornado.web.HTTPError(404, NO_DOWNLOAD)
            await send_offer(self, offer)
        elif (asset := self.get_query_argument(ASSET_QUERY, None)) is not None:
            send_asset(self, asset)
        else:
            assets_url = self.assets_url or f"{self.request.path}?{ASSET_QUERY}="
            page = self.endpoint.page(self.request.path, self.get_query_argument("app", None), assets_url)
            self.set_status(page.status)
            self.write(page.html)

    def check_origin(self, origin: str) -> bool:
        return self.endpoint.origin_allowed(origin, self.request.headers.get("Host", ""))

    def open(self, *args: Any, **kwargs: Any) -> None:
        self.set_nodelay(True)  # small frames must not wait for Nagle: eval_js latency
        self.socket = _TornadoSocket(self)
        request = self.request
        info = session_info_from_headers(
            request.headers, user_ip=request.remote_ip, request=request, backend="tornado", protocol="websocket"
        )
        self.endpoint.open(
            self.socket,
            app=self.get_query_argument("app", None),
            session_id=self.get_query_argument("session_id", None),
            session_info=info,
            applied=self.get_query_argument("applied", None),
        )

    def on_message(self, message: str | bytes) -> None:
        if self.socket is not None:
            self.socket.receive(message)

    def on_close(self) -> None:
        if self.socket is not None:
            self.socket.connection_lost()


def apply_guard(handler: tornado.web.RequestHandler, guard: Guard | None) -> None:
    """Refuse the request (which ends it before its handler method runs) unless ``guard`` lets it through."""
    if guard is None:
        return
    request = handler.request
    headers = request.headers
    verdict = guard.check(headers.get("Host"), request.query, headers.get("Cookie"), headers.get("Authorization"))
    if verdict.status:
        handler.set_status(verdict.status)
        handler.set_header("Content-Type", "text/plain; charset=utf-8")
        handler.finish(verdict.message)
    elif verdict.set_cookie is not None:
        handler.add_header("Set-Cookie", verdict.set_cookie)


def send_asset(handler: tornado.web.RequestHandler, name: str) -> None:
    """Answer with the renderer's file ``name`` (for a handler mounted where nothing serves ``ASSETS_URL``)."""
    path = asset_file(name)
    if path is None:
        raise tornado.web.HTTPError(404, "no such file in the renderer bundle")
    handler.set_header("Content-Type", mimetypes.guess_type(path.name)[0] or "application/octet-stream")
    handler.set_header("Cache-Control", "no-cache")
    handler.write(path.read_bytes())


async def send_offer(handler: tornado.web.RequestHandler, offer: Offer) -> None:
    """Stream an offered download; a browser that takes nothing for ``DOWNLOAD_STALL_TIMEOUT`` is dropped."""
    for name, value in offer.headers().items():
        handler.set_header(name, value)
    for chunk in offer.chunks():
        handler.write(chunk)
        try:
            await asyncio.wait_for(handler.flush(), _core.DOWNLOAD_STALL_TIMEOUT)
        except tornado.iostream.StreamClosedError:
            return  # the browser cancelled; the offer stays until its session ends
        except asyncio.TimeoutError:
            logger.warning(
                "dropped the transfer of download %.100r: the browser took nothing for %g s",
                offer.name,
                _core.DOWNLOAD_STALL_TIMEOUT,
            )
            handler.request.connection.close()  # type: ignore[union-attr]
            return
    offer.fetched()


def _handler_for(served: Endpoint, name: str) -> type[_PageHandler]:
    class Handler(_PageHandler):
        endpoint = served

    Handler.__name__ = Handler.__qualname__ = name
    return Handler


def webio_handler(
    applications: Applications,
    cdn: bool | str = True,
    reconnect_timeout: float = 0,
    allowed_origins: list[str] | None = None,
    check_origin: Callable[[str], bool] | None = None,
) -> type[tornado.websocket.WebSocketHandler]:
    """A ``RequestHandler`` class that serves the apps' page and WebSocket, to mount in your own Tornado app.

    Serve the renderer bundle beside it: ``(ASSETS_URL + "/(.*)", StaticFileHandler, {"path": STATIC_PATH})``.
    ``cdn`` is accepted for PyWebIO compatibility and ignored: assets are always served locally. The other
    arguments are as for ``start_server``.
    """
    endpoint = AppEndpoint(
        applications, reconnect_timeout=reconnect_timeout, allowed_origins=allowed_origins, check_origin=check_origin
    )
    return _handler_for(endpoint, "WebIOHandler")


def _static_handlers(static_dir: str | None) -> list[Any]:
    handlers: list[Any] = [(ASSETS_URL + "/(.*)", tornado.web.StaticFileHandler, {"path": str(STATIC_PATH)})]
    if static_dir is not None:
        handlers.append((r"/static/(.*)", tornado.web.StaticFileHandler, {"path": static_dir}))
    return handlers


def _setup_server(
    handler: type[tornado.web.RequestHandler],
    port: int,
    host: str,
    static_dir: str | None,
    max_buffer_size: int,
    *,
    path: str = "/",
    guard: Guard | None = None,
    **tornado_app_settings: Any,
) -> tuple[tornado.httpserver.HTTPServer, int]:
    """Listen with ``handler`` at ``path`` (a pattern: ``path_deploy`` serves every path) beside the renderer's
    files and ``static_dir``, behind ``guard``; returns the server and its port (``0`` picks a free one)."""
    _check_bundle()
    port = port or free_port()
    settings: dict[str, Any] = {"guard": guard}
    if getattr(handler, "assets_url", ASSETS_URL) is None:
        # This app serves the renderer's files at ASSETS_URL (cached by the browser): the page loads them there.
        settings["assets_url"] = ASSETS_URL
    handler = type(handler.__name__, (handler,), settings)
    tornado_app_settings.setdefault("log_function", log_request)
    app = tornado.web.Application([*_static_handlers(static_dir), (path, handler)], **tornado_app_settings)
    # The read buffer holds more than one largest message: a page that sends two large messages back to back
    # must not be disconnected for it (the message limit is enforced per message).
    server = LimitedHTTPServer(app, max_buffer_size=2 * max_buffer_size + (1 << 16))
    server.listen(port, address=host)
    return server, port


def serve(
    handler: type[tornado.web.RequestHandler],
    port: int,
    host: str,
    static_dir: str | None,
    max_payload: int,
    settings: dict[str, Any],
    *,
    path: str = "/",
    open_browser: bool = False,
    shutdown_timeout: float = _shutdown.SHUTDOWN_TIMEOUT,
    allowed_hosts: list[str] | None = None,
    auth_token: str | None = None,
) -> None:
    """Serve ``handler`` at ``path`` (``_setup_server``'s arguments, behind a ``Guard``) on a new loop until
    SIGTERM or SIGINT, then shut down gracefully: stop listening, end every session (``_shutdown.end_sessions``),
    close the connections left, and return (or exit with status 1 when sessions did not finish within
    ``shutdown_timeout`` seconds)."""
    guard = Guard(host, allowed_hosts, auth_token)

    async def until_stopped() -> int:
        loop = asyncio.get_running_loop()
        stopped = asyncio.Event()
        _shutdown.on_stop_signal(lambda: loop.call_soon_threadsafe(stopped.set))
        server, listening = _setup_server(
            handler, port, host, static_dir, max_payload, path=path, guard=guard, **settings
        )
        announce(host, listening, open_browser, guard.token)
        await stopped.wait()
        server.stop()
        unfinished = await _shutdown.end_sessions_async(shutdown_timeout)
        try:  # a transfer still running is cut: its session is gone
            await asyncio.wait_for(server.close_all_connections(), 1)
        except asyncio.TimeoutError:
            pass
        return unfinished

    _shutdown.exit_if_unfinished(asyncio.run(until_stopped()))


def start_server(
    applications: Applications,
    port: int = 0,
    host: str = "",
    debug: bool = False,
    cdn: bool | str = True,
    static_dir: str | None = None,
    remote_access: bool = False,
    reconnect_timeout: int = 0,
    allowed_origins: list[str] | None = None,
    check_origin: Callable[[str], bool] | None = None,
    auto_open_webbrowser: bool = False,
    max_payload_size: int | str = DEFAULT_MAX_PAYLOAD,
    *,
    shutdown_timeout: float = _shutdown.SHUTDOWN_TIMEOUT,
    allowed_hosts: list[str] | None = None,
    auth_token: str | None = None,
    **tornado_app_settings: Any,
) -> None:
    """Serve the apps and run the Tornado loop until SIGTERM or SIGINT.

    ``applications`` is a function, a list of functions (an index page lists them), or a dict
    ``{name: function}``; ``?app=name`` picks one. Coroutine functions get coroutine-based sessions.
    ``port=0`` picks a free port. The origin of a WebSocket must be the page's own host, or match one of
    ``allowed_origins`` (shell patterns such as ``https://*.example.com``), or pass ``check_origin(origin)``.
    ``max_payload_size`` (bytes, or ``'200M'``, ``'40K'``) bounds one WebSocket message. The server answers
    only the Host names it knows (IP addresses, ``localhost``, this machine's names when ``host`` is not a
    loopback address) and ``allowed_hosts`` (shell patterns, ``'*'`` for all): a guard against DNS rebinding.
    With ``auth_token`` (or the ``JUPYTER_SESSION_TOKEN`` environment variable) every request must carry that
    token, as Jupyter's: the printed address has it, and the page keeps it in a cookie.
    ``cdn`` is accepted and ignored (assets are local). ``remote_access`` (PyWebIO's public tunnel) is not
    supported and raises ``ValueError``.

    On SIGTERM or SIGINT the server stops listening, tells each open page that it is shutting down, closes
    every session (its ``defer_call`` functions run) and returns once they have finished; sessions still
    running after ``shutdown_timeout`` seconds are left, and the process exits with status 1. A second signal
    exits at once.
    """
    if remote_access:
        raise ValueError(
            "remote_access is not supported: it relies on PyWebIO's public tunnel service. "
            "Expose the port with your own reverse proxy or tunnel instead."
        )
    Session.debug = debug = bool(os.environ.get("PYWEBIO_DEBUG", debug))
    max_payload = parse_file_size(max_payload_size)
    tornado_app_settings.setdefault("websocket_ping_interval", 30)
    tornado_app_settings["websocket_max_message_size"] = parse_file_size(
        tornado_app_settings.get("websocket_max_message_size", max_payload)
    )
    tornado_app_settings["debug"] = debug
    handler = webio_handler(
        applications,
        cdn,
        reconnect_timeout=reconnect_timeout,
        allowed_origins=allowed_origins,
        check_origin=check_origin,
    )
    serve(
        handler,
        port,
        host,
        static_dir,
        max_payload,
        tornado_app_settings,
        open_browser=auto_open_webbrowser,
        shutdown_timeout=shutdown_timeout,
        allowed_hosts=allowed_hosts,
        auth_token=auth_token,
    )
