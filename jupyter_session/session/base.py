"""The transport-free core of a session: commands out, events in, replies, scopes, ``defer_call``, close.

A platform (the Tornado server, the Jupyter comm) creates one session per browser page, drains its
commands with ``get_task_commands`` when told to by ``on_task_command``, and feeds browser events to
``send_client_event``. Everything else here is called by the app through ``jupyter_session.session``.
"""

from __future__ import annotations

import asyncio
import collections
import contextlib
import contextvars
import enum
import itertools
import logging
import threading
import traceback
from collections import defaultdict
from collections.abc import Callable, Iterator, Mapping
from concurrent.futures import Future, InvalidStateError
from typing import Any, ClassVar

import user_agents

from ..exceptions import (
    JSError,
    ProtocolError,
    SessionClosedException,
    SessionException,
    SessionTimeout,
)
from ..protocol import PROTOCOL_VERSION, Command, Event, parse_event

__all__ = ["Session", "SessionState", "make_session_info", "get_session_info_from_headers"]

logger = logging.getLogger(__name__)

# While a session runs its deferred functions it is "current" in that thread or task, so `local` and
# `info` still work there even when the close came from the server side.
_closing_session: contextvars.ContextVar[Session | None] = contextvars.ContextVar(
    "jupyter_session_closing", default=None
)


_ANSWERED_KEPT = 64


class SessionState(enum.Enum):
    OPEN = "open"
    #: Deferred functions are running: `local` and `info` work, commands do not.
    CLOSING = "closing"
    CLOSED = "closed"


def make_session_info(
    user_agent: str = "",
    user_language: str = "",
    server_host: str = "",
    origin: str = "",
    user_ip: str = "",
    backend: str = "",
    protocol: str = "",
    request: Any = None,
) -> dict[str, Any]:
    """Build the dict behind ``session.info``; ``user_agent`` is parsed with ``user-agents``."""
    return dict(
        user_agent=user_agents.parse(user_agent),
        user_language=user_language,
        server_host=server_host,
        origin=origin,
        user_ip=user_ip,
        backend=backend,
        protocol=protocol,
        request=request,
    )


def get_session_info_from_headers(headers: Mapping[str, str]) -> dict[str, Any]:
    """Session info from HTTP request headers (User-Agent, Accept-Language, Host, Origin), as PyWebIO."""
    language = headers.get("Accept-Language", "").split(",", 1)[0].split(";", 1)[0].strip()
    return make_session_info(
        user_agent=headers.get("User-Agent", ""),
        user_language=language,
        server_host=headers.get("Host", ""),
        origin=headers.get("Origin", ""),
    )


class Session:
    """One browser page's session. Subclasses decide how tasks run (threads or coroutines).

    Public attributes, as in PyWebIO: ``internal_save["info"]`` backs ``session.info``; ``save`` backs
    ``session.local``. ``close_reason`` says why a closed session ended.
    """

    #: When true, an unhandled app exception also shows its traceback in the browser console.
    debug: ClassVar[bool] = False
    #: Whether ``hold()`` blocks until the page closes.
    hold_blocks: ClassVar[bool] = True
    #: Whether the page belongs to a server of apps that ``go_app`` can switch between.
    serves_apps: ClassVar[bool] = True
    #: Thread-based sessions only: whether a waiting function (``eval_js``...) called from ``async`` code
    #: returns an awaitable that waits when awaited, instead of waiting at once. A notebook's async cells
    #: rely on it: the kernel runs them in the thread of its other cells.
    awaitable_in_async_code: ClassVar[bool] = False

    _request_ids = itertools.count(1)

    @staticmethod
    def get_current_session() -> Session:
        raise NotImplementedError

    @staticmethod
    def get_current_task_id() -> str:
        raise NotImplementedError

    def __init__(self, session_info: dict[str, Any]) -> None:
        self.internal_save: dict[str, Any] = dict(info=session_info)
        self.save: dict[Any, Any] = {}
        self.scope_stack: defaultdict[str, list[str]] = defaultdict(lambda: ["ROOT"])
        self.deferred_functions: list[Callable[[], Any]] = []
        self.state = SessionState.OPEN
        self.close_reason = ""
        self._state_lock = threading.Lock()
        # request id -> (what asked, future of the browser's reply event)
        self._pending: dict[str, tuple[str, Future[Event]]] = {}
        # Ids of the latest requests that were answered, to tell a duplicate answer from a stray event.
        self._answered: collections.deque[str] = collections.deque(maxlen=_ANSWERED_KEPT)

    # -- scopes -------------------------------------------------------------------------------------------

    def get_scope_name(self, idx: int) -> str:
        """The scope at ``idx`` of the current task's scope stack. Raises ``ValueError`` if there is none."""
        try:
            return self.scope_stack[type(self).get_current_task_id()][idx]
        except IndexError:
            raise ValueError("Scope not found") from None

    def pop_scope(self) -> str:
        stack = self.scope_stack[type(self).get_current_task_id()]
        if len(stack) <= 1:
            raise ValueError("ROOT Scope can't pop")
        return stack.pop()

    def push_scope(self, name: str) -> None:
        self.scope_stack[type(self).get_current_task_id()].append(name)

    # -- commands out ---------------------------------------------------------------------------------------

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

    # -- events in ------------------------------------------------------------------------------------------

    def next_client_event(self) -> Any:
        """Wait for the next browser event addressed to the current task."""
        raise NotImplementedError

    def send_client_event(self, event: Any) -> None:
        """Hand an event from the browser to the session. Safe to call from any thread.

        The event is untrusted: a malformed one, or one for no known task, is logged and dropped.
        """
        try:
            event = parse_event(event)
        except ProtocolError as exc:
            # The message, not the exception: its traceback holds the hostile input.
            logger.warning("dropped a malformed event from the browser: %s", str(exc))
            return
        if event["event"] == "hello":
            self._on_hello(event["data"])
            return
        task_id = event["task_id"]
        with self._state_lock:
            pending = self._pending.pop(task_id, None)  # type: ignore[arg-type]
            if pending is not None:
                self._answered.append(task_id)  # type: ignore[arg-type]
        if pending is not None:
            _resolve(pending[1], event)
        elif task_id in self._answered:
            # A second page on the same session (two notebook tabs) answered too; the first answer won.
            logger.debug("dropped a second reply to request %r", task_id)
        elif not self._dispatch_event(event):
            logger.warning(
                "dropped a %s event for unknown task_id %r (late reply to an expired request?)", event["event"], task_id
            )

    def _dispatch_event(self, event: Event) -> bool:
        """Deliver an event to its task or callback. Returns False if nothing wants it."""
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
            info["user_agent"] = user_agents.parse(hello["user_agent"])
        for key, field in (("user_language", "language"), ("origin", "origin")):
            if not info.get(key) and hello.get(field):
                info[key] = hello[field]

    # -- request / reply ------------------------------------------------------------------------------------

    def open_request(self, name: str, command: Command) -> tuple[str, Future[Event]]:
        """Send a command whose reply comes back as an event addressed to a fresh request id.

        Returns the id and a thread-safe future of the reply event. The command's ``task_id`` is replaced by
        the request id, so a reply can never be mistaken for another request's, and one arriving after the
        request gave up finds no taker and is dropped.
        """
        request_id = f"{name}-{next(self._request_ids)}-{threading.get_ident() % 10_000}"
        future = self._reply_future()
        with self._state_lock:
            self._check_open()
            self._pending[request_id] = (name, future)
        try:
            self.send_task_command(dict(command, task_id=request_id))  # type: ignore[typeddict-item]
        except BaseException:
            self.cancel_request(request_id)
            raise
        return request_id, future

    def _reply_future(self) -> Future[Event]:
        """A future for one reply: thread-safe here; coroutine sessions, which resolve replies on their own
        loop, use an asyncio future and save a thread hop per reply."""
        return Future()

    def cancel_request(self, request_id: str) -> None:
        """Forget a request; a reply that comes later is dropped."""
        with self._state_lock:
            self._pending.pop(request_id, None)

    def timeout_error(self, name: str, timeout: float) -> SessionTimeout:
        """The error for a request that got no reply; subclasses add the likely cause."""
        return SessionTimeout(
            f"{name} got no reply from the browser in {timeout:g} s: is the page still open and responsive? "
            f"Pass a larger timeout= if the browser needs longer.",
            request=name,
            timeout=timeout,
        )

    # -- lifecycle ------------------------------------------------------------------------------------------

    def defer_call(self, func: Callable[[], Any]) -> None:
        """Run ``func`` when the session closes, in the order registered."""
        self.deferred_functions.append(func)

    def closed(self) -> bool:
        return self.state is not SessionState.OPEN

    def close(self, nonblock: bool = False, reason: str = "closed by the server") -> None:
        """Close the session: run deferred functions, then fail every pending wait. Idempotent.

        ``nonblock`` is accepted for PyWebIO compatibility (a platform closing from its event loop).
        """
        with self._state_lock:
            if self.state is not SessionState.OPEN:
                return
            self.state = SessionState.CLOSING
            self.close_reason = reason
            pending = list(self._pending.values())
            self._pending.clear()
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
        for _name, future in pending:
            _resolve(future, error)
        self.state = SessionState.CLOSED

    @contextlib.contextmanager
    def _as_current(self) -> Iterator[None]:
        token = _closing_session.set(self)
        try:
            yield
        finally:
            _closing_session.reset(token)

    @classmethod
    def _closing_session_of_this_kind(cls) -> Session | None:
        session = _closing_session.get()
        return session if isinstance(session, cls) else None

    # -- app errors and callbacks ---------------------------------------------------------------------------

    def on_task_exception(self) -> None:
        """Report the exception being handled: log it and tell the user with a toast or, in debug mode, a
        popup holding the traceback (also written to the browser console), as PyWebIO does."""
        logger.exception("unhandled error in the app")
        if self.closed():
            return
        language = self.internal_save["info"].get("user_language") or ""
        message = "应用发生内部错误" if "zh" in language else "An internal error occurred in the application"
        # Imported here: both are built on this module.
        from ..output import PopupSize, popup, put_error, toast
        from . import run_js

        try:
            if self.debug:
                details = traceback.format_exc()
                popup(title=message, content=put_error(details), size=PopupSize.LARGE)
                run_js("console.error(details)", details=f"Internal Server Error\n{details}")
            else:
                toast(message, duration=1, color="error")
        except Exception:  # the session may be closing, or this thread no longer its own
            logger.debug("could not show the error in the page", exc_info=True)

    def register_callback(self, callback: Callable[..., Any], **options: Any) -> str:
        """Register ``callback(data)`` for ``callback`` events; returns the callback id."""
        raise NotImplementedError

    def need_keep_alive(self) -> bool:
        """Whether the session must stay open after its main task ends (it has callbacks)."""
        raise NotImplementedError


def _resolve(future: Future[Event], outcome: Event | BaseException) -> None:
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
