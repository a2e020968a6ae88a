"""Graceful shutdown of a server process, whatever its framework.

On SIGTERM or SIGINT a backend's ``start_server`` stops taking new pages (``draining``), then ``end_sessions``
tells every open page that the server is going away, closes every session (its ``defer_call`` functions run)
and waits, within a bound, for the deferred functions to finish. A second signal exits at once. The sessions
are the ones ``track`` was given: every page session started by an ``AppEndpoint`` or an ``HttpEndpoint`` in
this process.
"""

from __future__ import annotations

import _thread
import asyncio
import logging
import os
import signal
import threading
import time
import weakref
from collections.abc import Callable
from typing import Any

from .._connection import Connection
from ..session import Session
from ..session.base import SessionState
from ._sockets import PageSocket

__all__ = [
    "GOING_AWAY",
    "SHUTDOWN_TIMEOUT",
    "draining",
    "end_sessions",
    "end_sessions_async",
    "exit_if_unfinished",
    "on_stop_signal",
    "run_blocking_server",
    "track",
]

logger = logging.getLogger(__name__)

#: Seconds the sessions get to run their deferred functions after a stop signal.
SHUTDOWN_TIMEOUT = 10.0
#: What a page is told, and why its session closed.
GOING_AWAY = "the server is shutting down"
# Seconds for the last messages (the pages' close_session, their close frames, held pulls' answers) to leave.
_DELIVERY_GRACE = 0.25

# Set when a shutdown stops a blocking server in the main thread with a simulated SIGINT.
_interrupting = threading.Event()
# Weak: a session that ended is dropped with its connection, shutdown or not.
_connections: weakref.WeakSet[Connection] = weakref.WeakSet()
_draining = threading.Event()


def track(connection: Connection) -> None:
    """Count ``connection``'s session among those a shutdown ends."""
    _connections.add(connection)


def draining() -> bool:
    """Whether this process is shutting down: a new page is refused (503), a new session is not started."""
    return _draining.is_set()


def _end(connection: Connection, session: Session) -> None:
    connection.send_commands([dict(command="close_session", task_id=None, spec=GOING_AWAY)])
    session.close(reason=GOING_AWAY)  # the deferred functions run here, in this thread, for a thread session
    transport = connection.transport
    if isinstance(transport, PageSocket):
        transport.call_soon(transport.close_socket, 1001, GOING_AWAY)  # 1001: going away
    elif transport is not None:
        transport.close()


def _finished(session: Session) -> bool:
    # Its deferred functions are done. Its app threads are daemons, woken with SessionClosedException at their
    # next session call: one busy elsewhere (a sleep, a computation) must not hold the process.
    return session.state is SessionState.CLOSED


def end_sessions(timeout: float = SHUTDOWN_TIMEOUT) -> int:
    """Refuse new pages, then close every open session and wait up to ``timeout`` seconds for them to finish;
    returns how many did not. Blocks: call it outside the loop the sessions use (``end_sessions_async`` on
    it)."""
    _draining.set()
    open_sessions = [
        (connection, session)
        for connection in list(_connections)
        if (session := connection.session) is not None and not session.closed()
    ]
    # Printed, as the server's "Running on" line: the person who stopped the server reads it.
    print(f"Shutting down: ending {_count(open_sessions)} (within {timeout:g} s)", flush=True)
    for connection, session in open_sessions:
        # One thread each: a slow deferred function delays only its own session's end.
        threading.Thread(target=_end, args=(connection, session), name="shutdown-session").start()
    sessions = [session for _connection, session in open_sessions]
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline and not all(_finished(session) for session in sessions):
        time.sleep(0.02)
    unfinished = sum(not _finished(session) for session in sessions)
    if sessions:
        time.sleep(_DELIVERY_GRACE)
    print(f"Ended {_count(sessions, unfinished)}", flush=True)
    return unfinished


def _count(sessions: list[Any], unfinished: int = 0) -> str:
    count = len(sessions) - unfinished
    return f"{count} session{'' if count == 1 else 's'}"


async def end_sessions_async(timeout: float = SHUTDOWN_TIMEOUT) -> int:
    """``end_sessions`` for a server whose sessions use the running loop: that loop keeps serving meanwhile."""
    return await asyncio.get_running_loop().run_in_executor(None, end_sessions, timeout)


def on_stop_signal(stop: Callable[[], object]) -> None:
    """Call ``stop()`` on the first SIGTERM or SIGINT (in the signal's thread, the main one: it must only start
    the shutdown); a second one exits at once. Does nothing outside the main thread, where signals cannot be
    handled."""
    if threading.current_thread() is not threading.main_thread():
        return

    signalled = False

    def handle(signum: int, _frame: object) -> None:
        nonlocal signalled
        if _interrupting.is_set():
            raise KeyboardInterrupt  # what run_blocking_server's shutdown asked for: end the server's loop
        if signalled:
            logger.warning("%s again: exiting without waiting for the sessions", signal.Signals(signum).name)
            os._exit(1)
        signalled = True
        logger.info("%s: shutting down (a second one exits at once)", signal.Signals(signum).name)
        stop()

    for signum in (signal.SIGTERM, signal.SIGINT):
        signal.signal(signum, handle)


def exit_if_unfinished(unfinished: int) -> None:
    """After ``end_sessions``: sessions whose deferred functions are still running would hold the interpreter
    open (their threads are not daemons, so that they finish); exit without them, with status 1."""
    if unfinished:
        logger.error(
            "%d sessions did not finish within the shutdown timeout (their deferred functions still run): exiting "
            "without them; a larger shutdown_timeout waits longer",
            unfinished,
        )
        logging.shutdown()
        os._exit(1)


def run_blocking_server(run: Callable[[], None], shutdown_timeout: float = SHUTDOWN_TIMEOUT) -> None:
    """Run a blocking server (a WSGI server's ``serve_forever``) in the main thread until SIGTERM or SIGINT;
    then end the sessions while it still serves, so that the pages' pulls take their last messages, and stop it
    as Ctrl-C does (``KeyboardInterrupt`` in this thread)."""
    unfinished: list[int] = []

    def shut_down() -> None:
        unfinished.append(end_sessions(shutdown_timeout))
        _interrupting.set()
        _thread.interrupt_main()

    on_stop_signal(lambda: threading.Thread(target=shut_down, name="shutdown").start())
    try:
        run()
    except KeyboardInterrupt:
        pass
    exit_if_unfinished(sum(unfinished))
