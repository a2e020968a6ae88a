"""A page over the HTTP protocol as its session's ``Transport`` (``HttpPage``): it numbers the messages it is
given and keeps them until the page acknowledges them, hands on each numbered event from the page once, and lets
a pull wait for the next message, in a thread or on an asyncio loop."""

from __future__ import annotations

import asyncio
import json
import logging
import threading
import time
from collections.abc import Callable, Sequence
from typing import Any

from ..protocol import Transport, encode_frame
from ._sockets import MAX_UNREAD_BYTES, MAX_UNREAD_FRAMES, offer_download

__all__ = ["HttpPage", "MAX_UNACKNOWLEDGED", "MAX_UNACKNOWLEDGED_BYTES"]

logger = logging.getLogger(__name__)

#: A page that keeps more unacknowledged messages than this, or buffers of more bytes, is not reading (the
#: bounds of a WebSocket page, ``_sockets.MAX_UNREAD_FRAMES`` and ``MAX_UNREAD_BYTES``).
MAX_UNACKNOWLEDGED = MAX_UNREAD_FRAMES
MAX_UNACKNOWLEDGED_BYTES = MAX_UNREAD_BYTES
#: Events kept that came ahead of an earlier one still on its way (the page has at most 4 pushes out).
MAX_EARLY_EVENTS = 1_000


class HttpPage(Transport):
    """One page over the HTTP protocol, as its session's ``Transport``. Thread-safe: the session sends from its
    threads, pulls and pushes come from the server's.

    Sent messages are numbered from 1 and kept until a pull acknowledges them; received events are numbered by
    the page, and each is handed on once. ``last_seen`` is when the page last made a request.
    """

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._unacknowledged: list[tuple[int, dict[str, Any], Sequence[Any]]] = []
        self._unacknowledged_bytes = 0
        self._next_seq = 1
        self.last_event = 0  # the number of the last event handed on
        self._early: dict[int, tuple[Any, list[memoryview]]] = {}  # events that came before an earlier one
        self._delivering = threading.Lock()
        self.last_seen = time.monotonic()
        self._sync_waiters: list[threading.Event] = []
        self._async_waiters: list[tuple[asyncio.AbstractEventLoop, asyncio.Future[None]]] = []
        self._receivers: list[Callable[[dict[str, Any], list[memoryview]], None]] = []
        self._close_callbacks: list[Callable[[], None]] = []
        self._closed = False

    # -- Transport ------------------------------------------------------------------------------------------

    def send(self, message: dict[str, Any], buffers: Sequence[bytes | memoryview] = ()) -> None:
        with self._lock:
            if self._closed:
                return
            self._unacknowledged.append((self._next_seq, message, buffers))
            self._next_seq += 1
            self._unacknowledged_bytes += sum(memoryview(buffer).nbytes for buffer in buffers)
            overflow = (
                len(self._unacknowledged) > MAX_UNACKNOWLEDGED or self._unacknowledged_bytes > MAX_UNACKNOWLEDGED_BYTES
            )
        if overflow:
            logger.warning(
                "a page over HTTP acknowledged none of its last %d messages (%d bytes of buffers): it is not "
                "reading, and its session closes",
                len(self._unacknowledged),
                self._unacknowledged_bytes,
            )
            self.end_reason = "the page stopped reading what the server sent"
            self.close()
            return
        self._wake()

    def on_message(self, callback: Callable[[dict[str, Any], list[memoryview]], None]) -> None:
        self._receivers.append(callback)

    def on_close(self, callback: Callable[[], None]) -> None:
        self._close_callbacks.append(callback)

    def close(self) -> None:
        with self._lock:
            if self._closed:
                return
            self._closed = True
        self._wake()  # a held pull answers with what is left: the close_session sent before
        for callback in self._close_callbacks:
            callback()

    def closed(self) -> bool:
        return self._closed

    def offer_download(
        self, name: str, content: memoryview, on_fetched: Callable[[], None]
    ) -> tuple[str, Callable[[], None]]:
        return offer_download(name, content, on_fetched)

    # -- the exchange ---------------------------------------------------------------------------------------

    def acknowledge(self, ack: int) -> None:
        """The page has applied every message up to ``ack``: forget them."""
        with self._lock:
            self.last_seen = time.monotonic()
            while self._unacknowledged and self._unacknowledged[0][0] <= ack:
                _seq, _message, buffers = self._unacknowledged.pop(0)
                self._unacknowledged_bytes -= sum(memoryview(buffer).nbytes for buffer in buffers)

    def pending(self) -> bool:
        """Whether there are messages the page has not acknowledged."""
        return bool(self._unacknowledged)

    def answer(self, ack: int, with_messages: bool = True) -> tuple[str | bytes, str]:
        """The answer to a request, as a frame and its content type: the messages after ``ack`` (unless not
        ``with_messages``) and the number of the last event handed on."""
        with self._lock:
            kept = [entry for entry in self._unacknowledged if entry[0] > ack] if with_messages else []
            seq = kept[0][0] if kept else ack + 1
            last_event = self.last_event
        messages: list[dict[str, Any]] = []
        buffers: list[Any] = []
        paths: list[list[Any]] = []
        for index, (_seq, message, message_buffers) in enumerate(kept):
            message = dict(message)
            for path in message.pop("buffer_paths", []):
                paths.append(["messages", index, *path])
            buffers.extend(message_buffers)
            messages.append(message)
        body: dict[str, Any] = {"seq": seq, "messages": messages, "ack": last_event}
        if not buffers:
            return json.dumps(body, separators=(",", ":")), "application/json"
        body["buffer_paths"] = paths
        return encode_frame(body, buffers), "application/octet-stream"

    def push(self, first: int, events: list[tuple[Any, list[memoryview]]]) -> None:
        """Hand on, in their order, the events (each with its buffers) numbered ``first``, ``first + 1``, ...
        that were not handed on before. The page sends several pushes at once, which may arrive out of order:
        events after a gap wait for it to fill (at most ``MAX_EARLY_EVENTS`` of them; past that the page is
        not one of ours, and they are dropped)."""
        with self._delivering:  # events taken by one push are handed on before another's
            with self._lock:
                self.last_seen = time.monotonic()
                for number, event in enumerate(events, start=first):
                    if number > self.last_event and len(self._early) < MAX_EARLY_EVENTS:
                        self._early.setdefault(number, event)
                fresh = []
                while self.last_event + 1 in self._early:
                    self.last_event += 1
                    fresh.append(self._early.pop(self.last_event))
            for event, buffers in fresh:
                for receiver in self._receivers:
                    receiver(event, buffers)

    # -- waiting for messages -------------------------------------------------------------------------------

    def wait(self, timeout: float) -> None:
        """Block until there is a message for the page, it closes, or ``timeout`` seconds pass."""
        waiter = threading.Event()
        with self._lock:
            if self._unacknowledged or self._closed:
                return
            self._sync_waiters.append(waiter)
        try:
            waiter.wait(timeout)
        finally:
            with self._lock:
                if waiter in self._sync_waiters:
                    self._sync_waiters.remove(waiter)

    async def wait_async(self, timeout: float) -> None:
        """``wait`` for an asyncio loop."""
        loop = asyncio.get_running_loop()
        future: asyncio.Future[None] = loop.create_future()
        with self._lock:
            if self._unacknowledged or self._closed:
                return
            self._async_waiters.append((loop, future))
        try:
            await asyncio.wait_for(future, timeout)
        except asyncio.TimeoutError:
            pass
        finally:
            with self._lock:
                if (loop, future) in self._async_waiters:
                    self._async_waiters.remove((loop, future))

    def _wake(self) -> None:
        with self._lock:
            sync_waiters, self._sync_waiters = self._sync_waiters, []
            async_waiters, self._async_waiters = self._async_waiters, []
        for waiter in sync_waiters:
            waiter.set()
        for loop, future in async_waiters:
            loop.call_soon_threadsafe(_settle, future)


def _settle(future: asyncio.Future[None]) -> None:
    if not future.done():
        future.set_result(None)
