"""A ``Transport`` over a Tornado WebSocket (JSON text frames, binary frames for messages with buffers), and
the handler base that serves a page and its WebSocket on one path."""

from __future__ import annotations

import json
import logging
import threading
from collections.abc import Callable, Sequence
from typing import Any

import tornado.ioloop
import tornado.websocket

from ..exceptions import ProtocolError
from ..protocol import Transport, decode_frame, encode_frame

__all__ = ["WebSocketTransport", "PageSocketHandler"]

logger = logging.getLogger(__name__)


class WebSocketTransport(Transport):
    """Wraps one open ``WebSocketHandler``. ``send`` may be called from any thread.

    Messages that could not be written because the socket had closed are kept in ``undelivered``, so a
    reconnecting page can still get them.
    """

    def __init__(self, handler: tornado.websocket.WebSocketHandler) -> None:
        self.handler = handler
        self.loop = tornado.ioloop.IOLoop.current()
        self._loop_thread = threading.get_ident()
        self.closed = False
        self.undelivered: list[tuple[dict[str, Any], Sequence[Any]]] = []
        self._receivers: list[Callable[[dict[str, Any], list[memoryview]], None]] = []
        self._close_callbacks: list[Callable[[], None]] = []

    def send(self, message: dict[str, Any], buffers: Sequence[bytes | memoryview] = ()) -> None:
        if threading.get_ident() == self._loop_thread:
            self._write(message, buffers)
        else:
            self.loop.add_callback(self._write, message, buffers)

    def _write(self, message: dict[str, Any], buffers: Sequence[bytes | memoryview]) -> None:
        if self.closed:
            self.undelivered.append((message, buffers))
            return
        if buffers:
            frame: str | bytes = encode_frame(message, buffers)
        else:
            frame = json.dumps(message, separators=(",", ":"))
        try:
            self.handler.write_message(frame, binary=bool(buffers))
        except tornado.websocket.WebSocketClosedError:
            self.undelivered.append((message, buffers))

    def on_message(self, callback: Callable[[dict[str, Any], list[memoryview]], None]) -> None:
        self._receivers.append(callback)

    def on_close(self, callback: Callable[[], None]) -> None:
        self._close_callbacks.append(callback)

    def close(self) -> None:
        if not self.closed:
            self.loop.add_callback(self.handler.close)

    # -- called by the handler, on the loop -------------------------------------------------------------

    def receive(self, frame: str | bytes) -> None:
        """Decode one frame from the page and hand it on; a malformed one is logged and dropped."""
        try:
            if isinstance(frame, bytes):
                message, buffers = decode_frame(frame)
            else:
                message, buffers = json.loads(frame), []
        except (ProtocolError, ValueError, RecursionError) as exc:  # RecursionError: JSON nested too deep
            # The message, not the exception: its traceback holds the hostile input.
            logger.warning("dropped a malformed WebSocket frame: %s", str(exc))
            return
        for receive in self._receivers:
            receive(message, buffers)

    def connection_lost(self) -> None:
        if self.closed:
            return
        self.closed = True
        for callback in self._close_callbacks:
            callback()


class PageSocketHandler(tornado.websocket.WebSocketHandler):
    """A plain GET gets the page (``write_page``); an Upgrade opens the WebSocket, whose frames go to
    ``self.transport``. Subclasses implement ``write_page`` and ``open``."""

    transport: WebSocketTransport | None = None

    async def get(self, *args: Any, **kwargs: Any) -> None:
        if self.request.headers.get("Upgrade", "").lower() == "websocket":
            await super().get(*args, **kwargs)
        else:
            self.write_page()

    def write_page(self) -> None:
        raise NotImplementedError

    def open_transport(self) -> WebSocketTransport:
        self.set_nodelay(True)  # small frames must not wait for Nagle: eval_js latency
        self.transport = WebSocketTransport(self)
        return self.transport

    def on_message(self, message: str | bytes) -> None:
        if self.transport is not None:
            self.transport.receive(message)

    def on_close(self) -> None:
        if self.transport is not None:
            self.transport.connection_lost()
