"""The output subset the renderer draws so far: text, HTML, markdown and scopes."""

from __future__ import annotations

from typing import Any

import pytest

from jupyter_session.output import (
    clear,
    get_scope,
    put_html,
    put_markdown,
    put_scope,
    put_text,
    remove,
    scroll_to,
    set_scope,
    use_scope,
)


def specs(browser: Any, name: str = "output") -> list[dict[str, Any]]:
    return [command["spec"] for command in browser.commands_named(name)]


@pytest.mark.parametrize("mode", ["thread", "coroutine"])
def test_unused_outputs_are_sent_in_order(run_app: Any, mode: str) -> None:
    def body() -> None:
        put_text("a", 1, None, sep="-")
        put_html("<b>bold</b>", sanitize=True)
        put_markdown("""# Title
            indented line""")
        put_text("first", position=0, inline=True)

    async def coroutine_app() -> None:
        body()

    _, browser = run_app(body if mode == "thread" else coroutine_app)
    assert specs(browser) == [
        {"type": "text", "content": "a-1-None", "inline": False, "scope": "#pywebio-scope-ROOT", "position": -1},
        {"type": "html", "content": "<b>bold</b>", "sanitize": True, "scope": "#pywebio-scope-ROOT", "position": -1},
        {
            "type": "markdown",
            "content": "# Title\nindented line",
            "sanitize": True,
            "scope": "#pywebio-scope-ROOT",
            "position": -1,
        },
        {"type": "text", "content": "first", "inline": True, "scope": "#pywebio-scope-ROOT", "position": 0},
    ]


def test_nested_outputs_are_embedded_not_sent(run_app: Any) -> None:
    _, browser = run_app(lambda: put_scope("box", [put_text("inside")]))
    (spec,) = specs(browser)
    assert spec["type"] == "scope" and spec["dom_id"] == "pywebio-scope-box"
    assert spec["contents"] == [
        {"type": "text", "content": "inside", "inline": False, "scope": "#pywebio-scope-ROOT", "position": -1}
    ]


def test_use_scope_routes_outputs_and_scope_control_commands(run_app: Any) -> None:
    seen: list[Any] = []

    def app() -> None:
        with use_scope("log", clear=True):
            put_text("in log")
            seen.append(get_scope())
        seen.append(get_scope())

        @use_scope("deco")
        def decorated() -> None:
            put_text("in deco")

        decorated()
        set_scope("later", container_scope="log", position=0, if_exist="remove")
        clear("log")
        scroll_to("log", "middle")
        remove("later")
        with pytest.raises(ValueError, match="Can not remove `ROOT` scope."):
            remove("ROOT")
        with pytest.raises(ValueError, match="scope name 'bad name!'"):
            use_scope("bad name!")

    _, browser = run_app(app)
    assert seen == ["log", "ROOT"]
    assert [s["scope"] for s in specs(browser)] == ["#pywebio-scope-log", "#pywebio-scope-deco"]
    assert specs(browser, "output_ctl") == [
        {"set_scope": "pywebio-scope-log", "container": "#pywebio-scope-ROOT", "position": -1, "if_exist": "blank"},
        {"loose": "#pywebio-scope-log"},
        {"set_scope": "pywebio-scope-deco", "container": "#pywebio-scope-ROOT", "position": -1, "if_exist": None},
        {"loose": "#pywebio-scope-deco"},
        {"set_scope": "pywebio-scope-later", "container": "#pywebio-scope-log", "position": 0, "if_exist": "remove"},
        {"clear": "#pywebio-scope-log"},
        {"scroll_to": "#pywebio-scope-log", "position": "middle"},
        {"remove": "#pywebio-scope-later"},
    ]


def test_text_is_sent_as_text_for_the_browser_to_escape(run_app: Any) -> None:
    _, browser = run_app(lambda: put_text("<img src=x onerror=alert(1)>"))
    assert specs(browser)[0]["type"] == "text"
