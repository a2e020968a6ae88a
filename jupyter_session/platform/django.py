"""Run apps on Django over the HTTP protocol (``PROTOCOL.md``), as PyWebIO's ``django`` backend:
``webio_view`` for your project's ``urls.py``, ``wsgi_app``, and ``start_server`` (Django's threaded
development server).

A page's pull is held in a thread of the WSGI server until its session has commands (at most 20 s): one
thread per open page, which a threaded server has to spare; see the README for servers with a fixed pool.
"""

from __future__ import annotations

import os
from collections.abc import Callable
from typing import Any

try:
    from django.http import HttpRequest as DjangoRequest
    from django.http import HttpResponse as DjangoResponse
    from django.http import StreamingHttpResponse
    from django.views.decorators.csrf import csrf_exempt
except ImportError as exc:  # pragma: no cover - depends on the environment
    raise ImportError(
        'jupyter_session.platform.django needs Django: pip install "jupyter_session[django]"',
        name=(exc.name or "django").partition(".")[0],
    ) from exc

from .._utils import parse_file_size, random_str
from ..protocol import DEFAULT_MAX_PAYLOAD
from ..session import Session
from . import _shutdown
from ._core import ASSET_QUERY, ASSETS_URL, STATIC_PATH, announce_once_listening, check_bundle, free_port
from ._guard import Guard, wsgi_guarded
from ._http import HttpEndpoint, HttpRequest, HttpResponse, start_event_loop_for, wsgi_chunks
from ._page import Applications

__all__ = ["start_server", "webio_view", "wsgi_app"]

# What ``wsgi_app`` routes: Django reads it from this module (``ROOT_URLCONF``).
urlpatterns: list[Any] = []


def webio_view(
    applications: Applications,
    cdn: bool | str = True,
    session_expire_seconds: float | None = None,
    session_cleanup_interval: float | None = None,
    allowed_origins: list[str] | None = None,
    check_origin: Callable[[str], bool] | None = None,
) -> Callable[[DjangoRequest], Any]:
    """A Django view that serves the apps, for ``path("tool", webio_view(app))`` in ``urls.py``. It serves
    the renderer's files itself and is exempt from CSRF checks (a session starts only with a GET).

    Coroutine apps need ``run_event_loop()`` running in a thread. The other arguments are ``start_server``'s;
    ``cdn`` is accepted and ignored.
    """
    return _view(
        HttpEndpoint(
            applications,
            backend="django",
            session_expire_seconds=session_expire_seconds,
            session_cleanup_interval=session_cleanup_interval,
            allowed_origins=allowed_origins,
            check_origin=check_origin,
        ),
        assets_url=None,
    )


def _view(endpoint: HttpEndpoint, assets_url: str | None) -> Callable[[DjangoRequest], Any]:
    @csrf_exempt
    def webio_view(request: DjangoRequest) -> Any:
        answer = endpoint.handle(
            HttpRequest(
                method=request.method or "GET",
                path=request.path,
                query=request.GET,
                headers=request.headers,
                body=request.body,
                client_ip=request.META.get("REMOTE_ADDR", ""),
                raw=request,
                assets_url=assets_url or f"{request.path}?{ASSET_QUERY}=",
            )
        )
        return _response(answer)

    return webio_view


def _response(answer: HttpResponse) -> Any:
    offer = answer.offer
    if offer is None:
        return DjangoResponse(answer.body, status=answer.status, headers=answer.headers)

    return StreamingHttpResponse(wsgi_chunks(offer), headers=offer.headers())


def wsgi_app(
    applications: Applications,
    cdn: bool | str = True,
    static_dir: str | None = None,
    allowed_origins: list[str] | None = None,
    check_origin: Callable[[str], bool] | None = None,
    session_expire_seconds: float | None = None,
    session_cleanup_interval: float | None = None,
    debug: bool = False,
    max_payload_size: int | str = DEFAULT_MAX_PAYLOAD,
    **django_options: Any,
) -> Any:
    """A Django WSGI application that serves the apps at ``/``, the renderer's files, and ``static_dir`` at
    ``/static/``. It configures Django's settings (``DEBUG``, ``ALLOWED_HOSTS``, ``ROOT_URLCONF`` and
    ``SECRET_KEY`` are set here; ``django_options`` adds others), so call it once, in a process whose Django
    is not configured already."""
    from django.conf import settings
    from django.core.wsgi import get_wsgi_application
    from django.urls import path, re_path
    from django.views.static import serve

    check_bundle()
    max_payload = parse_file_size(max_payload_size)
    settings.configure(
        DEBUG=debug,
        ALLOWED_HOSTS=["*"],
        ROOT_URLCONF=__name__,
        SECRET_KEY=random_str(32),
        DATA_UPLOAD_MAX_MEMORY_SIZE=max_payload,
        **django_options,
    )
    endpoint = HttpEndpoint(
        applications,
        backend="django",
        session_expire_seconds=session_expire_seconds,
        session_cleanup_interval=session_cleanup_interval,
        allowed_origins=allowed_origins,
        check_origin=check_origin,
        max_payload_size=max_payload,
    )
    urlpatterns[:] = [
        path("", _view(endpoint, ASSETS_URL)),
        re_path(rf"^{ASSETS_URL.lstrip('/')}/(?P<path>.*)$", serve, {"document_root": str(STATIC_PATH)}),
    ]
    if static_dir is not None:
        urlpatterns.append(re_path(r"^static/(?P<path>.*)$", serve, {"document_root": static_dir}))
    return get_wsgi_application()


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
    **django_options: Any,
) -> None:
    """Serve the apps with Django on its threaded development server until the process is stopped (``port=0``
    picks a free port); the arguments are ``flask.start_server``'s, ``django_options`` as for ``wsgi_app``."""
    from django.core.servers.basehttp import run

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
        debug=debug,
        max_payload_size=max_payload_size,
        **django_options,
    )
    start_event_loop_for(applications)
    port = port or free_port()
    guard = Guard(host, allowed_hosts, auth_token)
    announce_once_listening(host, port, guard.token)
    _shutdown.run_blocking_server(
        lambda: run(host or "0.0.0.0", port, wsgi_guarded(app, guard), threading=True),
        shutdown_timeout,
    )
