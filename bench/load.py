"""``python -m bench.load [--sessions 200] [--seconds 30] [--nginx [--processes 4] [--kill-one]] [--json FILE]``:
many sessions at once on one server.

A jupyter_session server (a subprocess) runs an app that, for ``--seconds``, writes a line with ``put_text`` and
then waits on ``eval_js``, in turn. This process opens ``--sessions`` WebSocket pages at once (``bench/client.py``:
no browser) that answer every ``eval_js``. The app times its own round trips; the run reports the throughput
(round trips per second over all sessions), the p50 and p99 latency, and the errors: a wrong answer, an exception
in an app, a session that never reported, or a page that failed. Every loop is bounded by ``--seconds``.

With ``--nginx`` the same load then runs again through Debian's nginx to ``--processes`` servers, configured as
docs/deploy.md says (``tests/e2e/deploy_cluster.py``: the app at ``/tools/``, each page's process chosen by its
affinity key; these pages send no cookie, so each is a new browser to nginx), and both runs are printed side by
side. With ``--kill-one`` a third run kills one of those processes (SIGKILL) half way: its pages' connections end,
and the sessions of the other processes must see no error.
"""

from __future__ import annotations

import argparse
import asyncio
import importlib
import sys
import tempfile
import threading
import time
from contextlib import ExitStack
from pathlib import Path
from types import ModuleType
from typing import Any

from .__main__ import save
from .cases import ROOT, free_port, server
from .client import Page


async def _pages(port: int, sessions: int, seconds: float, path: str = "") -> list[str]:
    """Open every page (at ``path`` on ``port``), answer until each app is done; returns the failures of the
    pages themselves."""

    async def one() -> str | None:
        try:
            page = await Page.open(port, path)
            await asyncio.wait_for(page.serve(), seconds + 60)
            page.close()
            return None if page.closed_by_server else "the connection ended before the session did"
        except Exception as exc:
            return f"{type(exc).__name__}: {exc}"

    outcomes = await asyncio.gather(*(one() for _ in range(sessions)))
    return [outcome for outcome in outcomes if outcome is not None]


def _figures(
    sessions: int, seconds: int, elapsed: float, reports: list[dict[str, Any]], page_errors: list[str]
) -> dict[str, Any]:
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


def run(sessions: int, seconds: int) -> dict[str, Any]:
    with server("jupyter_session", "load", seconds) as app:
        started = time.monotonic()
        page_errors = asyncio.run(_pages(app.port, sessions, seconds))
        elapsed = time.monotonic() - started
        reports = list(app.results)
    return dict(_figures(sessions, seconds, elapsed, reports, page_errors), processes=1)


def _deploy_cluster() -> ModuleType:
    """The deployment tests' helper (nginx, and the site configuration docs/deploy.md shows)."""
    sys.path.insert(0, str(ROOT / "tests" / "e2e"))
    return importlib.import_module("deploy_cluster")


def run_through_nginx(sessions: int, seconds: int, processes: int = 4, kill_one: bool = False) -> dict[str, Any]:
    """The same load, through nginx to ``processes`` servers; with ``kill_one``, the first killed half way."""
    cluster = _deploy_cluster()
    with ExitStack() as stack:
        apps = [stack.enter_context(server("jupyter_session", "load", seconds)) for _ in range(processes)]
        directory = Path(stack.enter_context(tempfile.TemporaryDirectory(prefix="bench-nginx-")))
        port = free_port()
        upstreams = [f"127.0.0.1:{app.port}" for app in apps]
        site = cluster.nginx_site(f"127.0.0.1:{port}", upstreams, str(directory / "deploy.log"))
        # Each page holds two connections in nginx: the browser's and the upstream's.
        nginx = cluster.Nginx(directory, site=site, ports=[port], connections=2 * sessions + 64)
        stack.callback(nginx.stop)
        if kill_one:
            killer = threading.Timer(seconds / 2, apps[0].process.kill)
            killer.start()
            stack.callback(killer.cancel)
        started = time.monotonic()
        page_errors = asyncio.run(_pages(port, sessions, seconds, "tools/"))
        elapsed = time.monotonic() - started
        reports = [report for app in apps for report in app.results]
        per_process = [len(app.results) for app in apps]
    figures = _figures(sessions, seconds, elapsed, reports, page_errors)
    if kill_one:
        # The killed process's sessions report nothing and their pages' connections end: those are expected.
        # What counts is the others: an error in any of their sessions, or more pages cut than it held.
        elsewhere = [report for report in reports if "error" in report or report["wrong"]]
        figures.update(killed_sessions=sessions - len(reports), pages_cut=len(page_errors))
        figures.update(errors=len(elsewhere) + max(0, len(page_errors) - figures["killed_sessions"]))
    return dict(figures, processes=processes, per_process=per_process)


def _row(label: str, result: dict[str, Any]) -> str:
    return (
        f"{label:<24} {result['sessions']:>8} {result['round_trips']:>12} {result['round_trips_per_s']:>10.0f} "
        f"{result['p50_ms']:>8.2f} {result['p99_ms']:>8.2f} {result['errors']:>7}"
    )


def main() -> None:
    parser = argparse.ArgumentParser(prog="python -m bench.load", description=__doc__.split("\n\n")[0])
    parser.add_argument("--sessions", type=int, default=200)
    parser.add_argument("--seconds", type=int, default=30)
    parser.add_argument("--nginx", action="store_true", help="then the same through nginx to --processes servers")
    parser.add_argument("--processes", type=int, default=4, help="servers behind nginx (with --nginx)")
    parser.add_argument("--kill-one", action="store_true", help="then through nginx again, one process killed")
    parser.add_argument("--json", type=Path, help="write the results here")
    arguments = parser.parse_args()
    result = run(arguments.sessions, arguments.seconds)
    print(
        f"{result['sessions']} sessions for {result['seconds']} s: {result['round_trips']} eval_js round trips "
        f"and as many put_text, {result['round_trips_per_s']:.0f} round trips/s; latency p50 "
        f"{result['p50_ms']:.2f} ms, p99 {result['p99_ms']:.2f} ms; errors {result['errors']}"
    )
    results = dict(load=result)
    if arguments.nginx:
        results["load_nginx"] = run_through_nginx(arguments.sessions, arguments.seconds, arguments.processes)
        print(f"\n{'':<24} {'sessions':>8} {'round trips':>12} {'per s':>10} {'p50 ms':>8} {'p99 ms':>8} {'errors':>7}")
        print(_row("one process", result))
        print(_row(f"nginx, {arguments.processes} processes", results["load_nginx"]))
        if arguments.kill_one:
            killed = run_through_nginx(arguments.sessions, arguments.seconds, arguments.processes, kill_one=True)
            results["load_nginx_killed"] = killed
            print(_row("the same, one killed", killed))
            print(
                f"one process killed half way: {killed['killed_sessions']} sessions were its, "
                f"{killed['pages_cut']} pages saw their connection end; errors elsewhere: {killed['errors']}"
            )
        print(f"sessions per process behind nginx: {results['load_nginx']['per_process']}")
    for name, run_result in results.items():
        if name != "load_nginx_killed":  # its pages' errors are the expected cut connections
            for message in run_result["error_messages"]:
                print(f"  error: {message}")
    if arguments.json:
        save(arguments.json, **results)
    raise SystemExit(1 if any(run_result["errors"] for run_result in results.values()) else 0)


if __name__ == "__main__":
    main()
