"""Let a running cell receive comm messages from the browser.

A kernel reads shell messages (comm messages among them) only between cells, so a cell that blocks on
``eval_js`` would never see the answer. Two ways around it, chosen by what the kernel has:

* ipykernel 7.x reads the shell socket on its own thread (``kernel.shell_channel_thread``). ``Intercept``
  wraps that thread's receive callback: a custom message on one of our comms is handed to its receiver right
  there, and everything else goes on to the kernel untouched. The waiting cell sleeps on a future.
* ipykernel 6.x reads the shell socket on the main thread, which the cell occupies. ``Pump`` lets the waiting
  cell read the socket itself: it takes our messages and re-queues every other one, in order, for the kernel
  to handle after the cell.

Messages taken here are never seen by the kernel: it publishes no busy/idle status for them (through
jupyter_server that costs ~40 ms a message) and runs no user code for them. The peek checks the HMAC
signature as the kernel would; malformed messages go on to the kernel, which logs them.

While a router is installed, ``CellStatus`` keeps the kernel's published status busy for as long as a cell runs
(see there).
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable
from typing import Any

from ...session._waiting import WAIT_SLICE, end_interrupt_traceback_at_caller, wait_until

logger = logging.getLogger(__name__)

__all__ = ["CellStatus", "CommRouter", "Intercept", "Pump", "NoRoute", "install_router"]

Receiver = Callable[[Any, list[memoryview]], None]


class NoRoute(RuntimeError):
    """This kernel offers no known way to read comm messages while a cell runs."""


class CellStatus:
    """Say again that the kernel is busy with the running cell whenever it reports idle for another request.

    JupyterLab shows the last status the kernel published, whatever request it was for. ipykernel publishes busy
    and idle for each control request, and ipykernel 7 for each message handled on a subshell. JupyterLab 4.4 and
    later asks for a subshell (``create_subshell_request``) when the first widget of a kernel opens, and routes
    widget messages that are not ours (``update``) to it: the status bar said "Idle" while the first widget's cell
    still waited for the browser. The kernel's status publisher is wrapped: after such an idle it publishes busy
    again, with the running cell as parent; the cell's own idle ends it. Thread-safe: control and subshell
    threads publish too, and a lock keeps a repeated busy from landing after the cell's idle.
    """

    def __init__(self, kernel: Any) -> None:
        self._kernel = kernel
        self._publish = kernel._publish_status
        self._had_own = "_publish_status" in vars(kernel)
        self._lock = threading.Lock()
        self._running: dict[str, Any] | None = None  # the execute_request the main thread is busy with
        self._active = True
        kernel._publish_status = self.publish

    @staticmethod
    def supported(kernel: Any) -> bool:
        return callable(getattr(kernel, "_publish_status", None)) and callable(getattr(kernel, "get_parent", None))

    def publish(self, status: str, channel: str, parent: dict[str, Any] | None = None) -> None:
        try:
            request = parent or self._kernel.get_parent(channel)
            header = request["header"]
        except Exception:
            return self._publish(status, channel, parent)
        with self._lock:
            self._publish(status, channel, parent)
            if not self._active:
                return None
            if threading.current_thread() is threading.main_thread() and header.get("msg_type") == "execute_request":
                if status == "busy":
                    self._running = request
                elif status == "idle" and self._running is not None and self._is(self._running, header):
                    self._running = None
            elif status == "idle" and self._running is not None and not self._is(self._running, header):
                try:
                    self._publish("busy", "shell", self._running)
                except Exception:
                    logger.debug("could not publish the running cell's status", exc_info=True)
        return None

    @staticmethod
    def _is(request: dict[str, Any], header: dict[str, Any]) -> bool:
        return bool(request["header"].get("msg_id") == header.get("msg_id"))

    def remove(self) -> None:
        """Give the kernel back its own publisher (or, when something wrapped it since, pass everything on)."""
        with self._lock:
            self._active = False
            self._running = None
        if vars(self._kernel).get("_publish_status") == self.publish:
            if self._had_own:
                self._kernel._publish_status = self._publish
            else:
                del self._kernel._publish_status


class CommRouter:
    """Comm ids whose custom messages we take, and the receiver of each."""

    def __init__(self, kernel: Any) -> None:
        self.kernel = kernel
        self.session = kernel.session
        self._receivers: dict[str, Receiver] = {}
        self._status = CellStatus(kernel) if CellStatus.supported(kernel) else None

    def add(self, comm_id: str, receiver: Receiver) -> None:
        self._receivers[comm_id] = receiver

    def discard(self, comm_id: str) -> None:
        self._receivers.pop(comm_id, None)

    def take(self, frames: list[Any]) -> bool:
        """Deliver ``frames`` if they are a custom message on one of our comms; True when taken.

        Never raises: anything unexpected leaves the message to the kernel.
        """
        if not self._receivers:
            return False
        try:
            _idents, parts = self.session.feed_identities(frames, copy=False)
            message = self.session.deserialize(parts, content=False, copy=False)  # checks the signature
            if message["header"].get("msg_type") != "comm_msg":
                return False
            content = self.session.unpack(message["content"])
            receiver = self._receivers.get(content.get("comm_id"))
            data = content.get("data")
            if receiver is None or not isinstance(data, dict) or data.get("method") != "custom":
                return False
            signature = bytes(getattr(parts[0], "bytes", parts[0]))
            add_digest = getattr(self.session, "_add_digest", None)
            if self.session.auth is not None and add_digest is not None:
                add_digest(signature)  # the kernel's own deserialize would have; keeps replays out
        except Exception:
            return False
        try:
            receiver(data.get("content"), list(message["buffers"]))
        except Exception:
            logger.exception("error while handling a message from the browser")
        return True

    def wait(self, ready: Callable[[float | None], bool], timeout: float) -> bool:
        """Block until ``ready`` says so or ``timeout`` passes; True when ready (see ``wait_until``)."""
        __tracebackhide__ = True
        return wait_until(ready, timeout)

    def close(self) -> None:
        """Give the kernel back its own message handling."""
        status, self._status = self._status, None
        if status is not None:
            status.remove()


class Intercept(CommRouter):
    """ipykernel 7.x: take our messages on the shell-channel thread."""

    def __init__(self, kernel: Any) -> None:
        super().__init__(kernel)
        self._stream = kernel.shell_stream
        self._original: Callable[..., Any] | None = None
        self._undo_reply_route: Callable[[], None] | None = None
        try:
            self._on_shell_thread(self._install)
        except BaseException:
            super().close()
            raise

    def _on_shell_thread(self, func: Callable[[], None]) -> None:
        io_loop = self.kernel.shell_channel_thread.io_loop
        done = threading.Event()
        failure: list[BaseException] = []

        def run() -> None:
            try:
                func()
            except BaseException as exc:  # reported to the caller below
                failure.append(exc)
            finally:
                done.set()

        io_loop.add_callback(run)
        if not done.wait(5):
            raise NoRoute("the kernel's shell-channel thread did not respond within 5 s")
        if failure:
            raise NoRoute(f"could not hook the kernel's shell channel: {failure[0]!r}") from failure[0]

    def _install(self) -> None:
        original = self._stream._recv_callback
        if original is None:
            raise NoRoute("the kernel's shell stream has no receiver")
        self._original = original

        def receive(frames: list[Any]) -> Any:
            if self.take(frames):
                return None
            return original(frames)

        self._stream.on_recv(receive, copy=False)
        self._undo_reply_route = self._send_replies_through_the_stream()

    def _send_replies_through_the_stream(self) -> Callable[[], None] | None:
        """ipykernel 7.0-7.3 write shell replies straight to the shell socket, behind its stream's back; a request
        that arrives meanwhile can stay unread until another client connects (ipykernel#1554; 7.4 sends replies
        through the stream). Comm traffic makes that window frequent, so route those replies as 7.4 does.
        Returns what undoes it, or None where there is nothing to do."""
        manager = getattr(self.kernel.shell_channel_thread, "manager", None)
        raw_send = getattr(manager, "_send_on_shell_channel", None)
        pair = getattr(manager, "_main_to_shell_channel", None)
        to_stream = getattr(pair, "to_stream", None)
        if (
            manager is None
            or raw_send is None
            or to_stream is None
            or hasattr(manager, "_shell_stream")  # 7.4 and later
            or getattr(manager, "_shell_socket", None) is not self._stream.socket
        ):
            return None
        stream = self._stream
        to_stream.on_recv(stream.send_multipart, copy=False)
        manager._send_on_shell_channel = stream.send_multipart  # for subshells made later

        def undo() -> None:
            to_stream.on_recv(raw_send, copy=False)
            del manager._send_on_shell_channel

        return undo

    def close(self) -> None:
        original, self._original = self._original, None
        undo_reply_route, self._undo_reply_route = self._undo_reply_route, None

        def restore() -> None:
            if undo_reply_route is not None:
                undo_reply_route()
            self._stream.on_recv(original, copy=False)

        if original is not None:
            self._on_shell_thread(restore)
        super().close()


class Pump(CommRouter):
    """ipykernel 6.x: while a cell waits on the main thread, read the shell socket from the wait."""

    def __init__(self, kernel: Any) -> None:
        super().__init__(kernel)
        import zmq

        self._zmq = zmq
        self._socket = kernel.shell_stream.socket
        self._main = threading.main_thread()

    def wait(self, ready: Callable[[float | None], bool], timeout: float) -> bool:
        __tracebackhide__ = True
        if threading.current_thread() is not self._main:
            # Another thread: the main thread's event loop (between cells) or its pump (in a cell) delivers.
            return super().wait(ready, timeout)
        deadline = time.monotonic() + timeout
        others: list[list[Any]] = []
        try:
            while not ready(0):
                remaining = deadline - time.monotonic()
                if remaining <= 0:
                    return False
                if self._socket.poll(int(min(WAIT_SLICE, remaining) * 1000) + 1, self._zmq.POLLIN):
                    self._drain(others)
            return True
        except KeyboardInterrupt as interrupt:
            end_interrupt_traceback_at_caller(interrupt)
            raise
        finally:
            for frames in others:  # after the cell, in arrival order, behind what was queued before
                self.kernel.schedule_dispatch(self.kernel.dispatch_shell, frames)

    def _drain(self, others: list[list[Any]]) -> None:
        # Read everything that is there: the event loop is only woken by new arrivals once we return.
        while True:
            try:
                frames = self._socket.recv_multipart(self._zmq.NOBLOCK, copy=False)
            except self._zmq.Again:
                return
            if not self.take(frames):
                others.append(frames)


def install_router(kernel: Any) -> CommRouter:
    """The right router for ``kernel``. Raises ``NoRoute`` when the kernel has neither known layout."""
    stream = getattr(kernel, "shell_stream", None)
    if stream is None or not hasattr(kernel, "session"):
        raise NoRoute("this kernel has no shell stream (is it an ipykernel kernel?)")
    thread = getattr(kernel, "shell_channel_thread", None)
    if thread is not None and hasattr(thread, "io_loop") and hasattr(stream, "_recv_callback"):
        return Intercept(kernel)
    if hasattr(kernel, "schedule_dispatch") and hasattr(kernel, "dispatch_shell") and hasattr(stream, "socket"):
        return Pump(kernel)
    raise NoRoute(
        f"unsupported ipykernel layout ({type(kernel).__module__}); jupyter_session supports ipykernel 6.x and 7.x"
    )
