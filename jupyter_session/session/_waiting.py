"""How a session's tasks wait for the browser: in slices when in a thread, and on bounded event queues."""

from __future__ import annotations

import asyncio
import contextlib
import queue
import time
from collections.abc import Callable
from typing import Union

from ..protocol import Event

__all__ = ["WAIT_SLICE", "EventQueue", "wait_in_slices", "put_dropping_oldest"]

#: Blocking waits in a thread sleep at most this long at a time, so a KeyboardInterrupt (Ctrl-C, a kernel
#: interrupt) lands in the main thread promptly.
WAIT_SLICE = 0.2

# A task's event queue: a thread's or an asyncio task's.
EventQueue = Union["queue.Queue[Event | None]", "asyncio.Queue[Event | None]"]


def wait_in_slices(ready: Callable[[float], bool], timeout: float) -> bool:
    """Block until ``ready`` says so or ``timeout`` seconds pass; True when ready.

    ``ready(seconds)`` waits up to ``seconds`` for what the caller needs and tells whether it came. The wait
    goes in slices of at most ``WAIT_SLICE``, so an interrupt lands in the main thread.
    """
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
