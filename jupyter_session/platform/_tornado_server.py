"""Tornado's HTTP server with limits for a network: slow and idle connections cannot take every descriptor.

Tornado waits 3,600 s for a request's headers and accepts connections until ``accept`` fails; when the
descriptors run out, it retries at once and logs a traceback each time, so a thousand half-sent requests stop
all service and flood the log. ``LimitedHTTPServer`` waits ``HEADER_TIMEOUT`` seconds for headers, keeps the
open connections under ``max_connections`` (by default below the descriptor limit), and when full closes the
connection that has waited longest for its request's headers (a slow client's, or an idle keep-alive), so a
new page is still served; with none such (every connection at work: WebSockets, held pulls) the newcomer is
closed. Refusals and a lack of descriptors are each logged once a minute.
"""

from __future__ import annotations

import errno
import logging
import resource
import socket
import time
from collections.abc import Callable, Iterable
from typing import Any
from urllib.parse import parse_qsl, urlencode

import tornado.httpserver
import tornado.httputil
import tornado.ioloop
import tornado.iostream
import tornado.log
import tornado.web

__all__ = [
    "BODY_TIMEOUT",
    "HEADER_TIMEOUT",
    "LimitedHTTPServer",
    "default_max_connections",
    "log_request",
    "request_summary",
]

logger = logging.getLogger(__name__)

#: Seconds a connection may take to send a request's headers, or stay idle between requests.
HEADER_TIMEOUT = 20.0
#: Seconds a request may take to send its body.
BODY_TIMEOUT = 60.0
# Descriptors kept for what is not a connection: files, logs, the apps' own.
_RESERVED_DESCRIPTORS = 64
_LOG_EVERY = 60.0
_OUT_OF_DESCRIPTORS = (errno.EMFILE, errno.ENFILE, errno.ENOBUFS, errno.ENOMEM)
_ACCEPT_PAUSE = 0.5
# Query values that are keys to a session or a file: never written to the access log.
_SECRET_QUERY = frozenset({"session_id", "download", "token"})
_MAX_LOGGED_URI = 200


def default_max_connections() -> int:
    """Open connections allowed: the descriptor limit less a reserve (a tenth, at least 64)."""
    soft, _hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    if soft == resource.RLIM_INFINITY:
        return 100_000
    return max(16, soft - max(_RESERVED_DESCRIPTORS, soft // 10))


class _RateLimitedLog:
    """One warning per ``_LOG_EVERY`` seconds, saying how many times it happened meanwhile."""

    def __init__(self, message: str) -> None:
        self.message = message
        self._count = 0
        self._last = -_LOG_EVERY

    def __call__(self, *args: Any) -> None:
        self._count += 1
        now = time.monotonic()
        if now - self._last >= _LOG_EVERY:
            logger.warning(self.message + " (%d times in the last %d s)", *args, self._count, _LOG_EVERY)
            self._count, self._last = 0, now


class _Watched(tornado.httputil.HTTPMessageDelegate):
    """A request's delegate that notes when its headers have come (the connection is then at work)."""

    def __init__(self, delegate: tornado.httputil.HTTPMessageDelegate, arrived: Callable[[], None]) -> None:
        self._delegate = delegate
        self._arrived = arrived

    def headers_received(self, start_line: Any, headers: tornado.httputil.HTTPHeaders) -> Any:
        self._arrived()
        return self._delegate.headers_received(start_line, headers)

    def data_received(self, chunk: bytes) -> Any:
        return self._delegate.data_received(chunk)

    def finish(self) -> None:
        self._delegate.finish()

    def on_connection_close(self) -> None:
        self._delegate.on_connection_close()


class LimitedHTTPServer(tornado.httpserver.HTTPServer):
    """An ``HTTPServer`` with header and body timeouts and a cap on open connections (see the module's doc)."""

    def initialize(self, *args: Any, max_connections: int | None = None, **kwargs: Any) -> None:
        kwargs.setdefault("idle_connection_timeout", HEADER_TIMEOUT)
        kwargs.setdefault("body_timeout", BODY_TIMEOUT)
        super().initialize(*args, **kwargs)
        self.max_connections = max_connections or default_max_connections()
        self._streams: set[tornado.iostream.IOStream] = set()
        # Connections waiting for a request's headers, and since when: the first to close when full.
        self._waiting: dict[tornado.iostream.IOStream, float] = {}
        self._refused = _RateLimitedLog("refused a connection: %d are open, the most allowed (max_connections)")
        self._starved = _RateLimitedLog("could not accept a connection: %s; pausing accepts briefly")

    # -- accepting ------------------------------------------------------------------------------------------

    def add_sockets(self, sockets: Iterable[socket.socket]) -> None:
        for sock in sockets:
            self._sockets[sock.fileno()] = sock
            self._handlers[sock.fileno()] = self._accept_on(sock)

    def _accept_on(self, sock: socket.socket) -> Callable[[], None]:
        """Accept connections on ``sock`` as Tornado's ``add_accept_handler`` does, but pause, not spin, when
        the descriptors run out; returns the function that stops it."""
        loop = tornado.ioloop.IOLoop.current()
        state = {"listening": True, "removed": False}

        def resume() -> None:
            if not state["removed"] and not state["listening"]:
                state["listening"] = True
                loop.add_handler(sock, accept, tornado.ioloop.IOLoop.READ)

        def accept(_fd: Any, _events: int) -> None:
            for _ in range(128):  # then let the loop run other work
                try:
                    connection, address = sock.accept()
                except BlockingIOError:
                    return
                except ConnectionAbortedError:
                    continue
                except OSError as exc:
                    if exc.errno not in _OUT_OF_DESCRIPTORS:
                        raise
                    self._starved(exc.strerror)
                    state["listening"] = False
                    loop.remove_handler(sock)
                    loop.call_later(_ACCEPT_PAUSE, resume)
                    return
                if self._make_room():
                    self._handle_connection(connection, address)
                else:
                    connection.close()

        def remove() -> None:
            state["removed"] = True
            if state["listening"]:
                loop.remove_handler(sock)

        loop.add_handler(sock, accept, tornado.ioloop.IOLoop.READ)
        return remove

    def _make_room(self) -> bool:
        """Whether a new connection may open: below the cap, or after closing the longest-waiting one."""
        if len(self._streams) < self.max_connections:
            return True
        self._streams = {stream for stream in self._streams if not stream.closed()}  # pruned only when full
        if len(self._streams) < self.max_connections:
            return True
        waiting = [(since, id(stream), stream) for stream, since in self._waiting.items() if not stream.closed()]
        if not waiting:
            self._refused(len(self._streams))
            return False
        _since, _id, oldest = min(waiting)
        oldest.close()
        self._forget(oldest)
        return True

    def _forget(self, stream: tornado.iostream.IOStream) -> None:
        self._streams.discard(stream)
        self._waiting.pop(stream, None)

    # -- following each connection ----------------------------------------------------------------------------

    def handle_stream(self, stream: tornado.iostream.IOStream, address: tuple[Any, ...]) -> None:
        self._streams.add(stream)
        self._waiting[stream] = time.monotonic()
        super().handle_stream(stream, address)

    def start_request(
        self, server_conn: object, request_conn: tornado.httputil.HTTPConnection
    ) -> tornado.httputil.HTTPMessageDelegate:
        stream: tornado.iostream.IOStream = server_conn.stream  # type: ignore[attr-defined]
        if stream not in self._waiting:  # a keep-alive connection, back for its next request
            self._waiting[stream] = time.monotonic()

        def arrived() -> None:
            self._waiting.pop(stream, None)

        return _Watched(super().start_request(server_conn, request_conn), arrived)

    def on_close(self, server_conn: object) -> None:
        # Its request loop ended: closed, or detached into a WebSocket (which stays counted in _streams).
        self._waiting.pop(server_conn.stream, None)  # type: ignore[attr-defined]
        super().on_close(server_conn)


def log_request(handler: tornado.web.RequestHandler) -> None:
    """Tornado's access log line (its ``log_function`` setting), without the query's secrets and with a long
    address cut short: a session id, a download token or an access token in a log is a key to someone's data."""
    status = handler.get_status()
    log = tornado.log.access_log
    write = log.info if status < 400 else log.warning if status < 500 else log.error
    write("%d %s %.2fms", status, request_summary(handler), 1000 * handler.request.request_time())


def request_summary(handler: tornado.web.RequestHandler) -> str:
    """How Tornado names a request in its logs (``RequestHandler._request_summary``), without the secrets."""
    request = handler.request
    return f"{request.method} {_loggable(request.uri or '')} ({request.remote_ip})"


def _loggable(uri: str) -> str:
    path, _, query = uri.partition("?")
    if query:
        pairs = parse_qsl(query, keep_blank_values=True)
        path += "?" + urlencode([(name, "..." if name in _SECRET_QUERY else value) for name, value in pairs])
    if len(path) <= _MAX_LOGGED_URI:
        return path
    return f"{path[:_MAX_LOGGED_URI]}... ({len(uri)} characters)"
