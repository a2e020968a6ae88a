"""``python -m bench [--smoke] [--json FILE] [--only CASE ...]``: jupyter_session against PyWebIO 1.8.4, side by
side in one run, with the ratio of each figure (ours / PyWebIO's; below 1 is faster or smaller). In a notebook,
where PyWebIO does not run, the baseline is a raw ipywidgets comm echo.

Needs the ``bench`` extra (``pip install -e ".[bench]"``) and Debian's chromium. The full run takes a minute or
two; ``--smoke`` runs small sizes to check that the harness works.
"""

from __future__ import annotations

import argparse
import json
import platform
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from . import cases, notebook, notebook_outputs


@dataclass(frozen=True)
class Case:
    name: str
    run: Callable[[Any, int], dict[str, dict[str, float]]]
    size: int
    smoke_size: int
    figure: str  # the figure compared
    target: float | None = None  # the highest ratio that meets the target
    limit: float | None = None  # the highest figure that meets the target, where it is absolute
    baseline: str = "pywebio"


CASES = [
    Case(
        "eval_js round trip over WebSocket (ms, median of {size})", cases.eval_js_round_trip, 2000, 50, "median_ms", 0.6
    ),
    Case("eval_js round trip over WebSocket (ms, p99 of {size})", cases.eval_js_round_trip, 2000, 50, "p99_ms"),
    # The floor: no library can do better than the bare transport to the same browser.
    Case(
        "eval_js over WebSocket (ms, median of {size}) [vs bare Tornado echo]",
        cases.eval_js_round_trip,
        2000,
        50,
        "median_ms",
        baseline="bare WebSocket echo",
    ),
    # The same app on the other WebSocket backends, each beside PyWebIO's same backend.
    Case("eval_js round trip, aiohttp (ms, median of {size})", cases.eval_js_round_trip_aiohttp, 2000, 50, "median_ms"),
    Case("eval_js round trip, FastAPI (ms, median of {size})", cases.eval_js_round_trip_fastapi, 2000, 50, "median_ms"),
    # Flask: the HTTP protocol (long-polled pulls and POSTed events), beside PyWebIO's flask backend, whose page
    # polls every second and whose server holds each POST 100 ms.
    Case(
        "eval_js round trip over HTTP, flask (ms, median of {size})",
        cases.eval_js_round_trip_flask,
        200,
        5,
        "median_ms",
        0.05,
    ),
    Case("eval_js round trip over HTTP, flask (ms, p99 of {size})", cases.eval_js_round_trip_flask, 200, 5, "p99_ms"),
    # The floor: one bare fetch from the same page to the same server.
    Case(
        "eval_js over HTTP, flask (ms, median of {size}) [vs one bare fetch]",
        cases.eval_js_round_trip_flask,
        200,
        5,
        "median_ms",
        baseline="bare fetch",
    ),
    Case(
        "a form round trip over HTTP, flask (ms, median of {size})",
        cases.form_round_trip_flask,
        200,
        5,
        "median_ms",
        0.05,
    ),
    Case("{size} put_text until all are in the DOM (s)", cases.put_text_rendered, 2000, 100, "seconds", 0.05),
    Case("download of {mb} MB until saved (s)", cases.download_saved, 20 * 2**20, 2**20, "seconds", 0.2),
    Case(
        "download of {mb} MB: server memory above its baseline (MB)",
        cases.download_saved,
        20 * 2**20,
        2**20,
        "peak_extra_mb",
    ),
    Case("download of {mb} MB until saved, aiohttp (s)", cases.download_saved_aiohttp, 20 * 2**20, 2**20, "seconds"),
    Case("download of {mb} MB until saved, FastAPI (s)", cases.download_saved_fastapi, 20 * 2**20, 2**20, "seconds"),
    # 100 MB, not 200: PyWebIO sends a download as one base64 WebSocket frame, and a 267 MB frame (200 MB of
    # data) crashes the browser automation's driver, which copies every frame.
    Case("download of {mb} MB until saved (s)", cases.download_saved, 100 * 2**20, 2**20, "seconds", 0.2),
    Case(
        "download of {mb} MB: server memory above its baseline (MB)",
        cases.download_saved,
        100 * 2**20,
        2**20,  # the smoke run shares the 20 MB case's run
        "peak_extra_mb",
    ),
    # Idle sessions, opened by a WebSocket client without a browser: a thread each, then a coroutine each.
    Case(
        "{size} idle thread sessions: time to open them all (s)",
        cases.idle_thread_sessions,
        3000,
        20,
        "open_seconds",
        1.0,
    ),
    Case(
        "{size} idle thread sessions: server CPU while idle (% of a core)",
        cases.idle_thread_sessions,
        3000,
        20,
        "idle_cpu_percent",
        limit=1.0,
    ),
    Case(
        "{size} idle thread sessions: memory per session (KB)",
        cases.idle_thread_sessions,
        3000,
        20,
        "kb_per_session",
        1.0,
    ),
    Case(
        "{size} idle coroutine sessions: time to open them all (s)",
        cases.idle_coroutine_sessions,
        10000,
        20,
        "open_seconds",
        1.0,
    ),
    Case(
        "{size} idle coroutine sessions: server CPU while idle (% of a core)",
        cases.idle_coroutine_sessions,
        10000,
        20,
        "idle_cpu_percent",
        limit=1.0,
    ),
    Case(
        "{size} idle coroutine sessions: memory per session (KB)",
        cases.idle_coroutine_sessions,
        10000,
        20,
        "kb_per_session",
        1.0,
    ),
    Case("script mode: python app.py to first output painted (s)", cases.script_mode_first_paint, 1, 1, "seconds"),
    Case(
        "eval_js in a JupyterLab cell (ms, median of {size}) [vs ipywidgets comm echo]",
        notebook.eval_js_in_a_cell,
        1000,
        40,
        "median_ms",
        limit=1.5,
        baseline="ipywidgets comm echo",
    ),
    Case(
        "eval_js in a JupyterLab cell (ms, p99 of {size}) [vs ipywidgets comm echo]",
        notebook.eval_js_in_a_cell,
        1000,
        40,
        "p99_ms",
        limit=5.0,
        baseline="ipywidgets comm echo",
    ),
    Case(
        "eval_js in a Notebook 7 cell (ms, median of {size}) [vs ipywidgets comm echo]",
        notebook.eval_js_in_a_notebook_7_cell,
        1000,
        40,
        "median_ms",
        limit=1.5,
        baseline="ipywidgets comm echo",
    ),
    Case(
        "eval_js in a Notebook 7 cell (ms, p99 of {size}) [vs ipywidgets comm echo]",
        notebook.eval_js_in_a_notebook_7_cell,
        1000,
        40,
        "p99_ms",
        limit=5.0,
        baseline="ipywidgets comm echo",
    ),
    # Outputs in a JupyterLab cell, each beside IPython's own way of showing the same.
    Case(
        "{size} put_text in one JupyterLab cell until the last is shown (ms, median of 3) [vs print()]",
        notebook_outputs.many_lines_in_a_cell,
        2000,
        100,
        "shown_ms",
        2.0,
        baseline=notebook_outputs.PRINT,
    ),
    Case(
        "{size} put_text in one JupyterLab cell: kernel WebSocket frames received [vs print()]",
        notebook_outputs.many_lines_in_a_cell,
        2000,
        100,
        "frames",
        limit=20,
        baseline=notebook_outputs.PRINT,
    ),
    Case(
        "{size} put_text in one JupyterLab cell: kernel WebSocket KB received [vs print()]",
        notebook_outputs.many_lines_in_a_cell,
        2000,
        100,
        "kb",
        baseline=notebook_outputs.PRINT,
    ),
    Case(
        "saved notebook of {size} cells of a 10x5 put_table, widget state on (KB) [vs display(HTML)]",
        notebook_outputs.saved_tables,
        100,
        5,
        "saved_kb",
        1.2,
        baseline=notebook_outputs.HTML,
    ),
    Case(
        "saved notebook of {size} put_table cells: KB of widget state [vs our whole file]",
        notebook_outputs.saved_tables,
        100,
        5,
        "widget_state_kb",
        baseline=notebook_outputs.WHOLE_FILE,
    ),
    Case(
        "saved notebook of {size} put_table cells: KB of outputs [vs our whole file]",
        notebook_outputs.saved_tables,
        100,
        5,
        "outputs_kb",
        baseline=notebook_outputs.WHOLE_FILE,
    ),
    Case(
        "{size} put_table cells: DOM nodes of the notebook panel [vs display(HTML)]",
        notebook_outputs.saved_tables,
        100,
        5,
        "dom_nodes",
        baseline=notebook_outputs.HTML,
    ),
    Case(
        "{size} put_table cells: Run All Cells until the last is shown (s) [vs display(HTML)]",
        notebook_outputs.saved_tables,
        100,
        5,
        "run_all_s",
        baseline=notebook_outputs.HTML,
    ),
    Case(
        "first put_text after %load_ext in a fresh kernel (ms, median of {size}) [vs print()]",
        notebook_outputs.first_output,
        5,
        1,
        "first_output_ms",
        1.2,
        baseline=notebook_outputs.PRINT,
    ),
]


def main() -> None:
    parser = argparse.ArgumentParser(prog="python -m bench", description=__doc__.split("\n\n")[0])
    parser.add_argument("--smoke", action="store_true", help="small sizes: checks the harness, not the speed")
    parser.add_argument("--json", type=Path, help="write the results here")
    parser.add_argument("--only", nargs="*", help="run only the cases whose name contains one of these words")
    arguments = parser.parse_args()

    selected = [case for case in CASES if not arguments.only or any(word in case.name for word in arguments.only)]
    rows = []
    measured: dict[tuple[str, int], dict[str, dict[str, float]]] = {}  # one run serves every figure of a case
    with cases.browser() as chromium:
        for case in selected:
            size = case.smoke_size if arguments.smoke else case.size
            key = (case.run.__name__, size)
            if key not in measured:
                measured[key] = case.run(chromium, size)
            figures = measured[key]
            ours, theirs = figures["jupyter_session"][case.figure], figures[case.baseline][case.figure]
            ratio = ours / theirs if theirs else float("inf")
            checks = [ratio <= case.target] if case.target is not None else []
            checks += [ours <= case.limit] if case.limit is not None else []
            rows.append(
                dict(
                    case=case.name.format(size=size, mb=size // 2**20),
                    figure=case.figure,
                    size=size,
                    jupyter_session=ours,
                    baseline_name=case.baseline,
                    baseline=theirs,
                    ratio=ratio,
                    target=case.target,
                    limit=case.limit,
                    met=all(checks) if checks else None,
                )
            )
    print_table(rows)
    if arguments.json:
        save(arguments.json, smoke=arguments.smoke, rows=rows)


def save(path: Path, **results: Any) -> None:
    """Write ``results`` as JSON, with when and on what machine they were measured."""
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(
        json.dumps(dict(when=time.strftime("%Y-%m-%d %H:%M:%S %Z"), machine=machine(), **results), indent=2)
    )


def machine() -> dict[str, Any]:
    import os

    return dict(python=platform.python_version(), system=platform.platform(), cpus=os.cpu_count())


def print_table(rows: list[dict[str, Any]]) -> None:
    header = f"{'case':<80} {'jupyter_session':>15} {'baseline':>14} {'ratio':>7}  target"
    print(header)
    print("-" * len(header))
    for row in rows:
        targets = [f"ratio <= {row['target']:g}"] if row["target"] is not None else []
        targets += [f"<= {row['limit']:g}"] if row["limit"] is not None else []
        target = " ".join(targets)
        verdict = "" if row["met"] is None else " met" if row["met"] else " MISSED"
        print(
            f"{row['case']:<80} {row['jupyter_session']:>15.3f} {row['baseline']:>14.3f} {row['ratio']:>7.3f}  "
            f"{target}{verdict}"
        )
    print("baseline: PyWebIO 1.8.4, or what the case names in brackets")


if __name__ == "__main__":
    main()
