"""Run apps on a Tornado server: ``start_server``, ``webio_handler``, and script mode.

The page at ``/`` loads the renderer bundle, which opens a WebSocket back to the same path. Each WebSocket
is one session. With ``reconnect_timeout`` the page may drop and come back within that many seconds and
carry on with the same session; without it, a dropped WebSocket closes the session.
"""

from __future__ import annotations

import asyncio
import fnmatch
import logging
import os
import socket
import threading
import time
import webbrowser
from collections.abc import Callable
from typing import Any
from urllib.parse import urlparse

import tornado.httpserver
import tornado.ioloop
import tornado.web
import tornado.websocket

from .._connection import Connection, start_session
from .._utils import parse_file_size, random_str
from ..exceptions import SessionNotFoundException
from ..protocol import Command
from ..session import ScriptModeSession, Session, register_session_implement_for_target
from ..session.base import get_session_info_from_headers
from ._page import STATIC_PATH, Applications, make_applications, page_settings, render_index, render_page
from ._websocket import PageSocketHandler, WebSocketTransport

__all__ = ["start_server", "webio_handler"]

logger = logging.getLogger(__name__)

#: URL prefix of the renderer bundle; the user's ``static_dir`` keeps ``/static/``.
ASSETS_URL = "/_jupyter_session"
_CLOSE_SESSION: Command = dict(command="close_session", task_id=None, spec=None)


# -- origin checks ----------------------------------------------------------------------------------------


def _is_same_site(origin: str, handler: tornado.web.RequestHandler) -> bool:
    return urlparse(origin).netloc.lower() == handler.request.headers.get("Host", "").lower()


def _origin_checker(
    allowed_origins: list[str] | None, check_origin: Callable[[str], bool] | None
) -> Callable[[str, Any], bool]:
    if check_origin is not None:
        return lambda origin, handler: _is_same_site(origin, handler) or bool(check_origin(origin))
    patterns = list(allowed_origins or [])
    return lambda origin, handler: (
        _is_same_site(origin, handler) or any(fnmatch.fnmatch(origin, pattern) for pattern in patterns)
    )


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

    def resume(self, session_id: str, transport: WebSocketTransport) -> bool:
        connection = self._connections.get(session_id)
        if connection is None or not connection.detached:
            return False  # unknown, expired, or still attached to another page
        timer = self._expiry.pop(session_id, None)
        if timer is not None:
            timer.cancel()
        connection.resume(transport)
        return True

    def _expire(self, session_id: str) -> None:
        self._expiry.pop(session_id, None)
        connection = self._connections.pop(session_id, None)
        if connection is not None and connection.session is not None:
            connection.session.close(nonblock=True, reason=f"the page did not reconnect within {self.timeout:g} s")

    def _forget(self, session_id: str) -> None:
        self._connections.pop(session_id, None)
        timer = self._expiry.pop(session_id, None)
        if timer is not None:
            timer.cancel()


# -- the handler ------------------------------------------------------------------------------------------


def _session_info(handler: tornado.web.RequestHandler) -> dict[str, Any]:
    info = get_session_info_from_headers(handler.request.headers)
    info.update(user_ip=handler.request.remote_ip, request=handler.request, backend="tornado", protocol="websocket")
    return info


def _make_handler(
    apps: dict[str, Callable[[], Any]], check_origin_func: Callable[[str, Any], bool], reconnect_timeout: float
) -> type[PageSocketHandler]:
    detached = _DetachedSessions(reconnect_timeout) if reconnect_timeout > 0 else None

    class WebIOHandler(PageSocketHandler):
        def _app_name(self) -> str | None:
            name = self.get_query_argument("app", None)
            if name is None and "index" in apps:
                return "index"
            return name

        def write_page(self) -> None:
            name = self._app_name()
            if name not in apps:
                self.set_status(404 if name is not None else 200)
                self.write(render_index(apps))
                return
            self.write(render_page(page_settings(apps[name], name), ws_path=self.request.path, static_url=ASSETS_URL))

        def check_origin(self, origin: str) -> bool:
            return check_origin_func(origin, self)

        def open(self, *args: Any, **kwargs: Any) -> None:
            transport = self.open_transport()
            session_id = self.get_query_argument("session_id", None)
            if session_id is not None:
                if detached is None or not detached.resume(session_id, transport):
                    transport.send({"commands": [_CLOSE_SESSION]})
                    self.close(reason="unknown or expired session")
                return
            name = self._app_name()
            if name not in apps:
                self.close(code=4004, reason=f"no app named {name!r}")
                return
            connection = start_session(
                apps[name],
                transport,
                _session_info(self),
                loop=asyncio.get_running_loop(),
                on_detached=detached.detached if detached else None,
            )
            if detached is not None:
                session_id = detached.add(connection)
                connection.send_commands([dict(command="set_session_id", task_id=None, spec=session_id)])

    return WebIOHandler


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
    apps = make_applications(applications)
    for app in apps.values():
        register_session_implement_for_target(app)
    return _make_handler(apps, _origin_checker(allowed_origins, check_origin), reconnect_timeout)


def _static_handlers(static_dir: str | None) -> list[Any]:
    handlers: list[Any] = [(ASSETS_URL + "/(.*)", tornado.web.StaticFileHandler, {"path": str(STATIC_PATH)})]
    if static_dir is not None:
        handlers.append((r"/static/(.*)", tornado.web.StaticFileHandler, {"path": static_dir}))
    return handlers


def _free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def _check_bundle() -> None:
    if not (STATIC_PATH / "jupyter_session.js").exists():
        raise RuntimeError(
            "the browser renderer is not built: jupyter_session/static/jupyter_session.js is "
            "missing. Install the package with pip (which builds it), or run "
            "`npm ci && npm run build` in labextension/."
        )


def _setup_server(
    handler: type[tornado.web.RequestHandler],
    port: int,
    host: str,
    static_dir: str | None,
    max_buffer_size: int,
    **tornado_app_settings: Any,
) -> tuple[tornado.httpserver.HTTPServer, int]:
    _check_bundle()
    port = port or _free_port()
    app = tornado.web.Application([(r"/", handler), *_static_handlers(static_dir)], **tornado_app_settings)
    # The read buffer holds more than one largest message: a page that sends two large messages back to back
    # must not be disconnected for it (the message limit is enforced per message).
    server = app.listen(port, address=host, max_buffer_size=2 * max_buffer_size + (1 << 16))
    return server, port


def _print_address(host: str, port: int) -> None:
    shown = "127.0.0.1" if host in ("", "0.0.0.0") else host
    print(f"Running on http://{shown}:{port}/", flush=True)


def _open_browser_later(host: str, port: int) -> None:
    url = f"http://{'127.0.0.1' if host in ('', '0.0.0.0') else host}:{port}/"
    threading.Thread(target=webbrowser.open, args=(url,), daemon=True).start()


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
    max_payload_size: int | str = "200M",
    **tornado_app_settings: Any,
) -> None:
    """Serve the apps and run the Tornado loop until the process is stopped.

    ``applications`` is a function, a list of functions (an index page lists them), or a dict
    ``{name: function}``; ``?app=name`` picks one. Coroutine functions get coroutine-based sessions.
    ``port=0`` picks a free port. The origin of a WebSocket must be the page's own host, or match one of
    ``allowed_origins`` (shell patterns such as ``https://*.example.com``), or pass ``check_origin(origin)``.
    ``max_payload_size`` (bytes, or ``'200M'``, ``'40K'``) bounds one WebSocket message.
    ``cdn`` is accepted and ignored (assets are local). ``remote_access`` (PyWebIO's public tunnel) is not
    supported and raises ``ValueError``.
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
    _, port = _setup_server(handler, port, host, static_dir, max_payload, **tornado_app_settings)
    _print_address(host, port)
    if auto_open_webbrowser:
        _open_browser_later(host, port)
    tornado.ioloop.IOLoop.current().start()


# -- script mode ------------------------------------------------------------------------------------------

_SCRIPT_PORT_ENV = "JUPYTER_SESSION_SCRIPT_MODE_PORT"


def _start_script_mode_server() -> type[Session]:
    """Serve the calling script's one session: start the server in a thread, open the browser, and block
    until the page connects (Ctrl-C stops the wait).

    Set ``JUPYTER_SESSION_SCRIPT_MODE_PORT`` to choose the port and not open a browser (for tests). The
    server thread keeps the process alive after the script's last line while the page has callbacks; then it
    tells the page the session ended and stops.
    """
    try:
        asyncio.get_running_loop()
    except RuntimeError:
        pass
    else:  # waiting here for a page would freeze that loop, and with it whatever server it runs
        raise SessionNotFoundException(
            "no session here: session functions in a coroutine must run inside a "
            "session's task (script mode cannot start from a running event loop)"
        )
    _check_bundle()
    script_thread = threading.current_thread()
    connected = threading.Event()
    fixed_port = int(os.environ.get(_SCRIPT_PORT_ENV, "0"))
    port = fixed_port or _free_port()
    ready = threading.Event()
    failure: list[BaseException] = []

    class ScriptModeHandler(PageSocketHandler):
        connection: Connection | None = None

        def write_page(self) -> None:
            settings = page_settings(None, os.path.basename(_script_name()))
            self.write(render_page(settings, self.request.path, ASSETS_URL))

        def check_origin(self, origin: str) -> bool:
            return _is_same_site(origin, self)

        def open(self, *args: Any, **kwargs: Any) -> None:
            if ScriptModeSession.instance is not None:
                self.close(reason="this script already has its page open")
                return
            ScriptModeHandler.connection = connection = Connection(self.open_transport())
            session = ScriptModeSession(
                script_thread, _session_info(self), on_task_command=connection.flush, loop=asyncio.get_running_loop()
            )
            connection.attach(session)
            connected.set()

    async def stop_when_the_script_is_done(server: tornado.httpserver.HTTPServer) -> None:
        while any(t.is_alive() and not t.daemon and t is not threading.current_thread() for t in threading.enumerate()):
            await asyncio.sleep(0.2)
        session, connection = ScriptModeSession.instance, ScriptModeHandler.connection
        if session is not None and connection is not None:
            if not session.closed() and session.need_keep_alive():
                while not session.closed():
                    await asyncio.sleep(0.2)
            if not session.closed():
                session.send_task_command(_CLOSE_SESSION)
                await asyncio.sleep(0)  # let the queued commands go out first
                connection.on_session_close()
                while connection.transport is not None:
                    await asyncio.sleep(0.05)
                session.close(reason="the script finished")
        server.stop()
        asyncio.get_running_loop().stop()

    def serve() -> None:
        loop = asyncio.new_event_loop()
        asyncio.set_event_loop(loop)
        try:
            app = tornado.web.Application(
                [(r"/", ScriptModeHandler), *_static_handlers(None)], websocket_ping_interval=30
            )
            server = app.listen(port, address="127.0.0.1")
        except BaseException as exc:
            failure.append(exc)
            ready.set()
            return
        ready.set()
        loop.create_task(stop_when_the_script_is_done(server))
        loop.run_forever()
        loop.close()

    # Not a daemon: it keeps serving the page after the script's last line.
    threading.Thread(target=serve, name="jupyter_session-script-server").start()
    ready.wait()
    if failure:
        raise RuntimeError(f"script mode could not listen on 127.0.0.1:{port}: {failure[0]}") from failure[0]
    _print_address("127.0.0.1", port)
    if not fixed_port:
        _open_browser_later("127.0.0.1", port)
    started = time.monotonic()
    while not connected.wait(0.2):  # short waits so Ctrl-C stops it
        if time.monotonic() - started > 60 and not fixed_port:
            print(f"Waiting for the page: open http://127.0.0.1:{port}/ in a browser.", flush=True)
            started = time.monotonic()
    return ScriptModeSession


def _script_name() -> str:
    import __main__

    return getattr(__main__, "__file__", None) or "script"
