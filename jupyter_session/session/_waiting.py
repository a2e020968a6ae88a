"""How a session's tasks wait for the browser: interruptibly in the main thread, and on bounded event
queues."""

from __future__ import annotations

import asyncio
import contextlib
import math
import queue
import threading
import time
from collections.abc import Callable
from typing import Union

from ..protocol import Event

__all__ = ["WAIT_SLICE", "EventQueue", "TaskEventQueue", "wait_until", "put_dropping_oldest"]

#: Blocking waits in the main thread sleep at most this long at a time, so a KeyboardInterrupt (Ctrl-C, a
#: kernel interrupt) lands promptly.
WAIT_SLICE = 0.2


class TaskEventQueue:
    """The bounded queue of browser events for one asyncio task, which alone takes from it.

    What ``asyncio.Queue`` does here in a tenth of its memory: every idle coroutine session keeps one, and
    ``asyncio.Queue`` allocates four deques up front (3 KB). Raises ``asyncio.QueueFull`` and
    ``asyncio.QueueEmpty`` as it does.
    """

    __slots__ = ("maxsize", "_items", "_waiter")

    def __init__(self, maxsize: int) -> None:
        self.maxsize = maxsize
        self._items: list[Event | None] = []
        self._waiter: asyncio.Future[Event | None] | None = None  # the taker's, while it waits

    def put_nowait(self, item: Event | None) -> None:
        if self._waiter is not None and not self._waiter.done():
            self._waiter.set_result(item)
            self._waiter = None
            return
        if len(self._items) >= self.maxsize:
            raise asyncio.QueueFull
        self._items.append(item)

    def get_nowait(self) -> Event | None:
        if not self._items:
            raise asyncio.QueueEmpty
        return self._items.pop(0)

    def get(self) -> asyncio.Future[Event | None]:
        """The next item, as a future to await (a future, not a coroutine: one object less while it waits)."""
        future: asyncio.Future[Event | None] = asyncio.get_running_loop().create_future()
        if self._items:
            future.set_result(self._items.pop(0))
        else:
            self._waiter = future
        return future


# A task's event queue: a thread's or an asyncio task's.
EventQueue = Union["queue.Queue[Event | None]", TaskEventQueue]


def wait_until(ready: Callable[[float | None], bool], timeout: float) -> bool:
    """Block until ``ready`` says so or ``timeout`` seconds pass (``math.inf``: no limit); True when ready.

    ``ready(seconds)`` waits up to ``seconds`` (``None``: without limit) for what the caller needs and tells
    whether it came. In the main thread the wait goes in slices of at most ``WAIT_SLICE``, because Python
    runs signal handlers only between them; any other thread waits in one go and costs nothing while idle
    (a server's thousand waiting sessions would otherwise wake five thousand times a second).
    """
    if threading.current_thread() is not threading.main_thread():
        return ready(None if math.isinf(timeout) else timeout)
    deadline = time.monotonic() + timeout
    while True:
        remaining = deadline - time.monotonic()
        if ready(max(0.0, min(WAIT_SLICE, remaining))):
            return True
        if remaining <= 0:
            return False


def put_dropping_oldest(mq: EventQueue, item: Event | None) -> None:
    """Put ``item`` into a bounded queue, making room by dropping its oldest item when it is full."""
    while True:
        try:
            mq.put_nowait(item)
            return
        except (queue.Full, asyncio.QueueFull):
            with contextlib.suppress(queue.Empty, asyncio.QueueEmpty):
                mq.get_nowait()
