"""Script mode: the first session call of a plain script starts a Tornado server on a thread of its own and
opens a browser page, and that one page is the script's session (``start_script_server``).

A browser may load the page twice in a row in one tab: Chromium reloads its own network-error page by itself
once the server is up, while whoever opened the page loads it again. The first copy's WebSocket opens, gets
the session, and is torn down milliseconds later. So the session's transport is a ``ScriptPage``, which
outlives the page's WebSocket: when one ends, another that connects within ``ScriptPage.GRACE`` seconds takes
over, gets everything sent so far, and carries on (a reload of the page does the same).
"""

from __future__ import annotations

import asyncio
import logging
import os
import threading
import time
from collections.abc import Callable, Sequence
from typing import Any

import tornado.httpserver
import tornado.web

from .._connection import Connection
from ..exceptions import SessionNotFoundException
from ..protocol import Transport
from ..session import ScriptModeSession, Session
from ._core import ASSETS_URL, CLOSE_SESSION, Endpoint, PageResponse, PageSocket, announce, free_port
from ._core import check_bundle as _check_bundle
from ._page import page_settings, render_page
from .tornado import _handler_for, _static_handlers

__all__ = ["ScriptPage", "start_script_server"]

logger = logging.getLogger(__name__)

_SCRIPT_PORT_ENV = "JUPYTER_SESSION_SCRIPT_MODE_PORT"
_PYWEBIO_SCRIPT_PORT_ENV = "PYWEBIO_SCRIPT_MODE_PORT"  # PyWebIO's, honoured too; ours wins when both are set
#: Why a second page of the script is closed.
REFUSED = "this script's page is already open in another tab: use that one"


class ScriptPage(Transport):
    """The script's page, whichever WebSocket it is on now: a ``Transport`` that a page connecting within
    ``GRACE`` seconds of the last one's end takes over. It keeps what it sent for that page, up to
    ``MAX_KEPT_MESSAGES`` messages and ``MAX_KEPT_BYTES`` of buffers; past either, a page's end is the end.
    Called on the server's loop."""

    GRACE = 3.0
    #: Seconds a page that connects while the last one's socket is still open waits for that one to end: on a
    #: reload the new page's WebSocket may reach the server before the old one's close does.
    OVERLAP = 1.0
    MAX_KEPT_MESSAGES = 10_000
    MAX_KEPT_BYTES = 64 << 20

    def __init__(self, socket: PageSocket) -> None:
        self._socket: PageSocket | None = None
        self._sent: list[tuple[dict[str, Any], Sequence[Any]]] | None = []  # None: too much to send again
        self._sent_bytes = 0
        self._receivers: list[Callable[[dict[str, Any], list[memoryview]], None]] = []
        self._close_callbacks: list[Callable[[], None]] = []
        self._closing = False  # the session ends it: no page takes over
        self._ended = False
        self._grace: asyncio.TimerHandle | None = None
        self._next: PageSocket | None = None  # a page waiting for the current one's socket to end
        self._next_timeout: asyncio.TimerHandle | None = None
        self._use(socket)

    def _use(self, socket: PageSocket) -> None:
        self._socket = socket
        socket.on_message(self._receive)
        socket.on_close(lambda: self._socket_ended(socket))

    def _receive(self, message: dict[str, Any], buffers: list[memoryview]) -> None:
        for receiver in self._receivers:
            receiver(message, buffers)

    def take_over(self, socket: PageSocket) -> bool:
        """Move to the page of ``socket`` if the last page has gone, or goes within ``OVERLAP`` seconds, and may
        still be replaced; it first gets every message sent so far. False: refuse the page."""
        if self._ended or self._closing or self._sent is None or self._next is not None:
            return False
        if self._socket is None:
            self._move_to(socket)
            return True
        self._next = socket
        socket.on_close(lambda: self._next_ended(socket))
        self._next_timeout = asyncio.get_running_loop().call_later(self.OVERLAP, self._refuse_next)
        return True

    def _move_to(self, socket: PageSocket) -> None:
        assert self._sent is not None
        if self._grace is not None:
            self._grace.cancel()
            self._grace = None
        self._use(socket)
        logger.info("the script's page was replaced by a new one: sending it the %d messages so far", len(self._sent))
        for message, buffers in self._sent:
            socket.send(message, buffers)

    def _socket_ended(self, socket: PageSocket) -> None:
        if socket is not self._socket:
            return
        self._socket = None
        if self._closing or self._sent is None:
            self._end()
        elif self._next is not None:
            waiting, self._next = self._next, None
            if self._next_timeout is not None:
                self._next_timeout.cancel()
            self._move_to(waiting)
        else:
            self._grace = asyncio.get_running_loop().call_later(self.GRACE, self._end)

    def _next_ended(self, socket: PageSocket) -> None:
        if socket is self._next:
            self._next = None

    def _refuse_next(self) -> None:
        waiting, self._next = self._next, None
        if waiting is not None:
            waiting.close_socket(reason=REFUSED)

    def _end(self) -> None:
        if self._ended:
            return
        self._ended = True
        self._grace = None
        for callback in self._close_callbacks:
            callback()

    # -- Transport ------------------------------------------------------------------------------------------

    def send(self, message: dict[str, Any], buffers: Sequence[bytes | memoryview] = ()) -> None:
        if self._sent is not None:
            self._sent.append((message, buffers))
            self._sent_bytes += sum(memoryview(buffer).nbytes for buffer in buffers)
            if len(self._sent) > self.MAX_KEPT_MESSAGES or self._sent_bytes > self.MAX_KEPT_BYTES:
                self._sent = None
        if self._socket is not None:
            self._socket.send(message, buffers)

    def on_message(self, callback: Callable[[dict[str, Any], list[memoryview]], None]) -> None:
        self._receivers.append(callback)

    def on_close(self, callback: Callable[[], None]) -> None:
        self._close_callbacks.append(callback)

    def close(self) -> None:
        self._closing = True
        if self._socket is not None:
            self._socket.close()  # its end is this one's
            return
        if self._grace is not None:
            self._grace.cancel()
        self._end()

    def closed(self) -> bool:
        return self._ended

    def offer_download(
        self, name: str, content: memoryview, on_fetched: Callable[[], None]
    ) -> tuple[str, Callable[[], None]] | None:
        return None if self._socket is None else self._socket.offer_download(name, content, on_fetched)


class _ScriptModeEndpoint(Endpoint):
    """The script's one page: the first WebSocket gets the script's session, and one that comes while its
    page is being replaced takes it over (see ``ScriptPage``); others are refused."""

    def __init__(self, script_thread: threading.Thread, connected: threading.Event) -> None:
        self.script_thread = script_thread
        self.connected = connected
        self.connection: Connection | None = None
        self.page_transport: ScriptPage | None = None

    def page(self, path: str, app: str | None, assets_url: str = ASSETS_URL) -> PageResponse:
        return PageResponse(200, render_page(page_settings(None, os.path.basename(_script_name())), path, assets_url))

    def open(
        self,
        socket: PageSocket,
        *,
        app: str | None,
        session_id: str | None,
        session_info: dict[str, Any],
        applied: str | None = None,
    ) -> Connection | None:
        if ScriptModeSession.instance is not None:
            if self.page_transport is not None and self.page_transport.take_over(socket):
                return self.connection
            socket.close_socket(reason=REFUSED)
            return None
        self.page_transport = ScriptPage(socket)
        self.connection = connection = Connection(self.page_transport)
        session = ScriptModeSession(
            self.script_thread, session_info, on_task_command=connection.flush, loop=asyncio.get_running_loop()
        )
        connection.attach(session)
        self.connected.set()
        return connection


def start_script_server() -> type[Session]:
    """Serve the calling script's one session: start the server in a thread, open the browser, and block
    until the page connects (Ctrl-C stops the wait).

    Set ``JUPYTER_SESSION_SCRIPT_MODE_PORT`` (or PyWebIO's ``PYWEBIO_SCRIPT_MODE_PORT``; ours wins) to choose
    the port and not open a browser (for tests). The server thread keeps the process alive after the script's
    last line while the page has callbacks; then it tells the page the session ended and stops.
    """
    try:
        asyncio.get_running_loop()
    except RuntimeError:
        pass
    else:  # waiting here for a page would freeze that loop, and with it whatever server it runs
        raise SessionNotFoundException(
            "no session here: session functions in a coroutine must run inside a session's task, and script "
            "mode cannot start from a running event loop. Call them from plain (not async) code, or serve the "
            "app with start_server()"
        )
    _check_bundle()
    connected = threading.Event()
    fixed_port = int(os.environ.get(_SCRIPT_PORT_ENV) or os.environ.get(_PYWEBIO_SCRIPT_PORT_ENV) or "0")
    port = fixed_port or free_port()
    ready = threading.Event()
    failure: list[BaseException] = []

    endpoint = _ScriptModeEndpoint(threading.current_thread(), connected)
    handler = _handler_for(endpoint, "ScriptModeHandler")
    handler.assets_url = ASSETS_URL  # its app serves them (below)

    async def stop_when_the_script_is_done(server: tornado.httpserver.HTTPServer) -> None:
        while any(t.is_alive() and not t.daemon and t is not threading.current_thread() for t in threading.enumerate()):
            await asyncio.sleep(0.2)
        session, connection = ScriptModeSession.instance, endpoint.connection
        if session is not None and connection is not None:
            if not session.closed() and session.need_keep_alive():
                while not session.closed():
                    await asyncio.sleep(0.2)
            if not session.closed():
                session.send_task_command(CLOSE_SESSION)
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
            app = tornado.web.Application([(r"/", handler), *_static_handlers(None)], websocket_ping_interval=30)
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
        hint = (
            f"set {_SCRIPT_PORT_ENV} to a free port, or unset it to have one picked"
            if fixed_port
            else "try again: another process took the port picked for it"
        )
        raise RuntimeError(f"script mode could not listen on 127.0.0.1:{port}: {failure[0]}; {hint}") from failure[0]
    announce("127.0.0.1", port, open_browser=not fixed_port)
    started = time.monotonic()
    while not connected.wait(0.2):  # short waits so Ctrl-C stops it
        if time.monotonic() - started > 60 and not fixed_port:
            print(f"Waiting for the page: open http://127.0.0.1:{port}/ in a browser.", flush=True)
            started = time.monotonic()
    return ScriptModeSession


def _script_name() -> str:
    import __main__

    return getattr(__main__, "__file__", None) or "script"
