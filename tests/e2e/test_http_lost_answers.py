"""The HTTP protocol when requests are cut (``cutting_proxy.py`` between the page and a flask server): a pull
the server answered but the page never saw, and pushes the server applied but whose answers the page never
saw. The page sends each again; the numbering makes that safe: nothing is lost, nothing is applied twice."""

from __future__ import annotations

import json
import sys
from typing import Any

from http_apps import ASKS
from pages import Command, free_port, screenshot, wait_text

CUTS = [
    # The page's first pull, which made the session: sent again (still as new), it must join that session.
    ("--cut-pull", "ASK 1"),
    # The pull that carries the second eval_js: the page must not miss it, nor run it twice.
    ("--cut-pull", "ASK 2"),
    # The push that answers the fourth eval_js: the app must get that answer once.
    ("--cut-push", "ASK 4"),
    # The push of the first press of "Add": its callback must run once.
    ("--cut-push", '"callback"'),
    # The push that submits the second entry: the input must return it once, and the next input its own.
    ("--cut-push", '"from_submit".*"second entry"'),
]


def test_cut_pulls_and_pushes_lose_nothing_and_apply_nothing_twice(serve: Any, page: Any) -> None:
    flask = serve("http_apps:tally", backend="flask")
    port = free_port()
    argv = [sys.executable, "cutting_proxy.py", "--port", str(port), "--upstream", f"127.0.0.1:{flask.port}"]
    proxy = Command([*argv, *(part for cut in CUTS for part in cut)], port, r"Running on http://")
    try:
        page.goto(proxy.url)
        for n in range(1, ASKS + 1):
            assert json.loads(wait_text(page, f"ASKED {n}")) == [f"ASK {n}", n]
        add = page.get_by_role("button", name="Add")
        for n in range(1, 4):
            add.click()
            page.locator("#pywebio-scope-presses .jps-text", has_text=f"PRESS {n}").wait_for()
        entries = ["first entry", "second entry", "third entry"]
        for n, value in enumerate(entries, start=1):
            form = page.locator(".jps-form", has_text=f"Entry {n}")
            form.locator("input").fill(value)
            form.get_by_role("button", name="Submit").click()
            assert json.loads(wait_text(page, f"ENTRY {n}")) == value
        assert wait_text(page, "RUNS") == str(ASKS)  # the page ran each eval_js once
        page.wait_for_timeout(500)  # time for anything sent twice to show
        texts = page.locator(".jps-text").all_text_contents()
        screenshot(page, "http-cut-requests")
        assert page.errors == []
        page.goto("about:blank")
    finally:
        proxy_log = proxy.stop()
    log = flask.stop()
    assert texts == [
        *(f"ASKED {n} {json.dumps([f'ASK {n}', n])}" for n in range(1, ASKS + 1)),
        *(f"PRESS {n}" for n in range(1, 4)),
        *(f"ENTRY {n} {json.dumps(value)}" for n, value in enumerate(entries, start=1)),
        f"RUNS {ASKS}",
    ], texts
    assert "Traceback" not in log + proxy_log, log + proxy_log
    assert log.count("TALLY STARTED") == 1, log
    # Each rule cut one request, and the page sent that request again, the same, and got its answer.
    lines = proxy_log.splitlines()
    cuts = [index for index, line in enumerate(lines) if line.startswith("CUT ")]
    assert len(cuts) == len(CUTS), proxy_log
    for index in cuts:
        _cut, method, target, status = lines[index].split()
        assert status == "200", proxy_log
        assert f"PROXY {method} {target} 200" in lines[index + 1 :], proxy_log
