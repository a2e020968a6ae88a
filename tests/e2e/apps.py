"""Apps the browser tests serve (see serve.py). Each shows its results as text the test reads."""

from __future__ import annotations

import hashlib
import json
import os
import threading
import time

from hostile_apps import js_arguments, xss_sweep  # noqa: F401  (served by name)

from jupyter_session import config
from jupyter_session.exceptions import JSError, SessionClosedException
from jupyter_session.input import (
    FLOAT,
    NUMBER,
    actions,
    checkbox,
    file_upload,
    input,
    input_group,
    radio,
    select,
    slider,
    textarea,
)
from jupyter_session.output import (
    close_popup,
    popup,
    put_button,
    put_buttons,
    put_code,
    put_collapse,
    put_error,
    put_file,
    put_grid,
    put_html,
    put_image,
    put_info,
    put_link,
    put_loading,
    put_markdown,
    put_processbar,
    put_row,
    put_scope,
    put_scrollable,
    put_success,
    put_table,
    put_tabs,
    put_text,
    set_processbar,
    span,
    toast,
    use_scope,
)
from jupyter_session.session import defer_call, download, eval_js, hold, info, register_thread, run_js, set_env


def js_round_trips() -> None:
    results = {
        "language": eval_js("navigator.language"),
        "sum": eval_js("a + b", a=40, b=2),
        "promise": eval_js("new Promise(resolve => setTimeout(() => resolve(['late', n]), 50))", n=7),
        "undefined": eval_js("undefined"),
        "injection": eval_js("text", text="'); window.pwned = true; ('"),
        "pwned": eval_js("window.pwned === undefined"),
    }
    for name, code in {
        "throw": "null.property",
        "reject": "Promise.reject(new RangeError('nope'))",
        "cyclic": "(() => { const o = {}; o.o = o; return o; })()",
    }.items():
        try:
            eval_js(code)
        except JSError as error:
            results[name] = [error.js_name, error.js_message.split(":")[0], bool(error.js_stack)]
    run_js("document.body.dataset.ran = value", value="run_js works")
    results["ran"] = eval_js("document.body.dataset.ran")
    results["browser"] = info.user_agent.browser.family
    put_text("RESULT " + json.dumps(results))


def command_errors() -> None:
    """Requests the page cannot carry out: each raises at once with the page's message."""
    from jupyter_session.exceptions import CommandError
    from jupyter_session.pin import pin, put_input
    from jupyter_session.protocol import Command
    from jupyter_session.session import get_current_session
    from jupyter_session.session._bridge import run_as_function

    results = {}
    put_input("city", label="City")
    run_js(
        "Object.defineProperty(document.querySelector('[name=city]'), 'value', {get() { throw new Error('broken'); }})"
    )
    for name, ask in {
        "unknown": lambda: run_as_function(
            get_current_session().request("x", Command(command="no_such_command", task_id=None, spec={}), 30)
        ),
        "pin": lambda: pin.city,
    }.items():
        started = time.monotonic()
        try:
            ask()
        except CommandError as error:
            results[name] = [error.command, error.js_name, error.js_message.split(":")[0], time.monotonic() - started]
    put_text("RESULT " + json.dumps(results))


def download_small() -> None:
    content = bytes(range(256)) * 4
    put_text("SHA256 " + hashlib.sha256(content).hexdigest())
    download("small.bin", content)


def download_big() -> None:
    content = os.urandom(200 * 2**20)
    put_text("SHA256 " + hashlib.sha256(content).hexdigest())
    download("big.bin", content)


def env_keys() -> None:
    set_env(
        title="Env title",
        output_animation=False,
        auto_scroll_bottom=True,
        http_pull_interval=700,
        output_max_width="600px",
        input_panel_min_height=120,
        input_panel_init_height=240,
        input_panel_fixed=False,
        input_auto_focus=False,
    )
    put_text("ENV SET")


@config(
    title="Dark page",
    theme="dark",
    css_style=".jps-text.shout { letter-spacing: 3px; }",
    js_code="window.configured = document.title",
)
def themed() -> None:
    put_text("THEMED")
    put_text("shouting")
    run_js("document.querySelectorAll('.jps-text')[1].classList.add('shout')")
    put_code("x = 1", language="python")
    put_button("A button", onclick=lambda: None)


def outputs() -> None:
    put_markdown("""
        # Outputs
        Some **markdown** with `code` and <img src=x onerror="window.xss = 'markdown'">
        <script>window.xss = 'markdown script'</script>
        """)
    put_text("<img src=x onerror=\"window.xss = 'text'\">")
    put_html("<b id='bold'>html</b><img src=x onerror=\"window.xss = 'sanitized html'\">", sanitize=True)
    put_text("last")
    put_text("first", position=0)
    put_text("second", position=1)
    put_scope("box", [put_text("in box")])
    with use_scope("log", clear=True):
        put_text("log line")
    put_text("DONE")


def whoami() -> None:
    put_text("SESSION " + str(eval_js("Math.random()")))
    put_text("READY")


def slow_eval() -> None:
    """Waits on a promise the test resolves while the connection is down; meanwhile a thread keeps writing."""

    def ticker() -> None:
        for n in range(10):
            time.sleep(0.1)
            put_text(f"TICK {n}")

    thread = threading.Thread(target=ticker)
    register_thread(thread)
    put_text("WAITING")
    thread.start()
    value = eval_js("new Promise(resolve => { window.resolveLater = resolve; })", timeout=60)
    thread.join()
    put_text("RESUMED " + json.dumps(value))


def echo() -> None:
    """Answers eval_js until the page closes, so a test can poke the connection in between."""
    put_text("READY")
    while True:
        put_text("ECHO " + json.dumps(eval_js("new Promise(resolve => { window.answer = resolve; })", timeout=60)))


def until_closed() -> None:
    closed = threading.Event()
    defer_call(lambda: print("DEFERRED RAN", flush=True))
    defer_call(closed.set)
    put_text("OPEN")
    try:
        eval_js("new Promise(() => {})", timeout=60)
    except SessionClosedException:
        print("WAIT ENDED: SessionClosedException", flush=True)


def buttons() -> None:
    def pressed(value: object) -> None:
        with use_scope("log"):
            put_text(f"PRESSED {value!r}")

    put_scope("log")
    put_buttons(
        [
            dict(label="<img src=x onerror=window.pwned=1>", value={"n": 1}, color="success"),
            ("Second", 2),
            dict(label="Off", value=3, disabled=True),
        ],
        onclick=pressed,
        group=True,
    )
    put_button("Outline", onclick=lambda: pressed("outline"), color="warning", outline=True)
    hold()


def form() -> None:
    age = input(
        "Age", type=NUMBER, validate=lambda n: "Too young" if n is None or n < 18 else None, help_text="18 or more"
    )
    put_text(f"AGE {age}")
    choice = input_group(
        "Choose",
        [
            select("Fruit", ["apple", "pear"], name="fruit", value="pear"),
            checkbox("Extras", [("Cream", "cream"), ("Nuts", "nuts")], name="extras"),
            radio("Size", ["S", "M", "L"], name="size", inline=True),
            input("Note <b>", name="note", placeholder="<i>note</i>"),
            slider("Volume", name="volume", value=0.5, min_value=0.0, max_value=1.0, step=0.25),
        ],
        cancelable=True,
    )
    put_text(f"CHOICE {json.dumps(choice, sort_keys=True)}")
    put_text(f"CANCELLED {input_group('Cancel me', [input('x', name='x')], cancelable=True)!r}")


XSS = "<img src=x onerror=window.pwned=1>"


def showcase() -> None:
    put_code(f"print('{XSS}')", language="python", rows=3)
    put_link(XSS, url="javascript:window.pwned=1")
    put_link("docs", url="https://example.org/", new_window=True)
    put_info(XSS, put_text("info body"), closable=True)
    put_success("saved")
    put_error("failed")
    put_table([["a", span(XSS, col=2)], ["b", put_code("x = 1"), "c"]], header=["one", "two", "three"])
    put_table([{"name": "Ada", "born": 1815}], header=[("Name", "name"), ("Born", "born")])
    put_row([put_text("left"), None, put_text("right")], size="1fr 20px 1fr")
    put_grid([[put_text("g1"), put_text("g2")], [put_text("g3"), None]], cell_width="120px")
    put_collapse(XSS, [put_text("hidden body")])
    put_scrollable([put_text(f"line {i}") for i in range(30)], height=100, keep_bottom=True)
    put_loading()

    def open_popup() -> None:
        with popup(XSS, size="small"):
            put_text("POPUP BODY")
            put_button("Close it", onclick=close_popup)

    put_button("Open popup", onclick=open_popup)
    toast(XSS, duration=0, onclick=lambda: put_text("TOAST CLICKED"))
    hold()


def layouts() -> None:
    """Layouts that PyWebIO apps rely on, each in a scope the test measures."""
    from jupyter_session.output import put_column
    from jupyter_session.pin import pin_update, put_actions, put_input

    with use_scope("table"):
        put_table([["H1", "H2"], ["a", "b"]])
    with use_scope("spanned"):
        put_table([["C"]], header=[span("A", row=2), "B"])
    with use_scope("row"):
        put_row([put_text("B1"), None, put_text("B2")])
    with use_scope("grid"):
        put_grid([[span(put_text("WIDE"), col=2)], [put_text("G1"), put_text("G2")]], cell_width="100px")
    with use_scope("centred"):
        put_column([put_buttons(["x", "y"], onclick=print), put_table([["cell"]], header=["head"])]).style(
            "text-align: center"
        )
    with use_scope("markdown"):
        put_markdown("```\nline one\nline two\n```\n\n> quoted\n\n| a | b |\n|---|---|\n| 1 | 2 |")
    with use_scope("code"):
        put_code(f"def f():  # {XSS}\n    return '{XSS}'", language="python")
        put_markdown("```js\nconst answer = 42;\n```")
        put_code("plain <b>text</b>", language="no-such-language")
        put_code("x = 1", language="extend")  # the name of one of Prism's helpers, not a language
    with use_scope("pins"):
        put_actions("act", buttons=[dict(label="Warn", value=1, color="warning"), ("Off", 2, "submit", True)])
        put_input("checked", label="Checked")
        pin_update("checked", valid_status=True, valid_feedback="Looks good")
    put_text("LAYOUTS READY")
    hold()


# A 2x2 PNG: red, green / blue, white.
PNG = bytes.fromhex(
    "89504e470d0a1a0a0000000d4948445200000002000000020802000000fdd49a73000000164944415478"
    "9c63f8cfc0f01f0418fe838101c4ff1f00fb0b05fd0d0d11c20000000049454e44ae426082"
)


def media() -> None:
    put_image(PNG, width="40px", title="pixels")
    put_image("https://example.org/missing.png", title="remote")
    put_file("data.bin", b"\x00\x01file bytes", label="Get the file")
    put_tabs([dict(title="First", content="first tab"), dict(title="Second", content=[put_text("second tab")])])
    put_processbar("work", 0.25, auto_close=True)
    put_text("CLICK ME").onclick(lambda: put_text("TEXT CLICKED"))
    put_button("Advance", onclick=lambda: set_processbar("work", 1))
    hold()


def pins() -> None:
    from jupyter_session.pin import pin, pin_on_change, pin_update, pin_wait_change, put_checkbox, put_input, put_select

    put_input("city", label="City", placeholder="type here")
    put_select("fruit", ["apple", ("Pear", {"kind": "pear"})], label="Fruit")
    put_checkbox("extras", ["cream", "nuts"], label="Extras", inline=True)
    pin_on_change("fruit", lambda value: put_text(f"FRUIT {json.dumps(value)}"))
    changed = pin_wait_change("city", "extras", timeout=30)
    put_text(f"CHANGED {json.dumps(changed)}")
    pin_update("city", value="Paris", help_text="set by the app")
    pin.extras = ["nuts"]
    put_text(f"VALUES {json.dumps([pin.city, pin.fruit, pin.extras, pin.nothing])}")
    put_text(f"TIMEOUT {pin_wait_change('city', timeout=0.3)!r}")
    hold()


def upload() -> None:
    small = file_upload("Small file", max_size="1K", help_text="1 KB at most")
    put_text(f"SMALL {small['filename']} {len(small['content'])}")
    big = file_upload("Big file", max_size="25M", accept=".bin")
    put_text(f"BIG {big['filename']} {len(big['content'])} {hashlib.sha256(big['content']).hexdigest()}")


def extras() -> None:
    from jupyter_session.input import textarea
    from jupyter_session.output import put_widget
    from jupyter_session.pin import get_pin_values, pin_on_change, put_file_upload, put_textarea

    put_widget(
        '<section class="card"><h4>{{title}}</h4>{{#items}}{{& pywebio_output_parse}}{{/items}}</section>',
        {"title": XSS, "items": [XSS, put_code("x = 1")]},
    )
    with put_collapse("Details", open=True):
        put_text("INSIDE COLLAPSE")
    with put_loading():
        put_text("LOADING TEXT")
        time.sleep(0.5)
    put_text("LOADED")
    put_textarea("source", label="Source", code=True)
    put_file_upload("doc", label="Document", max_size="1M")
    pin_on_change("doc", lambda doc: put_text(f"DOC {doc['filename']} {doc['content'].decode()}"))
    stamp = input("Stamp", type=NUMBER, action=("Fill", lambda set_value: set_value(42)))
    put_text(f"STAMP {stamp!r}")
    values = get_pin_values(["source", "doc", "nothing"])
    put_text(f"PINS {json.dumps(values['source'])} {values['doc']['filename']} {sorted(values)}")
    note = textarea("Note", code={"indentUnit": 2})
    put_text(f"NOTE {json.dumps(note)}")
    hold()


def datatable() -> None:
    from jupyter_session.output import datatable_insert, datatable_remove, datatable_update, put_datatable

    people = [
        {"id": 1, "name": XSS, "address": {"city": "Paris"}},
        {"id": 2, "name": "Ada", "address": {"city": "London"}},
    ]
    put_datatable(
        people,
        id_field="id",
        instance_id="people",
        height=200,
        onselect=lambda row_id: put_text(f"SELECTED {row_id}"),
        actions=[
            ("Rename", lambda row_id: datatable_update("people", "Grace", row_id, "name")),
            None,
            ("Delete", lambda row_id: datatable_remove("people", row_id)),
        ],
        column_args={("address", "city"): {"headerName": "City"}},
    )
    ids = iter(range(3, 100))
    put_button(
        "Add",
        onclick=lambda: datatable_insert("people", {"id": next(ids), "name": "Alan", "address": {"city": "Leeds"}}),
    )
    hold()


def burst() -> None:
    """A few outputs, then a burst of many."""
    for i in range(3):
        put_text(f"few {i}")
    eval_js("new Promise(resolve => setTimeout(resolve, 300))")
    for i in range(200):
        put_text(f"burst {i}")
    put_text("BURST DONE")
    hold()


async def chat() -> None:
    """PyWebIO's chat_room demo, its forms as they are: a nickname, then messages sent with `actions`."""
    nickname = await input("Your nickname", required=True, validate=lambda n: "Taken" if n == "taken" else None)
    put_text(f"NICK {nickname}")
    while True:
        data = await input_group(
            "Send message",
            [
                input(name="msg", help_text="Message content supports inline Markdown syntax"),
                actions(name="cmd", buttons=["Send", "Multiline Input", {"label": "Exit", "type": "cancel"}]),
            ],
            validate=lambda d: (
                ("msg", "Message content cannot be empty") if d["cmd"] == "Send" and not d["msg"] else None
            ),
        )
        if data is None:
            break
        if data["cmd"] == "Multiline Input":
            data["msg"] = "\n" + await textarea("Message content")
        put_text(f"SENT {data['cmd']} {json.dumps(data['msg'])}")
    put_text("LEFT")


def group_errors() -> None:
    """A group validation that blames one field, then another once the first is fixed."""

    def check(data: dict) -> tuple[str, str] | None:
        if len(data["name"]) > 4:
            return ("name", "Name too long!")
        if data["age"] is None or data["age"] < 0:
            return ("age", "bad age")
        return None

    data = input_group("Person", [input("Name", name="name"), input("Age", name="age", type=NUMBER)], validate=check)
    put_text(f"PERSON {json.dumps(data, sort_keys=True)}")


def numbers() -> None:
    put_text(f"RATIO {input('Ratio', type=FLOAT)!r}")
    put_text(f"COUNT {input('Count', type=NUMBER)!r}")


def upload_dicts() -> None:
    """What file_upload and a file pin give the app: their keys and the units of size and last_modified."""
    from jupyter_session.pin import pin_wait_change, put_file_upload

    def described(file: dict) -> str:
        return json.dumps({key: len(value) if key == "content" else value for key, value in file.items()})

    put_text(f"FORM {described(file_upload('A file'))}")
    put_file_upload("doc", label="Document")
    put_text(f"PIN {described(pin_wait_change('doc')['value'])}")
    hold()


def scroll_bottom() -> None:
    """set_env_demo's auto_scroll_bottom: output arrives while a form is open at the end of the page."""
    set_env(auto_scroll_bottom=True)
    for i in range(40):
        put_text(f"line {i}")

    def more() -> None:
        time.sleep(0.5)
        for i in range(20):
            put_text(f"more {i}")
        put_text("MORE DONE")

    writer = threading.Thread(target=more)
    register_thread(writer)
    writer.start()
    put_text(f"KEY {actions('Select the setting item to be changed', ['title', 'output_animation'])}")
    hold()


def markdown_breaks() -> None:
    put_markdown("first line\nsecond line\n\n| a | b |\n|---|---|\n| 1 | 2 |")
    put_markdown("one\ntwo", options={"breaks": False})
    hold()
