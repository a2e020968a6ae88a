"""The HTML of the standalone page and of the app index, and the normalisation of ``applications``."""

from __future__ import annotations

import functools
import html
import inspect
from collections.abc import Callable, Mapping, Sequence
from pathlib import Path
from typing import Any, Union

__all__ = ["STATIC_PATH", "Applications", "make_applications", "page_title", "render_page", "render_index"]

#: Where the built renderer bundle lives (build output; see labextension/).
STATIC_PATH = Path(__file__).resolve().parent.parent / "static"

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
        raise TypeError("applications must be a function, a list of functions or a dict of name -> function, "
                        f"not {type(applications).__name__}")
    if not apps:
        raise ValueError("applications is empty: give at least one app function")
    for name, app in apps.items():
        if not isinstance(name, str) or not name or not name.replace("_", "").replace("-", "").isalnum():
            raise ValueError(f"app name {name!r} must be letters, digits, '-' or '_'")
        if not callable(app):
            raise TypeError(f"app {name!r} is not callable")
    return apps


def render_page(title: str, ws_path: str, static_url: str) -> str:
    """The page that runs one app: the renderer bundle, connected to ``ws_path``."""
    return f"""<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>{html.escape(title)}</title>
<link rel="icon" href="data:,">
<link rel="stylesheet" href="{html.escape(static_url)}/jupyter_session.css">
</head>
<body>
<div id="jupyter-session-root"></div>
<script src="{html.escape(static_url)}/jupyter_session.js" data-ws-path="{html.escape(ws_path)}"></script>
</body>
</html>
"""


def render_index(apps: Mapping[str, Callable[[], Any]]) -> str:
    """A list of the apps, for a server with several apps and none called ``index``."""
    items = "\n".join(
        f'<li><a href="?app={html.escape(name)}">{html.escape(name)}</a>'
        f"<p>{html.escape(_summary(app))}</p></li>"
        for name, app in apps.items()
    )
    return f"""<!doctype html>
<html lang="en">
<head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<title>Apps</title><link rel="icon" href="data:,">
<style>
body {{ font-family: system-ui, sans-serif; max-width: 880px; margin: 3rem auto; padding: 0 1rem; color: #1f2328; }}
li {{ margin: 0.75rem 0; }} a {{ font-size: 1.1rem; color: #0b57d0; }} p {{ margin: 0.2rem 0; color: #59636e; }}
</style></head>
<body><h1>Apps</h1><ul>
{items}
</ul></body></html>
"""


def page_title(app: Callable[[], Any], name: str) -> str:
    """The page title: the first line of the app's docstring, else its name (PyWebIO uses the docstring)."""
    return _summary(app).split(". ", 1)[0] or name


def _unwrapped(app: Callable[[], Any]) -> Callable[[], Any]:
    """The function inside ``functools.partial`` wrappers, whose name and docstring describe the app."""
    while isinstance(app, functools.partial):
        app = app.func
    return app


def _summary(app: Callable[[], Any]) -> str:
    # A partial's own docstring describes functools.partial; one set on the partial object describes the app.
    own = app.__doc__ if isinstance(app, functools.partial) and app.__doc__ != functools.partial.__doc__ else None
    doc = inspect.cleandoc(own) if own else inspect.getdoc(_unwrapped(app)) or ""
    return doc.strip().split("\n\n", 1)[0].replace("\n", " ")

