"""When a kernel's queued commands go out: a loop of outputs becomes a few comm messages, as a loop of
``print()`` becomes a few stream messages (ipykernel's output streams flush every 0.2 s).

A command queued when nothing went out for ``window`` seconds goes at once, so a lone output shows as soon as
it is made; the ones that follow it within the window wait for the window's end and go together. A wait for the
browser flushes first, so a request never waits for the window.
"""

from __future__ import annotations

import logging
import math
import threading
import time
from collections.abc import Callable

__all__ = ["Batcher", "BATCH_WINDOW"]

logger = logging.getLogger(__name__)

#: Seconds during which commands after a send are gathered into one message.
BATCH_WINDOW = 0.025


class Batcher:
    """Calls ``send`` (which takes and sends every queued command) now or at the end of the window."""

    def __init__(self, send: Callable[[], None], window: float = BATCH_WINDOW) -> None:
        self._send = send
        self._window = window
        self._lock = threading.Lock()
        self._wake = threading.Condition(self._lock)
        self._last_sent = -math.inf
        self._due: float | None = None  # when the gathered commands go, if any wait
        self._thread: threading.Thread | None = None
        self._closed = False
        # One send at a time, so the commands of one thread leave in the order it made them; reentrant, for a send
        # that closes the session, which flushes.
        self._sending = threading.RLock()

    def queued(self) -> None:
        """A command was queued."""
        with self._lock:
            if self._due is not None:
                return  # it goes with the others, at the window's end
            now = time.monotonic()
            if now - self._last_sent >= self._window or self._closed:
                self._last_sent = now
            else:
                self._due = self._last_sent + self._window
                if self._thread is None:
                    self._thread = threading.Thread(target=self._run, daemon=True, name="jupyter-session-batcher")
                    self._thread.start()
                self._wake.notify()
                return
        self._send_now()

    def flush(self) -> None:
        """Send what is gathered now (before a wait for the browser, at a cell's end)."""
        with self._lock:
            self._due = None
            self._last_sent = time.monotonic()
        self._send_now()

    def close(self) -> None:
        """Send what is gathered and stop the thread; later commands go at once."""
        with self._lock:
            self._closed = True
            self._wake.notify()
        self.flush()

    def _send_now(self) -> None:
        with self._sending:
            try:
                self._send()
            except Exception:  # the thread must live on, and a caller's command was queued all the same
                logger.exception("jupyter_session: could not send the queued commands")

    def _run(self) -> None:
        with self._lock:
            while not self._closed:
                if self._due is None:
                    self._wake.wait()
                    continue
                delay = self._due - time.monotonic()
                if delay > 0:
                    self._wake.wait(delay)
                    continue
                self._due = None
                self._last_sent = time.monotonic()
                self._lock.release()
                try:
                    self._send_now()
                finally:
                    self._lock.acquire()
            self._thread = None
