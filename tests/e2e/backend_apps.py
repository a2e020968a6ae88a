"""Apps the web-backend tests serve (``serve.py backend_apps:NAME``, and the sites ``fastapi_site.py`` and
``aiohttp_site.py`` mount ``tool``). Each shows its results as text the test reads."""

from __future__ import annotations

import json
import time

from jupyter_session.exceptions import SessionTimeout
from jupyter_session.output import put_button, put_text, use_scope
from jupyter_session.session import download, eval_js, hold, info

#: What the tool's download button offers.
REPORT = "".join(f"line {n}: ü\n" for n in range(20_000)).encode()


def eval_timeout() -> None:
    """An eval_js the page never answers ends at its timeout; the session goes on afterwards."""
    started = time.monotonic()
    try:
        eval_js("new Promise(() => {})", timeout=0.5)
    except SessionTimeout as error:
        put_text(f"TIMEOUT {time.monotonic() - started:.2f} {type(error).__name__}")
    put_text("AFTER " + json.dumps(eval_js("6 * 7")))


def tool() -> None:
    """The app a site mounts: where the page is, which backend serves it, a button callback, a download."""
    put_text("TOOL " + json.dumps({"path": eval_js("location.pathname"), "backend": info.backend}))

    def pressed() -> None:
        with use_scope("log"):
            put_text("PRESSED " + json.dumps(eval_js("'pressed at ' + location.pathname")))

    put_button("Press", onclick=pressed)
    put_button("Report", onclick=lambda: download("report.txt", REPORT))
    hold()
