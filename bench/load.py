"""``python -m bench.load [--sessions 200] [--seconds 30] [--json FILE]``: many sessions at once on one server.

A jupyter_session server (a subprocess) runs an app that, for ``--seconds``, writes a line with ``put_text`` and
then waits on ``eval_js``, in turn. This process opens ``--sessions`` WebSocket pages at once (``bench/client.py``:
no browser) that answer every ``eval_js``. The app times its own round trips; the run reports the throughput
(round trips per second over all sessions), the p50 and p99 latency, and the errors: a wrong answer, an exception
in an app, a session that never reported, or a page that failed. Every loop is bounded by ``--seconds``.
"""

from __future__ import annotations

import argparse
import asyncio
import time
from pathlib import Path
from typing import Any

from .__main__ import save
from .cases import server
from .client import Page


async def _pages(port: int, sessions: int, seconds: float) -> list[str]:
    """Open every page, answer until each app is done; returns the failures of the pages themselves."""

    async def one() -> str | None:
        try:
            page = await Page.open(port)
            await asyncio.wait_for(page.serve(), seconds + 60)
            page.close()
            return None if page.closed_by_server else "the connection ended before the session did"
        except Exception as exc:
            return f"{type(exc).__name__}: {exc}"

    outcomes = await asyncio.gather(*(one() for _ in range(sessions)))
    return [outcome for outcome in outcomes if outcome is not None]


def run(sessions: int, seconds: int) -> dict[str, Any]:
    with server("jupyter_session", "load", seconds) as app:
        started = time.monotonic()
        page_errors = asyncio.run(_pages(app.port, sessions, seconds))
        elapsed = time.monotonic() - started
        reports = list(app.results)
    latencies = sorted(latency for report in reports for latency in report["latencies_us"])
    errors = page_errors + [report["error"] for report in reports if "error" in report]
    errors += [f"{report['wrong']} wrong answers" for report in reports if report["wrong"]]
    errors += [f"{sessions - len(reports)} sessions did not report"] if len(reports) < sessions else []
    if not latencies:
        raise RuntimeError(f"no round trip was made: {errors}")
    return dict(
        sessions=sessions,
        seconds=seconds,
        elapsed_s=elapsed,
        round_trips=len(latencies),
        put_texts=len(latencies),
        round_trips_per_s=len(latencies) / seconds,
        p50_ms=latencies[len(latencies) // 2] / 1000,
        p99_ms=latencies[int(len(latencies) * 0.99)] / 1000,
        errors=len(errors),
        error_messages=errors[:20],
    )


def main() -> None:
    parser = argparse.ArgumentParser(prog="python -m bench.load", description=__doc__.split("\n\n")[0])
    parser.add_argument("--sessions", type=int, default=200)
    parser.add_argument("--seconds", type=int, default=30)
    parser.add_argument("--json", type=Path, help="write the results here")
    arguments = parser.parse_args()
    result = run(arguments.sessions, arguments.seconds)
    print(
        f"{result['sessions']} sessions for {result['seconds']} s: {result['round_trips']} eval_js round trips "
        f"and as many put_text, {result['round_trips_per_s']:.0f} round trips/s; latency p50 "
        f"{result['p50_ms']:.2f} ms, p99 {result['p99_ms']:.2f} ms; errors {result['errors']}"
    )
    for message in result["error_messages"]:
        print(f"  error: {message}")
    if arguments.json:
        save(arguments.json, load=result)
    raise SystemExit(1 if result["errors"] else 0)


if __name__ == "__main__":
    main()
