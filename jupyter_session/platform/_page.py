"""The HTML of the standalone page and of the app index, the page settings ``config`` gives, and the
normalisation of ``applications``."""

from __future__ import annotations

import functools
import html
import inspect
import os
from collections.abc import Callable, Mapping, Sequence
from typing import Any, TypeVar, Union, cast

__all__ = [
    "THEMES",
    "Applications",
    "PageConfig",
    "config",
    "make_applications",
    "page_settings",
    "render_page",
    "render_index",
]

F = TypeVar("F", bound=Callable[..., Any])

Applications = Union[Callable[[], Any], Sequence[Callable[[], Any]], Mapping[str, Callable[[], Any]]]


def make_applications(applications: Applications) -> dict[str, Callable[[], Any]]:
    """Normalise a function, a list of functions or a dict of them into ``{name: app}``.

    Raises ``TypeError`` for anything else and ``ValueError`` for an app name that is not an identifier-like
    string or for an empty set of apps.
    """
    if callable(applications):
        apps = {"index": applications}
    elif isinstance(applications, Mapping):
        apps = dict(applications)
    elif isinstance(applications, Sequence) and not isinstance(applications, str):
        apps = {}
        for index, app in enumerate(applications):
            name = getattr(_unwrapped(app), "__name__", f"app{index}")
            if name in apps:
                raise ValueError(f"two apps are named {name!r}: pass a dict of name -> function")
            apps[name] = app
    else:
        raise TypeError(
            "applications must be a function, a list of functions or a dict of name -> function, "
            f"not {type(applications).__name__}"
        )
    if not apps:
        raise ValueError("applications is empty: give at least one app function")
    for name, app in apps.items():
        if not isinstance(name, str) or not name or not name.replace("_", "").replace("-", "").isalnum():
            raise ValueError(f"app name {name!r} must be letters, digits, '-' or '_'")
        if not callable(app):
            raise TypeError(f"app {name!r} is not callable: pass the function itself, not what calling it returns")
    return apps


# -- config ----------------------------------------------------------------------------------------------

#: PyWebIO's themes besides the default, from the same builds of Bootstrap 4 as PyWebIO's on the page ("dark"
#: ForEvolve's bootstrap-dark, the others Bootswatch's); in a notebook none changes anything.
THEMES = ("dark", "sketchy", "minty", "yeti")
_SETTINGS = ("title", "description", "theme", "js_code", "js_file", "css_style", "css_file", "manifest")
# Where an app's own settings are kept: PyWebIO's attribute names, so an app decorated by either works.
_ATTRIBUTE = "_pywebio_{}"
_defaults: dict[str, Any] = {}


class PageConfig:
    """What ``config()`` returns. Its settings are every app's defaults from the call on; used as a decorator,
    they apply to that app alone instead."""

    def __init__(self, settings: dict[str, Any]) -> None:
        self.settings = settings
        self._replaced = dict(_defaults)
        _defaults.clear()
        _defaults.update(settings)

    def __call__(self, app: F) -> F:
        _defaults.clear()
        _defaults.update(self._replaced)
        # A copy, as PyWebIO's: one function configured twice (a theme each) makes two apps.
        configured = functools.partial(app)
        for key, value in self.settings.items():
            setattr(configured, _ATTRIBUTE.format(key), value)
        return cast(F, configured)


def config(
    *,
    title: str | None = None,
    description: str | None = None,
    theme: str | None = None,
    js_code: str | None = None,
    js_file: str | Sequence[str] = (),
    css_style: str | None = None,
    css_file: str | Sequence[str] = (),
    manifest: bool | dict[str, Any] = True,
) -> PageConfig:
    """The settings of an app's page, as PyWebIO's ``config``: called, for every app; as a decorator
    (``@config(title=...)``), for that app. ``title`` and ``description`` default to the app's docstring (its
    first paragraph, and the rest); ``theme`` is one of ``THEMES`` (the ``PYWEBIO_THEME`` environment variable
    wins); ``js_code``/``js_file`` and ``css_style``/``css_file`` go into the page. ``manifest`` is accepted
    and not used. In a notebook, JupyterLab's theme and page apply and these settings change nothing."""
    if theme is not None and theme not in THEMES:
        raise ValueError(f"theme {theme!r} is not one of {', '.join(THEMES)}")
    settings = dict(
        title=title,
        description=description,
        theme=theme,
        js_code=js_code,
        css_style=css_style,
        js_file=[js_file] if isinstance(js_file, str) else list(js_file),
        css_file=[css_file] if isinstance(css_file, str) else list(css_file),
        manifest=manifest,
    )
    return PageConfig({key: value for key, value in settings.items() if value})


def page_settings(app: Callable[..., Any] | None, name: str) -> dict[str, Any]:
    """The settings of ``app``'s page: its own ``config``, else (title, description) its docstring, else the
    defaults; the title falls back on ``name``."""
    own: dict[str, Any] = {}
    for holder in reversed(_layers(app)):  # the function, then each partial around it: the outer ones win
        own.update({key: value for key in _SETTINGS if (value := getattr(holder, _ATTRIBUTE.format(key), None))})
    title, _, description = (_doc(app) if app is not None else "").partition("\n\n")
    settings = {key: own.get(key) or _defaults.get(key) for key in _SETTINGS}
    settings["title"] = own.get("title") or title.replace("\n", " ") or _defaults.get("title") or name
    settings["description"] = own.get("description") or description or _defaults.get("description")
    chosen = os.environ.get("PYWEBIO_THEME")
    settings["theme"] = chosen if chosen in THEMES else settings["theme"]
    return settings


def _in_element(text: str) -> str:
    """``text`` for a <script> or <style> element: nothing in it can close the element early."""
    return text.replace("</", "<\\/")


def render_page(settings: Mapping[str, Any], ws_path: str, static_url: str, protocol: str = "websocket") -> str:
    """The page that runs one app, with its ``page_settings``: the renderer bundle, connected to ``ws_path``
    over ``protocol`` ("websocket", or "http": see PROTOCOL.md)."""
    head = [
        f'<meta name="description" content="{html.escape(settings["description"])}">'
        if settings.get("description")
        else ""
    ]
    head += [f'<link rel="stylesheet" href="{html.escape(url)}">' for url in settings.get("css_file") or ()]
    head += [f"<style>{_in_element(settings['css_style'])}</style>" if settings.get("css_style") else ""]
    scripts = [f'<script src="{html.escape(url)}"></script>' for url in settings.get("js_file") or ()]
    scripts += [f"<script>{_in_element(settings['js_code'])}</script>" if settings.get("js_code") else ""]
    return _page(
        settings["title"],
        static_url,
        settings.get("theme"),
        head="".join(head),
        body=f"""<div id="jupyter-session-root"></div>
<script src="{html.escape(static_url)}/jupyter_session.js" data-ws-path="{html.escape(ws_path)}"
 data-protocol="{html.escape(protocol)}"></script>
{"".join(scripts)}""",
    )


def render_index(apps: Mapping[str, Callable[[], Any]], static_url: str) -> str:
    """The index of the apps, for a server with several apps and none called ``index``: as PyWebIO's, each
    app's title as its link, then its description."""
    items = []
    for name, app in apps.items():
        settings = page_settings(app, name)
        description = settings.get("description")
        items.append(
            f'<li><a href="?app={html.escape(name)}">{html.escape(settings["title"])}</a>: '
            + (html.escape(description) if description else "<i>No description.</i>")
            + "</li>"
        )
    listing = "\n".join(items)
    return _page(
        "Applications index",
        static_url,
        None,
        body=f"""<div class="pywebio"><div class="container"><div class="markdown-body">
<h1>Applications index</h1>
<ul>
{listing}
</ul>
</div></div></div>""",
    )


def _page(title: str, static_url: str, theme: str | None, *, body: str, head: str = "") -> str:
    """An HTML page with the page look (the theme's Bootstrap, then the renderer's stylesheet) and the footer."""
    static = html.escape(static_url)
    # PyWebIO's class, which apps' CSS targets (`.webio-theme-dark ...`), and the renderer's own.
    name = html.escape(theme or "default")
    body_class = f' class="webio-theme-{name} jps-theme-{name}"'
    return f"""<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>{html.escape(title)}</title>
<link rel="icon" href="data:,">
<link rel="stylesheet" href="{static}/theme-{name}.css">
<link rel="stylesheet" href="{static}/jupyter_session.css">
{head}
</head>
<body{body_class}>
{body}
<footer class="footer">Powered by <a href="https://pypi.org/project/jupyter-session/" target="_blank"
 rel="noopener">jupyter_session</a></footer>
</body>
</html>
"""


def _layers(app: Callable[..., Any] | None) -> list[Callable[..., Any]]:
    """``app`` and each function inside its ``functools.partial`` wrappers, outermost first (``config`` makes
    one each time it configures an app)."""
    layers = []
    while app is not None:
        layers.append(app)
        app = app.func if isinstance(app, functools.partial) else None
    return layers


def _unwrapped(app: Callable[[], Any]) -> Callable[[], Any]:
    """The function inside ``functools.partial`` wrappers, whose name and docstring describe the app."""
    while isinstance(app, functools.partial):
        app = app.func
    return app


def _doc(app: Callable[..., Any]) -> str:
    # A partial's own docstring describes functools.partial; one set on the partial object describes the app.
    own = app.__doc__ if isinstance(app, functools.partial) and app.__doc__ != functools.partial.__doc__ else None
    return (inspect.cleandoc(own) if own else inspect.getdoc(_unwrapped(app)) or "").strip()
