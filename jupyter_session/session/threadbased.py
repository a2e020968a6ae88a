"""Thread-based sessions: each app runs in its own thread and blocking calls wait on queues.

A ``ThreadBasedSession`` ends when its main task and every thread registered with ``register_thread`` have
returned (or when the browser leaves). Threads blocked on the browser then get ``SessionClosedException``;
a registered thread that calls a session function later gets it too.
``ScriptModeSession`` is the single session of a plain script: any thread that uses it joins it.
"""

from __future__ import annotations

import asyncio
import functools
import logging
import queue
import threading
import time
import weakref
from collections.abc import Callable
from concurrent.futures import Future
from concurrent.futures import TimeoutError as FutureTimeout
from typing import Any, ClassVar

from .._utils import get_function_name, iscoroutinefunction, isgeneratorfunction, random_str
from ..exceptions import SessionClosedException, SessionException, SessionNotFoundException
from ..protocol import CALLBACK_EVENTS, Command, Event
from .base import Session, SessionState

__all__ = ["ThreadBasedSession", "ScriptModeSession"]

logger = logging.getLogger(__name__)

# Blocking waits sleep at most this long at a time, so a KeyboardInterrupt (a kernel interrupt) lands.
_WAIT_SLICE = 0.2


def _put_dropping_oldest(mq: queue.Queue[Any], item: Any) -> None:
    while True:
        try:
            mq.put_nowait(item)
            return
        except queue.Full:
            try:
                mq.get_nowait()
            except queue.Empty:
                pass


class ThreadBasedSession(Session):
    """A session whose app is a plain function run in a thread.

    ``on_task_command(session)`` is called when commands are queued (on ``loop`` when given, coalesced so that
    commands queued together are drained together); ``on_session_close()`` when the app ends by itself.
    """

    #: Registered thread -> its session. Weak, so finished threads leave no trace.
    thread2session: ClassVar[weakref.WeakKeyDictionary[threading.Thread, ThreadBasedSession]] = (
        weakref.WeakKeyDictionary()
    )
    _registry_lock: ClassVar[threading.Lock] = threading.Lock()

    event_mq_maxsize: ClassVar[int] = 100
    callback_mq_maxsize: ClassVar[int] = 100

    @classmethod
    def get_current_session(cls) -> ThreadBasedSession:
        closing = cls._closing_session_of_this_kind()
        if closing is not None:
            return closing  # type: ignore[return-value]
        session = cls.thread2session.get(threading.current_thread())
        if session is None or not isinstance(session, cls):
            raise SessionNotFoundException(
                "Can't find current session. Maybe session closed or forget to use `register_thread()`."
            )
        if session.state is SessionState.CLOSED:
            raise SessionClosedException(session._closed_message())
        return session

    @classmethod
    def get_current_task_id(cls) -> str:
        return cls._get_task_id(threading.current_thread())

    @staticmethod
    def _get_task_id(thread: threading.Thread) -> str:
        target = getattr(thread, "_target", None)
        return f"{get_function_name(target, 'task') if target else 'task'}-{id(thread)}"

    def __init__(
        self,
        target: Callable[[], Any] | None,
        session_info: dict[str, Any],
        on_task_command: Callable[[ThreadBasedSession], None] | None = None,
        on_session_close: Callable[[], None] | None = None,
        loop: asyncio.AbstractEventLoop | None = None,
    ) -> None:
        if target is not None and (iscoroutinefunction(target) or isgeneratorfunction(target)):
            raise TypeError(
                "ThreadBasedSession runs a plain function; use CoroutineBasedSession for "
                f"the coroutine function {get_function_name(target)!r}"
            )
        super().__init__(session_info)
        self._on_task_command = on_task_command or (lambda _session: None)
        self._on_session_close = on_session_close or (lambda: None)
        self._loop = loop

        # Weak, as thread2session's keys: a session that held its finished threads would keep their entries
        # in thread2session, and so itself, alive for ever. Running threads are held by ``threading``.
        self.threads: weakref.WeakSet[threading.Thread] = weakref.WeakSet()
        self.task_mqs: dict[str, queue.Queue[Event | None]] = {}
        self._commands: list[Command] = []
        self._commands_lock = threading.Lock()
        self._flush_scheduled = False

        self.callbacks: dict[str, tuple[Callable[[Any], Any], bool]] = {}
        self.callback_mq: queue.Queue[Event | None] | None = None
        self.callback_thread: threading.Thread | None = None

        if target is not None:
            self._start_main_task(target)

    # -- tasks ----------------------------------------------------------------------------------------------

    def _start_main_task(self, target: Callable[[], Any]) -> None:
        @functools.wraps(target)  # task ids name the app, as in PyWebIO
        def main_task() -> None:
            try:
                target()
            except (SessionClosedException, SessionNotFoundException):
                pass
            except Exception:
                self.on_task_exception()
            finally:
                for thread in list(self.threads):
                    if thread.is_alive() and thread is not threading.current_thread():
                        thread.join()
                try:
                    if self.need_keep_alive():
                        from . import hold

                        hold()
                    else:
                        self.send_task_command(dict(command="close_session", task_id=None, spec=None))
                except SessionException:
                    pass
                finally:
                    on_session_close = self._on_session_close
                    self.close(reason="the app finished")
                    self._call_on_loop(on_session_close)

        thread = threading.Thread(target=main_task, daemon=True, name=f"app-{get_function_name(target)}")
        self.register_thread(thread)
        thread.start()

    def register_thread(self, t: threading.Thread) -> None:
        """Let ``t`` use session functions. The session stays open until ``t`` returns."""
        with self._registry_lock:
            self.threads.add(t)
            self.thread2session[t] = self
            task_id = self._get_task_id(t)
            self.task_mqs[task_id] = queue.Queue(maxsize=self.event_mq_maxsize)
        weakref.finalize(t, self.task_mqs.pop, task_id, None)  # the queue goes with its thread

    def _unregister_thread(self, t: threading.Thread) -> None:
        with self._registry_lock:
            self.threads.discard(t)
            self.task_mqs.pop(self._get_task_id(t), None)

    def need_keep_alive(self) -> bool:
        return self.callback_mq is not None

    # -- commands out ---------------------------------------------------------------------------------------

    def send_task_command(self, command: Command) -> None:
        with self._commands_lock:
            self._check_open()
            self._commands.append(command)
            if self._flush_scheduled:
                return
            self._flush_scheduled = True
        if self._loop is None:
            self._run_on_task_command()
            return
        try:
            self._loop.call_soon_threadsafe(self._run_on_task_command)
        except RuntimeError:  # the platform's loop is gone: nobody will ever read these commands
            self.close(nonblock=True, reason="the server stopped")
            raise SessionClosedException(self._closed_message()) from None

    def _run_on_task_command(self) -> None:
        with self._commands_lock:
            self._flush_scheduled = False
        if self._on_task_command is not None:
            self._on_task_command(self)

    def get_task_commands(self) -> list[Command]:
        with self._commands_lock:
            commands, self._commands = self._commands, []
        return commands

    # -- events in ------------------------------------------------------------------------------------------

    def next_client_event(self, timeout: float | None = None) -> Event:
        """Block until the browser sends an event to the current thread's task.

        Raises ``SessionClosedException`` when the session closes meanwhile and ``SessionTimeout`` after
        ``timeout`` seconds (``None``: no limit).
        """
        task_id = self.get_current_task_id()
        mq = self.task_mqs.get(task_id)
        if mq is None:
            raise SessionNotFoundException(f"task {task_id!r} is not registered with this session")
        deadline = None if timeout is None else time.monotonic() + timeout
        while True:
            remaining = _WAIT_SLICE if deadline is None else min(_WAIT_SLICE, deadline - time.monotonic())
            try:
                event = mq.get(timeout=max(remaining, 0))
                break
            except queue.Empty:
                if self.state is SessionState.CLOSED:
                    raise SessionClosedException(self._closed_message()) from None
                if deadline is not None and time.monotonic() >= deadline:
                    raise self.timeout_error("next_client_event", timeout) from None  # type: ignore[arg-type]
        if event is None:
            raise SessionClosedException(self._closed_message())
        return event

    def _dispatch_event(self, event: Event) -> bool:
        task_id = event["task_id"]
        mq = self.task_mqs.get(task_id)  # type: ignore[arg-type]
        if mq is None and task_id in self.callbacks:
            if event["event"] not in CALLBACK_EVENTS:
                return False
            mq = self.callback_mq
        if mq is None:
            return False
        try:
            mq.put_nowait(event)
        except queue.Full:
            logger.error("event queue of task %r is full; dropped a %s event", task_id, event["event"])
        return True

    def request(self, name: str, command: Command, timeout: float | None) -> Event:
        """Send ``command`` and block until the browser answers it.

        Raises ``SessionTimeout`` after ``timeout`` seconds (``None``: until the session closes) and
        ``SessionClosedException`` if the session closes first. A late answer is dropped.
        """
        request_id, future = self.open_request(name, command)
        try:
            return self.wait_reply(name, future, timeout)
        finally:
            self.cancel_request(request_id)

    def wait_reply(self, name: str, future: Future[Event], timeout: float | None) -> Event:
        """Wait for a reply in short slices, so a KeyboardInterrupt lands promptly in the main thread.

        Platforms whose replies need help to arrive (a busy Jupyter kernel) override this.
        """
        deadline = None if timeout is None else time.monotonic() + timeout
        while True:
            remaining = _WAIT_SLICE if deadline is None else min(_WAIT_SLICE, deadline - time.monotonic())
            try:
                return future.result(timeout=max(remaining, 0))
            except FutureTimeout:
                if deadline is not None and time.monotonic() >= deadline:
                    raise self.timeout_error(name, timeout) from None  # type: ignore[arg-type]

    # -- callbacks ------------------------------------------------------------------------------------------

    def register_callback(self, callback: Callable[[Any], Any], serial_mode: bool = False) -> str:  # type: ignore[override]
        """Register ``callback(data)``; returns its id.

        Each event runs the callback in a new thread, or, with ``serial_mode``, one after another in the
        session's callback thread.
        """
        if iscoroutinefunction(callback) or isgeneratorfunction(callback):
            raise TypeError(
                "a thread-based session's callbacks must be plain functions, "
                f"not the coroutine function {get_function_name(callback)!r}"
            )
        self._activate_callback_env()
        callback_id = f"CB-{get_function_name(callback, 'callback')}-{random_str(10)}"
        self.callbacks[callback_id] = (callback, serial_mode)
        return callback_id

    def _activate_callback_env(self) -> None:
        if self.callback_mq is not None:
            return
        self.callback_mq = queue.Queue(maxsize=self.callback_mq_maxsize)
        self.callback_thread = threading.Thread(
            target=self._dispatch_callback_event, daemon=True, name=f"callbacks-{random_str(6)}"
        )
        with self._registry_lock:
            self.thread2session[self.callback_thread] = self
            self.task_mqs[self._get_task_id(self.callback_thread)] = queue.Queue(maxsize=self.event_mq_maxsize)
        self.callback_thread.start()

    def _dispatch_callback_event(self) -> None:
        assert self.callback_mq is not None
        while not self.closed():
            event = self.callback_mq.get()
            if event is None:
                break
            entry = self.callbacks.get(event["task_id"])  # type: ignore[arg-type]
            if entry is None:
                continue
            callback, serial = entry
            if serial:
                self._run_callback(callback, event["data"])
            else:
                run = functools.wraps(callback)(functools.partial(self._run_callback, callback, event["data"], True))
                thread = threading.Thread(target=run, daemon=True, name=f"callback-{get_function_name(callback)}")
                self.register_thread(thread)
                thread.start()
        self.callback_thread = None  # held here, the finished thread would keep its thread2session entry: us

    def _run_callback(self, callback: Callable[[Any], Any], data: Any, own_thread: bool = False) -> None:
        try:
            callback(data)
        except SessionException as exc:
            if not isinstance(exc, (SessionClosedException, SessionNotFoundException)):
                self.on_task_exception()
        except Exception:
            self.on_task_exception()
        finally:
            if own_thread:
                self._unregister_thread(threading.current_thread())

    # -- close ----------------------------------------------------------------------------------------------

    def _call_on_loop(self, func: Callable[[], None] | None) -> None:
        if func is None:
            return
        if self._loop is None:
            func()
            return
        try:
            self._loop.call_soon_threadsafe(func)
        except RuntimeError:  # the loop is closed: the platform is gone already
            pass

    def close(self, nonblock: bool = False, reason: str = "closed by the server") -> None:
        if self.closed():
            return
        super().close(nonblock=nonblock, reason=reason)
        # Commands still queued stay: the drain already scheduled on the loop sends them (a transport that
        # is gone drops them).
        if self.callback_mq is not None:
            _put_dropping_oldest(self.callback_mq, None)
        for mq in list(self.task_mqs.values()):
            _put_dropping_oldest(mq, None)  # a waiting thread takes None as "closed"
        self._on_session_close = None  # type: ignore[assignment]


class ScriptModeSession(ThreadBasedSession):
    """The one session of a script (or a Jupyter kernel): any thread that calls it becomes one of its tasks."""

    instance: ClassVar[ScriptModeSession | None] = None

    @classmethod
    def get_current_session(cls) -> ScriptModeSession:
        closing = cls._closing_session_of_this_kind()
        if closing is not None:
            return closing  # type: ignore[return-value]
        if cls.instance is None:
            raise SessionNotFoundException("Can't find current session. It might be a bug.")
        if cls.instance.state is SessionState.CLOSED:
            raise SessionClosedException(cls.instance._closed_message())
        return cls.instance

    @classmethod
    def get_current_task_id(cls) -> str:
        thread = threading.current_thread()
        task_id = cls._get_task_id(thread)
        session = cls.get_current_session()
        if task_id not in session.task_mqs:
            session.register_thread(thread)
        return task_id

    def __init__(
        self,
        thread: threading.Thread,
        session_info: dict[str, Any],
        on_task_command: Callable[[ThreadBasedSession], None] | None = None,
        loop: asyncio.AbstractEventLoop | None = None,
    ) -> None:
        cls = type(self)
        if cls.instance is not None and not cls.instance.closed():
            raise RuntimeError(f"{cls.__name__} can only be created once per process.")
        super().__init__(target=None, session_info=session_info, on_task_command=on_task_command, loop=loop)
        cls.instance = self
        self.register_thread(thread)
