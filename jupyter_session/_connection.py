"""Bind one session to one transport: commands out (downloads fetched from an address of their own, or sent
as acknowledged chunks), events in.

Both platforms (the Tornado WebSocket, the Jupyter comm) and the test fake use this, so the session layer
never sees a transport and every transport gets the same validation and flow control. With reconnection
enabled, a lost transport only *detaches* the connection: what the session sends meanwhile is kept, in
order, and goes out when a new transport ``resume``s it.
"""

from __future__ import annotations

import asyncio
import itertools
import logging
import threading
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

from .exceptions import ProtocolError
from .protocol import CHUNK_SIZE, Command, Transport, parse_event, split_buffers
from .session import CoroutineBasedSession, Session, ThreadBasedSession, register_session_implement_for_target

__all__ = ["Connection", "start_session"]

logger = logging.getLogger(__name__)

# Chunks a download may have in flight before the browser acknowledges the first. Four 1 MiB chunks keep a
# loopback link busy while bounding what the transport buffers per download.
DOWNLOAD_WINDOW = 4
_MAX_EARLY_EVENTS = 100
# Messages kept for a detached page; past this the session is closed rather than grow without bound.
MAX_DETACHED_MESSAGES = 10_000
_download_ids = itertools.count(1)

Message = tuple[dict[str, Any], Sequence[Any]]


@dataclass
class _Download:
    download_id: str
    task_id: str | None
    name: str
    content: memoryview
    sent: int = 0  # bytes sent
    acked: int = 0  # bytes the browser confirmed
    all_sent: bool = False  # the last chunk (the only one, for an empty file) has left
    withdraw: Callable[[], None] | None = None  # set when the transport serves the file at an address instead

    @property
    def size(self) -> int:
        return self.content.nbytes


class Connection:
    """Carries one session's commands to a transport and the transport's events to the session.

    Pass ``flush`` as the session's ``on_task_command`` and ``on_session_close`` as its ``on_session_close``.
    Malformed browser messages are logged and dropped. When ``on_detached`` is given, losing the transport
    calls it instead of closing the session; the platform then calls ``resume`` or closes the session.
    """

    def __init__(self, transport: Transport, *, on_detached: Callable[[Connection], None] | None = None) -> None:
        self.transport: Transport | None = None
        self.session: Session | None = None
        self._on_detached = on_detached
        self._lock = threading.RLock()
        self._early_events: list[tuple[Any, list[memoryview]]] = []
        self._detached_messages: list[Message] = []
        self._downloads: dict[str, _Download] = {}
        self._close_when_idle = False
        self._lost_transport: Transport | None = None
        self._use(transport)

    def _use(self, transport: Transport) -> None:
        self.transport = transport
        transport.on_message(self.receive)
        transport.on_close(lambda: self._on_transport_closed(transport))

    def attach(self, session: Session) -> None:
        """Bind the session; events that came before it are delivered now."""
        with self._lock:
            if self.session is session:
                return
            self.session = session
            early, self._early_events = self._early_events, []
        for message, buffers in early:
            self.receive(message, buffers)

    @property
    def detached(self) -> bool:
        return self.transport is None

    # -- out ------------------------------------------------------------------------------------------------

    def flush(self, session: Session) -> None:
        """Send every queued command of ``session``; the session's ``on_task_command``."""
        self.attach(session)
        self.send_commands(session.get_task_commands())

    def send_commands(self, commands: list[Command]) -> None:
        """Send ``commands`` in order: downloads each on its own, the rest in as few messages as can be."""
        batch: list[Command] = []
        for command in commands:
            if command["command"] == "download":
                self._send_batch(batch)
                batch = []
                self._start_download(command)
            else:
                batch.append(command)
        self._send_batch(batch)

    def _send_batch(self, commands: list[Command]) -> None:
        if not commands:
            return
        try:
            self._send(*split_buffers({"commands": commands}))
        except (TypeError, ValueError):
            logger.exception(
                "a command could not be serialized; was a session function given a value that "
                "is not JSON data? Commands: %.500r",
                commands,
            )

    def _send(self, message: dict[str, Any], buffers: Sequence[Any]) -> None:
        with self._lock:
            if self.transport is not None:
                self.transport.send(message, buffers)
            elif len(self._detached_messages) < MAX_DETACHED_MESSAGES:
                self._detached_messages.append((message, buffers))
            else:
                session = self.session
                self._detached_messages.clear()
                if session is not None:
                    logger.warning(
                        "closing a detached session: %d messages are waiting for its page", MAX_DETACHED_MESSAGES
                    )
                    session.close(nonblock=True, reason="too much output queued while the page was away")

    def _start_download(self, command: Command) -> None:
        spec = command["spec"]
        download = _Download(
            f"dl-{next(_download_ids)}", command["task_id"], spec["name"], memoryview(spec["content"]).cast("B")
        )
        with self._lock:
            self._downloads[download.download_id] = download
            offer = (
                None
                if self.transport is None
                else self.transport.offer_download(download.name, download.content, lambda: self._on_fetched(download))
            )
            if offer is None:
                self._pump(download)
                return
            url, download.withdraw = offer
            spec = dict(download_id=download.download_id, name=download.name, size=download.size, url=url)
            self._send_batch([Command(command="download", task_id=download.task_id, spec=spec)])

    def _on_fetched(self, download: _Download) -> None:
        with self._lock:
            if self._downloads.get(download.download_id) is download:
                self._finish_download(download)

    def _pump(self, download: _Download) -> None:
        # Called with the lock held, so the chunks of one download leave in order. While detached, chunks
        # wait in the download itself (not in the message queue): resume restarts from the last ack.
        while (
            not download.all_sent
            and self.transport is not None
            and download.sent - download.acked < DOWNLOAD_WINDOW * CHUNK_SIZE
        ):
            offset = download.sent
            chunk = download.content[offset : offset + CHUNK_SIZE]
            download.sent += chunk.nbytes
            download.all_sent = download.sent >= download.size
            spec = dict(
                download_id=download.download_id,
                name=download.name,
                size=download.size,
                offset=offset,
                last=download.all_sent,
                chunk=chunk,
            )
            command = dict(command="download", task_id=download.task_id, spec=spec)
            self._send(*split_buffers({"commands": [command]}))

    def _on_download_ack(self, download_id: str, data: dict[str, int]) -> None:
        with self._lock:
            download = self._downloads.get(download_id)
            if download is None or download.withdraw is not None:
                logger.warning("dropped a download_ack for unknown download %.100r", download_id)
                return
            if data["offset"] != download.acked or download.acked + data["length"] > download.sent:
                logger.warning("dropped an out-of-order download_ack for %.100r: %.100r", download_id, data)
                return
            download.acked += data["length"]
            if download.all_sent and download.acked >= download.size:
                self._finish_download(download)
            else:
                self._pump(download)

    def _finish_download(self, download: _Download) -> None:
        del self._downloads[download.download_id]
        if self._close_when_idle and not self._downloads and self.transport is not None:
            self.transport.close()

    # -- in -------------------------------------------------------------------------------------------------

    def receive(self, message: Any, buffers: list[memoryview]) -> None:
        """Handle one message from the browser; the transport's ``on_message`` callback."""
        with self._lock:
            session = self.session
            if session is None:
                if len(self._early_events) < _MAX_EARLY_EVENTS:
                    self._early_events.append((message, buffers))
                return
        try:
            event = parse_event(message, buffers)
        except ProtocolError as exc:
            # The message, not the exception: its traceback holds the hostile input.
            logger.warning("dropped a malformed message from the browser: %s", str(exc))
            return
        if event["event"] == "download_ack":
            self._on_download_ack(event["task_id"], event["data"])  # type: ignore[arg-type]
        else:
            session.route_event(event)

    # -- close and resume -----------------------------------------------------------------------------------

    def on_session_close(self) -> None:
        """The app ended by itself: close the transport once running downloads are done."""
        with self._lock:
            self._close_when_idle = True
            transport = self.transport
            if self._downloads or transport is None:
                return
        transport.close()

    def _on_transport_closed(self, transport: Transport) -> None:
        with self._lock:
            if transport is not self.transport:
                return  # an old transport, already replaced
            self.transport, self._lost_transport = None, transport
            session = self.session
            reconnectable = (
                self._on_detached is not None
                and session is not None
                and not session.closed()
                and not self._close_when_idle
                and transport.end_reason is None
            )
            if not reconnectable:
                for download in self._downloads.values():
                    if download.withdraw is not None:
                        download.withdraw()
                self._downloads.clear()
                self._detached_messages.clear()
        if reconnectable:
            assert self._on_detached is not None
            self._on_detached(self)
        elif session is not None:
            session.close(nonblock=True, reason=transport.end_reason or "the browser page was closed")

    def resume(self, transport: Transport, applied: int) -> bool:
        """Continue over a new transport, for a page that has applied ``applied`` of the messages sent to it:
        first the rest of what the old transport carried (its ``continue_after``), then what was queued while
        detached, in order; then running downloads restart from their last acknowledged byte. ``False`` (and
        the session stays detached) when the old transport cannot give the page what it missed.

        A page can come back before the server has seen its old transport drop (the close is still on its way):
        the new transport takes over from the old one, which is then closed."""
        with self._lock:
            replaced = self.transport
            continue_after = getattr(transport, "continue_after", None)
            lost = replaced if replaced is not None else self._lost_transport
            if continue_after is None or not continue_after(lost, applied):
                return False
            self._lost_transport = None
            self._use(transport)
            pending, self._detached_messages = self._detached_messages, []
            for message, buffers in pending:
                transport.send(message, buffers)
            for download in list(self._downloads.values()):
                if download.withdraw is None:  # an offered file is still at its address
                    download.sent, download.all_sent = download.acked, False
                    self._pump(download)
        if replaced is not None:
            replaced.close()  # its close callback finds it replaced and leaves the session be
        return True


def start_session(
    app: Callable[[], Any],
    transport: Transport,
    session_info: dict[str, Any],
    *,
    loop: asyncio.AbstractEventLoop | None = None,
    on_detached: Callable[[Connection], None] | None = None,
) -> Connection:
    """Run ``app`` in a new session of the right kind, talking over ``transport``; returns the connection
    (its ``session`` attribute is the session).

    A coroutine app needs a running loop: call this on that loop. A thread app's commands are drained on
    ``loop`` when given, else in the app's thread. ``on_detached`` enables reconnection (see ``Connection``).
    """
    cls = register_session_implement_for_target(app)
    connection = Connection(transport, on_detached=on_detached)
    session: Session
    if issubclass(cls, CoroutineBasedSession):
        session = cls(app, session_info, on_task_command=connection.flush, on_session_close=connection.on_session_close)
    else:
        assert issubclass(cls, ThreadBasedSession)
        session = cls(
            app, session_info, on_task_command=connection.flush, on_session_close=connection.on_session_close, loop=loop
        )
    connection.attach(session)
    return connection
