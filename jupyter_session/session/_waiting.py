"""How a session's tasks wait for the browser: interruptibly in the main thread, and on bounded event
queues.

The frames on the way from a public function (``input``, ``eval_js``, ...) down to a wait set
``__tracebackhide__ = True``, as a local of each frame: IPython (9.x, ``IPython/core/ultratb.py``) leaves such
frames out of a traceback with a line ``[... skipping hidden N frame]``, and so do IPython's debugger and pytest.
IPython still shows the innermost frame, hidden or not, which for an interrupted wait is a frame of ``threading``
deep inside it; ``end_interrupt_traceback_at_caller`` drops that too, so that an interrupted ``input()`` shows the
frames of the user's cell and functions only, as an interrupted ``time.sleep()`` does. Any other error keeps the
frame it was raised in. ``%xmode --show`` makes IPython show the hidden frames again (``%xmode Verbose`` does not),
``skip_hidden false`` does in the debugger, ``pytest --fulltrace`` in pytest; plain Python tracebacks (scripts,
logged errors) never hide them.
"""

from __future__ import annotations

import asyncio
import contextlib
import functools
import math
import queue
import threading
import time
import traceback
import types
from collections.abc import Callable
from typing import Union

from ..protocol import Event

__all__ = [
    "WAIT_SLICE",
    "EventQueue",
    "TaskEventQueue",
    "wait_until",
    "put_dropping_oldest",
    "end_interrupt_traceback_at_caller",
]

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
    __tracebackhide__ = True
    if threading.current_thread() is not threading.main_thread():
        return ready(None if math.isinf(timeout) else timeout)
    deadline = time.monotonic() + timeout
    try:
        while True:
            remaining = deadline - time.monotonic()
            if ready(max(0.0, min(WAIT_SLICE, remaining))):
                return True
            if remaining <= 0:
                return False
    except KeyboardInterrupt as interrupt:
        end_interrupt_traceback_at_caller(interrupt)
        raise


def end_interrupt_traceback_at_caller(interrupt: KeyboardInterrupt) -> None:
    """Make IPython show ``interrupt``, caught in the wait that it interrupted, without that wait: its traceback
    then ends where the hidden frames (``__tracebackhide__``) that lead to the wait begin, in the caller.

    It goes through IPython's ``_render_traceback_`` protocol, which lets an exception render its own traceback,
    and formats the shortened traceback with the shell's own formatter (so ``%xmode`` applies). Call it in the
    ``except`` clause of the waiting frame, then re-raise with a bare ``raise``; only IPython reads what it sets.
    """
    if interrupt.__traceback__ is None or hasattr(interrupt, "_render_traceback_"):
        return
    waiting = interrupt.__traceback__.tb_frame
    interrupt._render_traceback_ = functools.partial(_render_from_caller, interrupt, waiting)  # type: ignore[attr-defined]


def _render_from_caller(interrupt: KeyboardInterrupt, waiting: types.FrameType) -> list[str]:
    from IPython import get_ipython

    shell = get_ipython()
    formatter = getattr(shell, "InteractiveTB", None)
    if formatter is None:
        return traceback.format_exception(interrupt)
    full = interrupt.__traceback__
    try:
        shown = _before_the_wait(full, waiting) if getattr(formatter, "skip_hidden", True) else full
        return list(formatter.structured_traceback(type(interrupt), interrupt, shown))
    except Exception:  # else IPython would show its own failure to format, in place of the traceback
        return list(formatter.structured_traceback(type(interrupt), interrupt, full))


def _before_the_wait(tb: types.TracebackType | None, waiting: types.FrameType) -> types.TracebackType | None:
    """A copy of ``tb`` without the frame ``waiting``, what it called, and the unbroken run of hidden frames that
    called it."""
    entries: list[types.TracebackType] = []
    while tb is not None:
        entries.append(tb)
        tb = tb.tb_next
    end = next((index for index, entry in enumerate(entries) if entry.tb_frame is waiting), None)
    if end is None:
        return entries[0] if entries else None
    while end > 0 and entries[end - 1].tb_frame.f_locals.get("__tracebackhide__"):
        end -= 1
    shortened: types.TracebackType | None = None
    for entry in reversed(entries[:end]):
        shortened = types.TracebackType(shortened, entry.tb_frame, entry.tb_lasti, entry.tb_lineno)
    return shortened


def put_dropping_oldest(mq: EventQueue, item: Event | None) -> None:
    """Put ``item`` into a bounded queue, making room by dropping its oldest item when it is full."""
    while True:
        try:
            mq.put_nowait(item)
            return
        except (queue.Full, asyncio.QueueFull):
            with contextlib.suppress(queue.Empty, asyncio.QueueEmpty):
                mq.get_nowait()
