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
    run = subprocess.run([sys.executable, "-m", "bench", "--smoke", "--json", str(results)], cwd=ROOT,
                         capture_output=True, text=True, timeout=540)
    assert run.returncode == 0, run.stdout + run.stderr
    rows = json.loads(results.read_text())["rows"]
    assert len(rows) == 9
    for row in rows:
        assert math.isfinite(row["jupyter_session"]) and math.isfinite(row["pywebio"]), row
    assert "ratio" in run.stdout
