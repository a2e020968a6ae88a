"""``python -m bench.leaks [--sessions 50] [--cycles 20] [--json FILE]``: open and close sessions over and over,
and check that the process gives back what they took.

- **Tornado**: a jupyter_session server (a subprocess) serves an app that takes what a session typically takes:
  a button callback, a registered thread, an ``eval_js`` wait and a ``defer_call``. Each cycle opens
  ``--sessions`` pages at once (``bench/client.py``), lets each app run, and closes the pages.
- **Comm**: a real ipykernel (driven as in the kernel tests, with a scripted frontend) runs ``--sessions`` cells
  that each make the same kinds of output, then runs them again, which closes their widgets and comms.

After each cycle the process reports ``jupyter_session.testing.census()`` (threads, sessions, connections, comms,
file descriptors) and its RSS. No count may end a cycle above the baseline taken before the first cycle (a
kernel's own file descriptors come and go, so fewer is not a leak); the RSS growth per cycle is the slope from
the end of the first cycle (which warms caches up) to the end of the last.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import sys
import time
from pathlib import Path
from typing import Any

from .__main__ import save
from .cases import ROOT, server
from .client import Page

# Closing is asynchronous, and ipykernel keeps each thread that published output for up to 10 s (swept every
# 10 s), with what the thread refers to: how long the counts may take to come back.
SETTLE_SECONDS = 30


async def _census_over_websocket(port: int) -> dict[str, int]:
    page = await Page.open(port, "?app=census")
    await page.serve(until="CENSUS ")
    page.close()
    counts: dict[str, int] = json.loads(page.texts[-1][len("CENSUS ") :])
    counts["sessions"] -= 1  # the census app's own session and thread
    counts["connections"] -= 1
    counts["threads"] -= 1
    return counts


async def _tornado_cycles(port: int, sessions: int, cycles: int) -> dict[str, Any]:
    async def settled(baseline: dict[str, int] | None) -> dict[str, int]:
        deadline = time.monotonic() + SETTLE_SECONDS
        while True:
            counts = await _census_over_websocket(port)
            if baseline is None or _within(counts, baseline) or time.monotonic() > deadline:
                return counts
            await asyncio.sleep(0.2)

    async def one_session() -> None:
        page = await Page.open(port, "?app=cycle")
        await asyncio.wait_for(page.serve(until="READY"), 60)
        if page.texts[-1] != "READY 1":
            raise RuntimeError(f"the app did not finish its cycle: {page.texts}")
        page.close()

    baseline = await settled(None)
    after = []
    for _ in range(cycles):
        await asyncio.gather(*(one_session() for _ in range(sessions)))
        after.append(await settled(baseline))
    return _summary(baseline, after, sessions)


CELL = """\
from jupyter_session.output import put_buttons, put_text
from jupyter_session.session import defer_call, eval_js, register_thread
import threading
defer_call(lambda: None)
put_buttons(['press'], onclick=lambda _value: None)
worker = threading.Thread(target=lambda: put_text('from a thread'))
register_thread(worker)
worker.start()
worker.join()
assert eval_js('value', value=1) == 1
"""

CENSUS = (
    "__import__('jupyter_session.testing').testing.census() | {'rss_kb': next(int(line.split()[1]) for line in "
    "open('/proc/self/status') if line.startswith('VmRSS:'))}"
)


def _comm_cycles(sessions: int, cycles: int) -> dict[str, Any]:
    sys.path.insert(0, str(ROOT))
    from tests.kernel.harness import kernel

    with kernel() as k:
        k.ok("%load_ext jupyter_session")

        def settled(baseline: dict[str, int] | None) -> dict[str, int]:
            deadline = time.monotonic() + SETTLE_SECONDS
            while True:
                counts: dict[str, int] = k.value(CENSUS)
                if baseline is None or _within(counts, baseline) or time.monotonic() > deadline:
                    return counts
                time.sleep(0.2)

        k.ok(CELL, cell_id="warm-up")  # the first widget asks whether a browser is there; later ones do not
        k.ok("pass", cell_id="warm-up")
        baseline = settled(None)
        after = []
        for _ in range(cycles):
            for n in range(sessions):
                k.ok(CELL, cell_id=f"cell-{n}")
            for n in range(sessions):
                k.ok("pass", cell_id=f"cell-{n}")  # running a cell again closes its old output
            after.append(settled(baseline))
    return _summary(baseline, after, sessions)


def _counts(census: dict[str, int]) -> dict[str, int]:
    return {name: value for name, value in census.items() if name != "rss_kb"}


def _within(counts: dict[str, int], baseline: dict[str, int]) -> bool:
    return all(counts[name] <= baseline[name] for name in _counts(baseline))


def _summary(baseline: dict[str, int], after: list[dict[str, int]], sessions: int) -> dict[str, Any]:
    cycles = len(after)
    growth = (after[-1]["rss_kb"] - after[0]["rss_kb"]) / (cycles - 1) if cycles > 1 else 0.0
    return dict(
        sessions=sessions,
        cycles=cycles,
        baseline=_counts(baseline),
        final=_counts(after[-1]),
        back_to_baseline=all(_within(counts, baseline) for counts in after),
        above_baseline={
            cycle: _counts(counts) for cycle, counts in enumerate(after, 1) if not _within(counts, baseline)
        },
        rss_kb=[counts["rss_kb"] for counts in after],
        rss_growth_kb_per_cycle=growth,
    )


def run(sessions: int, cycles: int) -> dict[str, Any]:
    with server("jupyter_session", "leaks", 0) as app:
        tornado = asyncio.run(_tornado_cycles(app.port, sessions, cycles))
    return dict(tornado=tornado, comm=_comm_cycles(sessions, cycles))


def main() -> None:
    parser = argparse.ArgumentParser(prog="python -m bench.leaks", description=__doc__.split("\n\n")[0])
    parser.add_argument("--sessions", type=int, default=50)
    parser.add_argument("--cycles", type=int, default=20)
    parser.add_argument("--json", type=Path, help="write the results here")
    arguments = parser.parse_args()
    result = run(arguments.sessions, arguments.cycles)
    for transport, figures in result.items():
        verdict = "back to baseline" if figures["back_to_baseline"] else "NOT back to baseline"
        print(
            f"{transport}: {figures['sessions']} sessions x {figures['cycles']} cycles: {verdict} "
            f"(before {figures['baseline']}, after {figures['final']}); RSS growth "
            f"{figures['rss_growth_kb_per_cycle']:.1f} KB per cycle ({figures['rss_kb'][0]} -> "
            f"{figures['rss_kb'][-1]} KB)"
        )
    if arguments.json:
        save(arguments.json, leaks=result)
    raise SystemExit(0 if all(figures["back_to_baseline"] for figures in result.values()) else 1)


if __name__ == "__main__":
    main()
