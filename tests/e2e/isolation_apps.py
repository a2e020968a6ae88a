"""The apps of the isolation watchdog (``serve.py isolation_apps:APPS``): one page probes the loop's lag while
the others misbehave."""

from __future__ import annotations

import json
import time

from jupyter_session.exceptions import SessionTimeout
from jupyter_session.output import put_text
from jupyter_session.session import defer_call, eval_js, hold


def probe() -> None:
    """Time ``eval_js`` round trips through the page for the seconds its ``?seconds=`` says, then show them."""
    seconds = float(eval_js("new URLSearchParams(location.search).get('seconds')"))
    put_text("PROBING")
    latencies = []
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        started = time.perf_counter()
        eval_js("1")
        latencies.append((time.perf_counter() - started) * 1000)
    latencies.sort()
    figures = dict(
        round_trips=len(latencies),
        p50_ms=latencies[len(latencies) // 2],
        p99_ms=latencies[int(len(latencies) * 0.99)],
        max_ms=latencies[-1],
    )
    put_text("PROBED " + json.dumps(figures))


def idle() -> None:
    put_text("IDLE")
    hold()


def slow_close() -> None:
    """Its deferred function takes 3 s."""
    defer_call(lambda: time.sleep(3))
    put_text("SLOW")
    hold()


def answer() -> None:
    """Show what the first answer to an ``eval_js`` was: a forged binary one must not count."""
    try:
        put_text(f"ANSWER {type(eval_js('1', timeout=3)).__name__}")
    except SessionTimeout:
        put_text("ANSWER none")
    hold()


APPS = dict(probe=probe, idle=idle, slow_close=slow_close, answer=answer)
