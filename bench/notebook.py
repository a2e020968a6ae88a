"""``eval_js`` from a running cell, through a real jupyter_server, JupyterLab (or Notebook 7) and Chromium, against
a raw ipywidgets comm echo measured the same way. PyWebIO has no notebook, so the echo is the baseline.

Both are timed by the page's clock, as a browser-to-browser round trip through the kernel:
- ``eval_js``: the cell asks for ``performance.now()`` again and again; consecutive answers are one round trip
  apart (answer, kernel, next request, evaluation).
- the echo: the page clicks an ipywidgets ``Button`` whose ``on_click`` in the kernel changes its description;
  the time from the click to the new description in the DOM is one round trip (comm message, kernel, comm update).
"""

from __future__ import annotations

import json
import sys
import tempfile
from pathlib import Path
from typing import Any

from .apps import round_trip_figures
from .cases import ROOT

WARM_UP = 5  # round trips left out of each figure: the first ones load code on both sides

EVAL_JS_CELL = """\
%load_ext jupyter_session
import json
from jupyter_session.session import eval_js
stamps = [eval_js("performance.now()") for _ in range({count})]
open("eval_js_ms.json", "w").write(json.dumps([b - a for a, b in zip(stamps, stamps[1:])]))
"""

ECHO_CELL = """\
import ipywidgets
echo = ipywidgets.Button(description="0")
echo.on_click(lambda button: setattr(button, "description", str(int(button.description) + 1)))
echo
"""

# Clicks the echo button ``count`` times, one click at a time; returns each click-to-update time in ms, or
# fails when a click gets no echo within 10 s.
ECHO_JS = """async count => {
  const button = document.querySelector('.jp-OutputArea .widget-button');
  const times = [];
  for (let i = 0; i < count; i++) {
    const before = button.textContent;
    const started = performance.now();
    await new Promise((resolve, reject) => {
      const observer = new MutationObserver(() => {
        if (button.textContent !== before) {
          observer.disconnect();
          resolve();
        }
      });
      observer.observe(button, { subtree: true, childList: true, characterData: true });
      setTimeout(() => reject(new Error(`no echo within 10 s of click ${i}`)), 10_000);
      button.click();
    });
    times.push(performance.now() - started);
  }
  return times;
}"""


def eval_js_in_a_cell(chromium: Any, size: int) -> dict[str, dict[str, float]]:
    """In JupyterLab: ``size`` round trips of each kind; the echo, about 25 times slower, runs a quarter as many
    (at least 20)."""
    return _eval_js_in("lab", chromium, size)


def eval_js_in_a_notebook_7_cell(chromium: Any, size: int) -> dict[str, dict[str, float]]:
    """The same in Notebook 7, whose page loads the same widget manager and renderer in another shell."""
    return _eval_js_in("notebook", chromium, size)


def _eval_js_in(app: str, chromium: Any, size: int) -> dict[str, dict[str, float]]:
    sys.path.insert(0, str(ROOT / "tests" / "e2e"))
    from notebook_ui import JupyterServer, NotebookPage

    with tempfile.TemporaryDirectory() as folder:
        root = Path(folder)
        server = JupyterServer(app, root)
        page = chromium.new_page()
        page.set_default_timeout(60_000)
        try:
            notebook = NotebookPage(page, server, server.notebook("bench.ipynb"), app)
            notebook.run(EVAL_JS_CELL.format(count=size + WARM_UP + 1))
            eval_js_ms = json.loads((root / "eval_js_ms.json").read_text())
            notebook.run(ECHO_CELL)
            page.locator(".jp-OutputArea .widget-button").wait_for()
            echo_ms = page.evaluate(ECHO_JS, max(20, size // 4) + WARM_UP)
        finally:
            page.close()
            server.stop()
    return {"jupyter_session": _figures(eval_js_ms[WARM_UP:]), "ipywidgets comm echo": _figures(echo_ms[WARM_UP:])}


def _figures(times_ms: list[float]) -> dict[str, float]:
    return dict(round_trip_figures([ms / 1000 for ms in times_ms]), count=len(times_ms))
