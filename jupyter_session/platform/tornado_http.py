"""Run apps on a Tornado server over the HTTP protocol (``PROTOCOL.md``): ``start_server`` and
``webio_handler``, as PyWebIO's ``tornado_http``. For pages behind a proxy that refuses WebSocket upgrades;
where WebSockets work, ``jupyter_session.platform.tornado`` answers faster.

A pull is held on the loop without a thread, so a page waiting for commands costs a socket and no more.
"""

from __future__ import annotations

import os
from collections.abc import Callable
from typing import Any, ClassVar

import tornado.web

from .._utils import parse_file_size
from ..protocol import DEFAULT_MAX_PAYLOAD
from ..session import Session
from . import _shutdown
from ._core import ASSET_QUERY, PageResponse
from ._guard import Guard
from ._http import HttpEndpoint, HttpRequest
from ._page import Applications
from ._tornado_server import request_summary
from .tornado import apply_guard, send_offer, serve

__all__ = ["start_server", "webio_handler"]


class _HttpHandler(tornado.web.RequestHandler):
    """Serves ``endpoint`` on one path: the page, its exchange, its downloads (and, when ``assets_url`` is
    ``None``, the renderer's files at ``?_jupyter_session_asset=``)."""

    endpoint: ClassVar[HttpEndpoint]
    assets_url: ClassVar[str | None] = None
    guard: ClassVar[Guard | None] = None  # as in tornado._PageHandler

    def prepare(self) -> None:
        apply_guard(self, self.guard)

    def _request_summary(self) -> str:
        return request_summary(self)

    async def get(self, *args: Any, **kwargs: Any) -> None:
        await self._exchange()

    async def post(self, *args: Any, **kwargs: Any) -> None:
        await self._exchange()

    async def options(self, *args: Any, **kwargs: Any) -> None:
        await self._exchange()

    def endpoint_for(self) -> HttpEndpoint | PageResponse:
        """What answers this request: the endpoint, or a page to answer with instead."""
        return self.endpoint

    async def _exchange(self) -> None:
        request = self.request
        endpoint = self.endpoint_for()
        if isinstance(endpoint, PageResponse):
            self.set_status(endpoint.status)
            self.write(endpoint.html)
            return
        response = await endpoint.handle_async(
            HttpRequest(
                method=request.method or "GET",
                path=request.path,
                query={name: self.get_query_argument(name) for name in request.query_arguments},
                headers=request.headers,
                body=request.body,
                client_ip=request.remote_ip or "",
                raw=request,
                assets_url=self.assets_url or f"{request.path}?{ASSET_QUERY}=",
            )
        )
        if response.offer is not None:
            await send_offer(self, response.offer)
            return
        self.set_status(response.status)
        for name, value in response.headers.items():
            self.set_header(name, value)
        if response.body:
            self.write(response.body)


def webio_handler(
    applications: Applications,
    cdn: bool | str = True,
    session_expire_seconds: float | None = None,
    session_cleanup_interval: float | None = None,
    allowed_origins: list[str] | None = None,
    check_origin: Callable[[str], bool] | None = None,
) -> type[tornado.web.RequestHandler]:
    """A ``RequestHandler`` class that serves the apps over the HTTP protocol, to mount in your own Tornado app
    (serve the renderer beside it as for ``tornado.webio_handler``, or it serves its files itself).

    A page that makes no request for ``session_expire_seconds`` (600) ends its session; expired sessions are
    looked for every ``session_cleanup_interval`` seconds (300). ``cdn`` is accepted and ignored.
    """
    return _handler_for(
        HttpEndpoint(
            applications,
            backend="tornado",
            session_expire_seconds=session_expire_seconds,
            session_cleanup_interval=session_cleanup_interval,
            allowed_origins=allowed_origins,
            check_origin=check_origin,
        )
    )


def _handler_for(served: HttpEndpoint) -> type[_HttpHandler]:
    class WebIOHttpHandler(_HttpHandler):
        endpoint = served

    return WebIOHttpHandler


def start_server(
    applications: Applications,
    port: int = 8080,
    host: str = "",
    debug: bool = False,
    cdn: bool | str = True,
    static_dir: str | None = None,
    allowed_origins: list[str] | None = None,
    check_origin: Callable[[str], bool] | None = None,
    auto_open_webbrowser: bool = False,
    session_expire_seconds: float | None = None,
    session_cleanup_interval: float | None = None,
    max_payload_size: int | str = DEFAULT_MAX_PAYLOAD,
    *,
    shutdown_timeout: float = _shutdown.SHUTDOWN_TIMEOUT,
    allowed_hosts: list[str] | None = None,
    auth_token: str | None = None,
    **tornado_app_settings: Any,
) -> None:
    """Serve the apps over the HTTP protocol and run the Tornado loop until SIGTERM or SIGINT (then shut down
    as ``tornado.start_server`` does); the arguments are ``tornado.start_server``'s and ``webio_handler``'s
    (``port=0`` picks a free port)."""
    Session.debug = debug = bool(os.environ.get("PYWEBIO_DEBUG", debug))
    max_payload = parse_file_size(max_payload_size)
    handler = _handler_for(
        HttpEndpoint(
            applications,
            backend="tornado",
            session_expire_seconds=session_expire_seconds,
            session_cleanup_interval=session_cleanup_interval,
            allowed_origins=allowed_origins,
            check_origin=check_origin,
            max_payload_size=max_payload,
        )
    )
    tornado_app_settings["debug"] = debug
    serve(
        handler,
        port,
        host,
        static_dir,
        max_payload,
        tornado_app_settings,
        open_browser=auto_open_webbrowser,
        shutdown_timeout=shutdown_timeout,
        allowed_hosts=allowed_hosts,
        auth_token=auth_token,
    )
