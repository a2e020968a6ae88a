"""put_buttons / put_button: specs, callbacks in thread and coroutine sessions, bad input."""

from __future__ import annotations

import threading
from typing import Any

import pytest
from helpers import start_app, wait_until

from jupyter_session.output import put_button, put_buttons, put_text
from jupyter_session.session import hold
from jupyter_session.testing import FakeBrowser


def _buttons_spec(browser: FakeBrowser) -> dict[str, Any]:
    return next(c["spec"] for c in browser.commands_named("output") if c["spec"]["type"] == "buttons")


def _texts(browser: FakeBrowser) -> list[str]:
    return [c["spec"]["content"] for c in browser.commands_named("output") if c["spec"]["type"] == "text"]


def test_buttons_spec_hides_values_and_keeps_labels_as_text(loop: Any) -> None:
    browser = FakeBrowser()

    def app() -> None:
        put_buttons(
            [dict(label="<b>A</b>", value={"any": "object"}, color="success"), ("B", 2), "C"],
            onclick=print,
            small=True,
            group=True,
        )
        hold()

    session = start_app(app, browser, loop)
    wait_until(lambda: browser.commands_named("output"))
    spec = _buttons_spec(browser)
    assert spec["buttons"] == [
        dict(label="<b>A</b>", value=0, color="success"),
        dict(label="B", value=1),
        dict(label="C", value=2),
    ]
    assert spec["small"] is True and spec["group"] is True and spec["link"] is False
    assert spec["callback_id"].startswith("CB-")
    browser.close()
    wait_until(session.closed)


@pytest.mark.parametrize("mode", ["thread", "coroutine"])
def test_a_click_calls_onclick_with_the_buttons_value(loop: Any, mode: str) -> None:
    browser = FakeBrowser()

    def show(value: Any) -> None:
        put_text(f"clicked {value!r}")

    async def show_async(value: Any) -> None:
        put_text(f"clicked {value!r}")

    def thread_app() -> None:
        put_buttons([("first", {"id": 1}), ("second", [2])], onclick=show)
        put_button("single", onclick=lambda: put_text("single clicked"), color="danger")
        hold()

    async def coroutine_app() -> None:
        put_buttons([("first", {"id": 1}), ("second", [2])], onclick=show_async)
        put_button("single", onclick=lambda: put_text("single clicked"), color="danger")
        await hold()

    session = start_app(thread_app if mode == "thread" else coroutine_app, browser, loop)
    wait_until(lambda: len(browser.commands_named("output")) == 2)
    many, single = [c["spec"] for c in browser.commands_named("output")]
    browser.click(many["callback_id"], 1)
    wait_until(lambda: "clicked [2]" in _texts(browser))
    browser.click(single["callback_id"], 0)
    wait_until(lambda: "single clicked" in _texts(browser))
    browser.close()
    wait_until(session.closed)


def test_disabled_buttons_and_forged_clicks_do_nothing(loop: Any) -> None:
    browser = FakeBrowser()
    calls: list[Any] = []
    clicked = threading.Event()

    def record(value: Any) -> None:
        calls.append(value)
        clicked.set()

    def app() -> None:
        put_buttons([dict(label="off", value="off", disabled=True), ("on", "on")], onclick=record)
        hold()

    session = start_app(app, browser, loop)
    wait_until(lambda: browser.commands_named("output"))
    callback_id = _buttons_spec(browser)["callback_id"]
    for forged in (0, 7, -1, "1", None, True):
        browser.click(callback_id, forged)
    browser.click(callback_id, 1)
    assert clicked.wait(5)
    assert calls == ["on"]
    browser.close()
    wait_until(session.closed)


def test_bad_buttons_raise_clear_errors(run_app: Any) -> None:
    errors: list[str] = []

    def app() -> None:
        for buttons, onclick in (
            (["a", "b"], [print]),
            ([{"label": "x"}], print),
            ([("a", 1, 2)], print),
            ([dict(label="a", value=1, color="pink")], print),
        ):
            try:
                put_buttons(buttons, onclick=onclick)
            except ValueError as error:
                errors.append(str(error))

    run_app(app)
    assert errors == [
        "`onclick` and `buttons` must be the same length",
        "button {'label': 'x'} needs a 'label' and a 'value'",
        "button ('a', 1, 2) must be a (label, value) pair",
        "button color 'pink' is not one of danger, dark, info, light, primary, secondary, success, warning",
    ]
