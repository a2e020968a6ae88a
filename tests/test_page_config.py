"""``config``: page settings for every app or for one, their defaults from docstrings, and the page they make."""

from __future__ import annotations

import functools
import inspect
from collections.abc import Iterator

import pytest

from jupyter_session import config
from jupyter_session.platform import _page
from jupyter_session.platform._page import page_settings, render_index, render_page


@pytest.fixture(autouse=True)
def fresh_defaults() -> Iterator[None]:
    saved = dict(_page._defaults)
    _page._defaults.clear()
    yield
    _page._defaults.clear()
    _page._defaults.update(saved)


def test_the_signature_is_pywebios() -> None:
    import pywebio

    theirs, ours = inspect.signature(pywebio.config), inspect.signature(config)
    assert [(p.name, p.kind) for p in ours.parameters.values()] == [
        (p.name, p.kind) for p in theirs.parameters.values()
    ]


def test_a_call_sets_every_apps_defaults_and_a_decorator_only_its_app() -> None:
    config(title="Everyone's", theme="dark")

    @config(title="Mine", css_style="p { color: red }")
    def mine() -> None:
        """Doc title

        Doc description."""

    def documented() -> None:
        """Report for
        the month.

        What it shows."""

    def bare() -> None: ...

    assert (
        page_settings(mine, "mine").items()
        >= {
            "title": "Mine",
            "description": "Doc description.",
            "css_style": "p { color: red }",
            "theme": "dark",
        }.items()
    )
    assert (page_settings(documented, "documented")["title"], page_settings(documented, "d")["description"]) == (
        "Report for the month.",
        "What it shows.",
    )  # the docstring comes before the defaults, as in PyWebIO
    assert page_settings(bare, "bare")["title"] == "Everyone's"
    assert page_settings(bare, "bare")["css_style"] is None  # the decorator's settings stayed with its app
    config()  # a new call replaces the defaults
    assert page_settings(bare, "bare")["title"] == "bare" and page_settings(bare, "bare")["theme"] is None


def test_one_function_configured_twice_is_two_apps() -> None:
    """PyWebIO's theme demo configures one page function once per theme: each copy keeps its own."""

    def page() -> None:
        pass

    dark, yeti = config(theme="dark")(page), config(theme="yeti", title="Yeti")(page)
    assert page_settings(dark, "dark")["theme"] == "dark" and page_settings(yeti, "yeti")["theme"] == "yeti"
    assert page_settings(yeti, "yeti")["title"] == "Yeti" and page_settings(page, "page")["theme"] is None


def test_partials_settings_and_the_theme_variable(monkeypatch: pytest.MonkeyPatch) -> None:
    @config(title="Inner")
    def inner(section: str) -> None: ...

    wrapped = config(description="Outer")(functools.partial(inner, "mail"))
    assert (page_settings(wrapped, "x")["title"], page_settings(wrapped, "x")["description"]) == ("Inner", "Outer")
    monkeypatch.setenv("PYWEBIO_THEME", "minty")
    assert page_settings(wrapped, "x")["theme"] == "minty"
    with pytest.raises(ValueError, match="not one of dark, sketchy, minty, yeti"):
        config(theme="neon")


def test_the_page_carries_the_settings_and_nothing_closes_its_elements_early() -> None:
    @config(
        title="<Title>",
        description='"quoted" & <b>',
        theme="dark",
        css_style="p::after { content: '</style>' }",
        css_file="https://example.org/a.css?x=1&y=2",
        js_code="window.late = '</script><b>'",
        js_file=["https://example.org/a.js"],
    )
    def app() -> None: ...

    page = render_page(page_settings(app, "app"), "/", "/static")
    assert "<title>&lt;Title&gt;</title>" in page
    assert '<meta name="description" content="&quot;quoted&quot; &amp; &lt;b&gt;">' in page
    assert '<link rel="stylesheet" href="https://example.org/a.css?x=1&amp;y=2">' in page
    assert "<style>p::after { content: '<\\/style>' }</style>" in page
    assert "<script>window.late = '<\\/script><b>'</script>" in page
    assert page.index('<script src="https://example.org/a.js">') > page.index("jupyter_session.js")
    assert '<body class="webio-theme-dark jps-theme-dark">' in page
    # The theme's Bootstrap comes first, so the renderer's and then the app's own rules win over it.
    assert page.index("/static/theme-dark.css") < page.index("/static/jupyter_session.css") < page.index("a.css")


def test_the_index_lists_each_app_by_title_with_its_description_as_pywebios() -> None:
    def chat() -> None:
        """Chat <room>

        Talk to everyone here."""

    def bare() -> None: ...

    page = render_index({"chat": chat, "bare": bare}, "/static")
    assert "<title>Applications index</title>" in page and "<h1>Applications index</h1>" in page
    assert '<li><a href="?app=chat">Chat &lt;room&gt;</a>: Talk to everyone here.</li>' in page
    assert '<li><a href="?app=bare">bare</a>: <i>No description.</i></li>' in page
    assert '<link rel="stylesheet" href="/static/theme-default.css">' in page
