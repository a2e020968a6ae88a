"""Malformed browser messages are logged and dropped; the session goes on."""

from __future__ import annotations

import logging
import threading
from typing import Any

import pytest
from helpers import start_app, wait_until

from jupyter_session.session import eval_js, get_current_session
from jupyter_session.testing import FakeBrowser

MALFORMED: list[Any] = [
    "not an object",
    ["list"],
    None,
    {},
    {"event": "explode", "task_id": "t", "data": 1},
    {"event": "js_yield", "data": 1},
    {"event": "js_yield", "task_id": 12, "data": 1},
    {"event": "js_yield", "task_id": "x" * 100_000, "data": 1},
    {"event": "js_yield", "task_id": "t"},
    {"event": "js_yield", "task_id": "t", "data": None, "error": ["no"]},
    {"event": "callback", "task_id": "unknown-callback", "data": 1},
    {"event": "from_submit", "task_id": "no-such-task", "data": {}},
    {"event": "download_ack", "task_id": "dl-0", "data": {"offset": 0, "length": 1}},
    {"event": "download_ack", "task_id": "dl-0", "data": "nope"},
    {"event": "hello", "task_id": None, "data": "hi"},
    {"event": "callback", "task_id": "t", "data": 1, "buffer_paths": [["data"]]},  # a path but no buffer
]


@pytest.mark.parametrize("mode", ["thread", "coroutine"])
def test_malformed_events_are_logged_and_dropped_and_the_session_goes_on(
    loop: Any, caplog: pytest.LogCaptureFixture, mode: str
) -> None:
    results: list[Any] = []
    ready = threading.Event()
    go_on = threading.Event()

    def app() -> None:
        ready.set()
        go_on.wait(5)
        results.append(eval_js("still alive"))

    async def coroutine_app() -> None:
        import asyncio

        ready.set()
        await asyncio.get_running_loop().run_in_executor(None, go_on.wait, 5)
        results.append(await eval_js("still alive"))

    browser = FakeBrowser(lambda code, args: code)
    session = start_app(app if mode == "thread" else coroutine_app, browser, loop)
    assert ready.wait(5)
    with caplog.at_level(logging.WARNING):
        for message in MALFORMED:
            browser.send_event(message)
        # Binary parts that do not belong anywhere.
        browser.send_event({"event": "callback", "task_id": "t", "data": 1}, [b"stray"])
        wait_until(lambda: caplog.text.count("dropped") >= len(MALFORMED) + 1)
    go_on.set()
    browser.wait_closed()
    assert results == ["still alive"]
    assert session.close_reason == "the app finished"
    assert all(record.levelno == logging.WARNING for record in caplog.records if "dropped" in record.message)


def test_events_fed_to_the_session_directly_are_validated_too(loop: Any, caplog: pytest.LogCaptureFixture) -> None:
    sessions: list[Any] = []
    done = threading.Event()

    def app() -> None:
        sessions.append(get_current_session())
        done.wait(5)

    browser = FakeBrowser()
    start_app(app, browser, loop)
    wait_until(lambda: bool(sessions))
    for message in MALFORMED:
        sessions[0].send_client_event(message)
    done.set()
    browser.wait_closed()
    assert caplog.text.count("dropped") >= len(MALFORMED) - 2  # download_ack ones are the connection's
    assert sessions[0].close_reason == "the app finished"
