"""The loop-lag watchdog: a Chromium page times its ``eval_js`` round trips while 300 idle sessions wait and
other pages do what once stalled every page of a server (a megabyte user agent, slow deferred functions, a
forged binary answer). Its p99 stays under 20 ms."""

from __future__ import annotations

import asyncio
import json
import threading
from typing import Any

from pages import screenshot, wait_text
from test_tornado_platform import HELLO, Page, connect

from jupyter_session.protocol import encode_frame

IDLE_SESSIONS = 300
PROBE_SECONDS = 6


async def _text(page: Page) -> str:
    return str((await page.next_command("output", timeout=15))["spec"]["content"])


async def _misbehave(port: int, idle_open: threading.Event, go: threading.Event, seen: dict[str, Any]) -> None:
    loop = asyncio.get_running_loop()
    idle = [await connect(port, "?app=idle") for _ in range(IDLE_SESSIONS)]
    for page in idle:
        await page.next_command("output", timeout=30)
    idle_open.set()
    await loop.run_in_executor(None, go.wait)

    huge = await connect(port, "?app=idle", user_agent="", hello=False)
    await huge.send({**HELLO, "data": {**HELLO["data"], "user_agent": "Mozilla/5.0 " + "x" * (1 << 20)}})
    seen["huge user agent"] = await _text(huge)

    for _ in range(3):
        slow = await connect(port, "?app=slow_close")
        await _text(slow)
        slow.socket.close()  # its 3 s deferred function runs now

    answer = await connect(port, "?app=answer")
    task_id = (await answer.next_command("run_script"))["task_id"]
    forged = {"event": "js_yield", "task_id": task_id, "data": None, "buffer_paths": [["data"]]}
    await answer.socket.write_message(encode_frame(forged, [b"binary"]), binary=True)
    await answer.send({"event": "js_yield", "task_id": task_id, "data": 1})
    seen["answer"] = await _text(answer)

    for page in [*idle, huge, answer]:
        page.socket.close()


def test_a_page_keeps_its_pace_while_others_misbehave(serve: Any, page: Any) -> None:
    server = serve("isolation_apps:APPS")
    idle_open, go = threading.Event(), threading.Event()
    seen: dict[str, Any] = {}
    failure: list[BaseException] = []

    def others() -> None:
        try:
            asyncio.run(_misbehave(server.port, idle_open, go, seen))
        except BaseException as exc:  # reported below, in the test's thread
            failure.append(exc)
            idle_open.set()

    client = threading.Thread(target=others, name="misbehaving-pages")
    client.start()
    try:
        assert idle_open.wait(120) and not failure, failure
        page.goto(f"{server.url}?app=probe&seconds={PROBE_SECONDS}")
        wait_text(page, "PROBING")
        go.set()
        page.set_default_timeout((PROBE_SECONDS + 20) * 1000)
        figures = json.loads(wait_text(page, "PROBED "))
        screenshot(page, "isolation-probe")
    finally:
        go.set()
        client.join(60)
    print(f"isolation watchdog: {figures}")
    assert not failure, failure
    assert seen == {"huge user agent": "IDLE", "answer": "ANSWER int"}
    assert figures["round_trips"] > 500, figures
    assert figures["p99_ms"] < 20, figures
    assert page.errors == []
