"""An in-memory browser for testing apps without a real page.

``FakeBrowser`` is a ``Transport`` that answers like the real renderer does: it records every command,
answers ``eval_js`` through a Python function you give it, saves downloads (acknowledging each chunk), and
lets a test click callbacks or close the page. Messages go through a JSON round trip, so an app that sends
something the real browser could not receive fails here too. It proves the session logic only: only a real
browser proves a feature.

Example::

    browser = FakeBrowser(evaluate=lambda code, args: {"navigator.language": "en-GB"}[code])
    start_app(app, browser)
    browser.wait_closed(timeout=5)

``census()`` counts what a finished session must give back (threads, sessions, connections, comms, file
descriptors), for leak checks on the real transports.
"""

from __future__ import annotations

import gc
import json
import os
import queue
import sys
import threading
import time
from collections.abc import Callable, Sequence
from typing import Any

from ._connection import Connection, start_session
from .protocol import COMMANDS, PROTOCOL_VERSION, Transport, join_buffers
from .session import Session
from .session._info import make_session_info

__all__ = ["FakeBrowser", "FakeJSError", "census", "start_app"]


class FakeJSError(Exception):
    """Raise from an ``evaluate`` function to make the fake browser report a JavaScript error."""

    def __init__(self, message: str, name: str = "Error") -> None:
        super().__init__(message)
        self.name = name


def _no_javascript(code: str, args: dict[str, Any]) -> Any:
    raise FakeJSError(f"FakeBrowser has no JavaScript engine (code: {code!r})", "ReferenceError")


class FakeBrowser(Transport):
    """A browser page, in memory. It answers on its own thread, as a real page answers asynchronously.

    ``evaluate(code, args)`` computes ``eval_js`` values (raise ``FakeJSError`` for a JS error, return
    ``...`` to never answer). ``run_js`` code is passed to ``execute(code, args)`` when given.
    """

    def __init__(
        self,
        evaluate: Callable[[str, dict[str, Any]], Any] = _no_javascript,
        execute: Callable[[str, dict[str, Any]], None] | None = None,
        *,
        user_agent: str = "Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) "
        "Chrome/120.0 Safari/537.36",
        language: str = "en-US",
        send_hello: bool = True,
    ) -> None:
        self.evaluate = evaluate
        self.execute = execute
        self.commands: list[dict[str, Any]] = []
        self.downloads: dict[str, bytes] = {}
        self.env: dict[str, Any] = {}
        self.errors: list[str] = []  # what a real page would have complained about
        self._closed = False
        self.session_closed = False  # the server sent close_session
        self._drained = False  # every message received before the close has been handled
        self._receivers: list[Callable[[dict[str, Any], list[memoryview]], None]] = []
        self._close_callbacks: list[Callable[[], None]] = []
        self._partial_downloads: dict[str, list[bytes]] = {}
        self._inbox: queue.Queue[tuple[dict[str, Any], list[bytes]] | None] = queue.Queue()
        self._changed = threading.Condition()
        self.user_agent, self.language, self.origin = user_agent, language, "http://fake.test"
        self._hello = dict(
            protocol_version=PROTOCOL_VERSION, user_agent=user_agent, language=language, origin=self.origin
        )
        self._send_hello = send_hello
        self._thread = threading.Thread(target=self._run, daemon=True, name="fake-browser")
        self._thread.start()

    # -- Transport ------------------------------------------------------------------------------------------

    def send(self, message: dict[str, Any], buffers: Sequence[bytes | memoryview] = ()) -> None:
        if self._closed:
            return
        wire = json.loads(json.dumps(message))  # what the real page could receive
        self._inbox.put((wire, [bytes(buffer) for buffer in buffers]))

    def on_message(self, callback: Callable[[dict[str, Any], list[memoryview]], None]) -> None:
        self._receivers.append(callback)
        if self._send_hello:
            self.send_event(dict(event="hello", task_id=None, data=self._hello))

    def on_close(self, callback: Callable[[], None]) -> None:
        self._close_callbacks.append(callback)

    def closed(self) -> bool:
        return self._closed

    def close(self) -> None:
        """The page goes away (the tab is closed, or the server closed the connection)."""
        if self._closed:
            return
        self._closed = True
        self._inbox.put(None)
        for callback in self._close_callbacks:
            callback()

    # -- what a user does -----------------------------------------------------------------------------------

    def send_event(self, event: dict[str, Any], buffers: Sequence[bytes] = ()) -> None:
        """Send a raw event (or any message, malformed ones included) to the server."""
        if self._closed:
            return
        for receive in self._receivers:
            receive(json.loads(json.dumps(event)), [memoryview(buffer) for buffer in buffers])

    def click(self, callback_id: str, value: Any = None) -> None:
        """Click a button or link whose callback has this id."""
        self.send_event(dict(event="callback", task_id=callback_id, data=value))

    # -- waiting for the app --------------------------------------------------------------------------------

    def wait_for(self, predicate: Callable[[], bool], timeout: float = 5.0) -> None:
        """Wait until ``predicate()`` is true; raises ``TimeoutError`` naming what was seen."""
        deadline = time.monotonic() + timeout
        with self._changed:
            while not predicate():
                remaining = deadline - time.monotonic()
                if remaining <= 0:
                    raise TimeoutError(f"FakeBrowser waited {timeout} s; commands so far: {self.commands[-5:]!r}")
                self._changed.wait(remaining)

    def wait_closed(self, timeout: float = 5.0) -> None:
        """Wait until the connection is closed and every message sent before has been handled."""
        self.wait_for(lambda: self._drained, timeout)

    def commands_named(self, name: str) -> list[dict[str, Any]]:
        return [command for command in self.commands if command["command"] == name]

    # -- the page -------------------------------------------------------------------------------------------

    def _run(self) -> None:
        while True:
            item = self._inbox.get()
            if item is None:
                with self._changed:
                    self._drained = True
                    self._changed.notify_all()
                return
            message, buffers = item
            message = join_buffers(message, [memoryview(buffer) for buffer in buffers])
            for command in message["commands"]:
                self._handle(command)
            with self._changed:
                self._changed.notify_all()

    def _handle(self, command: dict[str, Any]) -> None:
        if command["command"] != "download":  # chunks are collected, not logged one by one
            self.commands.append(command)
        name, spec = command["command"], command["spec"]
        if name == "run_script":
            if spec.get("eval"):
                self._answer_eval(command["task_id"], spec)
            elif self.execute is not None:
                self.execute(spec["code"], spec["args"])
        elif name == "download":
            self._receive_chunk(command["task_id"], spec)
        elif name == "set_env":
            self.env.update(spec)
        elif name == "close_session":
            self.session_closed = True
        elif name not in COMMANDS:  # as the real page answers a command it does not know
            error = dict(name="TypeError", message=f"unknown command {name!r}", stack="")
            self.send_event(
                dict(event="command_error", task_id=command["task_id"], data=dict(command=name), error=error)
            )

    def _answer_eval(self, task_id: str, spec: dict[str, Any]) -> None:
        try:
            value = self.evaluate(spec["code"], spec["args"])
        except FakeJSError as exc:
            self.send_event(
                dict(
                    event="js_yield",
                    task_id=task_id,
                    data=None,
                    error=dict(name=exc.name, message=str(exc), stack=f"{exc.name}: {exc}"),
                )
            )
            return
        if value is not ...:
            self.send_event(dict(event="js_yield", task_id=task_id, data=value))

    def _receive_chunk(self, task_id: str | None, spec: dict[str, Any]) -> None:
        parts = self._partial_downloads.setdefault(spec["download_id"], [])
        chunk = bytes(spec["chunk"])
        parts.append(chunk)
        self.send_event(
            dict(event="download_ack", task_id=spec["download_id"], data=dict(offset=spec["offset"], length=len(chunk)))
        )
        if spec["last"]:
            content = b"".join(self._partial_downloads.pop(spec["download_id"]))
            if len(content) != spec["size"]:
                self.errors.append(f"download {spec['name']!r}: got {len(content)} of {spec['size']} bytes")
            self.downloads[spec["name"]] = content
            self.commands.append(
                dict(command="download", task_id=task_id, spec=dict(name=spec["name"], size=spec["size"]))
            )


def start_app(app: Callable[[], Any], browser: FakeBrowser, **info: Any) -> Session:
    """Run ``app`` in a new session connected to ``browser``; ``info`` overrides ``session.info`` fields.

    A coroutine app must be started from a running asyncio loop, which then runs it.
    """
    fields = dict(
        user_agent=browser.user_agent,
        user_language=browser.language,
        origin=browser.origin,
        backend="test",
        protocol="fake",
    )
    fields.update(info)
    session = start_session(app, browser, make_session_info(**fields)).session
    assert session is not None
    return session


def census() -> dict[str, int]:
    """Counts of what this process holds for sessions, after a garbage collection.

    ``threads``, ``sessions`` and ``connections`` (objects still alive, closed or not), ``comms`` (open
    Jupyter comms, in a kernel) and ``fds`` (open file descriptors, where ``/proc`` has them). Compare it before
    and after a session's life: a difference is a leak.
    """
    gc.collect()
    # type(), not isinstance(): that asks an object for its __class__, which a lazy proxy (Django's settings)
    # answers by setting itself up, or by raising.
    kinds = [type(o) for o in gc.get_objects()]
    counts = dict(
        threads=threading.active_count(),
        sessions=sum(issubclass(kind, Session) for kind in kinds),
        connections=sum(issubclass(kind, Connection) for kind in kinds),
    )
    comm = sys.modules.get("comm")
    if comm is not None and "ipykernel" in sys.modules:
        counts["comms"] = len(comm.get_comm_manager().comms)
    if os.path.isdir("/proc/self/fd"):
        counts["fds"] = len(os.listdir("/proc/self/fd"))
    return counts
