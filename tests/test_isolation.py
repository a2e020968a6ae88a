"""No page can stall the others: what one page sends and what one app does at its close stay off the event
loop every page shares, and idle thread sessions cost no CPU. Real servers of each backend in this process
(as in ``test_web_backends``), a Python client as the page, and a watch on the platform loop's lag.

The browser watchdog (a page's ``eval_js`` p99 while other pages misbehave) is ``e2e/test_isolation_page.py``.
"""

from __future__ import annotations

import asyncio
import json
import threading
import time
from collections.abc import Iterator
from typing import Any

import pytest
from test_tornado_platform import HELLO, connect
from test_web_backends import BACKENDS, Servers

from jupyter_session.exceptions import SessionClosedException
from jupyter_session.output import put_text
from jupyter_session.protocol import encode_frame
from jupyter_session.session import defer_call, eval_js, hold, info
from jupyter_session.session._info import MAX_USER_AGENT


@pytest.fixture(params=BACKENDS)
def backend(request: pytest.FixtureRequest) -> str:
    return str(request.param)


@pytest.fixture
def serve(backend: str, loop: asyncio.AbstractEventLoop) -> Iterator[Servers]:
    servers = Servers(backend, loop)
    yield servers
    servers.stop()


class LoopLag:
    """Records how late a 5 ms timer on ``loop`` fires: ``worst`` is the longest the loop was held (s)."""

    def __init__(self, loop: asyncio.AbstractEventLoop) -> None:
        self.worst = 0.0
        self._loop = loop
        self._running = True
        loop.call_soon_threadsafe(self._tick, time.monotonic())

    def _tick(self, scheduled: float) -> None:
        self.worst = max(self.worst, time.monotonic() - scheduled)
        if self._running:
            self._loop.call_later(0.005, self._tick, time.monotonic() + 0.005)

    def stop(self) -> float:
        self._running = False
        return self.worst


def test_a_huge_user_agent_is_cut_before_it_is_parsed(serve: Servers, loop: asyncio.AbstractEventLoop) -> None:
    """A page's user agent, in its header or its hello, is parsed on the loop: an 8 KB header and a 1 MB
    hello (7 s of parsing uncut) hold it for a few milliseconds, and the app sees the first 512 characters."""
    seen: list[str] = []

    def app() -> None:
        eval_js("1")  # answered after the hello
        seen.append(info.user_agent.ua_string)
        put_text("READY")
        hold()

    port = serve(app)
    huge = "Mozilla/5.0 (X11; Linux x86_64) " + "x" * ((1 << 20) - 1000)

    async def open_page(header: str, hello: str) -> Any:
        page = await connect(port, user_agent=header, hello=False)
        await page.send({**HELLO, "data": {**HELLO["data"], "user_agent": hello}})
        task_id = (await page.next_command("run_script"))["task_id"]
        await page.send({"event": "js_yield", "task_id": task_id, "data": 1})
        await page.next_command("output")
        return page

    async def pages() -> None:
        by_header = await open_page(huge[:8000], "")  # near what servers take in a header line
        by_hello = await open_page("", huge)  # the header is empty: the hello's is taken
        by_header.socket.close()
        by_hello.socket.close()

    lag = LoopLag(loop)
    asyncio.run(pages())
    assert lag.stop() < 0.25
    assert seen == [huge[:MAX_USER_AGENT]] * 2


def test_a_slow_defer_call_runs_off_the_loop(serve: Servers, loop: asyncio.AbstractEventLoop) -> None:
    """A thread app's deferred function runs on a thread of its own when the page closes; while it sleeps
    for 2 s, the loop serves the other pages, and the app's wait ends once it is done."""
    deferred_ran = threading.Event()
    ended: list[str] = []

    def app() -> None:
        defer_call(lambda: (time.sleep(2), deferred_ran.set()))
        put_text("READY")
        try:
            eval_js("new Promise(() => {})", timeout=30)
        except SessionClosedException as exc:
            ended.append(f"deferred ran: {deferred_ran.is_set()}; {exc}")

    port = serve(app)

    async def close_a_page() -> None:
        page = await connect(port)
        await page.next_command("output")
        await page.next_command("run_script")
        page.socket.close()

    lag = LoopLag(loop)
    asyncio.run(close_a_page())
    assert deferred_ran.wait(10)
    assert lag.stop() < 0.25
    deadline = time.monotonic() + 5
    while not ended and time.monotonic() < deadline:
        time.sleep(0.05)
    assert ended == ["deferred ran: True; the session has closed (the browser page was closed)"]


@pytest.mark.parametrize("backend", ["tornado"])  # how a session waits is the session layer's, not a backend's
def test_idle_thread_sessions_use_no_cpu(serve: Servers, loop: asyncio.AbstractEventLoop) -> None:
    """200 thread sessions waiting on their pages: their threads and the server's loop stay under 1 % of a
    core (each waiting thread woke five times a second before: 2-4 % here). Counted by thread, so that what
    other tests left running in this process does not count."""
    before = set(threading.enumerate())
    port = serve(lambda: (put_text("READY"), eval_js("new Promise(() => {})", timeout=600)))
    opened = threading.Event()
    done = threading.Event()

    async def idle_pages() -> None:
        pages = [await connect(port) for _ in range(200)]
        for page in pages:
            await page.next_command("run_script")
        opened.set()
        await asyncio.get_running_loop().run_in_executor(None, done.wait)
        for page in pages:
            page.socket.close()

    client = threading.Thread(target=asyncio.run, args=(idle_pages(),), name="pages")
    client.start()
    try:
        assert opened.wait(60)
        time.sleep(0.5)
        loop_thread = asyncio.run_coroutine_threadsafe(_thread_ident(), loop).result(5)
        sessions = [thread.ident for thread in threading.enumerate() if thread.name.startswith("app-")]
        assert len([thread for thread in threading.enumerate() if thread not in before]) >= 200
        clocks = [time.pthread_getcpuclockid(ident) for ident in [loop_thread, *sessions] if ident is not None]
        started, cpu = time.monotonic(), sum(time.clock_gettime(clock) for clock in clocks)
        time.sleep(3)
        elapsed, used = time.monotonic() - started, sum(time.clock_gettime(clock) for clock in clocks) - cpu
    finally:
        done.set()
        client.join(30)
    assert used / elapsed < 0.01, f"the server used {used / elapsed:.2%} of a core while 200 sessions waited"


async def _thread_ident() -> int:
    return threading.get_ident()


def test_an_eval_js_answer_with_a_binary_buffer_is_dropped(serve: Servers) -> None:
    """Only an upload's chunks carry buffers: a ``js_yield`` in a binary frame is dropped (the app never sees
    a buffer for JSON data), and the request waits on for a proper answer."""
    seen: list[Any] = []
    port = serve(lambda: seen.append(eval_js("navigator.language")))

    async def page() -> None:
        client = await connect(port)
        task_id = (await client.next_command("run_script"))["task_id"]
        forged = {"event": "js_yield", "task_id": task_id, "data": None, "buffer_paths": [["data"]]}
        await client.socket.write_message(encode_frame(forged, [b"binary"]), binary=True)
        await client.send({"event": "js_yield", "task_id": task_id, "data": "de-DE"})
        await client.next_command("close_session")

    asyncio.run(page())
    assert seen == ["de-DE"], json.dumps(seen, default=repr)
