"""Content, layout, message, popup and toast outputs: the specs they send and the errors they raise."""

from __future__ import annotations

from typing import Any

import pytest

from jupyter_session.output import (
    close_popup,
    popup,
    put_code,
    put_collapse,
    put_grid,
    put_info,
    put_link,
    put_loading,
    put_row,
    put_scrollable,
    put_table,
    put_text,
    span,
    style,
    toast,
)


def sent(browser: Any, name: str = "output") -> list[dict[str, Any]]:
    return [command["spec"] for command in browser.commands_named(name)]


def text(content: str) -> dict[str, Any]:
    return {"type": "text", "content": content, "inline": False}


def test_specs(run_app: Any) -> None:
    def app() -> None:
        put_code("x = 1", language="python", rows=2)
        put_link("home", app="index", new_window=True)
        put_info("note", put_text("more"), closable=True)
        put_table([{"a": 1, "b": span("wide", col=2)}], header=[("A", "a"), ("B", "b")])
        put_row([put_text("l"), None], size="1fr 1fr")
        put_grid([[put_text("a")], [put_text("b")]], direction="column")
        put_collapse("title", "body", open=True)
        put_scrollable(["x"], height=(50, 200), keep_bottom=True)
        put_loading(shape="grow", color="success")
        style([put_text("s1"), put_text("s2")], "color: red")

    _, browser = run_app(app)
    code, link, info, table, row, grid, collapse, scrollable, loading, s1, s2 = sent(browser)
    assert (code["type"], code["content"], code["language"], code["rows"]) == ("code", "x = 1", "python", 2)
    assert (link["href"], link["new_window"]) == ("?app=index", True)
    assert info["color"] == "info" and info["closable"] is True
    assert info["contents"][0] == text("note") and info["contents"][1]["content"] == "more"
    assert [cell["content"]["content"] for cell in table["rows"][0]] == ["A", "B"]
    assert table["rows"][1:] == [[dict(content=text("1"), row=1, col=1), dict(content=text("wide"), row=1, col=2)]]
    assert row["direction"] == "row" and row["contents"][1] is None and row["size"] == "1fr 1fr"
    assert [[cell["content"]["content"] for cell in line] for line in grid["contents"]] == [["a"], ["b"]]
    assert (grid["flow"], grid["columns"], grid["rows"]) == ("column", "repeat(2, auto)", "repeat(1, auto)")
    assert collapse["contents"] == [text("body")] and collapse["open"] is True
    assert (scrollable["min_height"], scrollable["max_height"], scrollable["keep_bottom"]) == (50, 200, True)
    assert (loading["shape"], loading["color"]) == ("grow", "success")
    assert s1["style"] == s2["style"] == ";color: red"


def test_tables_rows_and_grids_lay_out_as_in_pywebio(run_app: Any) -> None:
    from jupyter_session.output import put_column

    def app() -> None:
        put_table([["H1", "H2"], ["a", "b"]])  # no header: the first row is the header
        put_table([{"course": "OS", "score": 80}])  # dict keys, capitalized, make the header
        put_table([["C"]], header=[span("A", row=2), "B"])  # a header cell spans into the body
        put_table([], header=[("Title", "key")])
        put_row([put_text("B1"), None, put_text("B2")])  # None is a 10px gap
        put_column(put_text("alone"))
        put_grid([[span(put_text("A"), col=2)], [put_text("B"), put_text("C")], [put_text("D")]])
        put_grid([[span(put_text("tall"), row=2), put_text("B")], [put_text("C")]], cell_width="80px")

    _, browser = run_app(app)
    no_header, dicts, spanned, empty, row, column, grid, tall = sent(browser)

    def contents(table: dict[str, Any]) -> list[list[str]]:
        return [[cell["content"]["content"] for cell in line] for line in table["rows"]]

    assert contents(no_header) == [["H1", "H2"], ["a", "b"]]
    assert contents(dicts) == [["Course", "Score"], ["OS", "80"]]
    assert contents(spanned) == [["A", "B"], ["C"]] and spanned["rows"][0][0]["row"] == 2
    assert contents(empty) == [["Title"]]
    assert row["size"] == "1fr 10px 1fr" and column["size"] == "1fr" and len(column["contents"]) == 1
    assert [[(cell["content"] or {}).get("content") for cell in line] for line in grid["contents"]] == [
        ["A"],
        ["B", "C"],
        ["D", None],
    ]  # short lines are padded with empty cells
    assert grid["contents"][0][0]["col"] == 2 and grid["columns"] == "repeat(2, auto)"
    assert grid["rows"] == "repeat(3, auto)" and grid["flow"] == "row"
    assert [len(line) for line in tall["contents"]] == [2, 1]  # the span fills the second line's first cell
    assert tall["contents"][0][0]["row"] == 2 and tall["columns"] == "repeat(2, 80px)"


def test_popup_toast_and_their_commands(run_app: Any) -> None:
    def app() -> None:
        popup("Title", [put_text("inside")], size="large")
        with popup("Again"):
            put_text("written into the popup")
        close_popup()
        toast("hi", duration=0, position="right", color="success")

    _, browser = run_app(app)
    first, second = sent(browser, "popup")
    assert first["contents"][0]["content"] == "inside" and first["size"] == "large"
    assert second["dom_id"] == "pywebio-scope-_popup_"
    assert sent(browser)[0]["scope"] == "#pywebio-scope-_popup_"
    assert len(browser.commands_named("close_popup")) == 1
    (shown,) = sent(browser, "toast")
    assert (shown["content"], shown["position"], shown["onclick"]) == ("hi", "right", None)


def test_a_toast_click_runs_onclick(loop: Any) -> None:
    from helpers import start_app, wait_until

    from jupyter_session.testing import FakeBrowser

    browser = FakeBrowser()
    session = start_app(lambda: toast("click me", onclick=lambda: put_text("clicked")), browser, loop)
    wait_until(lambda: browser.commands_named("toast"))
    browser.click(sent(browser, "toast")[0]["onclick"])
    wait_until(lambda: [spec["content"] for spec in sent(browser)] == ["clicked"])
    browser.close()
    wait_until(session.closed)


@pytest.mark.parametrize(
    "call, message",
    [
        (lambda: put_link("x"), "exactly one of `url` and `app`"),
        (lambda: span("x", row=0), "positive whole numbers"),
        (lambda: put_grid([[None]], direction="diagonal"), "'row' or 'column'"),
        (lambda: put_loading(shape="square"), "'border' or 'grow'"),
        (lambda: toast("x", position="top"), "'left', 'center' or 'right'"),
        (lambda: popup("x", size="huge"), "'large', 'normal' or 'small'"),
        (lambda: put_table([{"a": 1}, [2]]), "mix dicts and lists"),
    ],
)
def test_bad_arguments(run_app: Any, call: Any, message: str) -> None:
    errors: list[str] = []

    def app() -> None:
        try:
            call()
        except (ValueError, TypeError) as error:
            errors.append(str(error))

    run_app(app)
    assert len(errors) == 1 and message in errors[0]


def test_images_files_tabs_and_progress(run_app: Any) -> None:
    from jupyter_session.output import put_file, put_image, put_processbar, put_tabs, set_processbar

    class FakePILImage:  # what put_image needs of a PIL image
        mode, format = "RGB", None

        def save(self, buffer: Any, format: str) -> None:  # noqa: A002
            buffer.write(f"{format} bytes".encode())

    def app() -> None:
        put_image(b"\x89PNG...", format="PNG", width="10px")
        put_image(FakePILImage())
        put_image("https://example.org/a.png")
        put_file("a.bin", b"\x00\x01")
        put_tabs([dict(title="T", content="body")])
        put_processbar("job", 0.5, label="half")
        set_processbar("job", 1)

    _, browser = run_app(app)
    png, pil, url, file, tabs, bar = sent(browser)
    assert bytes(png["src"]) == b"\x89PNG..." and png["format"] == "png" and png["width"] == "10px"
    assert bytes(pil["src"]) == b"png bytes"
    assert url["src"] == "https://example.org/a.png"
    assert bytes(file["content"]) == b"\x00\x01" and file["label"] == "a.bin"
    assert tabs["tabs"] == [dict(title="T", contents=[text("body")])]
    assert (bar["name"], bar["value"], bar["label"]) == ("job", 0.5, "half")
    assert sent(browser, "processbar") == [dict(name="job", value=1.0, label=None)]


def test_media_arguments_are_checked(run_app: Any) -> None:
    from jupyter_session.output import put_file, put_image, put_processbar, put_tabs

    errors: list[str] = []

    def app() -> None:
        for call in (
            lambda: put_image(42),
            lambda: put_file("x", "text"),
            lambda: put_tabs([{"title": "t"}]),
            lambda: put_processbar("p", 1.5),
            lambda: put_processbar("bad name", 0),
        ):
            try:
                call()
            except (TypeError, ValueError) as error:
                errors.append(str(error))

    run_app(app)
    assert errors == [
        "put_image() takes a URL, bytes or a PIL image, not int",
        "put_file() content must be bytes, not str",
        "tab {'title': 't'} needs a 'title' and a 'content'",
        "progress must be a number from 0 to 1, not 1.5",
        "scope name 'bad name' must be a non-empty string of letters, digits, '_' or '-'",
    ]


def test_container_outputs_as_context_managers(run_app: Any) -> None:
    names: list[str] = []

    def app() -> None:
        with put_collapse("More") as name:
            names.append(name)
            put_text("inside")
        with put_loading():
            put_text("working")
        with pytest.raises(RuntimeError, match="context manager"), put_text("plain"):
            pass

    _, browser = run_app(app)
    outputs = sent(browser)
    collapse, inside, loading, working = outputs[:4]
    assert collapse["type"] == "collapse" and collapse["container_dom_id"] == f"pywebio-scope-{names[0]}"
    assert inside["scope"] == f"#pywebio-scope-{names[0]}"
    assert working["scope"] == f"#{loading['container_dom_id']}"
    # the spinner and what was output inside it go away when the block ends
    assert sent(browser, "output_ctl")[-1] == {"remove": f"#{loading['container_dom_id']}"}


def test_put_widget_embeds_outputs_and_output_handler_edits_its_content(run_app: Any) -> None:
    from jupyter_session.output import output, put_widget

    def app() -> None:
        put_widget(
            "<details><summary>{{title}}</summary>{{#items}}{{& pywebio_output_parse}}{{/items}}</details>",
            {"title": "<b>t</b>", "items": ["a", put_code("x")]},
        )
        with pytest.warns(DeprecationWarning):
            hobby = output("Coding")
        put_table([["Name", "Hobbies"], ["Wang", hobby]])
        hobby.reset("Movie")
        hobby.append("Music")
        hobby.insert(0, put_text("First"))
        with pytest.raises(TypeError):
            put_widget("<p></p>", ["not", "a", "dict"])  # type: ignore[arg-type]

    _, browser = run_app(app)
    widget, table, movie, music, first = sent(browser)
    assert widget["type"] == "custom_widget"
    assert widget["data"] == {
        "title": "<b>t</b>",
        "items": ["a", {"type": "code", "content": "x", "language": "", "scope": widget["scope"], "position": -1}],
    }
    scope = table["rows"][1][1]["content"]["dom_id"]
    assert table["rows"][1][1]["content"]["contents"] == [text("Coding")]
    assert sent(browser, "output_ctl")[0] == {"clear": f"#{scope}"}
    assert [movie["content"], music["content"], first["content"]] == ["Movie", "Music", "First"]
    assert {movie["scope"], music["scope"], first["scope"]} == {f"#{scope}"}
    assert [movie["position"], music["position"], first["position"]] == [-1, -1, 0]


def test_datatable_spec_callbacks_and_updates(loop: Any) -> None:
    from helpers import start_app, wait_until

    from jupyter_session.output import JSFunction, datatable_insert, datatable_remove, datatable_update, put_datatable
    from jupyter_session.testing import FakeBrowser

    browser = FakeBrowser()
    chosen: list[Any] = []

    def app() -> None:
        put_datatable(
            [{"id": "a", "info": {"age": 3}}, {"id": "b", "info": {"age": object}}],
            id_field="id",
            actions=[("Pick", chosen.append), None],
            onselect=lambda row: chosen.append(("sel", row)),
            instance_id="t",
            column_order={"info": {"age": None}, "id": None},
            grid_args={"onCellClicked": JSFunction("event", "console.log(event)")},
        )
        datatable_update("t", 4, "a", ("info", "age"))
        datatable_insert("t", {"id": "c", "info": {"age": 5}})
        datatable_remove("t", "b")
        with pytest.raises(ValueError, match="row_id"):
            datatable_update("t", 1, field="id")
        with pytest.raises(ValueError, match="column_order"):
            put_datatable([])

    start_app(app, browser, loop)
    wait_until(lambda: len(browser.commands_named("datatable")) == 3)
    (table,) = sent(browser)
    assert [column["header"] for column in table["columns"]] == ["info › age", "id"]
    assert table["rows"][1] == {"id": "b", "cells": {'["id"]': "b", '["info", "age"]': str(object)}}
    assert [command["spec"]["op"] for command in browser.commands_named("datatable")] == ["update", "insert", "remove"]
    browser.click(table["callback_id"], {"rows": ["b"]})
    browser.click(table["callback_id"], {"btn": 0, "rows": ["a"]})
    browser.click(table["callback_id"], {"btn": 1, "rows": ["a"]})  # the gap: dropped
    browser.click(table["callback_id"], "forged")  # dropped
    wait_until(lambda: len(chosen) == 2)
    assert chosen == [("sel", "b"), "a"]
    browser.close()


def test_datatable_height_keeps_pywebios_meaning(loop: Any, caplog: pytest.LogCaptureFixture) -> None:
    """An int is pixels, 'auto' fits the rows, and past 1,000 records 'auto' falls back to 600 px with a warning."""
    from helpers import start_app, wait_until

    from jupyter_session.output import put_datatable
    from jupyter_session.testing import FakeBrowser

    browser = FakeBrowser()

    def app() -> None:
        put_datatable([{"a": 1}], height=300)
        put_datatable([{"a": 1}], height="auto")
        put_datatable([{"a": n} for n in range(1001)], height="auto")

    start_app(app, browser, loop)
    wait_until(lambda: len(sent(browser)) == 3)
    assert [table["height"] for table in sent(browser)] == ["300px", "auto", "600px"]
    assert "too many rows for height='auto'" in caplog.text
    browser.close()
