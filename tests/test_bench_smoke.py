"""The benchmark harness still runs: ``python -m bench --smoke`` against PyWebIO 1.8.4, at small sizes."""

from __future__ import annotations

import json
import math
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]


@pytest.mark.timeout(600)
def test_the_smoke_run_measures_every_case_on_both_libraries(tmp_path: Path) -> None:
    results = tmp_path / "smoke.json"
    run = subprocess.run(
        [sys.executable, "-m", "bench", "--smoke", "--json", str(results)],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=540,
    )
    assert run.returncode == 0, run.stdout + run.stderr
    rows = json.loads(results.read_text())["rows"]
    assert len(rows) == 36
    for row in rows:
        assert math.isfinite(row["jupyter_session"]) and math.isfinite(row["baseline"]), row
    assert "ratio" in run.stdout


@pytest.mark.timeout(300)
def test_the_load_run_has_no_errors_at_a_small_size(tmp_path: Path) -> None:
    results = tmp_path / "load.json"
    run = subprocess.run(
        [sys.executable, "-m", "bench.load", "--sessions", "20", "--seconds", "3", "--json", str(results)],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=240,
    )
    assert run.returncode == 0, run.stdout + run.stderr
    load = json.loads(results.read_text())["load"]
    assert load["errors"] == 0 and load["round_trips"] > 20 and 0 < load["p50_ms"] <= load["p99_ms"], load


@pytest.mark.timeout(300)
def test_open_close_cycles_give_back_threads_sessions_comms_and_fds(tmp_path: Path) -> None:
    results = tmp_path / "leaks.json"
    run = subprocess.run(
        [sys.executable, "-m", "bench.leaks", "--sessions", "5", "--cycles", "3", "--json", str(results)],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=240,
    )
    assert run.returncode == 0, run.stdout + run.stderr
    leaks = json.loads(results.read_text())["leaks"]
    for transport in ("tornado", "comm"):
        assert leaks[transport]["back_to_baseline"], leaks[transport]
    assert leaks["comm"]["baseline"]["comms"] == leaks["comm"]["final"]["comms"]
