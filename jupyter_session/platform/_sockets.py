"""A page's WebSocket as its session's ``Transport``, whatever the framework (``PageSocket``; ``QueuedPageSocket``
for frameworks whose sends are coroutines), and the files its session offers for download (``Offer``).

A download is not sent over the WebSocket: the page gets an address on the same path, ``?download=TOKEN``, and
the browser fetches the file itself, straight into its download manager, streamed from the app's bytes.
"""

from __future__ import annotations

import asyncio
import json
import logging
import threading
from abc import abstractmethod
from collections import deque
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import quote

from .._utils import random_str
from ..exceptions import ProtocolError
from ..protocol import CHUNK_SIZE, Transport, decode_frame, encode_frame

__all__ = ["NO_DOWNLOAD", "Offer", "OfferTaken", "PageSocket", "QueuedPageSocket", "offer_download", "offers"]

logger = logging.getLogger(__name__)


# -- downloads --------------------------------------------------------------------------------------------


class OfferTaken(RuntimeError):
    """``Offer.chunks()`` was started while another transfer of the same offer runs (or after it went)."""


#: A backend's answer to a token that has no offer: 404 with this text.
NO_DOWNLOAD = (
    "no such download (unknown, being fetched by another request, already fetched, or its session ended): "
    "wait for the other transfer, or have the app offer the file again"
)


@dataclass(eq=False)
class Offer:
    """A file offered for download at ``?download=<token>``. A backend sends ``headers()`` and then each of
    ``chunks()``, and calls ``fetched()`` once the last one is out.

    The address serves one transfer at a time: ``chunks()`` claims the offer, which leaves the table of
    ``offers`` while it runs (another request for the token gets 404), and puts it back when the transfer ends
    without ``fetched()`` (a browser that went may try again) until its session ends."""

    token: str
    name: str
    content: memoryview
    on_fetched: Callable[[], None]
    _lock: threading.Lock = field(default_factory=threading.Lock, repr=False)
    _running: bool = field(default=False, repr=False)  # a transfer holds the claim
    _ended: bool = field(default=False, repr=False)  # fetched, or withdrawn with its session

    @property
    def size(self) -> int:
        return self.content.nbytes

    def headers(self) -> dict[str, str]:
        """The response headers: an attachment with its RFC 5987 file name, its length, never cached or sniffed."""
        return {
            "Content-Type": "application/octet-stream",
            "Content-Disposition": f"attachment; filename*=UTF-8''{quote(self.name, safe='')}",
            "Content-Length": str(self.size),
            "Cache-Control": "no-store",
            "X-Content-Type-Options": "nosniff",
        }

    def claim(self) -> bool:
        """Take the offer for one transfer; ``False`` while another runs, or once it is fetched or withdrawn.
        ``chunks()`` claims it; call ``release()`` after a claim of your own."""
        with self._lock:
            if self._running or self._ended:
                return False
            self._running = True
            offers.pop(self.token, None)
            return True

    def release(self) -> None:
        """The claiming transfer ended: unless the offer was fetched or withdrawn meanwhile, its address serves
        the next request."""
        with self._lock:
            self._running = False
            if not self._ended:
                offers[self.token] = self

    def chunks(self) -> Iterator[bytes]:
        """The content in pieces of ``CHUNK_SIZE`` (1 MiB), none for an empty file, for the transfer that claims
        the offer on the first ``next()``: raises ``OfferTaken`` if another one runs. Closing the iterator (a
        transfer given up) or exhausting it releases the claim."""
        if not self.claim():
            # Only a request that found the offer before another's transfer started gets here (on the same
            # asyncio loop, none can: the lookup and the first chunk run without a pause between them).
            raise OfferTaken(f"download {self.name!r} is being fetched by another request, or has gone")
        try:
            for start in range(0, self.size, CHUNK_SIZE):
                yield bytes(self.content[start : start + CHUNK_SIZE])
        finally:
            self.release()

    def fetched(self) -> None:
        """The whole file went out: withdraw the offer and tell its session (once)."""
        with self._lock:
            if self._ended:
                return
            self._ended = True
            offers.pop(self.token, None)
        self.on_fetched()

    def withdraw(self) -> None:
        """Its session ended: the address answers 404 from now on (a transfer running goes on to its end)."""
        with self._lock:
            self._ended = True
            offers.pop(self.token, None)


# Files offered for download and free for a transfer, by token. One table for the process: the unguessable token
# is the only key, and an offer must outlive the WebSocket that announced it (the page may reconnect, or close and
# leave the transfer to the browser's download manager).
offers: dict[str, Offer] = {}


def offer_download(name: str, content: memoryview, on_fetched: Callable[[], None]) -> tuple[str, Callable[[], None]]:
    """Offer ``content`` at ``?download=TOKEN`` on the page's path: the address, and a function that withdraws
    the offer (see ``Transport.offer_download``)."""
    offer = Offer(random_str(32), name, content, on_fetched)
    offers[offer.token] = offer
    return f"?download={offer.token}", offer.withdraw


# -- the socket -------------------------------------------------------------------------------------------

#: A page that leaves more frames than this, or more bytes, waiting behind the one being written to it is not
#: reading: its session closes. The same bounds as a page over HTTP (``_http_page.MAX_UNACKNOWLEDGED``).
MAX_UNREAD_FRAMES = 10_000
MAX_UNREAD_BYTES = 64 << 20


class PageSocket(Transport):
    """One page's open WebSocket, as its session's ``Transport``: JSON text frames, binary frames (see
    ``protocol.encode_frame``) for messages with buffers. ``send`` may be called from any thread.

    A backend subclasses it with ``write_frame``, ``close_socket`` and ``call_soon``, creates one on its loop's
    thread when a WebSocket opens, and hands it every frame (``receive``) and the socket's end
    (``connection_lost``).

    With ``keep_for_replay()`` (a page that may reconnect) the messages are numbered, and each is kept until
    the page acknowledges it (``{"ack": N}``: it has applied every message up to the N-th of its session); a
    page that reconnects says how many it applied, and ``continue_after`` sends it the rest, whether they were
    never written or were lost on the way (in a proxy's buffers, say). At most ``MAX_UNREAD_FRAMES`` and
    ``MAX_UNREAD_BYTES`` are kept: beyond that the oldest go, and a page that still needed them cannot resume.

    What is written but not yet sent is bounded (``MAX_UNREAD_BYTES``, ``MAX_UNREAD_FRAMES``, see ``unread``):
    past that the page is not reading, and the socket ends its session, which a reconnect cannot resume.
    """

    def __init__(self) -> None:
        self._loop_thread = threading.get_ident()
        self._closed = False
        self._unsent: deque[int] = deque()  # sizes of the frames whose write futures are pending, oldest first
        self._unsent_bytes = 0
        self._replay = False
        self._count = 0  # messages of the session sent so far, this socket's and its predecessors'
        self._kept: deque[tuple[dict[str, Any], Sequence[Any], int]] = deque()  # the last ones, with sizes
        self._kept_bytes = 0
        self._receivers: list[Callable[[dict[str, Any], list[memoryview]], None]] = []
        self._close_callbacks: list[Callable[[], None]] = []

    # -- what a backend supplies ----------------------------------------------------------------------------

    @abstractmethod
    def write_frame(self, frame: str | bytes) -> bool | asyncio.Future[Any]:
        """Write one frame (``bytes`` as a binary frame, ``str`` as a text frame); called on the loop. Return
        ``False`` if the socket has closed (a page that may reconnect gets it again); else ``True``, or a
        future that resolves once the frame has gone to the network (Tornado's ``write_message`` gives one),
        which lets ``unread`` count what a page has not taken."""

    @abstractmethod
    def close_socket(self, code: int | None = None, reason: str | None = None) -> None:
        """Close the WebSocket (with a close code and reason when given); called on the loop."""

    @abstractmethod
    def call_soon(self, callback: Callable[..., None], *args: Any) -> None:
        """Run ``callback(*args)`` soon on the loop; called from any thread."""

    # -- Transport ------------------------------------------------------------------------------------------

    def send(self, message: dict[str, Any], buffers: Sequence[bytes | memoryview] = ()) -> None:
        if threading.get_ident() == self._loop_thread:
            self._write(message, buffers)
        else:
            self.call_soon(self._write, message, buffers)

    def _write(self, message: dict[str, Any], buffers: Sequence[bytes | memoryview]) -> None:
        if self.end_reason is not None:
            return  # the session is closing: nothing more goes to a page that does not read
        if buffers:
            frame: str | bytes = encode_frame(message, buffers)
        else:
            frame = json.dumps(message, separators=(",", ":"))  # ASCII: as many bytes as characters
        self._count += 1
        if self._replay:
            self._keep(message, buffers, len(frame))
        if self._closed:
            return
        written = self.write_frame(frame)
        if written is False:
            return
        if isinstance(written, asyncio.Future):
            self._unsent.append(len(frame))
            self._unsent_bytes += len(frame)
            written.add_done_callback(self._sent)
        frames, size = self.unread()
        if frames > MAX_UNREAD_FRAMES or size > MAX_UNREAD_BYTES:
            self._not_reading(frames, size)

    def _sent(self, future: asyncio.Future[Any]) -> None:
        if not future.cancelled():
            future.exception()  # retrieved: a write to a socket that went fails, which is no news here
        # Writes complete in order: the oldest pending frame is the one done.
        if self._unsent:
            self._unsent_bytes -= self._unsent.popleft()

    def unread(self) -> tuple[int, int]:
        """The frames written but waiting behind the one being sent, and their bytes: what the page has not
        taken. A single large frame may take its time; what piles up behind it is a page not reading."""
        if not self._unsent:
            return 0, 0
        return len(self._unsent) - 1, self._unsent_bytes - self._unsent[0]

    def drop_unsent(self) -> None:
        """Forget the frames not yet being sent, where the framework lets us (see ``QueuedPageSocket``)."""

    def _not_reading(self, frames: int, size: int) -> None:
        logger.warning(
            "a page's WebSocket has %d frames (%d bytes) waiting behind the one being written: the page is not "
            "reading, and its session closes (MAX_UNREAD_BYTES is %d, MAX_UNREAD_FRAMES %d)",
            frames,
            size,
            MAX_UNREAD_BYTES,
            MAX_UNREAD_FRAMES,
        )
        self.end_reason = "the page stopped reading what the server sent"
        self.drop_unsent()
        self.close_socket(1008, "the page is not reading")
        self.connection_lost()  # the session closes now; the framework's own report of the end comes later

    # -- replay to a page that reconnects --------------------------------------------------------------------

    def keep_for_replay(self) -> None:
        """Number the messages and keep each until the page acknowledges it (see the class doc)."""
        self._replay = True

    def _keep(self, message: dict[str, Any], buffers: Sequence[Any], size: int) -> None:
        self._kept.append((message, buffers, size))
        self._kept_bytes += size
        while len(self._kept) > MAX_UNREAD_FRAMES or self._kept_bytes > MAX_UNREAD_BYTES:
            self._kept_bytes -= self._kept.popleft()[2]

    def _acknowledge(self, applied: Any) -> None:
        if not isinstance(applied, int) or isinstance(applied, bool) or not 0 <= applied <= self._count:
            logger.warning("dropped an acknowledgement that names no message sent: %.40r", applied)
            return
        while self._kept and self._count - len(self._kept) < applied:
            self._kept_bytes -= self._kept.popleft()[2]

    def continue_after(self, lost: Any, applied: int) -> bool:
        """Take over from ``lost``, the socket of the same session that dropped, for a page that has applied
        ``applied`` of the session's messages: send it the ones after, which ``lost`` kept. ``False`` (and
        nothing sent) when ``lost`` is no such socket, no longer has them all, or fewer were sent."""
        if not isinstance(lost, PageSocket):
            return False
        first_kept = lost._count - len(lost._kept) + 1
        if not first_kept - 1 <= applied <= lost._count:
            return False
        self._count = applied
        self.keep_for_replay()
        for message, buffers, _size in list(lost._kept)[applied - first_kept + 1 :]:
            self.send(message, buffers)
        return True

    def on_message(self, callback: Callable[[dict[str, Any], list[memoryview]], None]) -> None:
        self._receivers.append(callback)

    def on_close(self, callback: Callable[[], None]) -> None:
        self._close_callbacks.append(callback)

    def close(self) -> None:
        if not self._closed:
            self.call_soon(self.close_socket)

    def closed(self) -> bool:
        return self._closed

    def offer_download(
        self, name: str, content: memoryview, on_fetched: Callable[[], None]
    ) -> tuple[str, Callable[[], None]]:
        return offer_download(name, content, on_fetched)

    # -- what a backend calls, on the loop ------------------------------------------------------------------

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
        if isinstance(message, dict) and message.keys() == {"ack"}:
            self._acknowledge(message["ack"])
            return
        for receive in self._receivers:
            receive(message, buffers)

    def connection_lost(self) -> None:
        """The WebSocket ended, whichever side ended it (idempotent)."""
        if self._closed:
            return
        self._closed = True
        for callback in self._close_callbacks:
            callback()


class QueuedPageSocket(PageSocket):
    """A ``PageSocket`` for a framework whose sends are coroutines (aiohttp, Starlette): frames go through a
    queue to one writer task, so they leave in order, and a close is queued behind them.

    Create it on the running loop. A backend supplies ``send_frame`` and ``send_close``, and awaits ``finish``
    when its handler is done with the socket.
    """

    #: Seconds the writer may take to send a queued close, once the page has gone.
    close_timeout = 5.0

    def __init__(self) -> None:
        super().__init__()
        self.loop = asyncio.get_running_loop()
        self._outbox: asyncio.Queue[str | bytes | _Close] = asyncio.Queue()
        self._queued_bytes = 0  # of the frames in the outbox
        self._closing = False  # a close is queued: nothing may follow it
        self._broken = False  # a send failed, or the handler is done: the socket is gone
        self._writer = self.loop.create_task(self._write_all())

    @abstractmethod
    async def send_frame(self, frame: str | bytes) -> None:
        """Send one frame (``bytes`` binary, ``str`` text)."""

    @abstractmethod
    async def send_close(self, code: int, reason: str) -> None:
        """Close the WebSocket with ``code`` and ``reason``."""

    def gone(self) -> bool:
        """Whether the framework knows the socket has closed already."""
        return False

    def write_frame(self, frame: str | bytes) -> bool:
        if self._closing or self._broken or self.gone():
            return False
        self._outbox.put_nowait(frame)
        self._queued_bytes += len(frame)
        return True

    def unread(self) -> tuple[int, int]:
        # The queue holds what waits behind the frame the writer is sending.
        return self._outbox.qsize(), self._queued_bytes

    def drop_unsent(self) -> None:
        while not self._outbox.empty():
            self._outbox.get_nowait()
        self._queued_bytes = 0

    def close_socket(self, code: int | None = None, reason: str | None = None) -> None:
        if not self._closing:
            self._closing = True
            self._outbox.put_nowait(_Close(code, reason))

    def call_soon(self, callback: Callable[..., None], *args: Any) -> None:
        self.loop.call_soon_threadsafe(callback, *args)

    async def _write_all(self) -> None:
        try:
            while True:
                item = await self._outbox.get()
                if isinstance(item, _Close):
                    await self.send_close(item.code or 1000, item.reason or "")
                    return
                self._queued_bytes -= len(item)
                await self.send_frame(item)
        # The page went while being written to: a reset, a send after the close, or whatever the server raises
        # for it (ASGI servers differ).
        except Exception as exc:
            logger.debug("a page's WebSocket went away while being written to: %r", exc)
        finally:
            self._broken = True

    async def finish(self) -> None:
        """The handler is done with the socket: let a queued close go out, drop any other queued frames."""
        self._broken = True
        if self._closing and not self._writer.done():
            try:
                await asyncio.wait_for(self._writer, self.close_timeout)
            except asyncio.TimeoutError:
                pass
        self._writer.cancel()


@dataclass(frozen=True)
class _Close:
    code: int | None
    reason: str | None
