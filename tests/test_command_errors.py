"""Every request gets exactly one reply: when the browser cannot carry a command out, it says so with a
``command_error`` event and the waiting call raises at once with the browser's message."""

from __future__ import annotations

import logging
import time
from typing import Any

import pytest
from helpers import wait_until

from jupyter_session.exceptions import CommandError, JSError, ProtocolError
from jupyter_session.protocol import Command, parse_event
from jupyter_session.session import get_current_session
from jupyter_session.session._bridge import chose_impl
from jupyter_session.testing import FakeBrowser


@chose_impl
def _ask(command: str, timeout: float) -> Any:
    return (yield from get_current_session().request(command, Command(command=command, task_id=None, spec={}), timeout))


@pytest.mark.parametrize("mode", ["thread", "coroutine"])
def test_a_command_the_browser_does_not_know_raises_at_once(run_app: Any, mode: str) -> None:
    outcome: list[Any] = []

    def app() -> None:
        started = time.monotonic()
        try:
            _ask("no_such_command", 30)
        except CommandError as exc:
            outcome.extend([exc, time.monotonic() - started])

    async def coroutine_app() -> None:
        started = time.monotonic()
        try:
            await _ask("no_such_command", 30)
        except CommandError as exc:
            outcome.extend([exc, time.monotonic() - started])

    run_app(app if mode == "thread" else coroutine_app, FakeBrowser())
    error, seconds = outcome
    assert isinstance(error, JSError)  # `except JSError` catches it too
    assert error.command == "no_such_command"
    assert (error.js_name, error.js_message) == ("TypeError", "unknown command 'no_such_command'")
    assert (
        str(error) == "the browser could not carry out 'no_such_command': TypeError: unknown command 'no_such_command'"
    )
    assert seconds < 5, "the call waited for its timeout instead of taking the browser's answer"


def test_a_failed_command_that_nobody_waits_for_is_logged(run_app: Any, caplog: pytest.LogCaptureFixture) -> None:
    def logged() -> list[str]:
        return [record.getMessage() for record in caplog.records if "could not carry out" in record.getMessage()]

    def app() -> None:
        session = get_current_session()
        session.send_task_command(Command(command="no_such_command", task_id="some-task", spec=None))
        session.send_task_command(Command(command="no_such_command", task_id=None, spec=None))
        wait_until(lambda: len(logged()) == 2)  # the page is open until the app ends

    with caplog.at_level(logging.WARNING, logger="jupyter_session"):
        run_app(app, FakeBrowser())
    assert all("unknown command 'no_such_command'" in line for line in logged())


def test_a_huge_browser_message_makes_a_short_log_line(run_app: Any, caplog: pytest.LogCaptureFixture) -> None:
    browser = FakeBrowser()

    def app() -> None:
        error = dict(name="E", message="m" * 10**6)
        browser.send_event(dict(event="command_error", task_id=None, data=dict(command="x"), error=error))

    with caplog.at_level(logging.WARNING, logger="jupyter_session"):
        run_app(app, browser)
    lines = [record.getMessage() for record in caplog.records if "could not carry out" in record.getMessage()]
    assert lines and all(len(line) <= 1000 for line in lines)


@pytest.mark.parametrize(
    "event",
    [
        dict(event="command_error", task_id="t", data=dict(command="x")),  # no error
        dict(event="command_error", task_id="t", data=dict(command=3), error=dict(name="E", message="m")),
        dict(event="command_error", task_id="t", data=None, error=dict(name="E", message="m")),
        dict(event="command_error", task_id="t", data=dict(command="x"), error=dict(name=1, message="m")),
        dict(event="callback", task_id="t", data=None, error=dict(name="E", message="m")),  # error only on replies
    ],
)
def test_malformed_command_errors_are_refused(event: dict[str, Any]) -> None:
    with pytest.raises(ProtocolError):
        parse_event(event)


def test_a_well_formed_command_error_passes() -> None:
    event = dict(event="command_error", task_id=None, data=dict(command=None), error=dict(name="E", message="m"))
    assert parse_event(event)["event"] == "command_error"
