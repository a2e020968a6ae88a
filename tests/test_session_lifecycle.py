"""Session lifetimes: defer_call, hold, register_thread, run_async and TaskHandler, callbacks."""

from __future__ import annotations

import asyncio
import gc
import threading
import time
import weakref
from typing import Any

import pytest
from helpers import both, start_app, wait_until

from jupyter_session.exceptions import SessionClosedException, SessionNotFoundException
from jupyter_session.session import (
    TaskHandler,
    defer_call,
    eval_js,
    get_current_session,
    hold,
    local,
    register_thread,
    run_async,
    run_asyncio_coroutine,
    run_js,
)
from jupyter_session.testing import FakeBrowser

# -- defer_call --------------------------------------------------------------------------------------------


@pytest.mark.parametrize("mode", ["thread", "coroutine"])
def test_defer_call_runs_in_order_when_the_app_ends(run_app: Any, mode: str) -> None:
    calls: list[Any] = []

    def body() -> None:
        local.name = "kept"
        defer_call(lambda: calls.append("first"))

        @defer_call
        def second() -> None:
            calls.append(("second", local.name))

    async def coroutine_app() -> None:
        body()

    session, _ = run_app(both(body, coroutine_app, mode))
    assert calls == ["first", ("second", "kept")]
    assert session.close_reason == "the app finished"


@pytest.mark.parametrize("mode", ["thread", "coroutine"])
def test_defer_call_runs_when_the_app_raises(run_app: Any, mode: str) -> None:
    calls: list[str] = []

    def body() -> None:
        defer_call(lambda: calls.append("cleanup"))
        raise RuntimeError("app bug")

    async def coroutine_app() -> None:
        body()

    _, browser = run_app(both(body, coroutine_app, mode))
    assert calls == ["cleanup"]
    (toast,) = browser.commands_named("toast")
    assert toast["spec"]["content"] == "An internal error occurred in the application"


@pytest.mark.parametrize("mode", ["thread", "coroutine"])
def test_in_debug_mode_an_error_shows_its_traceback_in_a_popup(
    run_app: Any, mode: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    from jupyter_session.session.base import Session

    monkeypatch.setattr(Session, "debug", True)

    def body() -> None:
        raise RuntimeError("app bug <b>")

    async def coroutine_app() -> None:
        body()

    _, browser = run_app(both(body, coroutine_app, mode))
    (popup,) = browser.commands_named("popup")
    assert popup["spec"]["title"] == "An internal error occurred in the application"
    (box,) = popup["spec"]["contents"]
    assert box["type"] == "alert" and box["color"] == "danger"
    assert "RuntimeError: app bug <b>" in box["contents"][0]["content"]
    (script,) = browser.commands_named("run_script")
    assert script["spec"]["args"]["details"].startswith("Internal Server Error\nTraceback")
    assert browser.commands_named("toast") == []


@pytest.mark.parametrize("mode", ["thread", "coroutine"])
def test_defer_call_runs_when_the_browser_disconnects(loop: Any, mode: str) -> None:
    calls: list[str] = []
    waiting = threading.Event()

    def app() -> None:
        defer_call(lambda: calls.append("cleanup"))
        waiting.set()
        hold()

    async def coroutine_app() -> None:
        defer_call(lambda: calls.append("cleanup"))
        waiting.set()
        await hold()

    browser = FakeBrowser()
    session = start_app(both(app, coroutine_app, mode), browser, loop)
    assert waiting.wait(5)
    browser.close()
    wait_until(lambda: calls == ["cleanup"])
    wait_until(session.closed)
    assert session.close_reason == "the browser page was closed"


def test_session_functions_in_a_deferred_function_raise_session_closed(
    run_app: Any, caplog: pytest.LogCaptureFixture
) -> None:
    def app() -> None:
        defer_call(lambda: run_js("too late"))

    _, browser = run_app(app)
    assert "cannot run while the session closes" in caplog.text
    assert browser.commands_named("run_script") == []


# -- threads -----------------------------------------------------------------------------------------------


def test_register_thread_lets_a_thread_use_the_session_and_keeps_it_open(run_app: Any) -> None:
    results: list[Any] = []

    def worker() -> None:
        time.sleep(0.2)
        results.append(eval_js("from thread"))

    def app() -> None:
        thread = threading.Thread(target=worker)
        register_thread(thread)
        thread.start()

    _, browser = run_app(app, FakeBrowser(lambda code, args: code.upper()))
    assert results == ["FROM THREAD"]


def test_an_unregistered_thread_gets_session_not_found(run_app: Any) -> None:
    errors: list[BaseException] = []

    def worker() -> None:
        try:
            run_js("x")
        except SessionNotFoundException as exc:
            errors.append(exc)

    def app() -> None:
        thread = threading.Thread(target=worker)
        thread.start()
        thread.join()

    run_app(app)
    assert "register a thread you start with register_thread(thread)" in str(errors[0])


def test_a_registered_thread_that_outlives_its_session_gets_session_closed(loop: Any) -> None:
    errors: list[BaseException] = []
    page_closed = threading.Event()
    registered = threading.Event()

    def worker() -> None:
        registered.set()
        page_closed.wait(5)
        try:
            run_js("still there?")
        except SessionClosedException as exc:
            errors.append(exc)

    def app() -> None:
        thread = threading.Thread(target=worker, daemon=True)
        register_thread(thread)
        thread.start()

    browser = FakeBrowser()
    session = start_app(app, browser, loop)
    assert registered.wait(5)
    browser.close()
    wait_until(session.closed)
    page_closed.set()
    wait_until(lambda: bool(errors))
    assert "the session has closed (the browser page was closed)" in str(errors[0])


def test_thread_only_functions_refuse_coroutine_sessions(run_app: Any) -> None:
    errors: list[str] = []

    async def app() -> None:
        try:
            register_thread(threading.Thread(target=lambda: None))
        except RuntimeError as exc:
            errors.append(str(exc))

    run_app(app)
    assert errors == [
        "Only can invoke `register_thread` in ThreadBasedSession context. You are now in CoroutineBasedSession context"
        ": make the app a plain `def` function to use it (a coroutine app starts tasks with run_async())"
    ]


# -- coroutine tasks ---------------------------------------------------------------------------------------


def test_run_async_runs_a_task_that_can_use_the_session(run_app: Any) -> None:
    seen: list[Any] = []

    async def child(tag: str) -> None:
        seen.append((tag, await eval_js("child")))

    async def app() -> None:
        handle = run_async(child("a"))
        assert isinstance(handle, TaskHandler)
        await asyncio.sleep(0.05)
        seen.append(handle.closed())

    run_app(app, FakeBrowser(lambda code, args: code + "!"))
    assert seen == [("a", "child!"), True]


def test_task_handler_close_stops_the_task(run_app: Any) -> None:
    seen: list[Any] = []

    async def forever() -> None:
        await asyncio.sleep(60)
        seen.append("not reached")

    async def app() -> None:
        handle = run_async(forever())
        seen.append(handle.closed())
        handle.close()
        seen.append(handle.closed())

    started = time.monotonic()
    run_app(app)
    assert seen == [False, True] and time.monotonic() - started < 5


def test_session_stays_open_until_run_async_tasks_end(run_app: Any) -> None:
    order: list[str] = []

    async def late() -> None:
        await asyncio.sleep(0.2)
        order.append("late task done")
        run_js("from late task")

    async def app() -> None:
        run_async(late())
        order.append("main done")

    _, browser = run_app(app)
    assert order == ["main done", "late task done"]
    assert browser.commands_named("run_script")[0]["spec"]["code"] == "from late task"


def test_run_asyncio_coroutine_awaits_an_asyncio_coroutine(run_app: Any) -> None:
    seen: list[Any] = []

    async def compute() -> int:
        await asyncio.sleep(0.01)
        return 7

    async def app() -> None:
        seen.append(await run_asyncio_coroutine(compute()))

    run_app(app)
    assert seen == [7]


def test_coroutine_only_functions_refuse_thread_sessions(run_app: Any) -> None:
    errors: list[str] = []

    def app() -> None:
        coro = asyncio.sleep(0)
        try:
            run_async(coro)
        except RuntimeError as exc:
            errors.append(str(exc))
        coro.close()

    run_app(app)
    assert errors == [
        "Only can invoke `run_async` in CoroutineBasedSession context. You are now in ThreadBasedSession context"
        ": make the app an `async def` function to use it"
    ]


def test_generator_function_apps_run_as_coroutine_sessions(run_app: Any) -> None:
    seen: list[Any] = []

    def app():  # type: ignore[no-untyped-def]
        seen.append((yield from eval_js("old style")))  # PyWebIO's pre-async syntax

    run_app(app, FakeBrowser(lambda code, args: len(code)))
    assert seen == [9]


# -- callbacks ---------------------------------------------------------------------------------------------


@pytest.mark.parametrize("mode", ["thread", "coroutine"])
def test_callbacks_keep_the_session_open_and_run_on_click(loop: Any, mode: str) -> None:
    clicks: list[Any] = []
    registered: list[str] = []

    def on_click(value: Any) -> None:
        clicks.append((value, local.tag))

    def app() -> None:
        local.tag = "t"
        registered.append(get_current_session().register_callback(on_click))

    async def coroutine_app() -> None:
        local.tag = "t"
        registered.append(get_current_session().register_callback(on_click))

    browser = FakeBrowser()
    session = start_app(both(app, coroutine_app, mode), browser, loop)
    wait_until(lambda: bool(registered))
    browser.click(registered[0], "first")
    browser.click(registered[0], "second")
    wait_until(lambda: len(clicks) == 2)
    assert sorted(clicks) == [("first", "t"), ("second", "t")]
    assert not session.closed()
    browser.close()
    wait_until(session.closed)


def test_an_async_callback_in_a_coroutine_session_can_wait_on_the_browser(loop: Any) -> None:
    answers: list[Any] = []
    registered: list[str] = []

    async def on_click(value: Any) -> None:
        answers.append(await eval_js("clicked"))

    async def app() -> None:
        registered.append(get_current_session().register_callback(on_click))

    browser = FakeBrowser(lambda code, args: code)
    session = start_app(app, browser, loop)
    wait_until(lambda: bool(registered))
    browser.click(registered[0])
    wait_until(lambda: answers == ["clicked"])
    browser.close()
    wait_until(session.closed)


def test_hold_returns_when_the_page_closes_in_a_thread_session(loop: Any) -> None:
    returned = threading.Event()

    def app() -> None:
        hold()
        returned.set()

    browser = FakeBrowser()
    session = start_app(app, browser, loop)
    time.sleep(0.3)
    assert not returned.is_set()  # hold() really holds
    browser.close()
    assert returned.wait(5)
    wait_until(session.closed)


# -- memory ------------------------------------------------------------------------------------------------


@pytest.mark.parametrize("mode", ["thread", "coroutine"])
def test_a_closed_session_is_freed_with_its_threads_and_callbacks(loop: Any, mode: str) -> None:
    from jupyter_session.output import put_buttons

    def worker() -> None:
        try:
            run_js("1")
        except SessionClosedException:  # the page may close first
            pass

    def thread_app() -> None:
        put_buttons(["a"], onclick=lambda _value: None)  # starts the callback thread
        thread = threading.Thread(target=worker)
        register_thread(thread)
        thread.start()

    async def coroutine_app() -> None:
        put_buttons(["a"], onclick=lambda _value: None)
        await hold()

    def open_and_close() -> weakref.ref[Any]:
        browser = FakeBrowser()
        session = start_app(both(thread_app, coroutine_app, mode), browser, loop)
        browser.wait_for(lambda: bool(browser.commands_named("output")))
        browser.close()
        wait_until(session.closed)
        return weakref.ref(session)  # and the page goes, as a real page's transport does

    freed = open_and_close()
    wait_until(lambda: gc.collect() >= 0 and freed() is None)
