"""SIGTERM on a ``start_server`` process, on each web backend: the open page is told that the server is shutting
down, the session's ``defer_call`` runs, new pages are refused, and the process exits 0; a deferred function
that does not finish within ``shutdown_timeout`` is left behind and the process exits 1 in bounded time."""

from __future__ import annotations

import signal
import time
from typing import Any

import pytest
from pages import BACKENDS, screenshot, wait_text


def _terminate(server: Any) -> tuple[int, float]:
    started = time.monotonic()
    server.process.send_signal(signal.SIGTERM)
    status = server.process.wait(20)
    return status, time.monotonic() - started


@pytest.mark.parametrize("backend", BACKENDS)
def test_sigterm_tells_the_page_runs_defer_call_and_exits_0(page: Any, serve: Any, backend: str) -> None:
    server = serve("shutdown_apps:waits", backend=backend)
    page.goto(server.url)
    wait_text(page, "waiting")
    page.locator("input[type=text]").wait_for()
    status, took = _terminate(server)
    page.locator(".jps-notice", has_text="This session has ended: the server is shutting down.").wait_for()
    screenshot(page, f"shutdown-{backend}")
    output = server.stop()
    assert status == 0, output
    assert "deferred function ran" in output
    assert "Shutting down: ending 1 session (within 10 s)" in output and "Ended 1 session\n" in output
    assert took < 5, output
    assert not page.errors


def test_a_coroutine_session_ends_the_same_way(page: Any, serve: Any) -> None:
    server = serve("shutdown_apps:waits_async")
    page.goto(server.url)
    page.locator("input[type=text]").wait_for()
    status, _took = _terminate(server)
    page.locator(".jps-notice", has_text="the server is shutting down").wait_for()
    output = server.stop()
    assert status == 0, output
    assert "deferred function ran" in output


def test_a_deferred_function_that_does_not_finish_is_left_after_the_timeout(page: Any, serve: Any) -> None:
    server = serve("shutdown_apps:slow_to_close", "--shutdown-timeout", "1")
    page.goto(server.url)
    page.locator("input[type=text]").wait_for()
    status, took = _terminate(server)
    output = server.stop()
    assert status == 1, output
    assert 1 <= took < 5, output
    assert "1 sessions did not finish within the shutdown timeout" in output
    assert "never printed" not in output
