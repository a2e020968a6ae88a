"""Coroutine-based sessions: ``async def`` apps run as asyncio tasks on the platform's event loop.

The session ends when its main task and every task started with ``run_async`` have finished, or when the
browser leaves. Then tasks waiting on the browser get ``SessionClosedException`` at their ``await`` and
the other tasks are cancelled. All methods except ``send_client_event`` and ``close``
must be called on the session's event loop.
"""

from __future__ import annotations

import asyncio
import contextvars
import logging
import threading
import types
from collections.abc import Callable, Coroutine, Iterable
from typing import Any, ClassVar

from .._utils import get_function_name, iscoroutinefunction, isgeneratorfunction, random_str
from ..exceptions import SessionClosedException, SessionNotFoundException
from ..protocol import Command, Event
from ._waiting import EventQueue, TaskEventQueue
from .base import Session

__all__ = ["CoroutineBasedSession", "TaskHandler"]

logger = logging.getLogger(__name__)

# (session, task id) of the task running now; each asyncio task has its own copy.
_current_task: contextvars.ContextVar[tuple[CoroutineBasedSession, str] | None] = contextvars.ContextVar(
    "jupyter_session_task", default=None
)

_OUTSIDE_TASKS = (
    "session functions of a coroutine app must run inside the session's own tasks: the app, its callbacks, and "
    "coroutines started with run_async()"
)


class TaskHandler:
    """The handle of a coroutine task started by ``run_async``."""

    def __init__(self, close: Callable[[], None], closed: Callable[[], bool]) -> None:
        self._close = close
        self._closed = closed

    def close(self) -> None:
        """Close the coroutine task."""
        return self._close()

    def closed(self) -> bool:
        """Whether the coroutine task has finished or been closed."""
        return self._closed()


class CoroutineBasedSession(Session):
    """A session whose app is a coroutine function (or an old-style generator function)."""

    runs_coroutines = True

    #: Thread id of the event loop the first coroutine session ran on (PyWebIO compatibility).
    event_loop_thread_id: ClassVar[int | None] = None

    event_mq_maxsize: ClassVar[int] = 100

    @classmethod
    def _find_current(cls) -> CoroutineBasedSession | None:
        current = _current_task.get()
        return current[0] if current is not None and isinstance(current[0], cls) else None

    @classmethod
    def _not_found_message(cls) -> str:
        return f"no coroutine session here: {_OUTSIDE_TASKS}"

    @classmethod
    def get_current_task_id(cls) -> str:
        current = _current_task.get()
        if current is None:
            raise SessionNotFoundException(f"no coroutine session task here: {_OUTSIDE_TASKS}")
        return current[1]

    def __init__(
        self,
        target: Callable[[], Any],
        session_info: dict[str, Any],
        on_task_command: Callable[[CoroutineBasedSession], None] | None = None,
        on_session_close: Callable[[], None] | None = None,
    ) -> None:
        if not (iscoroutinefunction(target) or isgeneratorfunction(target)):
            raise TypeError(
                "CoroutineBasedSession runs a coroutine function; use ThreadBasedSession for "
                f"the plain function {get_function_name(target)!r}"
            )
        try:
            self._loop = asyncio.get_running_loop()
        except RuntimeError:
            raise RuntimeError(
                "CoroutineBasedSession must be created on a running asyncio event loop: create it from a "
                "coroutine or a callback of that loop"
            ) from None
        super().__init__(session_info)
        cls = type(self)
        if cls.event_loop_thread_id is None:
            cls.event_loop_thread_id = threading.get_ident()
        self._loop_thread = threading.get_ident()
        self._on_task_command: Callable[[CoroutineBasedSession], None] | None = on_task_command
        self._on_session_close: Callable[[], None] | None = on_session_close

        self._commands: list[Command] = []
        self._flush_handle: asyncio.Handle | None = None
        self._tasks: dict[str, _Task] = {}
        self._running_mutex_callbacks: set[str] = set()

        app = types.coroutine(target) if isgeneratorfunction(target) else target
        self._spawn(app(), f"{get_function_name(target, 'coro')}-{random_str(10)}", main=True)

    # -- tasks ------------------------------------------------------------------------------------------------

    def _spawn(self, coro: Coroutine[Any, Any, Any], task_id: str, main: bool = False) -> asyncio.Task[Any]:
        task = self._loop.create_task(self._run_task(coro, task_id, main), name=task_id)
        # A done callback, not a `finally`: a task cancelled before its first step never runs its body.
        task.add_done_callback(self._on_task_finish)
        self._tasks[task_id] = _Task(task, coro, TaskEventQueue(self.event_mq_maxsize))
        return task

    async def _run_task(self, coro: Coroutine[Any, Any, Any], task_id: str, main: bool) -> Any:
        """Run one task's coroutine with the session current; the main task then holds the session open while
        it has callbacks. One coroutine frame for both: an idle session keeps this one waiting."""
        _current_task.set((self, task_id))
        try:
            result = await coro
            if main and self.need_keep_alive() and not self.closed():
                await self.wait_closed()
            return result
        except (SessionClosedException, SessionNotFoundException, asyncio.CancelledError):
            return None
        except Exception:
            self.on_task_exception()
            return None

    def _on_task_finish(self, asyncio_task: asyncio.Task[Any]) -> None:
        task_id = asyncio_task.get_name()
        task = self._tasks.pop(task_id, None)
        if task is not None:
            task.coro.close()  # a no-op once it ran; silences "never awaited" when cancelled before it started
        self.scope_stack.pop(task_id, None)
        if self._tasks or self.closed():
            return
        self.send_task_command(dict(command="close_session", task_id=None, spec=None))
        self._flush()
        on_session_close = self._on_session_close
        self.close(reason="the app finished")
        if on_session_close is not None:
            on_session_close()

    def run_async(self, coro_obj: Coroutine[Any, Any, Any]) -> TaskHandler:
        """Run a coroutine as a new task of this session; session functions work inside it."""
        if not asyncio.iscoroutine(coro_obj):
            raise TypeError(f"run_async() takes a coroutine object, not {type(coro_obj).__name__}")
        self._check_open()
        task_id = f"{getattr(coro_obj, '__name__', 'coro')}-{random_str(10)}"
        task = self._spawn(coro_obj, task_id)
        closed = False

        def close() -> None:
            nonlocal closed
            closed = True
            task.cancel()

        return TaskHandler(close=close, closed=lambda: closed or task.done())

    async def run_asyncio_coroutine(self, coro_obj: Coroutine[Any, Any, Any]) -> Any:
        """Await an asyncio coroutine from the session (kept for PyWebIO compatibility)."""
        if not asyncio.iscoroutine(coro_obj):
            raise TypeError(f"run_asyncio_coroutine() takes a coroutine object, not {type(coro_obj).__name__}")
        return await coro_obj

    # -- commands out -----------------------------------------------------------------------------------------

    def send_task_command(self, command: Command) -> None:
        self._check_open()
        self._commands.append(command)
        if self._flush_handle is None:
            # One drain per loop iteration: commands sent together travel together.
            if threading.get_ident() == self._loop_thread:
                self._flush_handle = self._loop.call_soon(self._flush)
            else:
                self._flush_handle = self._loop.call_soon_threadsafe(self._flush)

    def _flush(self) -> None:
        self._flush_handle = None
        if self._commands and self._on_task_command is not None:
            self._on_task_command(self)

    def get_task_commands(self) -> list[Command]:
        commands, self._commands = self._commands, []
        return commands

    # -- events in --------------------------------------------------------------------------------------------

    async def next_client_event(self, timeout: float | None = None) -> Event:
        """Wait for the next browser event addressed to the current task."""
        task_id = self.get_current_task_id()
        task = self._tasks.get(task_id)
        if task is None:
            raise SessionNotFoundException(f"task {task_id!r} is not part of this session: {_OUTSIDE_TASKS}")
        task.awaits_browser = True
        try:
            get = task.events.get()
            event = await (get if timeout is None else asyncio.wait_for(get, timeout))
        except asyncio.TimeoutError:
            raise self.timeout_error("next_client_event", timeout) from None
        finally:
            task.awaits_browser = False
        if event is None:
            raise SessionClosedException(self._closed_message())
        return event

    async def wait_reply(self, name: str, future: asyncio.Future[Event], timeout: float | None) -> Event:
        """Wait for the browser's answer to the request ``name``; see ``Session.request``."""
        task = self._tasks.get(self.get_current_task_id())
        if task is not None:
            task.awaits_browser = True
        expiry = None if timeout is None else self._loop.call_later(timeout, _expire, future)
        try:
            return await future
        except asyncio.TimeoutError:
            raise self.timeout_error(name, timeout) from None
        finally:
            if expiry is not None:
                expiry.cancel()
            if task is not None:
                task.awaits_browser = False

    async def wait_closed(self) -> None:
        """``hold()``: wait until the session closes, dropping what the page sends meanwhile. A coroutine of its
        own on the task's queue, not ``hold``'s chain of generators and coroutines: every idle session waits
        here, and each frame costs memory."""
        task = self._tasks.get(self.get_current_task_id())
        if task is None:
            raise SessionNotFoundException(f"hold() outside the session's tasks: {_OUTSIDE_TASKS}")
        if self.closed():
            return
        task.awaits_browser = True
        try:
            while await task.events.get() is not None:
                pass
        finally:
            task.awaits_browser = False

    def _reply_future(self) -> asyncio.Future[Event]:
        # Replies are resolved on this session's loop (send_client_event hops there), so a plain asyncio
        # future does: no thread-safe wake-up per reply.
        return self._loop.create_future()

    def route_event(self, event: Event) -> None:
        if threading.get_ident() != self._loop_thread:
            self._loop.call_soon_threadsafe(super().route_event, event)
        else:
            super().route_event(event)

    def _event_queue(self, task_id: str) -> EventQueue | None:
        task = self._tasks.get(task_id)
        return None if task is None else task.events

    def _event_queues(self) -> Iterable[EventQueue]:
        return [task.events for task in self._tasks.values()]

    # -- callbacks --------------------------------------------------------------------------------------------

    def register_callback(self, callback: Callable[[Any], Any], mutex_mode: bool = False) -> str:  # type: ignore[override]
        """Register ``callback(data)``, a plain or coroutine function; returns its id.

        With ``mutex_mode``, clicks that arrive while a coroutine callback still runs are ignored.
        """
        return self._add_callback(callback, mutex_mode)

    def _run_callback_event(self, callback_id: str, event: Event) -> None:
        callback, mutex = self.callbacks[callback_id]
        if mutex and callback_id in self._running_mutex_callbacks:
            return
        token = _current_task.set((self, callback_id))
        try:
            result = callback(event["data"])
            if not (asyncio.iscoroutine(result) or isinstance(result, types.GeneratorType)):
                result = None  # dropped here, where the session is current: an unused output is sent now
        except (SessionClosedException, SessionNotFoundException):
            return
        except Exception:
            self.on_task_exception()
            return
        finally:
            _current_task.reset(token)
        if asyncio.iscoroutine(result) or isinstance(result, types.GeneratorType):
            coro = result if asyncio.iscoroutine(result) else _await_generator(result)
            if mutex:
                self._running_mutex_callbacks.add(callback_id)
                coro = self._release_mutex_after(coro, callback_id)
            self.run_async(coro)

    async def _release_mutex_after(self, coro: Coroutine[Any, Any, Any], callback_id: str) -> Any:
        try:
            return await coro
        finally:
            self._running_mutex_callbacks.discard(callback_id)

    # -- close ------------------------------------------------------------------------------------------------

    def close(self, nonblock: bool = False, reason: str = "closed by the server") -> None:
        if threading.get_ident() != self._loop_thread:
            self._loop.call_soon_threadsafe(self.close, nonblock, reason)
            return
        if self.closed():
            return
        super().close(nonblock=nonblock, reason=reason)
        if self._flush_handle is not None:
            self._flush_handle.cancel()
            self._flush_handle = None
        self._commands = []
        # Tasks awaiting the browser wake up with SessionClosedException (as in PyWebIO); cancelling them
        # too would replace it with CancelledError. The others are cancelled.
        current = asyncio.current_task()
        for task in list(self._tasks.values()):
            if task.asyncio_task is not current and not task.awaits_browser:
                task.asyncio_task.cancel()
        self._on_task_command = None
        self._on_session_close = None


class _Task:
    """One task of a coroutine session: the asyncio task, the coroutine it runs, its browser events, and whether
    it awaits the browser now (``close`` then wakes it with ``SessionClosedException`` instead of cancelling it)."""

    __slots__ = ("asyncio_task", "coro", "events", "awaits_browser")

    def __init__(self, asyncio_task: asyncio.Task[Any], coro: Coroutine[Any, Any, Any], events: TaskEventQueue) -> None:
        self.asyncio_task = asyncio_task
        self.coro = coro
        self.events = events
        self.awaits_browser = False


@types.coroutine
def _await_generator(gen: types.GeneratorType) -> Any:
    return (yield from gen)


def _expire(future: asyncio.Future[Event]) -> None:
    if not future.done():
        future.set_exception(asyncio.TimeoutError())
