"""Serve every app of a folder at its path, as PyWebIO 1.8.4's ``path_deploy``: ``/a/b`` runs the ``main`` of
``base/a/b.py``.

Files and folders whose names start with ``_`` or ``.`` are hidden and refused (403), as is any path that leads
outside ``base``. A folder's address (ending in ``/``) shows its ``index.py`` app if it has one, else an index
of its subfolders and apps. A file is imported once, when its address is first asked for; ``?reload``
imports it again (pages opened before keep the code they started with).

``PathDeployEndpoint`` is the framework-independent part (an ``Endpoint`` of ``_core``: one ``AppEndpoint``
per file, so ``?app=``, reconnection and downloads work as with ``start_server``); ``path_deploy`` serves it
with Tornado. Tornado is imported only when a server starts.
"""

from __future__ import annotations

import argparse
import ast
import html
import importlib.util
import logging
import os
import sys
from collections.abc import Callable, Sequence
from functools import partial
from typing import TYPE_CHECKING, Any
from urllib.parse import unquote

from .._utils import parse_file_size
from ..protocol import DEFAULT_MAX_PAYLOAD
from ..session.base import Session
from ._core import (
    ASSETS_URL,
    AppEndpoint,
    Endpoint,
    OriginCheck,
    PageResponse,
    PageSocket,
)
from ._shutdown import SHUTDOWN_TIMEOUT

if TYPE_CHECKING:
    import tornado.httpserver
    import tornado.web

    from .._connection import Connection

__all__ = [
    "PathDeployEndpoint",
    "default_index_page",
    "filename_ok",
    "identifiers_info",
    "main",
    "path_deploy",
    "path_deploy_http",
    "valid_and_norm_path",
]

logger = logging.getLogger(__name__)

#: The ``__name__`` an app file runs with (PyWebIO's): its ``if __name__ == "__main__":`` block does not run.
MODULE_NAME = "__pywebio__"

# -- PyWebIO's helpers ------------------------------------------------------------------------------------


def filename_ok(f: str) -> bool:
    """Whether a file or folder name may be served: not hidden (``_`` or ``.`` first)."""
    return not f.startswith((".", "_"))


def identifiers_info(code: str) -> dict[str, str]:
    """The names a module's source defines at its top level, each with the first paragraph of its docstring
    (``''`` for assignments); ``{}`` for source that does not parse. The module is not run."""
    try:
        tree = ast.parse(code)
    except (SyntaxError, ValueError):
        return {}
    identifiers: dict[str, str] = {}
    for node in tree.body:
        if isinstance(node, ast.Assign):
            identifiers.update({target.id: "" for target in node.targets if isinstance(target, ast.Name)})
        elif isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)):
            identifiers[node.name] = (ast.get_docstring(node) or "").split("\n\n")[0]
    return identifiers


def valid_and_norm_path(base: str, subpath: str) -> str | None:
    """``subpath`` (a URL path, already percent-decoded) joined to ``base`` (an absolute, normalised folder),
    or ``None`` when it may not be served: a hidden part (``_`` or ``.`` first, so ``..`` too), a backslash
    or NUL, or a result outside ``base``."""
    subpath = subpath.lstrip("/")
    if "\\" in subpath or "\x00" in subpath or not all(filename_ok(part) for part in subpath.split("/")):
        return None
    full_path = os.path.normpath(os.path.join(base, subpath))
    if os.path.commonpath([base, full_path]) != base:
        return None
    return full_path


def default_index_page(path: str, base: str) -> str:
    """The HTML index of folder ``path`` under ``base``: its visible subfolders, then its visible ``.py`` files
    that define ``main`` (with the first paragraph of its docstring), by name; ``../`` below the top."""
    urlpath = path[len(base) :].replace(os.sep, "/") + "/" if path != base else "/"
    title = f"Index of {urlpath}"
    folders: list[tuple[str, str]] = [] if path == base else [("../", "")]
    files: list[tuple[str, str]] = []
    for name in sorted(os.listdir(path)):
        full_path = os.path.join(path, name)
        if not filename_ok(name):
            continue
        if os.path.isdir(full_path):
            folders.append((name + "/", ""))
        elif name.endswith(".py") and os.path.isfile(full_path):
            try:
                with open(full_path, encoding="utf8") as source:
                    identifiers = identifiers_info(source.read())
            except (OSError, UnicodeDecodeError):
                continue
            if "main" in identifiers:
                files.append((name[:-3], identifiers["main"]))
    items = folders + files
    width = max([len(name) for name, _ in items] + [0])
    rows = "".join(
        f' <a href="{html.escape(name)}">{html.escape(name)}</a>  <span>{html.escape(doc)}</span>\n'
        for name, doc in items
    )
    return f"""<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="UTF-8">
<meta name="viewport" content="width=device-width, initial-scale=1, shrink-to-fit=no">
<title>{html.escape(title)}</title>
<meta name="description" content="PyWebIO applications index">
<style>a{{text-decoration:none;display:inline-block;min-width:{width}ch}}span{{color:grey}}</style>
</head>
<body>
<h1>{html.escape(title)}</h1>
<hr>
<pre style="line-height: 1.6em; font-size: 16px;">
{rows}</pre>
<hr>
</body>
</html>
"""


def _message(status: int, text: str) -> PageResponse:
    return PageResponse(status, f"<!doctype html><title>{status}</title><p>{html.escape(text)}</p>\n")


def _load_module(path: str) -> Any:
    """Run the file at ``path`` as a new module named ``MODULE_NAME``, its folder on ``sys.path`` meanwhile.
    Compiled from the source each time (no bytecode cache, which could be stale after a quick edit)."""
    spec = importlib.util.spec_from_file_location(MODULE_NAME, path)
    assert spec is not None
    module = importlib.util.module_from_spec(spec)
    with open(path, "rb") as source:
        code = compile(source.read(), path, "exec", dont_inherit=True)
    folder = os.path.dirname(path)
    sys.path.append(folder)
    try:
        exec(code, module.__dict__)
    finally:
        sys.path.remove(folder)
    return module


# -- the endpoint -----------------------------------------------------------------------------------------


class PathDeployEndpoint(Endpoint):
    """The apps of the folder ``base``, each at its path. ``index`` is ``True`` (``default_index_page``),
    ``False`` (a folder without ``index.py`` is refused, 403) or ``index(folder_path) -> html``. The other
    arguments are as for ``AppEndpoint``, and apply to every app."""

    def __init__(
        self,
        base: str,
        *,
        index: bool | Callable[[str], str] = True,
        reconnect_timeout: float = 0,
        allowed_origins: Sequence[str] | None = None,
        check_origin: Callable[[str], bool] | None = None,
    ) -> None:
        self.base = os.path.normpath(os.path.abspath(base))
        if not os.path.isdir(self.base):
            raise ValueError(f"path_deploy: {base!r} is not a folder")
        self.index: Callable[[str], str] | None
        if index is True:
            self.index = partial(default_index_page, base=self.base)
        else:
            self.index = index or None
        self._options: dict[str, Any] = dict(
            reconnect_timeout=reconnect_timeout, allowed_origins=allowed_origins, check_origin=check_origin
        )
        self._origins = OriginCheck(allowed_origins, check_origin)
        # File path -> its apps (kept across reloads, so its detached sessions can still resume), or None for
        # a file without `main`.
        self._files: dict[str, AppEndpoint | None] = {}

    def find(self, request_path: str, reload: bool = False) -> AppEndpoint | PageResponse:
        """The apps of the file ``request_path`` (a URL path, percent-encoded) names, or the page to answer
        instead: a folder's index (200), or a refusal (403), nothing there (404), a file that failed (500).
        ``reload`` runs the file again."""
        subpath = unquote(request_path)
        path = valid_and_norm_path(self.base, subpath)
        if path is None:
            return _message(403, "403 Forbidden: names starting with '_' or '.' are hidden")
        if os.path.isdir(path):
            if not subpath.endswith("/"):
                return _message(404, "404 Not Found: this is a folder, whose address ends with '/'")
            if os.path.isfile(os.path.join(path, "index.py")):
                path = os.path.join(path, "index.py")
            elif self.index is None:
                return _message(403, "403 Forbidden")
            else:
                return PageResponse(200, self.index(path))
        else:
            path += ".py"
        if not os.path.isfile(path):
            return _message(404, "404 Not Found")
        return self._apps_of(path, reload)

    def _apps_of(self, path: str, reload: bool) -> AppEndpoint | PageResponse:
        if path in self._files and not reload:
            found = self._files[path]
            return found if found is not None else _message(404, "404 Not Found: this file has no main()")
        try:
            module = _load_module(path)
        except Exception:
            logger.exception("path_deploy: %s failed to run", path)
            return _message(500, "500: this app's file failed to run (the server's log says why)")
        if not hasattr(module, "main"):
            self._files[path] = None
            return _message(404, "404 Not Found: this file has no main()")
        try:
            fresh = AppEndpoint(module.main, **self._options)
        except (TypeError, ValueError) as exc:
            logger.error("path_deploy: %s: main is not an app: %s", path, exc)
            return _message(500, "500: this file's main is not an app (the server's log says why)")
        current = self._files.get(path)
        if current is None:
            self._files[path] = current = fresh
        else:
            current.apps = fresh.apps
        return current

    def reload(self, request_path: str) -> None:
        """Run the file at ``request_path`` again (``?reload``); later pages get its new ``main``."""
        self.find(request_path, reload=True)

    def page(self, path: str, app: str | None, assets_url: str = ASSETS_URL) -> PageResponse:
        found = self.find(path)
        if isinstance(found, PageResponse):
            return found
        return found.page(path, app if app in found.apps else None, assets_url)

    def origin_allowed(self, origin: str | None, host: str) -> bool:
        return self._origins(origin, host)

    def open(
        self,
        socket: PageSocket,
        *,
        app: str | None,
        session_id: str | None,
        session_info: dict[str, Any],
        applied: str | None = None,
    ) -> Connection | None:
        """Start (or resume) a session of the app at the socket's request path; close the socket if there is
        no app there (code 4003 refused, 4004 not found, 1011 the file failed)."""
        path = _socket_path(socket, session_info)
        found = self.find(path) if path is not None else _message(404, "404")
        if isinstance(found, PageResponse):
            code, reason = _REFUSALS.get(found.status, _REFUSALS[404])
            socket.close_socket(code=code, reason=reason)
            return None
        return found.open(
            socket,
            app=app if app in found.apps else None,
            session_id=session_id,
            session_info=session_info,
            applied=applied,
        )


# How a WebSocket to an address without an app is closed, by the status its page would have.
_REFUSALS = {
    403: (4003, "refused: names starting with '_' or '.' are hidden"),
    404: (4004, "no app at this address"),
    500: (1011, "this app's file failed to run (the server's log says why)"),
}


def _socket_path(socket: PageSocket, session_info: dict[str, Any]) -> str | None:
    """The request path of a WebSocket: ``socket.path`` if the backend set one, else its request's ``path``
    (Tornado, aiohttp) or ``url.path`` (Starlette)."""
    path = getattr(socket, "path", None)
    if isinstance(path, str):
        return path
    request = session_info.get("request")
    path = getattr(request, "path", None)
    if not isinstance(path, str):
        path = getattr(getattr(request, "url", None), "path", None)
    return path if isinstance(path, str) else None


# -- Tornado ----------------------------------------------------------------------------------------------


def _tornado_handler(served: PathDeployEndpoint) -> type[tornado.web.RequestHandler]:
    """Tornado's page handler for ``served``, which first runs ``?reload``."""
    from .tornado import _PageHandler

    class PathDeployHandler(_PageHandler):
        endpoint = served

        async def get(self, *args: Any, **kwargs: Any) -> None:
            if self.get_query_argument("reload", None) is not None:
                served.reload(self.request.path)
            await super().get(*args, **kwargs)

    return PathDeployHandler


def _tornado_http_handler(served: PathDeployEndpoint, **options: Any) -> type[tornado.web.RequestHandler]:
    """The handler of ``path_deploy_http``: each file's apps over the HTTP protocol (``options`` are
    ``HttpEndpoint``'s); ``?reload`` on a page's address runs its file again first."""
    from ._http import HttpEndpoint
    from .tornado_http import _HttpHandler

    endpoints: dict[AppEndpoint, HttpEndpoint] = {}

    class PathDeployHttpHandler(_HttpHandler):
        assets_url = ASSETS_URL  # path_deploy_http serves them there

        def endpoint_for(self) -> HttpEndpoint | PageResponse:
            if "reload" in self.request.query_arguments and "webio-session-id" not in self.request.headers:
                served.reload(self.request.path)
            found = served.find(self.request.path)
            if isinstance(found, PageResponse):
                return found
            if found not in endpoints:
                endpoints[found] = HttpEndpoint(found, backend="tornado", **options)
            return endpoints[found]

    return PathDeployHttpHandler


def path_deploy(
    base: str,
    port: int = 0,
    host: str = "",
    index: bool | Callable[[str], str] = True,
    static_dir: str | None = None,
    reconnect_timeout: int = 0,
    cdn: bool | str = True,
    debug: bool = False,
    allowed_origins: list[str] | None = None,
    check_origin: Callable[[str], bool] | None = None,
    max_payload_size: int | str = DEFAULT_MAX_PAYLOAD,
    *,
    shutdown_timeout: float = SHUTDOWN_TIMEOUT,
    allowed_hosts: list[str] | None = None,
    auth_token: str | None = None,
    **tornado_app_settings: Any,
) -> None:
    """Serve the apps of the folder ``base`` over WebSocket with Tornado, and run its loop until SIGTERM or
    SIGINT (then shut down as ``start_server`` does): ``/a/b`` runs the ``main`` of ``base/a/b.py``
    (``/a/b?reload`` runs the file again first).

    ``index``: a folder's address shows its ``index.py`` app, else with ``True`` an index of its subfolders
    and apps, with ``False`` a 403, or the HTML that ``index(folder_path)`` returns. ``static_dir`` is served
    at ``/static/``. The other arguments are as for ``start_server`` (``cdn`` is accepted and ignored).
    """
    debug = Session.debug = bool(os.environ.get("PYWEBIO_DEBUG", debug))
    max_payload = parse_file_size(max_payload_size)
    settings = {key: value for key, value in tornado_app_settings.items() if value is not None}
    settings.setdefault("websocket_ping_interval", 30)
    settings["websocket_max_message_size"] = parse_file_size(settings.get("websocket_max_message_size", max_payload))
    settings["debug"] = debug
    endpoint = PathDeployEndpoint(
        base,
        index=index,
        reconnect_timeout=reconnect_timeout,
        allowed_origins=allowed_origins,
        check_origin=check_origin,
    )
    handler = _tornado_handler(endpoint)
    options = dict(shutdown_timeout=shutdown_timeout, allowed_hosts=allowed_hosts, auth_token=auth_token)
    _serve(handler, port, host, static_dir, max_payload, settings, **options)


def path_deploy_http(
    base: str,
    port: int = 0,
    host: str = "",
    index: bool | Callable[[str], str] = True,
    static_dir: str | None = None,
    cdn: bool | str = True,
    debug: bool = False,
    allowed_origins: list[str] | None = None,
    check_origin: Callable[[str], bool] | None = None,
    session_expire_seconds: int | None = None,
    session_cleanup_interval: int | None = None,
    max_payload_size: int | str = DEFAULT_MAX_PAYLOAD,
    *,
    shutdown_timeout: float = SHUTDOWN_TIMEOUT,
    allowed_hosts: list[str] | None = None,
    auth_token: str | None = None,
    **tornado_app_settings: Any,
) -> None:
    """``path_deploy`` over the HTTP protocol (as ``tornado_http``): for pages behind a proxy that refuses
    WebSocket upgrades. A page that makes no request for ``session_expire_seconds`` (600) ends its session,
    looked for every ``session_cleanup_interval`` seconds (300); the other arguments are ``path_deploy``'s."""
    debug = Session.debug = bool(os.environ.get("PYWEBIO_DEBUG", debug))
    max_payload = parse_file_size(max_payload_size)
    endpoint = PathDeployEndpoint(base, index=index, allowed_origins=allowed_origins, check_origin=check_origin)
    handler = _tornado_http_handler(
        endpoint,
        session_expire_seconds=session_expire_seconds,
        session_cleanup_interval=session_cleanup_interval,
        allowed_origins=allowed_origins,
        check_origin=check_origin,
        max_payload_size=max_payload,
    )
    settings = {key: value for key, value in tornado_app_settings.items() if value is not None}
    settings["debug"] = debug
    options = dict(shutdown_timeout=shutdown_timeout, allowed_hosts=allowed_hosts, auth_token=auth_token)
    _serve(handler, port, host, static_dir, max_payload, settings, **options)


def _serve(handler: type[tornado.web.RequestHandler], *args: Any, **options: Any) -> None:
    """Serve ``handler`` on every path, as the Tornado backend's ``start_server`` serves its one."""
    from .tornado import serve

    serve(handler, *args, path=r"/.*", **options)


# -- the console script -----------------------------------------------------------------------------------


def _parser() -> argparse.ArgumentParser:
    """``pywebio-path-deploy``'s options (``-h`` is the host, ``--help`` the help)."""
    parser = argparse.ArgumentParser(
        prog="jupyter-session-path-deploy",
        description="Serve the apps of a folder, each at its path (as pywebio-path-deploy)",
        add_help=False,
    )
    parser.add_argument("path", help="The folder of the apps: every .py file with a main() is an app")
    parser.add_argument("-p", "--port", help="The port the server listens on", type=int, default=8080)
    parser.add_argument("-h", "--host", help="The host the server listens on", default="0.0.0.0")
    parser.add_argument("--no-index", help="Disable default index page", action="store_true")
    parser.add_argument("--static-dir", help="Directory to store the application static files")
    parser.add_argument(
        "--no-cdn", help="Accepted and ignored: the page's files are always served locally", action="store_true"
    )
    parser.add_argument("-d", "--debug", help="Tornado Server's debug mode", action="store_true")
    parser.add_argument(
        "--http", help="The HTTP protocol (not available yet: the server uses WebSocket)", action="store_true"
    )
    parser.add_argument("--help", help="Print help message", action="help")

    group = parser.add_argument_group("http arguments", "Extra arguments when set --http")
    group.add_argument("--session-expire-seconds", help="Session expiration time, in seconds(default 600s)", type=int)
    group.add_argument(
        "--session-cleanup-interval", help="Session cleanup interval, in seconds(default 300s)", type=int
    )

    group = parser.add_argument_group("websocket arguments", "Extra arguments when not set --http")
    group.add_argument("--websocket-max-message-size", help="Max bytes of a message which Tornado can accept")
    group.add_argument("--websocket-ping-interval", type=int, default=None)
    group.add_argument("--websocket-ping-timeout", type=int, default=None)
    return parser


def main(argv: Sequence[str] | None = None) -> None:
    """``jupyter-session-path-deploy [options] PATH``: ``path_deploy`` from the command line."""
    parser = _parser()
    arguments = parser.parse_args(argv)
    kwargs = dict(vars(arguments))
    http = kwargs.pop("http")
    kwargs["base"] = kwargs.pop("path")
    kwargs["index"] = not kwargs.pop("no_index")
    kwargs["cdn"] = not kwargs.pop("no_cdn")
    if http:
        dropped = ["websocket_max_message_size", "websocket_ping_interval", "websocket_ping_timeout"]
    else:
        dropped = ["session_expire_seconds", "session_cleanup_interval"]
    kwargs = {key: value for key, value in kwargs.items() if key not in dropped and value is not None}
    if not os.path.isdir(kwargs["base"]):
        parser.error(f"{kwargs['base']!r} is not a folder")
    try:
        (path_deploy_http if http else path_deploy)(**kwargs)
    except KeyboardInterrupt:
        pass
