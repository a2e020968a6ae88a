"""The implementation registry: which session class serves a call, and chose_impl's two faces."""

from __future__ import annotations

import asyncio
import inspect
import threading
from collections.abc import Generator
from typing import Any

import pytest
from helpers import start_app, wait_until

import jupyter_session.session as session_api
from jupyter_session.exceptions import SessionNotFoundException
from jupyter_session.session import (
    CoroutineBasedSession,
    ScriptModeSession,
    ThreadBasedSession,
    check_session_impl,
    chose_impl,
    get_current_session,
    get_current_task_id,
    get_session_implement,
    register_session_implement,
    register_session_implement_for_target,
)
from jupyter_session.session import _registry as session_registry
from jupyter_session.session._info import make_session_info
from jupyter_session.testing import FakeBrowser


def test_register_for_target_picks_the_class_by_function_kind() -> None:
    async def coroutine_app() -> None: ...

    def generator_app() -> Generator[None, None, None]:
        yield

    assert register_session_implement_for_target(lambda: None) is ThreadBasedSession
    assert register_session_implement_for_target(coroutine_app) is CoroutineBasedSession
    assert register_session_implement_for_target(generator_app) is CoroutineBasedSession
    assert session_registry._active_session_cls == [ThreadBasedSession, CoroutineBasedSession]


def test_no_server_can_start_in_script_mode() -> None:
    register_session_implement(ScriptModeSession)
    with pytest.raises(RuntimeError, match="cannot start a server: this process already runs in script mode"):
        register_session_implement_for_target(lambda: None)


def test_with_two_classes_in_use_the_callers_session_decides(loop: Any) -> None:
    seen: list[Any] = []

    def thread_app() -> None:
        seen.append(("thread", get_session_implement(), get_current_task_id().startswith("thread_app-")))

    async def coroutine_app() -> None:
        seen.append(("coroutine", get_session_implement(), get_current_task_id().startswith("coroutine_app-")))

    for app in (thread_app, coroutine_app):
        browser = FakeBrowser()
        start_app(app, browser, loop)
        browser.wait_closed()
    assert seen == [("thread", ThreadBasedSession, True), ("coroutine", CoroutineBasedSession, True)]
    with pytest.raises(SessionNotFoundException, match="no session is active in this thread or task"):
        get_session_implement()


def test_with_no_class_in_use_the_script_mode_starter_runs_once(monkeypatch: pytest.MonkeyPatch) -> None:
    started: list[ScriptModeSession] = []

    def starter() -> type[ScriptModeSession]:
        started.append(ScriptModeSession(threading.current_thread(), make_session_info(backend="stub")))
        return ScriptModeSession

    monkeypatch.setattr(session_registry, "_script_mode_starter", starter)
    assert session_api.info.backend == "stub"
    assert get_current_session() is started[0]
    assert len(started) == 1
    started[0].close()


@chose_impl
def double_of_reply() -> Generator[Any, Any, Any]:
    event = yield session_api.next_client_event()
    return event["data"] * 2


def test_chose_impl_runs_at_once_in_threads_and_returns_a_coroutine_in_coroutine_sessions(loop: Any) -> None:
    seen: list[Any] = []
    registered: list[str] = []

    def thread_app() -> None:
        registered.append(get_current_task_id())
        seen.append(double_of_reply())

    async def coroutine_app() -> None:
        registered.append(get_current_task_id())
        pending = double_of_reply()
        seen.append(inspect.iscoroutine(pending))
        seen.append(await pending)

    for app in (thread_app, coroutine_app):
        registered.clear()
        browser = FakeBrowser()
        start_app(app, browser, loop)
        wait_until(lambda: bool(registered))
        browser.send_event(dict(event="input_event", task_id=registered[0], data=21))
        browser.wait_closed()
    assert seen == [42, True, 42]


def test_check_session_impl_names_both_contexts() -> None:
    register_session_implement(CoroutineBasedSession)

    @check_session_impl(ThreadBasedSession)
    def only_threads() -> None: ...

    with pytest.raises(
        RuntimeError,
        match="Only can invoke `only_threads` in ThreadBasedSession context. "
        "You are now in CoroutineBasedSession context",
    ):
        only_threads()


def test_session_constructors_refuse_the_wrong_kind_of_app() -> None:
    async def coroutine_app() -> None: ...

    with pytest.raises(TypeError, match="use CoroutineBasedSession for the coroutine function 'coroutine_app'"):
        ThreadBasedSession(coroutine_app, make_session_info())
    with pytest.raises(TypeError, match="use ThreadBasedSession for the plain function 'plain'"):
        asyncio.run(_make_coroutine_session(lambda: None))


async def _make_coroutine_session(app: Any) -> None:
    def plain() -> None: ...

    CoroutineBasedSession(plain, make_session_info())


def test_coroutine_session_needs_a_running_loop() -> None:
    async def app() -> None: ...

    with pytest.raises(RuntimeError, match="must be created on a running asyncio event loop"):
        CoroutineBasedSession(app, make_session_info())


def test_script_mode_session_adopts_every_thread_that_calls_it() -> None:
    commands: list[Any] = []
    register_session_implement(ScriptModeSession)
    session = ScriptModeSession(
        threading.current_thread(),
        make_session_info(),
        on_task_command=lambda s: commands.extend(s.get_task_commands()),
    )
    session_api.run_js("main")
    worker = threading.Thread(target=lambda: session_api.run_js("worker"), name="worker")
    worker.start()
    worker.join()
    assert [c["spec"]["code"] for c in commands] == ["main", "worker"]
    assert len(session.task_mqs) == 2
    with pytest.raises(RuntimeError, match="a process has one script session"):
        ScriptModeSession(threading.current_thread(), make_session_info())
    session.close()
