"""Thread-based sessions: each app runs in its own thread and blocking calls wait on queues.

A ``ThreadBasedSession`` ends when its main task and every thread registered with ``register_thread`` have
returned (or when the browser leaves). Threads blocked on the browser then get ``SessionClosedException``;
a registered thread that calls a session function later gets it too.
``ScriptModeSession`` is the single session of a plain script: any thread that uses it joins it.
"""

from __future__ import annotations

import asyncio
import concurrent.futures
import functools
import logging
import math
import queue
import threading
import weakref
from collections.abc import Callable, Iterable
from typing import Any, ClassVar

from .._utils import get_function_name, iscoroutinefunction, isgeneratorfunction, random_str
from ..exceptions import SessionClosedException, SessionException, SessionNotFoundException
from ..protocol import Command, Event
from ._bridge import run_as_function
from ._waiting import EventQueue, wait_until
from .base import Session, SessionState

__all__ = ["ThreadBasedSession", "ScriptModeSession"]

logger = logging.getLogger(__name__)

_CLOSE_SESSION = Command(command="close_session", task_id=None, spec=None)


class ThreadBasedSession(Session):
    """A session whose app is a plain function run in a thread.

    ``on_task_command(session)`` is called when commands are queued (on ``loop`` when given, coalesced so that
    commands queued together are drained together, else at once in the sending thread); ``on_session_close()``
    when the app ends by itself.
    """

    #: Registered thread -> its session. Weak, so finished threads leave no trace.
    thread2session: ClassVar[weakref.WeakKeyDictionary[threading.Thread, ThreadBasedSession]] = (
        weakref.WeakKeyDictionary()
    )
    _registry_lock: ClassVar[threading.Lock] = threading.Lock()

    event_mq_maxsize: ClassVar[int] = 100
    callback_mq_maxsize: ClassVar[int] = 100

    @classmethod
    def _find_current(cls) -> ThreadBasedSession | None:
        session = cls.thread2session.get(threading.current_thread())
        return session if isinstance(session, cls) else None

    @classmethod
    def _not_found_message(cls) -> str:
        return (
            "no session in this thread: call session functions from the app's own thread or a callback, or "
            "register a thread you start with register_thread(thread) before thread.start()"
        )

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
        self._on_task_command: Callable[[ThreadBasedSession], None] | None = on_task_command
        self._on_session_close: Callable[[], None] | None = on_session_close
        self._loop = loop
        self._app_name = get_function_name(target) if target is not None else "script"

        # Weak, as thread2session's keys: a session that held its finished threads would keep their entries
        # in thread2session, and so itself, alive for ever. Running threads are held by ``threading``.
        self.threads: weakref.WeakSet[threading.Thread] = weakref.WeakSet()
        self.task_mqs: dict[str, queue.Queue[Event | None]] = {}
        # Queued commands, each with where it goes (see ``_destination``).
        self._commands: list[tuple[object, Command]] = []
        self._commands_lock = threading.Lock()
        self._flush_scheduled = False

        self.callback_mq: queue.Queue[Event | None] | None = None
        self.callback_thread: threading.Thread | None = None

        if target is not None:
            self._start_main_task(target)

    # -- tasks ------------------------------------------------------------------------------------------------

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
                        run_as_function(self.hold())
                    else:
                        self.send_task_command(_CLOSE_SESSION)
                except SessionException:
                    pass
                finally:
                    on_session_close = self._on_session_close
                    self.close(reason="the app finished")
                    self._call_on_loop(on_session_close)

        thread = threading.Thread(target=main_task, daemon=True, name=f"app-{self._app_name}")
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

    # -- commands out -----------------------------------------------------------------------------------------

    def send_task_command(self, command: Command) -> None:
        destination = self._destination()
        with self._commands_lock:
            self._check_open()
            self._commands.append((destination, command))
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

    def _destination(self) -> object:
        """Where a command sent now by the calling thread goes, kept with it in the queue: one page here;
        the notebook session sends each command to its cell's output."""
        return None

    def _run_on_task_command(self) -> None:
        with self._commands_lock:
            self._flush_scheduled = False
        on_task_command = self._on_task_command
        if on_task_command is not None:
            on_task_command(self)

    def take_addressed_commands(self) -> list[tuple[object, Command]]:
        """Take every queued command with its destination, oldest first."""
        with self._commands_lock:
            commands, self._commands = self._commands, []
        return commands

    def get_task_commands(self) -> list[Command]:
        return [command for _destination, command in self.take_addressed_commands()]

    # -- events in --------------------------------------------------------------------------------------------

    def next_client_event(self, timeout: float | None = None) -> Event:
        """Block until the browser sends an event to the current thread's task.

        Raises ``SessionClosedException`` when the session closes meanwhile and ``SessionTimeout`` after
        ``timeout`` seconds (``None``: no limit).
        """
        __tracebackhide__ = True
        task_id = self.get_current_task_id()
        mq = self.task_mqs.get(task_id)
        if mq is None:
            raise SessionNotFoundException(
                f"task {task_id!r} is not registered with this session: register the thread with "
                "register_thread(thread) before it starts"
            )
        received: list[Event | None] = []

        def ready(seconds: float | None) -> bool:
            try:
                received.append(mq.get(timeout=seconds) if seconds is None or seconds > 0 else mq.get_nowait())
                return True
            except queue.Empty:
                return self.state is SessionState.CLOSED

        if not self._wait(ready, "next_client_event", math.inf if timeout is None else timeout):
            raise self.timeout_error("next_client_event", timeout)
        if not received or received[0] is None:
            raise SessionClosedException(self._closed_message())
        return received[0]

    def wait_reply(self, name: str, future: concurrent.futures.Future[Event], timeout: float | None) -> Event:
        """Block until the browser answers the request ``name``; see ``Session.request``."""
        __tracebackhide__ = True

        def ready(seconds: float | None) -> bool:
            try:
                future.exception(timeout=seconds)  # waits without raising what the future holds
            except concurrent.futures.TimeoutError:
                return False
            return True

        if not self._wait(ready, name, math.inf if timeout is None else timeout):
            raise self.timeout_error(name, timeout)
        return future.result()

    def _wait(self, ready: Callable[[float | None], bool], name: str, timeout: float) -> bool:
        """Wait until ``ready`` (see ``wait_until``); the one place a platform changes how a thread waits
        for the browser (a busy Jupyter kernel must read its replies itself)."""
        __tracebackhide__ = True
        return wait_until(ready, timeout)

    def _event_queue(self, task_id: str) -> EventQueue | None:
        return self.task_mqs.get(task_id)

    def _event_queues(self) -> Iterable[EventQueue]:
        queues: list[EventQueue] = list(self.task_mqs.values())
        if self.callback_mq is not None:
            queues.append(self.callback_mq)
        return queues

    # -- callbacks --------------------------------------------------------------------------------------------

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
        return self._add_callback(callback, serial_mode)

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

    def need_keep_alive(self) -> bool:
        return self.callback_mq is not None

    def _run_callback_event(self, callback_id: str, event: Event) -> None:
        if self.callback_mq is None:
            return
        try:
            self.callback_mq.put_nowait(event)
        except queue.Full:
            logger.error("callback queue is full; dropped a %s event for %r", event["event"], callback_id)

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

    # -- close ------------------------------------------------------------------------------------------------

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
        # Commands still queued stay: the drain already scheduled on the loop sends them (a transport that is
        # gone drops them).
        pending = self._begin_close(reason)
        self._on_session_close = None
        if pending is None:
            return
        if self._loop is None or asyncio._get_running_loop() is not self._loop:
            self._finish_close(pending)
            return
        # Closed by the platform, on the loop every page shares: the deferred functions are app code, and a
        # slow one there would stall every other page. Not a daemon, so that they finish before the process
        # exits.
        closer = threading.Thread(target=self._finish_close, args=(pending,), name=f"close-{self._app_name}")
        try:
            closer.start()
        except RuntimeError:  # the interpreter is shutting down and starts no more threads
            self._finish_close(pending)


class ScriptModeSession(ThreadBasedSession):
    """The one session of a script (or a Jupyter kernel): any thread that calls it becomes one of its tasks."""

    instance: ClassVar[ScriptModeSession | None] = None

    @classmethod
    def _find_current(cls) -> ScriptModeSession | None:
        return cls.instance

    @classmethod
    def _not_found_message(cls) -> str:
        return (
            f"no {cls.__name__} has started in this process: it starts on the first session call of a plain "
            "script; create it before using it"
        )

    @classmethod
    def get_current_task_id(cls) -> str:
        thread = threading.current_thread()
        task_id = cls._get_task_id(thread)
        session = cls.get_current_session()
        assert isinstance(session, ScriptModeSession)
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
            raise RuntimeError(f"a {cls.__name__} is open already: a process has one script session; close it first")
        super().__init__(target=None, session_info=session_info, on_task_command=on_task_command, loop=loop)
        cls.instance = self
        self.register_thread(thread)
