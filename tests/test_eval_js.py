"""eval_js and run_js in thread and coroutine sessions, over the fake browser."""

from __future__ import annotations

import logging
import threading
import time
from typing import Any

import pytest
from helpers import start_app, wait_until

from jupyter_session.exceptions import JSError, SessionClosedException, SessionException, SessionTimeout
from jupyter_session.session import eval_js, run_js
from jupyter_session.testing import FakeBrowser, FakeJSError


def evaluate(code: str, args: dict[str, Any]) -> Any:
    if code == "navigator.language":
        return "en-GB"
    if code == "a + b":
        return args["a"] + args["b"]
    if code == "undefined":
        return None
    if code == "throw":
        raise FakeJSError("x is not defined", "ReferenceError")
    if code == "silent":
        return ...  # never answers
    raise AssertionError(code)


@pytest.mark.parametrize("mode", ["thread", "coroutine"])
def test_eval_js_returns_the_value_with_args_as_data(run_app: Any, mode: str) -> None:
    results: list[Any] = []

    def app() -> None:
        results.append(eval_js("navigator.language"))
        results.append(eval_js("a + b", a=40, b=2))
        results.append(eval_js("undefined"))

    async def coroutine_app() -> None:
        results.append(await eval_js("navigator.language"))
        results.append(await eval_js("a + b", a=40, b=2))
        results.append(await eval_js("undefined"))

    _, browser = run_app(app if mode == "thread" else coroutine_app, FakeBrowser(evaluate))
    assert results == ["en-GB", 42, None]
    specs = [command["spec"] for command in browser.commands_named("run_script")]
    assert specs[1] == {"code": "a + b", "args": {"a": 40, "b": 2}, "eval": True}


@pytest.mark.parametrize("mode", ["thread", "coroutine"])
def test_js_exception_raises_js_error_with_the_browser_message(run_app: Any, mode: str) -> None:
    errors: list[JSError] = []

    def app() -> None:
        try:
            eval_js("throw")
        except JSError as exc:
            errors.append(exc)

    async def coroutine_app() -> None:
        try:
            await eval_js("throw")
        except JSError as exc:
            errors.append(exc)

    run_app(app if mode == "thread" else coroutine_app, FakeBrowser(evaluate))
    (error,) = errors
    assert isinstance(error, SessionException)
    assert str(error) == "ReferenceError: x is not defined"
    assert (error.js_name, error.js_message, error.js_stack) == (
        "ReferenceError",
        "x is not defined",
        "ReferenceError: x is not defined",
    )


@pytest.mark.parametrize("mode", ["thread", "coroutine"])
def test_eval_js_timeout_raises_session_timeout_with_a_clear_message(run_app: Any, mode: str) -> None:
    errors: list[BaseException] = []
    elapsed: list[float] = []

    def app() -> None:
        start = time.monotonic()
        try:
            eval_js("silent", timeout=0.3)
        except SessionTimeout as exc:
            errors.append(exc)
        elapsed.append(time.monotonic() - start)

    async def coroutine_app() -> None:
        start = time.monotonic()
        try:
            await eval_js("silent", timeout=0.3)
        except SessionTimeout as exc:
            errors.append(exc)
        elapsed.append(time.monotonic() - start)

    run_app(app if mode == "thread" else coroutine_app, FakeBrowser(evaluate))
    (error,) = errors
    assert isinstance(error, TimeoutError) and error.timeout == 0.3 and error.request == "eval_js"
    assert str(error).startswith("eval_js got no reply from the browser in 0.3 s: is the page still open")
    assert 0.3 <= elapsed[0] < 2


def test_reply_after_timeout_is_dropped_and_not_given_to_the_next_request(
    loop: Any, caplog: pytest.LogCaptureFixture
) -> None:
    late_replies: list[str] = []
    results: list[Any] = []
    answered = threading.Event()

    def answer_late(code: str, args: dict[str, Any]) -> Any:
        if code == "slow":
            late_replies.append(code)
            return ...
        return "fresh"

    browser = FakeBrowser(answer_late)

    def app() -> None:
        with pytest.raises(SessionTimeout):
            eval_js("slow", timeout=0.2)
        slow_id = browser.commands_named("run_script")[0]["task_id"]
        browser.send_event(dict(event="js_yield", task_id=slow_id, data="stale"))  # the late answer
        results.append(eval_js("next"))
        answered.set()

    with caplog.at_level(logging.WARNING):
        session = start_app(app, browser, loop)
        assert answered.wait(5)
    assert results == ["fresh"]
    assert "dropped a js_yield event for unknown task_id 'eval_js-" in caplog.text
    wait_until(session.closed)


@pytest.mark.parametrize("bad", [0, -1, float("nan")])
def test_eval_js_rejects_a_timeout_that_is_not_positive(run_app: Any, bad: float) -> None:
    errors: list[BaseException] = []

    def app() -> None:
        try:
            eval_js("1", timeout=bad)
        except ValueError as exc:
            errors.append(exc)

    run_app(app)
    assert "timeout must be a positive number of seconds" in str(errors[0])


@pytest.mark.parametrize("func", [run_js, eval_js])
def test_js_args_must_be_json_data(run_app: Any, func: Any) -> None:
    errors: list[BaseException] = []

    def app() -> None:
        try:
            func("x", x=object())
        except TypeError as exc:
            errors.append(exc)

    run_app(app)
    assert "JavaScript arguments must be JSON-serializable" in str(errors[0])


@pytest.mark.parametrize("func", [run_js, eval_js])
def test_js_argument_names_must_be_identifiers_so_they_cannot_be_code(run_app: Any, func: Any) -> None:
    errors: list[str] = []

    def app() -> None:
        for name in ("{[alert(1)]: a}", "a = alert(1)", "", "1a", "a b"):
            try:
                func("1", **{name: 0})
            except ValueError as exc:
                errors.append(str(exc))
        run_js("$ + _a1", **{"$": 1, "_a1": 2})  # identifiers pass

    _session, browser = run_app(app)
    assert len(errors) == 5 and all("argument names must be JavaScript identifiers" in e for e in errors)
    assert [c["spec"]["args"] for c in browser.commands_named("run_script")] == [{"$": 1, "_a1": 2}]


@pytest.mark.parametrize("mode", ["thread", "coroutine"])
def test_run_js_sends_code_and_args_without_waiting(run_app: Any, mode: str) -> None:
    executed: list[tuple[str, dict[str, Any]]] = []

    def app() -> None:
        run_js("console.log(a + b)", a=1, b="</script>")

    async def coroutine_app() -> None:
        run_js("console.log(a + b)", a=1, b="</script>")

    run_app(
        app if mode == "thread" else coroutine_app,
        FakeBrowser(execute=lambda code, args: executed.append((code, args))),
    )
    assert executed == [("console.log(a + b)", {"a": 1, "b": "</script>"})]


def test_eval_js_waiting_when_the_page_closes_raises_session_closed(loop: Any) -> None:
    errors: list[BaseException] = []
    browser = FakeBrowser(evaluate)

    def app() -> None:
        try:
            eval_js("silent", timeout=30)
        except SessionClosedException as exc:
            errors.append(exc)

    session = start_app(app, browser, loop)
    browser.wait_for(lambda: bool(browser.commands_named("run_script")))
    started = time.monotonic()
    browser.close()
    wait_until(lambda: bool(errors))
    assert time.monotonic() - started < 2
    assert "the browser page was closed" in str(errors[0])
    wait_until(session.closed)
