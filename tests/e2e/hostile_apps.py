"""Apps of the hostile-page browser tests (``test_hostile_page.py``): markup and code through every text-taking
argument, and JavaScript arguments that look like code. serve.py finds them through ``apps``."""

from __future__ import annotations

import json

from jupyter_session.output import (
    popup,
    put_button,
    put_buttons,
    put_code,
    put_collapse,
    put_datatable,
    put_error,
    put_file,
    put_grid,
    put_html,
    put_info,
    put_link,
    put_markdown,
    put_processbar,
    put_row,
    put_scrollable,
    put_success,
    put_table,
    put_tabs,
    put_text,
    put_warning,
    put_widget,
    span,
    toast,
)
from jupyter_session.session import eval_js, hold, run_js


def _attack(name: str) -> str:
    return f"<img src=x onerror=\"window.pwned.push('{name}')\"><script>window.pwned.push('{name} script')</script>"


#: Every output function argument that takes text, by the name its attack reports. The test expects each one
#: shown as literal text (markdown and sanitized HTML excepted: those take markup and drop the dangerous part).
SWEPT_AS_TEXT = [
    "put_text",
    "put_code",
    "put_link",
    "table cell",
    "table header",
    "span",
    "put_buttons",
    "put_button",
    "put_file label",
    "tab title",
    "tab content",
    "collapse title",
    "put_info",
    "put_success",
    "put_warning",
    "put_error",
    "processbar label",
    "scrollable",
    "row",
    "grid",
    "datatable cell",
    "datatable header",
    "widget data",
    "toast",
    "popup title",
    "popup content",
    "pin label",
    "pin help",
    "select option",
    "checkbox option",
    "radio option",
    "actions button",
]
SWEPT_AS_MARKUP = ["put_markdown", "put_html"]
SWEPT_AS_VALUE = ["pin value", "textarea value", "pin placeholder"]


def xss_sweep() -> None:
    from jupyter_session.pin import put_actions, put_checkbox, put_input, put_radio, put_select, put_textarea

    a = _attack
    run_js("window.pwned = window.pwned || []")
    put_text(a("put_text"))
    put_markdown(a("put_markdown"))
    put_html(a("put_html"), sanitize=True)
    put_code(a("put_code"))
    put_link(a("put_link"), url="https://example.org/")
    put_table([[a("table cell"), span(a("span"))]], header=[a("table header"), "b"])
    put_buttons([a("put_buttons")], onclick=lambda _value: None)
    put_button(a("put_button"), onclick=lambda: None)
    put_file("report.txt", b"data", label=a("put_file label"))
    put_tabs([dict(title=a("tab title"), content=a("tab content"))])
    put_collapse(a("collapse title"), a("collapse body"), open=True)
    put_info(a("put_info"))
    put_success(a("put_success"))
    put_warning(a("put_warning"))
    put_error(a("put_error"))
    put_processbar("bar", label=a("processbar label"))
    put_scrollable(a("scrollable"))
    put_row([a("row")])
    put_grid([[a("grid")]])
    put_datatable([{"col": a("datatable cell")}], column_args={"col": {"headerName": a("datatable header")}})
    put_widget("<div class='swept'>{{text}}</div>", {"text": a("widget data")})
    put_input(
        "swept_input",
        label=a("pin label"),
        value=a("pin value"),
        placeholder=a("pin placeholder"),
        help_text=a("pin help"),
    )
    put_textarea("swept_textarea", value=a("textarea value"))
    put_select("swept_select", options=[a("select option")])
    put_checkbox("swept_checkbox", options=[a("checkbox option")])
    put_radio("swept_radio", options=[a("radio option")])
    put_actions("swept_actions", buttons=[a("actions button")])
    toast(a("toast"), duration=0)
    popup(a("popup title"), a("popup content"))
    put_text("SWEEP DONE")
    hold()


def js_arguments() -> None:
    """Arguments that look like code must arrive as data."""
    run_js("window.pwned = window.pwned || []")
    tricky = "'); window.pwned.push('eval_js value'); ('"
    put_text(f"EVAL {json.dumps(eval_js('value', value=tricky))}")
    run_js("window.stored = text", text="</script><script>window.pwned.push('run_js value')</script>")
    put_text(f"STORED {json.dumps(eval_js('window.stored'))}")
    put_text(f"NESTED {json.dumps(eval_js('data.a[0].b', data={'a': [{'b': '${window.pwned.push(1)}'}]}))}")
    try:
        eval_js("1", **{"{[window.pwned.push('name')]: a}": 0})
    except ValueError as exc:
        put_text(f"REFUSED {exc}")
    hold()
