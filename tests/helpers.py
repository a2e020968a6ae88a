"""Helpers for the unit tests: start an app over the fake browser as a platform would, wait a while."""

from __future__ import annotations

import asyncio
import time
from collections.abc import Callable
from typing import Any

from jupyter_session._connection import start_session
from jupyter_session._utils import iscoroutinefunction, isgeneratorfunction
from jupyter_session.session import Session
from jupyter_session.session._info import make_session_info
from jupyter_session.testing import FakeBrowser


def start_app(app: Callable[[], Any], browser: FakeBrowser, loop: asyncio.AbstractEventLoop) -> Session:
    """Start ``app`` over ``browser`` as a platform would: coroutine sessions are created on the loop."""
    # As a server does from the request headers; the browser's hello then confirms the same values.
    info = make_session_info(
        user_agent=browser.user_agent,
        user_language=browser.language,
        origin=browser.origin,
        backend="test",
        protocol="fake",
        server_host="fake.test",
    )
    if iscoroutinefunction(app) or isgeneratorfunction(app):

        async def create() -> Session:
            return start_session(app, browser, info, loop=loop).session  # type: ignore[return-value]

        return asyncio.run_coroutine_threadsafe(create(), loop).result(5)
    return start_session(app, browser, info, loop=loop).session  # type: ignore[return-value]


def wait_until(predicate: Callable[[], bool], timeout: float = 5.0) -> None:
    deadline = time.monotonic() + timeout
    while not predicate():
        if time.monotonic() > deadline:
            raise TimeoutError(f"condition not met in {timeout} s: {predicate}")
        time.sleep(0.005)


def both(thread_app: Any, coroutine_app: Any, mode: str) -> Any:
    """The app for a test parametrized over ``mode`` ("thread" or "coroutine")."""
    return thread_app if mode == "thread" else coroutine_app
