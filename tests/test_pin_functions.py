"""Pins over the in-memory browser: field specs, reading through a request, updates by index, errors."""

from __future__ import annotations

import threading
from typing import Any

from helpers import wait_until

import jupyter_session.pin as pins
from jupyter_session.pin import pin_on_change, pin_update, put_actions, put_checkbox, put_input, put_select
from jupyter_session.testing import FakeBrowser

# `pin` is not a global here: pytest looks up attributes of a test module's globals (`pytestmark`...), and
# every attribute of `pin` is a pin to read from the browser.


def test_pin_specs_and_updates(run_app: Any) -> None:
    def app() -> None:
        put_input("name", label="Name", placeholder="you")
        put_select("fruit", ["apple", ("Pear", 2)], value=2)
        put_checkbox("extras", ["a", "b"], inline=True)
        put_actions("go", buttons=[{"label": "Go", "value": "go"}])
        pin_update("fruit", value=2)
        pin_update("extras", value=["b"], label="Extras")
        pins.pin.name = "Ada"

    _, browser = run_app(app)
    outputs = [c["spec"]["input"] for c in browser.commands_named("output")]
    assert outputs[0] == {"type": "input", "input_type": "text", "name": "name", "label": "Name", "placeholder": "you"}
    assert outputs[1]["options"] == [{"label": "apple", "value": 0}, {"label": "Pear", "value": 1, "selected": True}]
    assert outputs[3]["buttons"] == [{"label": "Go", "value": 0, "type": "submit"}]
    updates = [c["spec"] for c in browser.commands_named("pin_update")]
    assert updates == [
        dict(name="fruit", attributes=dict(selected=[1])),
        dict(name="extras", attributes=dict(label="Extras", selected=[1])),
        dict(name="name", attributes=dict(value="Ada")),
    ]


def test_pin_on_change_calls_back_with_the_mapped_value(loop: Any) -> None:
    from helpers import start_app

    from jupyter_session.output import put_text

    browser = FakeBrowser()

    def app() -> None:
        put_select("fruit", ["apple", ("Pear", "pear")])
        pin_on_change("fruit", lambda value: put_text(f"now {value}"), clear=True)

    session = start_app(app, browser, loop)
    wait_until(lambda: browser.commands_named("pin_onchange"))
    (change,) = [c["spec"] for c in browser.commands_named("pin_onchange")]
    assert change["name"] == "fruit" and change["clear"] is True
    browser.click(change["callback_id"], 1)
    wait_until(lambda: any(c["spec"].get("content") == "now pear" for c in browser.commands_named("output")))
    browser.close()
    wait_until(session.closed)


def test_reading_a_pin_maps_the_browsers_index_back(run_app: Any) -> None:
    browser = FakeBrowser()
    values: list[Any] = []

    def app() -> None:
        put_select("fruit", ["apple", ("Pear", {"kind": "pear"})])
        values.append(pins.pin.fruit)
        values.append(pins.pin["fruit"])
        values.append(pins.pin.missing)

    def answer() -> None:
        for asked, reply in enumerate(({"value": 1}, {"value": 99}, None)):  # real, forged, no such pin
            wait_until(lambda asked=asked: len(browser.commands_named("pin_value")) > asked)
            request = browser.commands_named("pin_value")[asked]
            browser.send_event(dict(event="js_yield", task_id=request["task_id"], data=reply))

    threading.Thread(target=answer, daemon=True).start()
    run_app(app, browser)
    assert values == [{"kind": "pear"}, None, None]


def test_put_actions_buttons_keep_their_colour_and_state_and_must_submit(run_app: Any) -> None:
    errors: list[str] = []

    def app() -> None:
        put_actions("act", buttons=[dict(label="Warn", value=1, color="warning"), ("Off", 2, "submit", True)])
        try:
            put_actions("bad", buttons=[dict(label="Reset", type="reset")])
        except ValueError as error:
            errors.append(str(error))

    _, browser = run_app(app)
    (spec,) = [c["spec"]["input"] for c in browser.commands_named("output")]
    assert spec["buttons"] == [
        {"label": "Warn", "value": 0, "color": "warning", "type": "submit"},
        {"label": "Off", "value": 1, "type": "submit", "disabled": True},
    ]
    assert errors and "must be of type 'submit'" in errors[0]


def test_bad_pin_names(run_app: Any) -> None:
    errors: list[str] = []

    def app() -> None:
        for call in (lambda: pin_update(""), lambda: setattr(pins.pin, "use_strict", 1)):
            try:
                call()
            except (ValueError, AssertionError) as error:
                errors.append(str(error))

    run_app(app)
    assert errors == [
        "pin names are non-empty strings, not ''",
        "'use_strict' is a reserved name, can't use as pin widget name",
    ]


def test_file_pin_takes_its_chunks_through_a_callback_and_reads_as_file_upload(loop: Any) -> None:
    from helpers import start_app

    from jupyter_session.pin import get_pin_values, put_file_upload

    browser = FakeBrowser()
    values: list[Any] = []

    def app() -> None:
        put_file_upload("doc", label="Document", max_size=6)
        put_input("title", value="x")
        values.append(pins.pin.doc)
        values.append(get_pin_values(["doc", "title", "missing"]))

    def answer() -> None:
        wait_until(lambda: browser.commands_named("pin_value"))
        spec = browser.commands_named("output")[0]["spec"]["input"]
        callback_id = spec["upload_callback_id"]

        def chunk(upload_id: str, offset: int, content: bytes) -> None:
            browser.send_event(
                dict(
                    event="file_chunk",
                    task_id=callback_id,
                    buffer_paths=[["data", "chunk"]],
                    data=dict(upload_id=upload_id, name="doc", offset=offset, chunk=None),
                ),
                [content],
            )

        chunk("u1", 0, b"abc")
        chunk("u1", 3, b"def")
        chunk("u2", 0, b"too long")  # beyond max_size: dropped, not acknowledged
        wait_until(lambda: len(browser.commands_named("file_ack")) == 2)
        described = dict(upload_id="u1", filename="a.txt", size=6, mime_type="text/plain", last_modified=1)
        request = browser.commands_named("pin_value")[0]
        browser.send_event(dict(event="js_yield", task_id=request["task_id"], data={"value": [described]}))
        wait_until(lambda: browser.commands_named("pin_values"))
        request = browser.commands_named("pin_values")[0]
        assert request["spec"] == {"names": ["doc", "title", "missing"]}
        browser.send_event(dict(event="js_yield", task_id=request["task_id"], data={"doc": None, "title": "Report"}))

    threading.Thread(target=answer, daemon=True).start()
    session = start_app(app, browser, loop)
    wait_until(lambda: len(values) == 2)
    browser.close()  # the file pin's upload callback keeps the session open
    wait_until(session.closed)
    assert values == [
        dict(filename="a.txt", size=6, mime_type="text/plain", last_modified=1, content=b"abcdef"),
        {"doc": None, "title": "Report"},
    ]
    assert [c["spec"]["received"] for c in browser.commands_named("file_ack")] == [3, 6]


def test_a_file_pin_read_that_timed_out_leaves_no_upload_behind(loop: Any, monkeypatch: Any) -> None:
    """A single-file pin takes one upload at a time; what a read that timed out left is dropped by the next
    read, whose upload then arrives."""
    from helpers import start_app

    from jupyter_session.exceptions import SessionTimeout
    from jupyter_session.pin import put_file_upload

    monkeypatch.setattr(pins, "_FILE_PIN_READ_TIMEOUT", 0.5)
    browser = FakeBrowser()
    values: list[Any] = []

    def app() -> None:
        put_file_upload("doc", max_size=6)
        try:
            values.append(pins.pin.doc)
        except SessionTimeout:
            values.append("timed out")
        values.append(pins.pin.doc)

    def chunk(upload_id: str, content: bytes) -> None:
        callback_id = browser.commands_named("output")[0]["spec"]["input"]["upload_callback_id"]
        data = dict(upload_id=upload_id, name="doc", offset=0, chunk=None)
        browser.send_event(
            dict(event="file_chunk", task_id=callback_id, buffer_paths=[["data", "chunk"]], data=data), [content]
        )

    def answer() -> None:
        wait_until(lambda: browser.commands_named("pin_value"))
        chunk("u1", b"abc")  # the first read's upload, never finished: the read times out
        wait_until(lambda: len(browser.commands_named("pin_value")) == 2)
        chunk("u2", b"xyz")
        wait_until(lambda: len(browser.commands_named("file_ack")) == 2)
        described = dict(upload_id="u2", filename="b.txt", size=3, mime_type="text/plain", last_modified=1)
        request = browser.commands_named("pin_value")[1]
        browser.send_event(dict(event="js_yield", task_id=request["task_id"], data={"value": [described]}))

    threading.Thread(target=answer, daemon=True).start()
    session = start_app(app, browser, loop)
    wait_until(lambda: len(values) == 2)
    browser.close()
    wait_until(session.closed)
    assert values == [
        "timed out",
        dict(filename="b.txt", size=3, mime_type="text/plain", last_modified=1, content=b"xyz"),
    ]


def test_pin_update_selects_checkbox_values_by_index_after_new_options(run_app: Any) -> None:
    def app() -> None:
        put_checkbox("extras", ["a", "b"])
        pin_update("extras", options=["x", "y", "z"])
        pin_update("extras", value="z")  # one value for a multiple choice still selects by index

    _, browser = run_app(app)
    updates = [c["spec"]["attributes"] for c in browser.commands_named("pin_update")]
    assert updates[1] == {"selected": [2]}
