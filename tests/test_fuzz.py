"""Thousands of hostile messages, to the session layer and to the Tornado handler: each is dropped with a log
line, the session stays alive and answers afterwards, and memory stays bounded."""

from __future__ import annotations

import asyncio
import gc
import json
import logging
import random
import threading
import tracemalloc
from collections.abc import Iterator
from typing import Any

import pytest
from helpers import start_app, wait_until
from test_tornado_platform import connect, serve  # noqa: F401  (the server fixture)

from jupyter_session.protocol import EVENTS, encode_frame
from jupyter_session.session import eval_js
from jupyter_session.testing import FakeBrowser

COUNT = 3000
SEED = 20261125


def _junk(rng: random.Random, depth: int = 0) -> Any:
    kind = rng.randrange(8 if depth < 3 else 5)
    if kind == 0:
        return None
    if kind == 1:
        return rng.choice([True, False, -1, 0, 2**70, 1e308, float("nan")])
    if kind == 2:
        return "".join(rng.choice("ab<>\"'\\\x00é☃") for _ in range(rng.randrange(20)))
    if kind == 3:
        return "x" * rng.choice([1000, 100_000, 900_000])
    if kind == 4:
        return rng.choice(["", "t", "run_script-1-1", "CB-x-1"])
    if kind == 5:
        return [_junk(rng, depth + 1) for _ in range(rng.randrange(4))]
    return {
        rng.choice(["event", "task_id", "data", "error", "buffer_paths", "x"]): _junk(rng, depth + 1)
        for _ in range(rng.randrange(5))
    }


def hostile_events(rng: random.Random, replayed: str) -> Iterator[tuple[Any, list[bytes]]]:
    """Malformed, misaddressed, oversized and replayed events, none of which any task or callback expects."""
    names = sorted(EVENTS - {"hello"})
    while True:
        kind = rng.randrange(9)
        name = rng.choice(names)
        if kind == 0:
            yield _junk(rng), []
        elif kind == 1:  # a known event with fields of the wrong types
            yield {"event": name, "task_id": _junk(rng), "data": _junk(rng)}, []
        elif kind == 2:  # unknown event names
            yield {"event": f"no-such-{rng.randrange(100)}", "task_id": "t", "data": 1}, []
        elif kind == 3:  # well formed, for task ids nobody has
            yield {"event": name, "task_id": f"guess-{rng.randrange(10**9)}", "data": _junk(rng)}, []
        elif kind == 4:  # the reply to a request that was answered already
            yield {"event": "js_yield", "task_id": replayed, "data": "again"}, []
        elif kind == 5:  # buffers that do not fit their paths
            paths = rng.choice([[["data"]], [["nowhere", "x"]], [], "paths", [[]]])
            yield {"event": "callback", "task_id": "t", "data": 1, "buffer_paths": paths}, [b"\x00" * rng.randrange(9)]
        elif kind == 6:  # file chunks out of place: no form, bad offsets, too large
            chunk = b"c" * rng.choice([0, 10, (1 << 20) + 1])
            yield (
                {
                    "event": "file_chunk",
                    "task_id": f"t{rng.randrange(9)}",
                    "buffer_paths": [["data", "chunk"]],
                    "data": {"upload_id": "u", "name": "f", "offset": rng.randrange(-2, 3), "chunk": None},
                },
                [chunk],
            )
        elif kind == 7:  # a hello that breaks its shape
            yield {"event": "hello", "task_id": rng.choice([None, "t"]), "data": {"protocol_version": _junk(rng)}}, []
        else:  # errors on events that may not carry them
            yield {"event": name, "task_id": "t", "data": 1, "error": _junk(rng)}, []


class DropCounter(logging.Handler):
    """Counts the "dropped" log lines and keeps the longest message's length (keeps no records: memory is
    measured meanwhile)."""

    def __init__(self) -> None:
        super().__init__(logging.DEBUG)
        self.dropped = 0
        self.longest = 0

    def emit(self, record: logging.LogRecord) -> None:
        message = record.getMessage()
        self.dropped += "dropped" in message
        self.longest = max(self.longest, len(message))

    def __enter__(self) -> DropCounter:
        self.logger = logging.getLogger("jupyter_session")
        self.level = self.logger.level
        self.logger.addHandler(self)
        self.logger.setLevel(logging.DEBUG)
        return self

    def __exit__(self, *exc_info: Any) -> None:
        self.logger.removeHandler(self)
        self.logger.setLevel(self.level)


def _traced_growth(action: Any) -> int:
    gc.collect()
    tracemalloc.start()
    before = tracemalloc.take_snapshot()
    action()
    gc.collect()
    after = tracemalloc.take_snapshot()
    tracemalloc.stop()
    # Log records that pytest keeps for its report are not the session's memory.
    ignore = [tracemalloc.Filter(False, logging.__file__), tracemalloc.Filter(False, "*/_pytest/*")]
    return sum(
        stat.size_diff for stat in after.filter_traces(ignore).compare_to(before.filter_traces(ignore), "filename")
    )


@pytest.mark.parametrize("mode", ["thread", "coroutine"])
def test_the_session_layer_drops_thousands_of_hostile_events(loop: Any, mode: str) -> None:
    results: list[Any] = []
    first_done = threading.Event()
    go_on = threading.Event()

    def app() -> None:
        results.append(eval_js("first"))
        first_done.set()
        go_on.wait(60)
        results.append(eval_js("still alive"))

    async def coroutine_app() -> None:
        results.append(await eval_js("first"))
        first_done.set()
        await asyncio.get_running_loop().run_in_executor(None, go_on.wait, 60)
        results.append(await eval_js("still alive"))

    browser = FakeBrowser(lambda code, args: code)
    session = start_app(app if mode == "thread" else coroutine_app, browser, loop)
    assert first_done.wait(5)
    replayed = browser.commands_named("run_script")[0]["task_id"]
    events = hostile_events(random.Random(SEED), replayed)

    def send_all() -> None:
        for _ in range(COUNT):
            message, buffers = next(events)
            session.send_client_event(message) if not buffers else browser.send_event(message, buffers)

    with DropCounter() as log:

        def send_and_wait_for_the_drops() -> None:
            send_all()
            wait_until(lambda: log.dropped >= COUNT, timeout=30)

        growth = _traced_growth(send_and_wait_for_the_drops)
    go_on.set()
    browser.wait_closed()
    assert results == ["first", "still alive"]
    assert session.close_reason == "the app finished"
    assert growth < 2 << 20, f"memory grew by {growth} bytes over {COUNT} hostile events"
    assert log.longest < 1000  # untrusted values are cut short in log lines


def test_the_tornado_handler_drops_thousands_of_hostile_frames(serve: Any) -> None:  # noqa: F811
    results: list[Any] = []
    port = serve(lambda: results.append([eval_js("1"), eval_js("2")]))
    rng = random.Random(SEED)

    async def page() -> int:
        client = await connect(port)
        first = await client.next_command("run_script")
        await client.send({"event": "js_yield", "task_id": first["task_id"], "data": 1})
        second = await client.next_command("run_script")
        events = hostile_events(rng, first["task_id"])
        sent = 0
        for _ in range(COUNT):
            message, buffers = next(events)
            choice = rng.randrange(10)
            if choice == 0:  # not JSON at all, or JSON nested beyond any parser's recursion limit
                await client.socket.write_message(rng.choice(["{nope", "[" * 100_000, "\x00", '"' + "a" * 1000]))
            elif choice == 1:  # binary frames out of order or truncated
                frame = encode_frame(message if isinstance(message, dict) else {"x": 1}, buffers or [b"b"])[: 1 << 19]
                cut = rng.randrange(len(frame))
                await client.socket.write_message(frame[:cut] + frame[cut:][::-1], binary=True)
            elif buffers or not rng.randrange(3):
                frame = encode_frame(message if isinstance(message, dict) else {"x": 1}, buffers)
                if len(frame) > 1 << 20:
                    continue
                await client.socket.write_message(frame, binary=True)
            else:
                text = json.dumps(message)
                if len(text.encode()) > 1 << 20:
                    continue  # beyond the server's message limit, which closes the socket (tested on its own)
                await client.socket.write_message(text)
            sent += 1
        await client.send({"event": "js_yield", "task_id": second["task_id"], "data": 2})
        await client.next_command("close_session", timeout=30)
        return sent

    with DropCounter() as log:
        sent = asyncio.run(page())
    assert results == [[1, 2]]
    assert log.dropped >= sent
    assert log.longest < 1000
