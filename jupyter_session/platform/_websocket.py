"""A ``Transport`` over a Tornado WebSocket (JSON text frames, binary frames for messages with buffers), and
the handler base that serves a page, its WebSocket and the files it downloads on one path.

A download is not sent over the WebSocket: the page gets an address on the same path, ``?download=TOKEN``,
and the browser fetches the file itself, straight into its download manager, streamed from the app's bytes.
"""

from __future__ import annotations

import asyncio
import functools
import json
import logging
import threading
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any
from urllib.parse import quote

import tornado.ioloop
import tornado.iostream
import tornado.web
import tornado.websocket

from .._utils import random_str
from ..exceptions import ProtocolError
from ..protocol import CHUNK_SIZE, Transport, decode_frame, encode_frame

__all__ = ["WebSocketTransport", "PageSocketHandler"]

logger = logging.getLogger(__name__)

#: Seconds a download may wait for the browser to take its next chunk before the transfer is dropped, so a
#: client that stops reading cannot hold the file's memory for ever.
DOWNLOAD_STALL_TIMEOUT = 60.0


@dataclass
class _Offer:
    name: str
    content: memoryview
    on_fetched: Callable[[], None]


# Files offered for download, by token. One table for the process: the unguessable token is the only key, and
# an offer must outlive the WebSocket that announced it (the page may reconnect, or close and leave the
# transfer to the browser's download manager).
_offers: dict[str, _Offer] = {}


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

    def offer_download(
        self, name: str, content: memoryview, on_fetched: Callable[[], None]
    ) -> tuple[str, Callable[[], None]]:
        token = random_str(32)
        _offers[token] = _Offer(name, content, on_fetched)
        return f"?download={token}", functools.partial(_offers.pop, token, None)

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
    """A plain GET gets the page (``write_page``), or with ``?download=TOKEN`` an offered file; an Upgrade opens
    the WebSocket, whose frames go to ``self.transport``. Subclasses implement ``write_page`` and ``open``."""

    transport: WebSocketTransport | None = None

    async def get(self, *args: Any, **kwargs: Any) -> None:
        if self.request.headers.get("Upgrade", "").lower() == "websocket":
            await super().get(*args, **kwargs)
        elif (token := self.get_query_argument("download", None)) is not None:
            await self._send_file(token)
        else:
            self.write_page()

    async def _send_file(self, token: str) -> None:
        offer = _offers.get(token)
        if offer is None:
            raise tornado.web.HTTPError(404, "no such download (unknown, already fetched, or its session ended)")
        self.set_header("Content-Type", "application/octet-stream")
        self.set_header("Content-Disposition", f"attachment; filename*=UTF-8''{quote(offer.name, safe='')}")
        self.set_header("Content-Length", offer.content.nbytes)
        self.set_header("Cache-Control", "no-store")
        self.set_header("X-Content-Type-Options", "nosniff")
        for start in range(0, offer.content.nbytes, CHUNK_SIZE):
            self.write(bytes(offer.content[start : start + CHUNK_SIZE]))
            try:
                await asyncio.wait_for(self.flush(), DOWNLOAD_STALL_TIMEOUT)
            except tornado.iostream.StreamClosedError:
                return  # the browser cancelled; the offer stays until its session ends
            except asyncio.TimeoutError:
                logger.warning(
                    "dropped the transfer of download %.100r: the browser took nothing for %g s",
                    offer.name,
                    DOWNLOAD_STALL_TIMEOUT,
                )
                self.request.connection.close()  # type: ignore[union-attr]
                return
        if _offers.pop(token, None) is offer:
            offer.on_fetched()

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
