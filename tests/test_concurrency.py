"""Many sessions at once: no cross-talk between their replies, state or outputs."""

from __future__ import annotations

import asyncio
from typing import Any

from helpers import start_app, wait_until

from jupyter_session.session import eval_js, local, run_js
from jupyter_session.testing import FakeBrowser

SESSIONS = 200
ROUNDS = 5


def make_browser(identity: int) -> FakeBrowser:
    return FakeBrowser(lambda code, args: {"browser": identity, "asked": args["n"]})


def test_200_thread_sessions_run_concurrently_without_cross_talk(loop: Any) -> None:
    answers: dict[int, list[Any]] = {}

    def make_app(identity: int) -> Any:
        def app() -> None:
            local.identity = identity
            replies = [eval_js("whoami", n=n) for n in range(ROUNDS)]
            answers[identity] = [(reply, local.identity) for reply in replies]
            run_js("done", identity=identity)

        return app

    browsers = [make_browser(i) for i in range(SESSIONS)]
    sessions = [start_app(make_app(i), browser, loop) for i, browser in enumerate(browsers)]
    for browser in browsers:
        browser.wait_closed(60)
    wait_until(lambda: all(session.closed() for session in sessions), 30)
    for i, browser in enumerate(browsers):
        assert answers[i] == [({"browser": i, "asked": n}, i) for n in range(ROUNDS)]
        assert [c["spec"]["args"] for c in browser.commands_named("run_script") if not c["spec"].get("eval")] == [
            {"identity": i}
        ]


def test_200_coroutine_sessions_share_one_loop_without_cross_talk(loop: Any) -> None:
    answers: dict[int, list[Any]] = {}

    def make_app(identity: int) -> Any:
        async def app() -> None:
            local.identity = identity
            replies = []
            for n in range(ROUNDS):
                replies.append(await eval_js("whoami", n=n))
                await asyncio.sleep(0)
            answers[identity] = [(reply, local.identity) for reply in replies]

        return app

    browsers = [make_browser(i) for i in range(SESSIONS)]
    for i, browser in enumerate(browsers):
        start_app(make_app(i), browser, loop)
    for browser in browsers:
        browser.wait_closed(60)
    for i in range(SESSIONS):
        assert answers[i] == [({"browser": i, "asked": n}, i) for n in range(ROUNDS)]


def test_closed_sessions_leave_no_threads_behind(loop: Any) -> None:
    import threading

    from jupyter_session.session import get_current_session

    baseline = threading.active_count()
    registered: list[str] = []

    def app() -> None:  # a callback thread and a waiting main task, ended by the page closing
        registered.append(get_current_session().register_callback(lambda value: None))

    browsers = [FakeBrowser() for _ in range(50)]
    for browser in browsers:
        start_app(app, browser, loop)
    wait_until(lambda: len(registered) == 50)
    for browser, callback_id in zip(browsers, registered):
        browser.click(callback_id)
        browser.close()
    wait_until(lambda: threading.active_count() <= baseline, 10)
