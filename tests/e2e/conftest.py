"""Browser tests: a real server in a subprocess, driven by Playwright on Debian's Chromium.

Screenshots go to ``tests/e2e/screenshots/`` (git-ignored) so a person can look at what the page showed.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from pages import BACKENDS, CHROMIUM_ARGS, Server, chromium_path


# Module scope: Playwright's sync API keeps an asyncio loop running in this thread while it is open, which
# would break the unit tests that call asyncio.run after it.
@pytest.fixture(scope="module")
def browser() -> Iterator[Any]:
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=chromium_path(), args=CHROMIUM_ARGS)
        yield browser
        browser.close()


@pytest.fixture
def page(browser: Any, tmp_path: Path) -> Iterator[Any]:
    context = browser.new_context(accept_downloads=True)
    page = context.new_page()
    page.set_default_timeout(15_000)
    errors: list[str] = []
    page.on("pageerror", lambda error: errors.append(str(error)))
    page.errors = errors  # type: ignore[attr-defined]
    yield page
    context.close()


@pytest.fixture(params=BACKENDS)
def backend(request: pytest.FixtureRequest) -> str:
    """A test that takes this runs once on each web backend; it passes it on: ``serve(app, backend=backend)``."""
    return str(request.param)


@pytest.fixture
def serve() -> Iterator[Any]:
    """``serve(app, *options, env=None, backend="tornado")`` starts ``serve.py`` (see there) and returns its
    ``Server``; every server started is stopped after the test."""
    servers: list[Server] = []

    def start(app: str, *options: str, env: dict[str, str] | None = None, backend: str = "tornado") -> Server:
        servers.append(Server(app, *options, env=env, backend=backend))
        return servers[-1]

    yield start
    for server in servers:
        server.stop()
