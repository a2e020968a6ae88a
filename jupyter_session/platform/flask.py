"""Run apps on Flask over the HTTP protocol (``PROTOCOL.md``), as PyWebIO's ``flask`` backend: ``webio_view``
to mount in your own Flask app, ``wsgi_app``, and ``start_server`` (Werkzeug's threaded server).

A page's pull is held in a thread of the WSGI server until its session has commands (at most 20 s): one
thread per open page, which a threaded server has to spare; see the README for servers with a fixed pool.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Mapping
from typing import Any, cast

try:
    from flask import Flask, Response, request, send_from_directory
except ImportError as exc:  # pragma: no cover - depends on the environment
    raise ImportError(
        'jupyter_session.platform.flask needs Flask: pip install "jupyter_session[flask]"',
        name=(exc.name or "flask").partition(".")[0],
    ) from exc

from .._utils import parse_file_size
from ..protocol import DEFAULT_MAX_PAYLOAD
from ..session import Session
from . import _shutdown
from ._core import ASSET_QUERY, ASSETS_URL, STATIC_PATH, announce_once_listening, check_bundle, free_port
from ._guard import Guard, wsgi_guarded
from ._http import HttpEndpoint, HttpRequest, HttpResponse, start_event_loop_for, wsgi_chunks
from ._page import Applications

__all__ = ["start_server", "webio_view", "wsgi_app"]


def webio_view(
    applications: Applications,
    cdn: bool | str = True,
    session_expire_seconds: float | None = None,
    session_cleanup_interval: float | None = None,
    allowed_origins: list[str] | None = None,
    check_origin: Callable[[str], bool] | None = None,
) -> Callable[[], Response]:
    """A Flask view function that serves the apps, for ``app.add_url_rule(PATH, "webio_view", view,
    methods=["GET", "POST", "OPTIONS"])``. It serves the renderer's files itself.

    Coroutine apps need ``run_event_loop()`` running in a thread. The other arguments are ``start_server``'s;
    ``cdn`` is accepted and ignored.
    """
    return _view(
        HttpEndpoint(
            applications,
            backend="flask",
            session_expire_seconds=session_expire_seconds,
            session_cleanup_interval=session_cleanup_interval,
            allowed_origins=allowed_origins,
            check_origin=check_origin,
        ),
        assets_url=None,
    )


def _view(endpoint: HttpEndpoint, assets_url: str | None) -> Callable[[], Response]:
    def webio_view() -> Response:
        path = request.script_root + request.path
        answer = endpoint.handle(
            HttpRequest(
                method=request.method,
                path=path,
                query=request.args,
                headers=cast(Mapping[str, str], request.headers),  # werkzeug's Headers: looked up the same
                body=request.get_data(),
                client_ip=request.remote_addr or "",
                raw=request._get_current_object(),  # type: ignore[attr-defined]
                assets_url=assets_url or f"{path}?{ASSET_QUERY}=",
            )
        )
        return _response(answer)

    return webio_view


def _response(answer: HttpResponse) -> Response:
    offer = answer.offer
    if offer is None:
        return Response(answer.body, status=answer.status, headers=answer.headers)

    return Response(wsgi_chunks(offer), headers=offer.headers())


def wsgi_app(
    applications: Applications,
    cdn: bool | str = True,
    static_dir: str | None = None,
    allowed_origins: list[str] | None = None,
    check_origin: Callable[[str], bool] | None = None,
    session_expire_seconds: float | None = None,
    session_cleanup_interval: float | None = None,
    max_payload_size: int | str = DEFAULT_MAX_PAYLOAD,
) -> Flask:
    """A Flask app that serves the apps at ``/``, the renderer's files, and ``static_dir`` at ``/static/``;
    the arguments are ``start_server``'s."""
    check_bundle()
    app = Flask(__name__, static_folder=static_dir, static_url_path="/static" if static_dir else None)
    max_payload = parse_file_size(max_payload_size)
    app.config["MAX_CONTENT_LENGTH"] = max_payload
    endpoint = HttpEndpoint(
        applications,
        backend="flask",
        session_expire_seconds=session_expire_seconds,
        session_cleanup_interval=session_cleanup_interval,
        allowed_origins=allowed_origins,
        check_origin=check_origin,
        max_payload_size=max_payload,
    )
    app.add_url_rule("/", "webio_view", _view(endpoint, ASSETS_URL), methods=["GET", "POST", "OPTIONS"])
    app.add_url_rule(
        f"{ASSETS_URL}/<path:name>", "jupyter_session_assets", lambda name: send_from_directory(STATIC_PATH, name)
    )
    return app


def start_server(
    applications: Applications,
    port: int = 8080,
    host: str = "",
    cdn: bool | str = True,
    static_dir: str | None = None,
    remote_access: bool = False,
    allowed_origins: list[str] | None = None,
    check_origin: Callable[[str], bool] | None = None,
    session_expire_seconds: float | None = None,
    session_cleanup_interval: float | None = None,
    debug: bool = False,
    max_payload_size: int | str = DEFAULT_MAX_PAYLOAD,
    *,
    shutdown_timeout: float = _shutdown.SHUTDOWN_TIMEOUT,
    allowed_hosts: list[str] | None = None,
    auth_token: str | None = None,
    **flask_options: Any,
) -> None:
    """Serve the apps with Flask on Werkzeug's threaded server until the process is stopped (``port=0`` picks a
    free port). A page that makes no request for ``session_expire_seconds`` (600) ends its session, looked for
    every ``session_cleanup_interval`` seconds (300); ``max_payload_size`` bounds a request's body. SIGTERM and
    SIGINT shut down as in ``tornado.start_server``, the pages still served until their sessions have ended. The
    others are as for ``tornado.start_server``; ``flask_options`` go to ``Flask.run``."""
    if remote_access:
        raise ValueError(
            "remote_access is not supported: it relies on PyWebIO's public tunnel service. "
            "Expose the port with your own reverse proxy or tunnel instead."
        )
    Session.debug = debug = bool(os.environ.get("PYWEBIO_DEBUG", debug))
    app = wsgi_app(
        applications,
        static_dir=static_dir,
        allowed_origins=allowed_origins,
        check_origin=check_origin,
        session_expire_seconds=session_expire_seconds,
        session_cleanup_interval=session_cleanup_interval,
        max_payload_size=max_payload_size,
    )
    guard = Guard(host, allowed_hosts, auth_token)
    app.wsgi_app = wsgi_guarded(app.wsgi_app, guard)  # type: ignore[method-assign]
    start_event_loop_for(applications)
    port = port or free_port()
    announce_once_listening(host, port, guard.token)
    _shutdown.run_blocking_server(
        lambda: app.run(
            host=host or "0.0.0.0", port=port, debug=debug, threaded=True, use_reloader=False, **flask_options
        ),
        shutdown_timeout,
    )
