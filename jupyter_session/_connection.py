"""Bind one session to one transport: commands out (downloads as acknowledged chunks), events in.

Both platforms (the Tornado WebSocket, the Jupyter comm) and the test fake use this, so the session layer
never sees a transport and every transport gets the same validation and flow control.
"""

from __future__ import annotations

import asyncio
import itertools
import logging
import threading
from collections.abc import Callable
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
_download_ids = itertools.count(1)


@dataclass
class _Download:
    download_id: str
    task_id: str | None
    name: str
    content: memoryview
    sent: int = 0  # bytes sent
    acked: int = 0  # bytes the browser confirmed
    all_sent: bool = False  # the last chunk (the only one, for an empty file) has left

    @property
    def size(self) -> int:
        return self.content.nbytes


class Connection:
    """Carries one session's commands to ``transport`` and the transport's events to the session.

    Pass ``flush`` as the session's ``on_task_command`` and ``on_session_close`` as its ``on_session_close``.
    Malformed browser messages are logged and dropped.
    """

    def __init__(self, transport: Transport) -> None:
        self.transport = transport
        self.session: Session | None = None
        self._lock = threading.RLock()
        self._early_events: list[tuple[Any, list[memoryview]]] = []
        self._downloads: dict[str, _Download] = {}
        self._close_when_idle = False
        transport.on_message(self.receive)
        transport.on_close(self._on_transport_closed)

    def attach(self, session: Session) -> None:
        """Bind the session; events that came before it are delivered now."""
        with self._lock:
            if self.session is session:
                return
            self.session = session
            early, self._early_events = self._early_events, []
        for message, buffers in early:
            self.receive(message, buffers)

    # -- out ------------------------------------------------------------------------------------------------

    def flush(self, session: Session) -> None:
        """Send every queued command of ``session``; the session's ``on_task_command``."""
        self.attach(session)
        batch: list[Command] = []
        for command in session.get_task_commands():
            if command["command"] == "download":
                self._send_commands(batch)
                batch = []
                self._start_download(command)
            else:
                batch.append(command)
        self._send_commands(batch)

    def _send_commands(self, commands: list[Command]) -> None:
        if not commands:
            return
        message, buffers = split_buffers({"commands": commands})
        try:
            self.transport.send(message, buffers)
        except (TypeError, ValueError):
            logger.exception("a command could not be serialized; was a session function given a value that "
                             "is not JSON data? Commands: %.500r", commands)

    def _start_download(self, command: Command) -> None:
        spec = command["spec"]
        download = _Download(f"dl-{next(_download_ids)}", command["task_id"], spec["name"],
                             memoryview(spec["content"]).cast("B"))
        with self._lock:
            self._downloads[download.download_id] = download
            self._pump(download)

    def _pump(self, download: _Download) -> None:
        # Called with the lock held, so the chunks of one download leave in order.
        while not download.all_sent and download.sent - download.acked < DOWNLOAD_WINDOW * CHUNK_SIZE:
            offset = download.sent
            chunk = download.content[offset:offset + CHUNK_SIZE]
            download.sent += chunk.nbytes
            download.all_sent = download.sent >= download.size
            spec = dict(download_id=download.download_id, name=download.name, size=download.size,
                        offset=offset, last=download.all_sent, chunk=chunk)
            command = dict(command="download", task_id=download.task_id, spec=spec)
            self.transport.send(*split_buffers({"commands": [command]}))

    def _on_download_ack(self, download_id: str, data: dict[str, int]) -> None:
        with self._lock:
            download = self._downloads.get(download_id)
            if download is None:
                logger.warning("dropped a download_ack for unknown download %r", download_id)
                return
            if data["offset"] != download.acked or download.acked + data["length"] > download.sent:
                logger.warning("dropped an out-of-order download_ack for %r: %r", download_id, data)
                return
            download.acked += data["length"]
            if download.all_sent and download.acked >= download.size:
                self._finish_download(download)
            else:
                self._pump(download)

    def _finish_download(self, download: _Download) -> None:
        del self._downloads[download.download_id]
        if self._close_when_idle and not self._downloads:
            self.transport.close()

    # -- in -------------------------------------------------------------------------------------------------

    def receive(self, message: Any, buffers: list[memoryview]) -> None:
        """Handle one message from the browser; the transport's ``on_message`` callback."""
        with self._lock:
            if self.session is None:
                if len(self._early_events) < _MAX_EARLY_EVENTS:
                    self._early_events.append((message, buffers))
                return
        try:
            event = parse_event(message, buffers)
        except ProtocolError as exc:
            logger.warning("dropped a malformed message from the browser: %s", exc)
            return
        if event["event"] == "download_ack":
            self._on_download_ack(event["task_id"], event["data"])  # type: ignore[arg-type]
        else:
            self.session.send_client_event(event)

    # -- close ----------------------------------------------------------------------------------------------

    def on_session_close(self) -> None:
        """The app ended by itself: close the transport once running downloads are done."""
        with self._lock:
            self._close_when_idle = True
            if self._downloads:
                return
        self.transport.close()

    def _on_transport_closed(self) -> None:
        with self._lock:
            self._downloads.clear()
            session = self.session
        if session is not None:
            session.close(nonblock=True, reason="the browser page was closed")


def start_session(
    app: Callable[[], Any],
    transport: Transport,
    session_info: dict[str, Any],
    *,
    loop: asyncio.AbstractEventLoop | None = None,
) -> Session:
    """Run ``app`` in a new session of the right kind, talking over ``transport``.

    A coroutine app needs a running loop: call this on that loop. A thread app's commands are drained on
    ``loop`` when given, else in the app's thread.
    """
    cls = register_session_implement_for_target(app)
    connection = Connection(transport)
    session: Session
    if issubclass(cls, CoroutineBasedSession):
        session = cls(app, session_info, on_task_command=connection.flush,
                      on_session_close=connection.on_session_close)
    else:
        assert issubclass(cls, ThreadBasedSession)
        session = cls(app, session_info, on_task_command=connection.flush,
                      on_session_close=connection.on_session_close, loop=loop)
    connection.attach(session)
    return session

