"""Input functions over the in-memory browser: forms, validation, choices, groups, cancel, onchange."""

from __future__ import annotations

import threading
from typing import Any

import pytest
from helpers import start_app, wait_until

from jupyter_session.input import (
    FLOAT,
    NUMBER,
    actions,
    checkbox,
    input,
    input_group,
    input_update,
    radio,
    select,
    textarea,
)
from jupyter_session.output import put_text
from jupyter_session.testing import FakeBrowser


def forms(browser: FakeBrowser) -> list[dict[str, Any]]:
    return browser.commands_named("input_group")


def answer(browser: FakeBrowser, kind: str, data: Any, form: int = -1) -> None:
    task_id = forms(browser)[form]["task_id"]
    browser.send_event(dict(event=kind, task_id=task_id, data=data))


def shown(browser: FakeBrowser) -> list[str]:
    return [c["spec"]["content"] for c in browser.commands_named("output")]


def run(loop: Any, app: Any) -> FakeBrowser:
    browser = FakeBrowser()
    start_app(app, browser, loop)
    wait_until(lambda: forms(browser))
    return browser


@pytest.mark.parametrize("mode", ["thread", "coroutine"])
def test_input_shows_a_form_validates_and_returns_the_value(loop: Any, mode: str) -> None:
    def check(name: str) -> str | None:
        return "Too short" if len(name) < 3 else None

    def thread_app() -> None:
        put_text(f"hello {input('Your name', validate=check, placeholder='name', help_text='3 letters or more')}")

    async def coroutine_app() -> None:
        put_text(f"hello {await input('Your name', validate=check, placeholder='name', help_text='3 letters or more')}")

    browser = run(loop, thread_app if mode == "thread" else coroutine_app)
    (form,) = forms(browser)
    assert form["spec"] == {
        "label": "Your name",
        "inputs": [
            {
                "type": "input",
                "input_type": "text",
                "name": "data",
                "placeholder": "name",
                "help_text": "3 letters or more",
                "onblur": True,
                "auto_focus": True,
            }
        ],
    }
    answer(browser, "input_event", dict(event_name="blur", name="data", value="ab"))
    answer(browser, "from_submit", {"data": "ab"})
    wait_until(lambda: len(browser.commands_named("update_input")) == 2)
    assert [c["spec"] for c in browser.commands_named("update_input")] == [
        {"target_name": "data", "attributes": {"valid_status": False, "invalid_feedback": "Too short"}}
    ] * 2
    answer(browser, "from_submit", {"data": "Ada"})
    browser.wait_closed()
    assert shown(browser) == ["hello Ada"]
    assert len(browser.commands_named("destroy_form")) == 1


def test_a_required_field_refuses_an_empty_answer(loop: Any) -> None:
    """PyWebIO's page left this to the browser; this page leaves it to the session."""

    def app() -> None:
        put_text(
            f"name {input('Your name', required=True)!r}, hobbies {checkbox('Hobbies', ['a', 'b'], required=True)}"
        )

    browser = run(loop, app)
    answer(browser, "from_submit", {"data": ""})
    wait_until(lambda: browser.commands_named("update_input"))
    assert browser.commands_named("update_input")[-1]["spec"] == {
        "target_name": "data",
        "attributes": {"valid_status": False, "invalid_feedback": "Please fill in this field"},
    }
    answer(browser, "from_submit", {"data": "Ada"})
    wait_until(lambda: len(forms(browser)) == 2)
    answer(browser, "from_submit", {"data": []})
    wait_until(lambda: len(browser.commands_named("update_input")) == 2)
    answer(browser, "from_submit", {"data": [1]})
    browser.wait_closed()
    assert shown(browser) == ["name 'Ada', hobbies ['b']"]


def test_numbers_are_converted_and_bad_ones_rejected(run_app: Any) -> None:
    results: list[Any] = []
    browser = FakeBrowser()

    def app() -> None:
        results.append(input("Count", type=NUMBER))
        results.append(input("Ratio", type=FLOAT))

    def fill() -> None:
        wait_until(lambda: len(forms(browser)) == 1)
        assert forms(browser)[0]["spec"]["inputs"][0]["input_type"] == "number"
        answer(browser, "from_submit", {"data": "twelve"})
        wait_until(lambda: browser.commands_named("update_input"))
        answer(browser, "from_submit", {"data": "12"})
        wait_until(lambda: len(forms(browser)) == 2)
        answer(browser, "from_submit", {"data": "0.25"})

    import threading

    threading.Thread(target=fill, daemon=True).start()
    run_app(app, browser)
    assert results == [12, 0.25]
    assert browser.commands_named("update_input")[0]["spec"]["attributes"]["invalid_feedback"] == (
        "Please enter a number."
    )


@pytest.mark.parametrize(
    ("kind", "answer_", "error"),
    [
        (NUMBER, "2.5", "Please enter a whole number."),
        (NUMBER, "1e", "Please enter a number."),
        (NUMBER, "1_000", "Please enter a number."),
        (FLOAT, "1e", "Please enter a number."),
        (FLOAT, "nan", "Please enter a number."),
        (FLOAT, "-inf", "Please enter a number."),
        (FLOAT, "1e999", "Please enter a number."),
        (FLOAT, "9" * 500, "Please enter a number."),
    ],
)
def test_an_invalid_number_is_refused_with_the_fields_error_never_none(
    run_app: Any, kind: str, answer_: str, error: str
) -> None:
    """PyWebIO's page refused these itself (this one does too); the session refuses them as well, so an app never
    gets ``None`` (or NaN) for a number that is not one: ``None`` is an empty field."""
    results: list[Any] = []
    browser = FakeBrowser()

    def app() -> None:
        results.append(input("Number", type=kind))

    def fill() -> None:
        wait_until(lambda: forms(browser))
        answer(browser, "from_submit", {"data": answer_})
        wait_until(lambda: browser.commands_named("update_input"))
        answer(browser, "from_submit", {"data": "1e3"})  # the browser's number fields take exponents

    threading.Thread(target=fill, daemon=True).start()
    run_app(app, browser)
    assert [c["spec"] for c in browser.commands_named("update_input")] == [
        {"target_name": "data", "attributes": {"valid_status": False, "invalid_feedback": error}}
    ]
    assert results == [1000] if kind == NUMBER else [1000.0]
    assert type(results[0]) is (int if kind == NUMBER else float)


def test_choices_travel_as_indexes_and_forged_ones_are_rejected(run_app: Any) -> None:
    import threading

    browser = FakeBrowser()
    results: list[Any] = []
    marker = object()

    def app() -> None:
        results.append(
            input_group(
                "Pick",
                [
                    select("One", [("First", {"k": 1}), ("Second", marker)], name="one", value=marker),
                    select("Many", ["a", "b", "c"], name="many", multiple=True),
                    checkbox("Boxes", [("x", 10), ("y", 20)], name="boxes", value=[20]),
                    radio("Radio", ["r1", "r2"], name="radio"),
                ],
            )
        )

    def fill() -> None:
        wait_until(lambda: forms(browser))
        inputs = forms(browser)[0]["spec"]["inputs"]
        assert inputs[0]["options"] == [
            {"label": "First", "value": 0},
            {"label": "Second", "value": 1, "selected": True},
        ]
        assert inputs[2]["options"][1] == {"label": "y", "value": 1, "selected": True}
        answer(browser, "from_submit", {"one": 5, "many": [0], "boxes": [], "radio": None})  # forged index
        wait_until(lambda: browser.commands_named("update_input"))
        answer(browser, "from_submit", {"one": 1, "many": [0, 2], "boxes": [1], "radio": 0})

    threading.Thread(target=fill, daemon=True).start()
    run_app(app, browser)
    assert results == [{"one": marker, "many": ["a", "c"], "boxes": [20], "radio": "r1"}]
    (rejected,) = browser.commands_named("update_input")
    assert rejected["spec"]["target_name"] == "one"


def test_a_list_value_selects_its_items_in_any_choice_field_and_the_first_line_field_takes_the_focus(
    run_app: Any,
) -> None:
    from jupyter_session.input import COLOR

    browser = FakeBrowser()

    def fill() -> None:
        wait_until(lambda: forms(browser))
        answer(browser, "from_submit", {"colour": "#000000", "bio": "", "one": 1, "n": "2"})

    threading.Thread(target=fill, daemon=True).start()
    run_app(
        lambda: input_group(
            "Form",
            [
                input("Colour", type=COLOR, name="colour"),
                textarea("Bio", name="bio"),
                select("One", ["a", "b"], name="one", value=["b"]),  # as PyWebIO: a list value even without multiple
                input("N", type=NUMBER, name="n"),
            ],
        ),
        browser,
    )
    colour, bio, one, number = forms(browser)[0]["spec"]["inputs"]
    assert one["options"][1] == {"label": "b", "value": 1, "selected": True}
    assert [spec.get("auto_focus") for spec in (colour, bio, one, number)] == [None, None, True, None]


def test_group_validation_cancel_and_actions(run_app: Any) -> None:
    import threading

    browser = FakeBrowser()
    results: list[Any] = []

    def app() -> None:
        results.append(
            input_group(
                "Sign up",
                [input("Name", name="name"), textarea("Bio", name="bio", rows=3)],
                validate=lambda d: ("bio", "Say more") if not d["bio"] else None,
                cancelable=True,
            )
        )
        results.append(input_group("Again", [input("Name", name="name")], cancelable=True))
        results.append(actions("Continue?", [("Yes", True), ("No", False), dict(label="Reset", type="reset")]))

    def fill() -> None:
        wait_until(lambda: forms(browser))
        answer(browser, "from_submit", {"name": "Ada", "bio": ""})
        wait_until(lambda: browser.commands_named("update_input"))
        answer(browser, "from_submit", {"name": "Ada", "bio": "Engines"})
        wait_until(lambda: len(forms(browser)) == 2)
        answer(browser, "from_cancel", None)
        wait_until(lambda: len(forms(browser)) == 3)
        assert forms(browser)[2]["spec"]["inputs"][0]["buttons"][2] == {"label": "Reset", "value": 2, "type": "reset"}
        answer(browser, "from_submit", {"data": 1})

    threading.Thread(target=fill, daemon=True).start()
    run_app(app, browser)
    assert results == [{"name": "Ada", "bio": "Engines"}, None, False]
    assert browser.commands_named("update_input")[0]["spec"] == {
        "target_name": "bio",
        "attributes": {"valid_status": False, "invalid_feedback": "Say more"},
    }


def test_onchange_can_update_another_field(run_app: Any) -> None:
    import threading

    browser = FakeBrowser()
    cities = {"UK": ["London", "Leeds"], "FR": ["Paris"]}
    results: list[Any] = []

    def app() -> None:
        results.append(
            input_group(
                "Where",
                [
                    select(
                        "Country",
                        list(cities),
                        name="country",
                        onchange=lambda country: input_update("city", options=cities[country]),
                    ),
                    select("City", cities["UK"], name="city"),
                ],
            )
        )

    def fill() -> None:
        wait_until(lambda: forms(browser))
        answer(browser, "input_event", dict(event_name="change", name="country", value=1))
        wait_until(lambda: browser.commands_named("update_input"))
        answer(browser, "from_submit", {"country": 1, "city": 0})

    threading.Thread(target=fill, daemon=True).start()
    run_app(app, browser)
    assert results == [{"country": "FR", "city": "Paris"}]
    assert browser.commands_named("update_input")[0]["spec"] == {
        "target_name": "city",
        "attributes": {"options": [{"label": "Paris", "value": 0}]},
    }


def test_malformed_form_events_are_dropped_and_the_form_stays(run_app: Any) -> None:
    import threading

    browser = FakeBrowser()
    results: list[Any] = []

    def app() -> None:
        results.append(input("Name"))

    def fill() -> None:
        wait_until(lambda: forms(browser))
        for data in ("not a dict", {"other": 1}, {"data": "x", "extra": 2}):
            answer(browser, "from_submit", data)
        answer(browser, "input_event", dict(event_name="blur", name="nope", value=1))
        answer(browser, "input_event", "junk")
        answer(browser, "from_submit", {"data": ["not", "text"]})
        wait_until(lambda: browser.commands_named("update_input"))
        answer(browser, "from_submit", {"data": "fine"})

    threading.Thread(target=fill, daemon=True).start()
    run_app(app, browser)
    assert results == ["fine"]


def test_input_events_a_page_sends_are_taken_quietly_and_malformed_ones_dropped_loudly(
    run_app: Any, caplog: pytest.LogCaptureFixture
) -> None:
    """A page reports a field's blur or change as it happens, so one of the task's previous form can arrive
    while the next is open (chat_room's nickname, left as its form goes): dropped at debug level, as are
    events no function asked for. Malformed ones are still warned about."""
    import logging

    caplog.set_level(logging.DEBUG, logger="jupyter_session.input")
    browser = FakeBrowser()
    results: list[Any] = []

    def app() -> None:
        results.append(input_group("Message", [input(name="msg"), actions(name="cmd", buttons=["Send"])]))

    def fill() -> None:
        wait_until(lambda: forms(browser))
        answer(browser, "input_event", dict(event_name="blur", name="data", value="ada"))  # the previous form's
        answer(browser, "input_event", dict(event_name="blur", name="msg", value="hi"))  # no validate asked for it
        answer(browser, "input_event", dict(event_name="change", name="msg", value="hi"))  # nor an onchange
        for junk in ("junk", dict(event_name="paste", name="msg", value=""), dict(event_name="blur", name=["msg"])):
            answer(browser, "input_event", junk)
        answer(browser, "from_submit", {"msg": "hi", "cmd": 0})

    threading.Thread(target=fill, daemon=True).start()
    run_app(app, browser)
    assert results == [{"msg": "hi", "cmd": "Send"}]
    assert browser.commands_named("update_input") == []
    warnings = [r.getMessage() for r in caplog.records if r.levelno >= logging.WARNING]
    assert len(warnings) == 3 and all(w.startswith("dropped a malformed input_event") for w in warnings), warnings
    quiet = [r.getMessage() for r in caplog.records if r.levelno == logging.DEBUG]
    assert len(quiet) == 3, quiet


def test_an_uploads_description_is_checked_and_its_name_is_a_base_name(run_app: Any) -> None:
    """As PyWebIO: the file name loses any folder (it is a name, not a path); last_modified must be a number."""
    from jupyter_session.input import file_upload

    browser = FakeBrowser()
    results: list[Any] = []

    def app() -> None:
        results.append(file_upload("Doc"))

    def fill() -> None:
        wait_until(lambda: forms(browser))
        _chunk(browser, "u1", 0, b"ab")
        wait_until(lambda: _acks(browser))
        described = dict(upload_id="u1", filename="../../etc/passwd", size=2, mime_type="text/plain")
        for bad in ("1", None, True, float("nan")):
            answer(browser, "from_submit", {"data": [dict(described, last_modified=bad)]})
        answer(browser, "from_submit", {"data": [dict(described, last_modified=1600000000.25)]})

    threading.Thread(target=fill, daemon=True).start()
    run_app(app, browser)
    assert results == [
        dict(filename="passwd", size=2, mime_type="text/plain", last_modified=1600000000.25, content=b"ab")
    ]
    assert len(browser.commands_named("update_input")) == 4


def test_bad_arguments_raise_clear_errors(run_app: Any) -> None:
    errors: list[str] = []

    def app() -> None:
        for call in (
            lambda: input("x", type="weird"),
            lambda: select("x", [{"label": "a"}]),
            lambda: input_group("g", ["not an input"]),
            lambda: actions("a", [("x", 1, "jump")]),
            lambda: input_update(label="x"),
        ):
            try:
                call()
            except (ValueError, TypeError, RuntimeError) as error:
                errors.append(f"{type(error).__name__}: {error}")

    run_app(app)
    assert errors[0].startswith("ValueError: input type 'weird' is not one of")
    assert errors[1] == "ValueError: option {'label': 'a'} needs a 'label' and a 'value'"
    assert errors[2] == (
        "TypeError: input_group takes the results of input functions called with a name, not 'not an input'"
    )
    assert errors[3] == "ValueError: action type must be 'submit', 'reset' or 'cancel', not 'jump'"
    assert errors[4] == "RuntimeError: `input_update()` can only be called in `onchange` callback."


def test_slider_returns_ints_or_floats_like_its_bounds(run_app: Any) -> None:
    import threading

    from jupyter_session.input import slider

    browser = FakeBrowser()
    results: list[Any] = []

    def app() -> None:
        results.append(slider("Whole", value=3, max_value=10))
        results.append(slider("Part", value=0.5, max_value=1.0, step=0.1))

    def fill() -> None:
        wait_until(lambda: forms(browser))
        assert forms(browser)[0]["spec"]["inputs"][0] == {
            "type": "slider",
            "name": "data",
            "value": 3,
            "min_value": 0,
            "max_value": 10,
            "step": 1,
            "auto_focus": True,
        }
        answer(browser, "from_submit", {"data": 7})
        wait_until(lambda: len(forms(browser)) == 2)
        answer(browser, "from_submit", {"data": "0.3"})

    threading.Thread(target=fill, daemon=True).start()
    run_app(app, browser)
    assert results == [7, 0.3] and isinstance(results[0], int) and isinstance(results[1], float)


def test_file_upload_takes_acknowledged_chunks_within_its_limits(run_app: Any) -> None:
    import threading

    from jupyter_session.input import file_upload

    browser = FakeBrowser()
    results: list[Any] = []

    def app() -> None:
        results.append(file_upload("Data", max_size=6, multiple=True))

    def send_chunk(upload_id: str, offset: int, chunk: bytes) -> None:
        task_id = forms(browser)[-1]["task_id"]
        browser.send_event(
            dict(
                event="file_chunk",
                task_id=task_id,
                buffer_paths=[["data", "chunk"]],
                data=dict(upload_id=upload_id, name="data", offset=offset, chunk=None),
            ),
            [chunk],
        )

    def fill() -> None:
        wait_until(lambda: forms(browser))
        send_chunk("u1", 0, b"abc")
        send_chunk("u1", 3, b"def")
        send_chunk("u1", 9, b"gap")  # out of order: dropped
        send_chunk("u2", 0, b"toolarge")  # beyond max_size: dropped
        wait_until(lambda: len(browser.commands_named("file_ack")) == 2)
        described = dict(upload_id="u1", filename="a.txt", size=6, mime_type="text/plain", last_modified=1)
        answer(browser, "from_submit", {"data": [described, dict(described, upload_id="u2", size=8)]})
        wait_until(lambda: browser.commands_named("update_input"))  # u2 did not arrive whole
        answer(browser, "from_submit", {"data": [described]})

    threading.Thread(target=fill, daemon=True).start()
    run_app(app, browser)
    # PyWebIO's keys, in its order (its page sends last_modified in seconds; so does this one).
    assert results == [[dict(filename="a.txt", size=6, mime_type="text/plain", last_modified=1, content=b"abcdef")]]
    assert list(results[0][0]) == ["filename", "size", "mime_type", "last_modified", "content"]
    assert [c["spec"] for c in browser.commands_named("file_ack")] == [
        dict(upload_id="u1", received=3),
        dict(upload_id="u1", received=6),
    ]


def _chunk(browser: FakeBrowser, upload_id: str, offset: int, chunk: bytes, name: str = "data") -> None:
    browser.send_event(
        dict(
            event="file_chunk",
            task_id=forms(browser)[-1]["task_id"],
            buffer_paths=[["data", "chunk"]],
            data=dict(upload_id=upload_id, name=name, offset=offset, chunk=None),
        ),
        [chunk],
    )


def _acks(browser: FakeBrowser) -> list[tuple[str, int]]:
    return [(c["spec"]["upload_id"], c["spec"]["received"]) for c in browser.commands_named("file_ack")]


def test_file_upload_without_limits_gets_the_default_ones_which_the_page_enforces(loop: Any) -> None:
    """PyWebIO's limits defaulted to its backend's 200M message limit; uploads here are chunked, so the
    defaults are explicit: 64 MiB a file and in all. A limit the app gives also bounds the other one."""
    from jupyter_session._fields import DEFAULT_UPLOAD_LIMIT
    from jupyter_session.input import file_upload

    def app() -> None:
        input_group(
            "Files",
            [
                file_upload("Plain", name="plain"),
                file_upload("Small files", name="small", max_size="1M", multiple=True),
                file_upload("Big files", name="big", max_size="100M", multiple=True),
                file_upload("Big total", name="total", max_total_size="200M", multiple=True),
            ],
        )

    browser = run(loop, app)
    limits = {f["name"]: (f["max_size"], f["max_total_size"]) for f in forms(browser)[0]["spec"]["inputs"]}
    assert DEFAULT_UPLOAD_LIMIT == 64 << 20
    assert limits == {
        "plain": (64 << 20, 64 << 20),
        "small": (1 << 20, 64 << 20),
        "big": (100 << 20, 100 << 20),
        "total": (200 << 20, 200 << 20),
    }
    browser.close()


def test_a_single_file_field_takes_one_upload(run_app: Any, caplog: pytest.LogCaptureFixture) -> None:
    """A page may send chunks of many upload ids to a field; a single-file field buffers only the first."""
    from jupyter_session.input import file_upload

    browser = FakeBrowser()
    results: list[Any] = []

    def app() -> None:
        results.append(file_upload("Doc", max_size=4))

    def fill() -> None:
        wait_until(lambda: forms(browser))
        _chunk(browser, "u1", 0, b"ab")
        for n in range(2, 50):
            _chunk(browser, f"u{n}", 0, b"wxyz")  # each within max_size, but the field takes one file
        _chunk(browser, "u1", 2, b"cd")  # the first upload goes on
        wait_until(lambda: len(_acks(browser)) == 2)
        described = dict(upload_id="u1", filename="a.txt", size=4, mime_type="text/plain", last_modified=1)
        answer(browser, "from_submit", {"data": [described]})

    threading.Thread(target=fill, daemon=True).start()
    run_app(app, browser)
    assert results == [dict(filename="a.txt", size=4, mime_type="text/plain", last_modified=1, content=b"abcd")]
    assert _acks(browser) == [("u1", 2), ("u1", 4)]
    rejected = [r.getMessage() for r in caplog.records if "takes one file" in r.getMessage()]
    assert len(rejected) == 48
    assert rejected[0] == (
        "dropped a file chunk of upload 'u2' for 'data': a single-file field takes one file, and upload 'u1' "
        "is already there"
    )


def test_a_session_holds_at_most_its_upload_budget(
    run_app: Any, monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    """Across its fields, forms and file pins a session buffers at most SESSION_UPLOAD_LIMIT bytes of uploads
    (or a field's own larger max_total_size); chunks beyond are dropped unacknowledged."""
    from jupyter_session import _fields
    from jupyter_session.input import file_upload

    monkeypatch.setattr(_fields, "SESSION_UPLOAD_LIMIT", 10)
    browser = FakeBrowser()
    results: list[Any] = []

    def app() -> None:
        fields = [file_upload(name, name=name, max_size=6, max_total_size=6) for name in ("a", "b")]
        results.append(input_group("Two files", fields))

    def fill() -> None:
        wait_until(lambda: forms(browser))
        _chunk(browser, "ua", 0, b"123456", name="a")
        _chunk(browser, "ub", 0, b"1234", name="b")
        _chunk(browser, "ub", 4, b"56", name="b")  # 12 bytes in all: dropped
        wait_until(lambda: "holds" in caplog.text)
        assert _acks(browser) == [("ua", 6), ("ub", 4)]
        describe = dict(filename="f", mime_type="", last_modified=1)
        answer(browser, "from_submit", {"a": [dict(describe, upload_id="ua", size=6)], "b": []})

    threading.Thread(target=fill, daemon=True).start()
    run_app(app, browser)
    assert results == [{"a": dict(filename="f", size=6, mime_type="", last_modified=1, content=b"123456"), "b": None}]
    assert (
        "dropped a file chunk for 'b': its session already holds 10 bytes of uploads, and keeps at most 10 "
        "(SESSION_UPLOAD_LIMIT)"
    ) in caplog.text


def test_input_action_button_sets_the_value_and_a_labelled_value_comes_back(loop: Any) -> None:
    import threading

    browser = FakeBrowser()
    results: list[Any] = []
    picked = object()

    def app() -> None:
        results.append(input("When", action=("Now", lambda set_value: set_value(picked, "right now"))))
        results.append(input("Count", type=NUMBER, action=("Ten", lambda set_value: set_value(10))))

    def fill() -> None:
        for form, expected in ((0, {"value": "right now", "readonly": True}), (1, {"value": 10})):
            wait_until(lambda form=form: len(forms(browser)) > form)
            field = forms(browser)[form]["spec"]["inputs"][0]
            browser.click(field["action"]["callback_id"])
            wait_until(lambda form=form: len(browser.commands_named("update_input")) > form)
            update = browser.commands_named("update_input")[form]
            assert update["spec"] == {"target_name": "data", "attributes": expected}
            answer(browser, "from_submit", {"data": str(expected["value"])})

    threading.Thread(target=fill, daemon=True).start()
    session = start_app(app, browser, loop)
    wait_until(lambda: len(results) == 2)
    browser.close()  # the action callbacks keep the session open, as in PyWebIO
    wait_until(session.closed)
    assert results == [picked, 10]


def test_textarea_code_and_choice_value_updates(run_app: Any) -> None:
    import threading

    browser = FakeBrowser()

    def app() -> None:
        input_group(
            "Edit",
            [
                textarea("Code", name="code", code={"indentUnit": 2, "mode": "python"}),
                radio(
                    "Size",
                    ["S", "M", "L"],
                    name="size",
                    onchange=lambda size: input_update("size", value="L") if size == "S" else None,
                ),
            ],
        )

    def fill() -> None:
        wait_until(lambda: forms(browser))
        answer(browser, "input_event", dict(event_name="change", name="size", value=0))
        wait_until(lambda: browser.commands_named("update_input"))
        answer(browser, "from_cancel", None)

    threading.Thread(target=fill, daemon=True).start()
    run_app(app, browser)
    code_field = forms(browser)[0]["spec"]["inputs"][0]
    assert code_field["code"] == {"indent": 2, "options": {"indentUnit": 2, "mode": "python"}}
    assert browser.commands_named("update_input")[0]["spec"] == {"target_name": "size", "attributes": {"selected": [2]}}
