from __future__ import annotations

import asyncio
import threading
from collections.abc import Callable, Iterator
from typing import Any

import pytest
from helpers import start_app, wait_until

from jupyter_session.session import ScriptModeSession, Session, ThreadBasedSession
from jupyter_session.session import _registry as session_registry
from jupyter_session.testing import FakeBrowser


@pytest.fixture(autouse=True)
def fresh_registry() -> Iterator[None]:
    """Each test starts as a fresh process would: no session class in use, no script-mode session."""
    session_registry._active_session_cls.clear()
    ScriptModeSession.instance = None
    yield
    session_registry._active_session_cls.clear()
    ScriptModeSession.instance = None
    ThreadBasedSession.thread2session.pop(threading.current_thread(), None)


@pytest.fixture(scope="session")
def loop() -> Iterator[asyncio.AbstractEventLoop]:
    """A platform event loop in its own thread, as the Tornado server has."""
    loop = asyncio.new_event_loop()
    thread = threading.Thread(target=loop.run_forever, daemon=True, name="platform-loop")
    thread.start()
    yield loop
    loop.call_soon_threadsafe(loop.stop)
    thread.join(5)


@pytest.fixture
def run_app(loop: asyncio.AbstractEventLoop) -> Callable[..., tuple[Session, FakeBrowser]]:
    """Run an app to its end over a fake browser; returns the session and the browser."""

    def run(
        app: Callable[[], Any], browser: FakeBrowser | None = None, timeout: float = 10
    ) -> tuple[Session, FakeBrowser]:
        browser = browser or FakeBrowser()
        session = start_app(app, browser, loop)
        browser.wait_closed(timeout)
        wait_until(session.closed, timeout)
        return session, browser

    return run
