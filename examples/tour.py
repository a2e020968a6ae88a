"""A tour of the session API, run against the in-memory browser and narrated on stdout.

python examples/tour.py
"""

from __future__ import annotations

import hashlib
from typing import Any

from jupyter_session.exceptions import JSError, SessionTimeout
from jupyter_session.session import defer_call, download, eval_js, info, local, run_js, set_env
from jupyter_session.testing import FakeBrowser, FakeJSError, start_app


def pretend_javascript(code: str, args: dict[str, Any]) -> Any:
    """Stands in for the browser's JavaScript engine."""
    if code == "navigator.language":
        return "en-GB"
    if code == "a * b":
        return args["a"] * args["b"]
    if code == "JSON.parse('{')":
        raise FakeJSError("Expected property name or '}' in JSON at position 1", "SyntaxError")
    return ...  # never answers


def app() -> None:
    print("eval_js('navigator.language') ->", repr(eval_js("navigator.language")))
    print("eval_js('a * b', a=6, b=7)    ->", eval_js("a * b", a=6, b=7))
    try:
        eval_js("JSON.parse('{')")
    except JSError as error:
        print("a JS exception raises JSError  ->", error)
    try:
        eval_js("new Promise(() => {})", timeout=0.5)
    except SessionTimeout as error:
        print("no answer raises SessionTimeout ->", str(error).split(":")[0])
    run_js("console.log(greeting)", greeting="hello")
    print("run_js sent code and data      -> console.log(greeting), greeting='hello'")
    local.visits = (local.visits or 0) + 1
    print("local.visits                   ->", local.visits)
    print("info.user_agent                ->", info.user_agent)
    set_env(title="Tour", output_max_width="80%")
    download("report.csv", b"name,value\nanswer,42\n" * 50_000)
    defer_call(lambda: print("defer_call ran when the session closed"))


def main() -> None:
    browser = FakeBrowser(pretend_javascript)
    start_app(app, browser, backend="tour")
    browser.wait_closed(timeout=10)
    saved = browser.downloads["report.csv"]
    print(f"the browser saved report.csv   -> {len(saved):,} bytes, sha256 {hashlib.sha256(saved).hexdigest()[:16]}…")
    print("the browser's page env          ->", browser.env)


if __name__ == "__main__":
    main()
