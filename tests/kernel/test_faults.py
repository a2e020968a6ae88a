"""Faults in a notebook kernel: a cell run again while its thread writes, a restart with live callbacks and
threads. After each, the kernel holds the threads, comms and sessions it held before."""

from __future__ import annotations

from pathlib import Path

from .harness import Kernel, kernel, wait_until

CENSUS = "__import__('jupyter_session.testing').testing.census()"

WRITER = """\
import threading, time
from jupyter_session.exceptions import SessionClosedException
from jupyter_session.output import put_text, put_buttons
from jupyter_session.session import register_thread
writes = []
def write():
    try:
        while True:
            put_text(f'tick {len(writes)}')
            writes.append(1)
            time.sleep(0.01)
    except SessionClosedException as exc:
        writes.append(str(exc))
writer = threading.Thread(target=write, name='writer')
register_thread(writer)
put_buttons(['press'], onclick=lambda _value: put_text('pressed'))
writer.start()
"""


def _settled_census(k: Kernel, baseline: dict[str, int]) -> dict[str, int]:
    counts: dict[str, int] = {}

    def same() -> bool:
        nonlocal counts
        counts = k.value(CENSUS)
        return all(counts[name] <= baseline[name] for name in ("threads", "sessions", "connections", "comms"))

    try:
        # ipykernel keeps a thread that published output (and so its cell) for up to 10 s, swept every 10 s.
        wait_until(same, timeout=30)
    except AssertionError:
        pass
    return counts


def test_a_cell_run_again_while_its_thread_writes(nb: Kernel, frontend: object) -> None:
    # Warm up: the kernel's one callback thread starts with the first callback, and stays.
    nb.ok(WRITER, cell_id="writer")
    nb.ok("writer.join(5)\ndel writer", cell_id="writer")  # (a thread object kept in a variable keeps its cell)
    baseline = nb.value(CENSUS)
    nb.ok(WRITER, cell_id="writer")
    wait_until(lambda: nb.value("len(writes)") > 20)
    old_comm = [c["comm_id"] for c in nb.frontend.commands if c["spec"].get("content") == "tick 0"][-1]
    nb.ok("writer.join(5)\ndel writer", cell_id="writer")  # the same cell, run again
    assert "this output's cell was run again" in nb.value("writes[-1]")
    assert old_comm in nb.frontend.closed_comms
    # Nothing the thread wrote went anywhere but its own (now closed) output.
    ticks = [c for c in nb.frontend.commands if str(c["spec"].get("content")).startswith("tick")]
    assert ticks[-1]["comm_id"] == old_comm
    counts = _settled_census(nb, baseline)
    for name in ("threads", "sessions", "connections", "comms"):
        assert counts[name] <= baseline[name], (name, counts, baseline)


def test_a_restart_with_live_callbacks_and_threads_ends_them_and_runs_defer_call(python: str, tmp_path: Path) -> None:
    marker = tmp_path / "deferred"
    with kernel(python) as k:
        k.ok(
            "%load_ext jupyter_session\n"
            "from jupyter_session.session import defer_call\n"
            f"defer_call(lambda: open({str(marker)!r}, 'w').write(f'deferred after {{len(writes)}} writes'))"
        )
        k.ok(WRITER, cell_id="writer")
        wait_until(lambda: k.value("len(writes)") > 10)
        k.restart()  # a kernel that does not exit within 5 s is killed, and would not write the marker
        assert marker.read_text().startswith("deferred after")
        # The restarted kernel starts clean and works.
        k.ok("%load_ext jupyter_session\nfrom jupyter_session.session import eval_js")
        assert k.value("eval_js('value', value='after the restart')") == "after the restart"
        assert k.value(CENSUS + "['sessions']") == 1
