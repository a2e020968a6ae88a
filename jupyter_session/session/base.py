"""The transport-free core of a session: commands out, events in, requests and replies, callbacks, scopes,
``defer_call`` and close.

A platform creates one session per browser page, drains its commands with ``get_task_commands`` when told to
by ``on_task_command``, and feeds it browser events: ``send_client_event`` for raw ones, ``route_event`` for
events its connection has validated already. Everything else here is called by the app through
``jupyter_session.session``. This is the package's bottom layer: it imports no output, input or platform code.
"""

from __future__ import annotations

import asyncio
import contextlib
import contextvars
import enum
import functools
import itertools
import logging
import queue
import threading
import traceback
from collections import defaultdict
from collections.abc import Callable, Generator, Iterable, Iterator
from concurrent.futures import Future, InvalidStateError
from typing import Any, ClassVar

from .._utils import get_function_name, random_str
from ..exceptions import (
    CommandError,
    JSError,
    ProtocolError,
    SessionClosedException,
    SessionException,
    SessionNotFoundException,
    SessionTimeout,
)
from ..protocol import CALLBACK_EVENTS, PROTOCOL_VERSION, Command, Event, parse_event
from ._info import parse_user_agent
from ._waiting import EventQueue, put_dropping_oldest

__all__ = ["Session", "SessionState", "js_reply_value"]

logger = logging.getLogger(__name__)

# While a session runs its deferred functions it is "current" in that thread or task, so `local` and
# `info` still work there even when the close came from the server side.
_closing_session: contextvars.ContextVar[Session | None] = contextvars.ContextVar(
    "jupyter_session_closing", default=None
)

_ANSWERED_KEPT = 64
# One for all sessions: a lambda here would be one more object in each.
_root_scope_stack: Callable[[], list[str]] = functools.partial(list, ("ROOT",))


class SessionState(enum.Enum):
    OPEN = "open"
    #: Deferred functions are running: `local` and `info` work, commands do not.
    CLOSING = "closing"
    CLOSED = "closed"


class Session:
    """One browser page's session. Subclasses decide how tasks run (threads or coroutines).

    Public attributes, as in PyWebIO: ``internal_save["info"]`` backs ``session.info``; ``save`` backs
    ``session.local``; ``callbacks`` maps callback ids to ``(callback, exclusive)``. ``close_reason`` says why a
    closed session ended.
    """

    #: When true, an unhandled app exception shows its traceback in a popup and the browser console.
    debug: ClassVar[bool] = False
    #: Whether ``hold()`` blocks until the page closes.
    hold_blocks: ClassVar[bool] = True
    #: Whether the page belongs to a server of apps that ``go_app`` can switch between.
    serves_apps: ClassVar[bool] = True
    #: Whether the app's functions are coroutines: then waiting session functions return awaitables.
    runs_coroutines: ClassVar[bool] = False
    #: Thread-based sessions only: whether a waiting function (``eval_js``...) called from ``async`` code
    #: returns an awaitable that waits when awaited, instead of waiting at once. A notebook's async cells
    #: rely on it: the kernel runs them in the thread of its other cells.
    awaitable_in_async_code: ClassVar[bool] = False

    _request_ids = itertools.count(1)

    # -- the current session ----------------------------------------------------------------------------------

    @classmethod
    def get_current_session(cls) -> Session:
        """The session of the calling thread or task.

        Raises ``SessionNotFoundException`` outside any session of this kind and ``SessionClosedException`` in
        one that has closed. While a session runs its deferred functions, it is current there.
        """
        closing = _closing_session.get()
        if isinstance(closing, cls):
            return closing
        session = cls._find_current()
        if session is None:
            raise SessionNotFoundException(cls._not_found_message())
        if session.state is SessionState.CLOSED:
            raise SessionClosedException(session._closed_message())
        return session

    @classmethod
    def _find_current(cls) -> Session | None:
        """The session of the calling thread or task, if it is one of this class."""
        raise NotImplementedError

    @classmethod
    def _not_found_message(cls) -> str:
        return f"no {cls.__name__} is active here"

    @classmethod
    def get_current_task_id(cls) -> str:
        raise NotImplementedError

    def __init__(self, session_info: dict[str, Any]) -> None:
        self.internal_save: dict[str, Any] = dict(info=session_info)
        self.save: dict[Any, Any] = {}
        self.scope_stack: defaultdict[str, list[str]] = defaultdict(_root_scope_stack)
        self.deferred_functions: list[Callable[[], Any]] = []
        self.callbacks: dict[str, tuple[Callable[[Any], Any], bool]] = {}
        self.state = SessionState.OPEN
        self.close_reason = ""
        self._state_lock = threading.Lock()
        # request id -> (what asked, future of the browser's reply event)
        self._pending: dict[str, tuple[str, Future[Event] | asyncio.Future[Event]]] = {}
        # Ids of the latest requests that were answered, to tell a duplicate answer from a stray event. A list:
        # a deque allocates 600 bytes up front, and an idle session answers nothing.
        self._answered: list[str] = []

    # -- scopes -----------------------------------------------------------------------------------------------

    def get_scope_name(self, idx: int) -> str:
        """The scope at ``idx`` of the current task's scope stack. Raises ``ValueError`` if there is none."""
        try:
            return self.scope_stack[type(self).get_current_task_id()][idx]
        except IndexError:
            raise ValueError(f"there is no scope at index {idx} of this task's scope stack") from None

    def pop_scope(self) -> str:
        stack = self.scope_stack[type(self).get_current_task_id()]
        if len(stack) <= 1:
            raise ValueError("the ROOT scope cannot be left: more use_scope() exits than entries")
        return stack.pop()

    def push_scope(self, name: str) -> None:
        self.scope_stack[type(self).get_current_task_id()].append(name)

    # -- commands out -----------------------------------------------------------------------------------------

    def send_task_command(self, command: Command) -> None:
        """Queue a command for the browser. Raises ``SessionClosedException`` once the session is closing."""
        raise NotImplementedError

    def get_task_commands(self) -> list[Command]:
        """Take every queued command, oldest first. Called by the platform."""
        raise NotImplementedError

    def _check_open(self) -> None:
        if self.state is not SessionState.OPEN:
            raise SessionClosedException(self._closed_message())

    def _closed_message(self) -> str:
        return f"the session has closed ({self.close_reason or 'closed'})"

    # -- events in --------------------------------------------------------------------------------------------

    def next_client_event(self, timeout: float | None = None) -> Any:
        """Wait for the next browser event addressed to the current task: the event itself in a thread
        session, an awaitable of it in a coroutine session."""
        raise NotImplementedError

    def send_client_event(self, event: Any) -> None:
        """Hand a raw event from the browser to the session. Safe to call from any thread.

        The event is untrusted: a malformed one is logged and dropped. A platform whose connection validated
        the event already (``protocol.parse_event``) calls ``route_event`` instead.
        """
        try:
            parsed = parse_event(event)
        except ProtocolError as exc:
            # The message, not the exception: its traceback holds the hostile input.
            logger.warning("dropped a malformed event from the browser: %s", str(exc))
            return
        self.route_event(parsed)

    def route_event(self, event: Event) -> None:
        """Deliver a validated event: a reply to its request, else to its task or callback. One for no known
        task is logged and dropped."""
        name = event["event"]
        if name == "hello":
            self._on_hello(event["data"])
            return
        task_id = event["task_id"]
        if task_id is None:  # only a command_error may have none
            logger.warning("the browser could not carry out a command: %.500s", CommandError.from_event(event))
            return
        with self._state_lock:
            pending = self._pending.pop(task_id, None)
            if pending is not None:
                if len(self._answered) >= _ANSWERED_KEPT:
                    del self._answered[0]
                self._answered.append(task_id)
        if pending is not None:
            _resolve(pending[1], CommandError.from_event(event) if name == "command_error" else event)
        elif task_id in self._answered:
            # A second page on the same session (two notebook tabs) answered too; the first answer won.
            logger.debug("dropped a second reply to request %r", task_id)
        elif name == "command_error":
            logger.warning("the browser could not carry out a command: %.500s", CommandError.from_event(event))
        elif not self._to_task_or_callback(task_id, event):
            logger.warning(
                "dropped a %s event for unknown task_id %r (late reply to an expired request?)", name, task_id
            )

    def _to_task_or_callback(self, task_id: str, event: Event) -> bool:
        if task_id in self.callbacks:
            if event["event"] not in CALLBACK_EVENTS:
                return False
            self._run_callback_event(task_id, event)
            return True
        mq = self._event_queue(task_id)
        if mq is None:
            return False
        try:
            mq.put_nowait(event)
        except (queue.Full, asyncio.QueueFull):
            logger.error("event queue of task %r is full; dropped a %s event", task_id, event["event"])
        return True

    def _event_queue(self, task_id: str) -> EventQueue | None:
        """The queue of events for the task ``task_id``, if it has one."""
        raise NotImplementedError

    def _event_queues(self) -> Iterable[EventQueue]:
        """Every queue a task may be waiting on; each gets ``None`` when the session closes."""
        raise NotImplementedError

    def _on_hello(self, hello: dict[str, Any]) -> None:
        if hello["protocol_version"] != PROTOCOL_VERSION:
            logger.error(
                "dropped the browser's hello: incompatible jupyter_session protocol versions: "
                "the browser speaks %r, this package speaks %r; reinstall so both sides match",
                hello["protocol_version"],
                PROTOCOL_VERSION,
            )
            return
        info = self.internal_save["info"]
        if hello.get("user_agent") and not getattr(info.get("user_agent"), "ua_string", ""):
            info["user_agent"] = parse_user_agent(hello["user_agent"])
        for key, field in (("user_language", "language"), ("origin", "origin")):
            if not info.get(key) and hello.get(field):
                info[key] = hello[field]

    # -- request / reply --------------------------------------------------------------------------------------

    def request(self, name: str, command: Command, timeout: float | None) -> Generator[Any, Any, Event]:
        """Send ``command`` and wait for the browser's answer: a generator for ``chose_impl`` functions, run
        with ``yield from``.

        The answer is the reply event. Raises ``SessionTimeout`` after ``timeout`` seconds (``None``: until the
        session closes), ``SessionClosedException`` if the session closes first, and ``CommandError`` when the
        browser could not carry the command out. A late answer is dropped.
        """
        __tracebackhide__ = True
        request_id, future = self.open_request(name, command)
        try:
            event: Event = yield self.wait_reply(name, future, timeout)
            return event
        finally:
            self.cancel_request(request_id)

    def open_request(self, name: str, command: Command) -> tuple[str, Any]:
        """Send a command whose reply comes back as an event addressed to a fresh request id.

        Returns the id and a future of the reply event. The command's ``task_id`` is replaced by the request
        id, so a reply can never be mistaken for another request's, and one arriving after the request gave
        up finds no taker and is dropped.
        """
        request_id = f"{name}-{next(self._request_ids)}-{threading.get_ident() % 10_000}"
        future = self._reply_future()
        with self._state_lock:
            self._check_open()
            self._pending[request_id] = (name, future)
        try:
            self.send_task_command(Command(command=command["command"], task_id=request_id, spec=command["spec"]))
        except BaseException:
            self.cancel_request(request_id)
            raise
        return request_id, future

    def _reply_future(self) -> Future[Event] | asyncio.Future[Event]:
        """A future for one reply: thread-safe here; coroutine sessions, which resolve replies on their own
        loop, use an asyncio future and save a thread hop per reply."""
        return Future()

    def wait_reply(self, name: str, future: Any, timeout: float | None) -> Any:
        """Wait for the reply ``future`` of the request ``name``: the event in a thread session, an awaitable
        of it in a coroutine session. Raises ``SessionTimeout`` after ``timeout`` seconds."""
        raise NotImplementedError

    def cancel_request(self, request_id: str) -> None:
        """Forget a request; a reply that comes later is dropped."""
        with self._state_lock:
            self._pending.pop(request_id, None)

    def timeout_error(self, name: str, timeout: float | None) -> SessionTimeout:
        """The error for a request that got no reply; subclasses add the likely cause."""
        return SessionTimeout(
            f"{name} got no reply from the browser in {timeout:g} s: is the page still open and responsive? "
            f"Pass a larger timeout= if the browser needs longer.",
            request=name,
            timeout=timeout,
        )

    def hold(self) -> Generator[Any, Any, None]:
        """Wait until the session closes (when ``hold_blocks``): a generator for ``chose_impl`` functions."""
        __tracebackhide__ = True
        if not self.hold_blocks:
            return
        while True:
            try:
                yield self.next_client_event()
            except SessionException:
                return

    # -- callbacks --------------------------------------------------------------------------------------------

    def register_callback(self, callback: Callable[[Any], Any], **options: Any) -> str:
        """Register ``callback(data)`` for ``callback`` events; returns the callback id."""
        raise NotImplementedError

    def _add_callback(self, callback: Callable[[Any], Any], exclusive: bool) -> str:
        callback_id = f"CB-{get_function_name(callback, 'callback')}-{random_str(10)}"
        self.callbacks[callback_id] = (callback, exclusive)
        return callback_id

    def _run_callback_event(self, callback_id: str, event: Event) -> None:
        """Run the callback ``callback_id`` for ``event``, without blocking the caller."""
        raise NotImplementedError

    def need_keep_alive(self) -> bool:
        """Whether the session must stay open after its main task ends (it has callbacks)."""
        return bool(self.callbacks)

    # -- lifecycle --------------------------------------------------------------------------------------------

    def defer_call(self, func: Callable[[], Any]) -> None:
        """Run ``func`` when the session closes, in the order registered."""
        self.deferred_functions.append(func)

    def closed(self) -> bool:
        return self.state is not SessionState.OPEN

    def close(self, nonblock: bool = False, reason: str = "closed by the server") -> None:
        """Close the session: run deferred functions, then fail every pending request and wake every waiting
        task with ``SessionClosedException``. Idempotent.

        ``nonblock`` is accepted for PyWebIO compatibility (a platform closing from its event loop).
        """
        pending = self._begin_close(reason)
        if pending is not None:
            self._finish_close(pending)

    def _begin_close(self, reason: str) -> list[Future[Event] | asyncio.Future[Event]] | None:
        """Mark the session closing; its pending requests' futures, or None when it was closing already."""
        with self._state_lock:
            if self.state is not SessionState.OPEN:
                return None
            self.state = SessionState.CLOSING
            self.close_reason = reason
            pending = [future for _name, future in self._pending.values()]
            self._pending.clear()
        return pending

    def _finish_close(self, pending: list[Future[Event] | asyncio.Future[Event]]) -> None:
        """Run the deferred functions, then fail ``pending`` and wake every waiting task."""
        with self._as_current():
            for func in self.deferred_functions:
                try:
                    func()
                except SessionException:
                    logger.exception(
                        "deferred function %r called an interactive function; "
                        "those cannot run while the session closes",
                        func,
                    )
                except Exception:
                    logger.exception("error in deferred function %r", func)
        self.deferred_functions.clear()
        error = SessionClosedException(self._closed_message())
        for future in pending:
            _resolve(future, error)
        self.state = SessionState.CLOSED
        for mq in list(self._event_queues()):
            put_dropping_oldest(mq, None)  # a waiting task takes None as "closed"

    @contextlib.contextmanager
    def _as_current(self) -> Iterator[None]:
        token = _closing_session.set(self)
        try:
            yield
        finally:
            _closing_session.reset(token)

    # -- app errors -------------------------------------------------------------------------------------------

    def on_task_exception(self) -> None:
        """Report the exception being handled: log it and tell the user with a toast or, in debug mode, a
        popup holding the traceback (also written to the browser console), as PyWebIO does."""
        logger.exception("unhandled error in the app")
        if self.closed():
            return
        language = self.internal_save["info"].get("user_language") or ""
        message = "应用发生内部错误" if "zh" in language else "An internal error occurred in the application"
        try:
            task_id = type(self).get_current_task_id()
            for command in _error_report(message, traceback.format_exc() if self.debug else None):
                self.send_task_command(Command(command=command["command"], task_id=task_id, spec=command["spec"]))
        except Exception:  # the session may be closing, or this thread no longer its own
            logger.debug("could not show the error in the page", exc_info=True)


def _error_report(message: str, details: str | None) -> list[Command]:
    """The commands that tell the user of an app error: a toast, or a popup with the traceback and a copy in
    the browser console (what ``toast``, ``popup(put_error(...))`` and ``run_js`` send)."""
    if details is None:
        return [
            Command(
                command="toast",
                task_id=None,
                spec=dict(content=message, duration=1, position="center", color="error", onclick=None),
            )
        ]
    text = dict(type="text", content=details, inline=False)
    popup = dict(
        title=message,
        contents=[dict(type="alert", color="danger", contents=[text], closable=False)],
        size="large",
        implicit_close=True,
        closable=True,
        dom_id="pywebio-scope-_popup_",
    )
    script = dict(code="console.error(details)", args=dict(details=f"Internal Server Error\n{details}"))
    return [
        Command(command="popup", task_id=None, spec=popup),
        Command(command="run_script", task_id=None, spec=script),
    ]


def _resolve(future: Future[Event] | asyncio.Future[Event], outcome: Event | BaseException) -> None:
    # The waiter may have given up (timeout, interrupt) a moment ago; then the outcome has no taker.
    try:
        if isinstance(outcome, BaseException):
            future.set_exception(outcome)
        else:
            future.set_result(outcome)
    except (InvalidStateError, asyncio.InvalidStateError):
        logger.debug("dropped an outcome for a request nobody waits for any more")


def js_reply_value(event: Event) -> Any:
    """The value of a ``js_yield`` reply; raises ``JSError`` when the browser reported an exception."""
    error = event.get("error")
    if error is not None:
        raise JSError(error.get("name", "Error"), error.get("message", ""), error.get("stack", ""))
    return event["data"]
