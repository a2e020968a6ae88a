"""Apps the HTTP-protocol proxy tests serve (``serve.py http_apps:NAME``): through nginx (``BEHIND_NGINX``)
and through a proxy that cuts requests (``tally``). Each shows its results as text the test reads."""

from __future__ import annotations

import json

from apps import form
from backend_apps import tool

from jupyter_session.input import input
from jupyter_session.output import put_button, put_scope, put_text, use_scope
from jupyter_session.session import eval_js, hold

#: What the flask server behind nginx serves: the tool (eval_js, a callback, a download) at ``/``, and the
#: form app (validation, choices, cancel) at ``/?app=form``.
BEHIND_NGINX = {"index": tool, "form": form}

#: How many times ``tally`` asks the page.
ASKS = 5


def tally() -> None:
    """Counts what comes and goes, so that a message lost or applied twice shows: each eval_js counts its runs
    in the page (``window.runs``), each press of "Add" counts on the server, each entry is numbered.

    The markers ``ASK n`` (in each eval_js's code and in its answer) and the entries' values let a proxy pick
    which request to cut. It prints when it starts, so that a test can count its sessions."""
    print("TALLY STARTED", flush=True)
    for n in range(1, ASKS + 1):
        answer = eval_js(f"window.runs = (window.runs || 0) + 1, ['ASK {n}', window.runs]")
        put_text(f"ASKED {n} {json.dumps(answer)}")
    presses = 0

    def add() -> None:
        nonlocal presses
        presses += 1
        with use_scope("presses"):
            put_text(f"PRESS {presses}")

    put_button("Add", onclick=add)
    put_scope("presses")
    for n in range(1, 4):
        put_text(f"ENTRY {n} {json.dumps(input(f'Entry {n}'))}")
    put_text("RUNS " + json.dumps(eval_js("window.runs")))
    hold()
