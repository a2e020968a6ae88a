"""The HTTP protocol, whatever the framework: pages that pull their commands with long-polled GETs and push
their events with POSTs to the page's own URL (``PROTOCOL.md``, "The HTTP protocol"). WSGI servers (Flask,
Django) cannot hold a WebSocket, and some proxies refuse the upgrade.

A backend turns each request to the app's URL into an ``HttpRequest`` and gives it to an ``HttpEndpoint``:
``handle`` in a thread (WSGI; a pull then holds that thread while it waits), ``handle_async`` on an asyncio
loop. It sends the ``HttpResponse`` it gets back; one with an ``offer`` is a download to stream
(``offer.headers()``, then ``offer.chunks()``, then ``offer.fetched()``).

Each page is an ``HttpPage`` (``_http_page``).
"""

from __future__ import annotations

import asyncio
import json
import logging
import mimetypes
import threading
import time
from collections.abc import Callable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from .._connection import Connection, start_session
from ..exceptions import ProtocolError
from ..protocol import decode_frame
from ..session import CoroutineBasedSession, register_session_implement_for_target
from . import _shutdown
from ._core import ASSET_QUERY, ASSETS_URL, CLOSE_SESSION, AppEndpoint, Offer, asset_file, session_info_from_headers
from ._http_page import HttpPage
from ._page import Applications, make_applications
from ._sockets import NO_DOWNLOAD

__all__ = [
    "HttpEndpoint",
    "HttpPage",
    "HttpRequest",
    "HttpResponse",
    "run_event_loop",
    "start_event_loop_for",
    "wsgi_chunks",
]

logger = logging.getLogger(__name__)

#: Seconds a pull may be held when the page asks for longer (proxies commonly cut requests idle for 60 s).
MAX_PULL_WAIT = 30.0
DEFAULT_SESSION_EXPIRE_SECONDS = 600.0
DEFAULT_SESSION_CLEANUP_INTERVAL = 300.0
_ID_LENGTH = range(16, 65)  # what a page's session id may be long (it makes 24 characters)


@dataclass
class HttpRequest:
    """One request to the app's URL, as the backend read it. ``headers`` must look names up
    case-insensitively; ``path`` is the page's path as the browser sees it; ``raw`` is the framework's request
    object (``session.info.request``)."""

    method: str
    path: str
    query: Mapping[str, str]
    headers: Mapping[str, str]
    body: bytes = b""
    client_ip: str = ""
    raw: Any = None
    #: Where the page loads the renderer's files from: ``ASSETS_URL`` where the app serves them there, else
    #: ``PATH?_jupyter_session_asset=`` (this endpoint serves them itself).
    assets_url: str = ASSETS_URL


@dataclass
class HttpResponse:
    """What to answer: a status, a body and headers, or (``offer``) a download to stream."""

    status: int
    body: bytes = b""
    headers: dict[str, str] = field(default_factory=dict)
    offer: Offer | None = None

    @classmethod
    def text(
        cls, status: int, text: str, headers: Mapping[str, str] = {}, content_type: str = "text/plain; charset=utf-8"
    ) -> HttpResponse:
        return cls(status, text.encode(), {**headers, "Content-Type": content_type})

    @classmethod
    def frame(cls, frame: str | bytes, content_type: str, headers: Mapping[str, str]) -> HttpResponse:
        """An answer of the exchange: a frame (see ``HttpPage.answer``), never cached."""
        body = frame.encode() if isinstance(frame, str) else frame
        return cls(200, body, {**headers, "Content-Type": content_type, "Cache-Control": "no-store"})


# -- the endpoint -----------------------------------------------------------------------------------------


# The loop that coroutine apps run on under a WSGI server (``run_event_loop``).
_event_loop: asyncio.AbstractEventLoop | None = None


def run_event_loop(debug: bool = False) -> None:
    """Run a new asyncio event loop in the calling thread until it is stopped, as PyWebIO's: for coroutine
    apps served by a WSGI framework, whose requests run in threads of their own (start it in a daemon thread;
    the backends' ``start_server`` does). ``debug`` sets the loop's debug mode."""
    global _event_loop
    CoroutineBasedSession.event_loop_thread_id = threading.get_ident()
    loop = asyncio.new_event_loop()
    loop.set_debug(debug)
    asyncio.set_event_loop(loop)
    _event_loop = loop
    loop.run_forever()


def start_event_loop_for(applications: Applications) -> None:
    """Start ``run_event_loop`` in a daemon thread when one of the apps is a coroutine function."""
    kinds = [register_session_implement_for_target(app) for app in make_applications(applications).values()]
    if _event_loop is None and any(issubclass(kind, CoroutineBasedSession) for kind in kinds):
        threading.Thread(target=run_event_loop, daemon=True, name="jupyter_session-event-loop").start()


@dataclass
class _Pull:
    """A pull to answer once its page has messages, has closed, or ``wait`` seconds have passed."""

    page: HttpPage
    ack: int
    wait: float
    headers: dict[str, str]


class HttpEndpoint:
    """The apps served on one URL over the HTTP protocol; the arguments are ``webio_view``'s. ``applications``
    may be an ``AppEndpoint`` already (``path_deploy_http`` keeps one per file, and swaps its apps on
    ``?reload``). ``backend`` names the framework in ``session.info.backend``."""

    def __init__(
        self,
        applications: Applications | AppEndpoint,
        *,
        backend: str,
        session_expire_seconds: float | None = None,
        session_cleanup_interval: float | None = None,
        allowed_origins: Sequence[str] | None = None,
        check_origin: Callable[[str], bool] | None = None,
        max_payload_size: int = 200 << 20,
    ) -> None:
        if isinstance(applications, AppEndpoint):
            self.apps = applications
        else:
            self.apps = AppEndpoint(applications, allowed_origins=allowed_origins, check_origin=check_origin)
        self.backend = backend
        self.session_expire_seconds = session_expire_seconds or DEFAULT_SESSION_EXPIRE_SECONDS
        self.session_cleanup_interval = session_cleanup_interval or DEFAULT_SESSION_CLEANUP_INTERVAL
        self.max_payload_size = max_payload_size
        self._pages: dict[str, HttpPage] = {}
        self._lock = threading.Lock()
        self._sweeper: threading.Thread | None = None

    # -- entry points ---------------------------------------------------------------------------------------

    def handle(self, request: HttpRequest) -> HttpResponse:
        """Answer ``request``, in a thread of a WSGI server: a pull holds it while it waits."""
        outcome = self._exchange(request, None)
        if isinstance(outcome, _Pull):
            outcome.page.wait(outcome.wait)
            return self._answer_pull(outcome)
        return outcome

    async def handle_async(self, request: HttpRequest) -> HttpResponse:
        """Answer ``request`` on the running asyncio loop (which coroutine apps then run on too)."""
        outcome = self._exchange(request, asyncio.get_running_loop())
        if isinstance(outcome, _Pull):
            await outcome.page.wait_async(outcome.wait)
            return self._answer_pull(outcome)
        return outcome

    # -- one request ----------------------------------------------------------------------------------------

    def _exchange(self, request: HttpRequest, loop: asyncio.AbstractEventLoop | None) -> HttpResponse | _Pull:
        origin = request.headers.get("Origin")
        if not self.apps.origin_allowed(origin, request.headers.get("Host", "")):
            return HttpResponse.text(403, "this origin may not use the app: see allowed_origins")
        cors = self._cors_headers(origin) if origin else {}
        if request.method == "OPTIONS":
            return HttpResponse(204, headers=cors)
        if request.method == "POST" and "close" in request.query:
            self._close_page(request.query.get("session", ""))
            return HttpResponse(204, headers=cors)
        session_id = request.headers.get("webio-session-id")
        if session_id is None:
            if request.method != "GET":
                return HttpResponse.text(400, "the exchange needs a webio-session-id header", cors)
            return self._plain_get(request)
        ack = _count(request.query.get("ack"))
        creating = session_id.startswith("NEW-")
        session_id = session_id.removeprefix("NEW-")
        if len(session_id) not in _ID_LENGTH or ack is None:
            return HttpResponse.text(400, "bad webio-session-id header or ack: reload the page")
        with self._lock:
            page = self._pages.get(session_id)
        if page is None:
            if not creating:
                return self._unknown_session(ack, cors)
            if request.method != "GET":  # a foreign site's form may POST, but a page starts with a GET
                return HttpResponse.text(403, "a session starts with a GET", cors)
            started = self._start(session_id, request, loop)
            if isinstance(started, HttpResponse):
                return started
            page = started
        page.acknowledge(ack)
        if request.method == "POST":
            return self._push(page, request, ack, cors)
        if request.method != "GET":
            return HttpResponse.text(405, "GET or POST", cors)
        wait = _seconds(request.query.get("wait"))
        self._forget_if_done(session_id, page)
        return _Pull(page, ack, min(wait, MAX_PULL_WAIT), cors)

    def _plain_get(self, request: HttpRequest) -> HttpResponse:
        if "test" in request.query:
            return HttpResponse.text(200, "ok")
        asset = request.query.get(ASSET_QUERY)
        if asset is not None:
            path = asset_file(asset)
            if path is None:
                return HttpResponse.text(404, "no such file in the renderer bundle")
            content_type = mimetypes.guess_type(path.name)[0] or "application/octet-stream"
            return HttpResponse(200, path.read_bytes(), {"Content-Type": content_type, "Cache-Control": "no-cache"})
        token = request.query.get("download")
        if token is not None:
            offer = self.apps.download(token)
            return HttpResponse(200, offer=offer) if offer else HttpResponse.text(404, NO_DOWNLOAD)
        page = self.apps.page(request.path, request.query.get("app"), request.assets_url, protocol="http")
        return HttpResponse.text(page.status, page.html, content_type="text/html; charset=utf-8")

    def _start(
        self, session_id: str, request: HttpRequest, loop: asyncio.AbstractEventLoop | None
    ) -> HttpPage | HttpResponse:
        if _shutdown.draining():
            return HttpResponse.text(503, f"{_shutdown.GOING_AWAY}: reload the page soon")
        name = self.apps.app_name(request.query.get("app"))
        if name is None or name not in self.apps.apps:
            return HttpResponse.text(404, f"no app named {name!r}: check ?app= in the page's address")
        app = self.apps.apps[name]
        coroutine_app = issubclass(register_session_implement_for_target(app), CoroutineBasedSession)
        if coroutine_app and loop is None and _event_loop is None:
            logger.error("a coroutine app under a WSGI server needs run_event_loop() running in a thread")
            return HttpResponse.text(
                500, "this coroutine app needs an event loop: start run_event_loop() in a thread (see its doc)"
            )
        with self._lock:
            if session_id in self._pages:  # the page's first pull, sent again while the first one was at work
                return self._pages[session_id]
            page = self._pages[session_id] = HttpPage()
            if self._sweeper is None:
                self._sweeper = threading.Thread(target=self._sweep, daemon=True, name="jupyter_session-http-expiry")
                self._sweeper.start()
        page.on_close(lambda: self._forget_if_done(session_id, page))
        info = session_info_from_headers(
            request.headers, user_ip=request.client_ip, backend=self.backend, protocol="http", request=request.raw
        )
        if coroutine_app and loop is None:
            assert _event_loop is not None
            connection = asyncio.run_coroutine_threadsafe(_start_on_loop(app, page, info), _event_loop).result(10)
        else:
            connection = start_session(app, page, info, loop=loop)
        _shutdown.track(connection)
        return page

    def _push(self, page: HttpPage, request: HttpRequest, ack: int, cors: dict[str, str]) -> HttpResponse:
        first = _count(request.query.get("seq"))
        if first is None or first == 0:
            return HttpResponse.text(400, "a push needs seq=N, the number of its first event", cors)
        if len(request.body) > self.max_payload_size:
            return HttpResponse.text(413, "the request is over max_payload_size", cors)
        try:
            events = _events_of(request.body, request.headers.get("Content-Type", ""))
        except (ProtocolError, ValueError, RecursionError) as exc:  # RecursionError: JSON nested too deep
            logger.warning("dropped a malformed push from a page: %s", str(exc)[:500])
            return HttpResponse.text(400, "malformed events", cors)
        page.push(first, events)
        return HttpResponse.frame(*page.answer(ack, with_messages=False), cors)

    def _answer_pull(self, pull: _Pull) -> HttpResponse:
        return HttpResponse.frame(*pull.page.answer(pull.ack), pull.headers)

    def _unknown_session(self, ack: int, cors: dict[str, str]) -> HttpResponse:
        body = {"seq": ack + 1, "messages": [{"commands": [CLOSE_SESSION]}], "ack": 0}
        return HttpResponse.frame(json.dumps(body), "application/json", cors)

    def _cors_headers(self, origin: str) -> dict[str, str]:
        return {
            "Access-Control-Allow-Origin": origin,
            "Access-Control-Allow-Methods": "GET, POST",
            "Access-Control-Allow-Headers": "content-type, webio-session-id",
            "Access-Control-Expose-Headers": "webio-session-id",
            "Access-Control-Max-Age": str(24 * 3600),
            "Vary": "Origin",
        }

    # -- ending sessions ------------------------------------------------------------------------------------

    def _close_page(self, session_id: str) -> None:
        with self._lock:
            page = self._pages.pop(session_id, None)
        if page is not None:
            page.close()

    def _forget_if_done(self, session_id: str, page: HttpPage) -> None:
        """A closed page stays until it has taken its last messages (the close_session)."""
        if page.closed() and not page.pending():
            with self._lock:
                if self._pages.get(session_id) is page:
                    del self._pages[session_id]

    def _sweep(self) -> None:
        while True:
            time.sleep(self.session_cleanup_interval)
            deadline = time.monotonic() - self.session_expire_seconds
            with self._lock:
                expired = [(sid, page) for sid, page in self._pages.items() if page.last_seen < deadline]
                for sid, _page in expired:
                    del self._pages[sid]
            for _sid, page in expired:
                logger.info(
                    "a page over HTTP made no request for %g s: its session closes", self.session_expire_seconds
                )
                page.close()


def wsgi_chunks(offer: Offer) -> Iterator[bytes]:
    """An offered download as a WSGI response body. Fetched after its last chunk; a browser that stops reading
    never gets there, and the offer stays until its session ends."""
    yield from offer.chunks()
    offer.fetched()


async def _start_on_loop(app: Callable[[], Any], page: HttpPage, info: dict[str, Any]) -> Connection:
    return start_session(app, page, info, loop=asyncio.get_running_loop())


def _events_of(body: bytes, content_type: str) -> list[tuple[Any, list[memoryview]]]:
    """The events of a push body, each with its own buffers (a binary body's paths start ``["events", i]``)."""
    if content_type.startswith("application/octet-stream"):
        message, buffers = decode_frame(body)
    else:
        message, buffers = json.loads(body), []
    events = message.get("events") if isinstance(message, dict) else None
    if not isinstance(events, list):
        raise ProtocolError("a push is {events: [...]}")
    paths = message.get("buffer_paths", [])
    if not isinstance(paths, list) or len(paths) != len(buffers):
        raise ProtocolError("buffer_paths must be a list with one path per buffer")
    split: list[tuple[Any, list[memoryview]]] = [(event, []) for event in events]
    for path, buffer in zip(paths, buffers):
        if not (isinstance(path, list) and len(path) > 2 and path[0] == "events" and isinstance(path[1], int)):
            raise ProtocolError('a push\'s buffer paths start with ["events", i]')
        if not 0 <= path[1] < len(events) or not isinstance(events[path[1]], dict):
            raise ProtocolError("a buffer path names no event")
        event, event_buffers = split[path[1]]
        event.setdefault("buffer_paths", []).append(path[2:])
        event_buffers.append(buffer)
    return split


def _count(value: str | None) -> int | None:
    """A non-negative integer query value (absent: 0), or None."""
    if value is None:
        return 0
    return int(value) if value.isdigit() and len(value) < 19 else None


def _seconds(value: str | None) -> float:
    try:
        seconds = float(value) if value is not None else 0.0
    except ValueError:
        return 0.0
    return seconds if 0 <= seconds < float("inf") else 0.0
