"""The HTTP protocol (PROTOCOL.md) over real servers of each HTTP backend: Tornado (``tornado_http``, on the
platform loop), Flask and Django (their WSGI apps on a threaded WSGI server, in a thread), with a Python client
as the page. Browser tests: tests/e2e (``backend``)."""

from __future__ import annotations

import asyncio
import http.client
import json
import random
import threading
import time
import urllib.parse
from collections.abc import Callable, Iterator
from typing import Any
from wsgiref.simple_server import WSGIRequestHandler, WSGIServer, make_server

import pytest
from test_fuzz import SEED, DropCounter, hostile_events

from jupyter_session.output import put_text
from jupyter_session.platform import _http, _http_page, tornado, tornado_http
from jupyter_session.platform import django as django_platform
from jupyter_session.platform import flask as flask_platform
from jupyter_session.platform._http import HttpEndpoint
from jupyter_session.protocol import decode_frame, encode_frame
from jupyter_session.session import defer_call, download, eval_js, hold, info

BACKENDS = ["tornado_http", "flask", "django"]


class _ThreadingWSGIServer(WSGIServer):
    daemon_threads = True

    def process_request(self, request: Any, client_address: Any) -> None:
        threading.Thread(target=self._handle, args=(request, client_address), daemon=True).start()

    def _handle(self, request: Any, client_address: Any) -> None:
        try:
            self.finish_request(request, client_address)
        finally:
            self.shutdown_request(request)


class _QuietHandler(WSGIRequestHandler):
    def log_message(self, *args: Any) -> None:
        pass


_django_urls: list[Any] = []
urlpatterns = _django_urls  # ROOT_URLCONF of the Django the tests configure


def _django_app(view: Any) -> Any:
    from django.conf import settings
    from django.core.wsgi import get_wsgi_application
    from django.urls import clear_url_caches, path

    if not settings.configured:
        settings.configure(DEBUG=False, ALLOWED_HOSTS=["*"], ROOT_URLCONF=__name__, SECRET_KEY="test")
    _django_urls[:] = [path("", view)]
    clear_url_caches()
    return get_wsgi_application()


class Servers:
    """``servers(apps, **kwargs)`` starts a server of one HTTP backend for ``apps`` (``kwargs`` go to the
    backend's ``HttpEndpoint``) and returns its port; everything started is stopped after the test."""

    def __init__(self, backend: str, loop: asyncio.AbstractEventLoop) -> None:
        self.backend = backend
        self.loop = loop
        self._stops: list[Callable[[], None]] = []

    def __call__(self, apps: Any, **kwargs: Any) -> int:
        endpoint = HttpEndpoint(apps, backend=self.backend.removesuffix("_http"), **kwargs)
        if self.backend == "tornado_http":
            handler = tornado_http._handler_for(endpoint)

            async def setup() -> tuple[Any, int]:
                return tornado._setup_server(handler, 0, "127.0.0.1", None, 1 << 20)

            server, port = asyncio.run_coroutine_threadsafe(setup(), self.loop).result(5)
            self._stops.append(lambda: self.loop.call_soon_threadsafe(server.stop))
            return int(port)
        if self.backend == "flask":
            app = flask_platform.Flask(__name__)
            app.add_url_rule(
                "/", "webio_view", flask_platform._view(endpoint, None), methods=["GET", "POST", "OPTIONS"]
            )
        else:
            app = _django_app(django_platform._view(endpoint, None))
        wsgi = make_server("127.0.0.1", 0, app, server_class=_ThreadingWSGIServer, handler_class=_QuietHandler)
        threading.Thread(target=wsgi.serve_forever, daemon=True).start()
        self._stops.append(wsgi.shutdown)
        return int(wsgi.server_port)

    def stop(self) -> None:
        for stop in self._stops:
            stop()


@pytest.fixture(params=BACKENDS)
def backend(request: pytest.FixtureRequest) -> str:
    return str(request.param)


@pytest.fixture
def serve(backend: str, loop: asyncio.AbstractEventLoop) -> Iterator[Servers]:
    servers = Servers(backend, loop)
    yield servers
    servers.stop()


class Page:
    """A page over the HTTP protocol, as the renderer speaks it."""

    def __init__(self, port: int, session_id: str = "s" * 24, origin: str | None = None, path: str = "/") -> None:
        self.port = port
        self.path = path
        self.session_id = session_id
        self.new = True
        self.ack = 0
        self.events = 0
        self.origin = origin

    def request(
        self, method: str, query: dict[str, Any], body: bytes = b"", headers: dict[str, str] | None = None
    ) -> tuple[int, dict[str, str], bytes]:
        connection = http.client.HTTPConnection("127.0.0.1", self.port, timeout=30)
        sent = {"webio-session-id": ("NEW-" if self.new else "") + self.session_id, **(headers or {})}
        if self.origin:
            sent["Origin"] = self.origin
        connection.request(method, f"{self.path}?{urllib.parse.urlencode(query)}", body=body, headers=sent)
        response = connection.getresponse()
        answer = (response.status, {k.lower(): v for k, v in response.getheaders()}, response.read())
        connection.close()
        return answer

    def pull(self, wait: float = 5, ack: int | None = None) -> list[dict[str, Any]]:
        """One pull; the commands of the new messages in it (those after ``ack``, by default the last seen)."""
        status, headers, body = self.request("GET", {"ack": self.ack if ack is None else ack, "wait": wait})
        assert status == 200, body
        self.new = False
        answer = decode_frame(body)[0] if headers["content-type"] == "application/octet-stream" else json.loads(body)
        commands = []
        for number, message in enumerate(answer["messages"], start=answer["seq"]):
            if number > self.ack:
                commands += message["commands"]
                self.ack = number
        return commands

    def next_command(self, name: str, timeout: float = 10) -> dict[str, Any]:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            for command in self.pull():
                if command["command"] == name:
                    return command
        raise TimeoutError(f"no {name} command came")

    def push(self, *events: dict[str, Any], first: int | None = None) -> dict[str, Any]:
        if first is None:
            first = self.events + 1
            self.events += len(events)
        status, _headers, body = self.request(
            "POST",
            {"ack": self.ack, "seq": first},
            json.dumps({"events": list(events)}).encode(),
            {"Content-Type": "application/json"},
        )
        assert status == 200, body
        return dict(json.loads(body))


def plain_get(port: int, query: str = "", headers: dict[str, str] | None = None) -> tuple[int, bytes]:
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
    connection.request("GET", "/" + query, headers=headers or {})
    response = connection.getresponse()
    answer = response.status, response.read()
    connection.close()
    return answer


def waiting_app(deferred: Callable[[], None]) -> Callable[[], None]:
    """An app that defers ``deferred``, shows a line and waits until its session ends."""

    def app() -> None:
        defer_call(deferred)
        put_text("ready")
        hold()

    return app


def answer_eval_js(page: Page, value: Any) -> None:
    request = page.next_command("run_script")
    page.push({"event": "js_yield", "task_id": request["task_id"], "data": value})


def test_the_page_knows_its_protocol_and_serves_its_files(serve: Servers) -> None:
    port = serve(lambda: None)
    status, html = plain_get(port)
    assert status == 200 and b'data-protocol="http"' in html and b"jupyter_session.js" in html
    assert plain_get(port, "?test=1") == (200, b"ok")
    status, script = plain_get(port, "?_jupyter_session_asset=jupyter_session.js")
    assert status == 200 and len(script) > 10_000
    assert plain_get(port, "?_jupyter_session_asset=../pyproject.toml")[0] == 404


def test_eval_js_round_trip_and_session_info(serve: Servers, backend: str) -> None:
    seen: list[Any] = []

    def app() -> None:
        seen.append(eval_js("navigator.language"))
        seen.append((info.backend, info.protocol, info.user_ip))

    page = Page(serve(app))
    answer_eval_js(page, "de-DE")
    page.next_command("close_session")
    assert seen == ["de-DE", (backend.removesuffix("_http"), "http", "127.0.0.1")]


def test_only_a_get_starts_a_session_and_an_unknown_one_is_told_to_close(serve: Servers) -> None:
    started: list[int] = []
    port = serve(lambda: (started.append(1), hold()))
    page = Page(port)
    status, _headers, _body = page.request("POST", {"ack": 0, "seq": 1}, b'{"events": []}')
    assert status == 403 and started == []
    stranger = Page(port, session_id="x" * 24)
    stranger.new = False
    assert [command["command"] for command in stranger.pull()] == ["close_session"]


def test_a_resent_push_applies_once_and_a_lost_answer_is_sent_again(serve: Servers) -> None:
    values: list[Any] = []

    def app() -> None:
        put_text("first")
        values.append(eval_js("1"))
        values.append(eval_js("2"))

    page = Page(serve(app))
    request = page.next_command("run_script")
    event = {"event": "js_yield", "task_id": request["task_id"], "data": "one"}
    assert page.push(event)["ack"] == 1
    assert page.push(event, first=1)["ack"] == 1  # the same push again: its answer was lost
    second = page.next_command("run_script")
    # That answer is lost too: the page pulls again with its old ack and gets the same message.
    again = [command for command in page.pull(ack=page.ack - 1) if command["command"] == "run_script"]
    assert again == []  # the page had applied it: nothing new for it...
    status, _headers, body = page.request("GET", {"ack": page.ack - 1, "wait": 0})
    assert second in json.loads(body)["messages"][0]["commands"]  # ...but the server sent it again
    page.push({"event": "js_yield", "task_id": second["task_id"], "data": "two"})
    page.next_command("close_session")
    assert values == ["one", "two"]


def test_pushes_that_arrive_out_of_order_are_applied_in_order(serve: Servers) -> None:
    """The page has several pushes out at once: a later one that arrives first waits for the gap to fill."""
    values: list[Any] = []

    def app() -> None:
        values.append(eval_js("1"))
        values.append(eval_js("2"))

    page = Page(serve(app))
    request = page.next_command("run_script")
    early = {"event": "js_yield", "task_id": "no-such-request", "data": "stray"}
    assert page.push(early, first=2)["ack"] == 0  # held: event 1 has not come
    assert page.push({"event": "js_yield", "task_id": request["task_id"], "data": "one"}, first=1)["ack"] == 2
    page.events = 2
    answer_eval_js(page, "two")
    page.next_command("close_session")
    assert values == ["one", "two"]


def test_a_pull_is_held_until_there_is_a_command(serve: Servers) -> None:
    go = threading.Event()

    def app() -> None:
        put_text("ready")
        go.wait(10)
        put_text("after the wait")
        hold()

    page = Page(serve(app))
    page.next_command("output")
    started = time.monotonic()
    assert page.pull(wait=0.5) == []
    assert 0.4 < time.monotonic() - started < 3
    threading.Timer(0.3, go.set).start()
    started = time.monotonic()
    commands = page.pull(wait=10)
    assert commands[0]["spec"]["content"] == "after the wait" and 0.25 < time.monotonic() - started < 3


def test_the_page_says_it_went_and_defer_call_runs(serve: Servers) -> None:
    deferred = threading.Event()
    port = serve(waiting_app(deferred.set))
    page = Page(port)
    page.next_command("output")
    status, _headers, _body = page.request("POST", {"close": 1, "session": page.session_id})
    assert status == 204
    assert deferred.wait(10)


def test_a_page_that_stops_asking_expires(serve: Servers) -> None:
    deferred = threading.Event()
    port = serve(
        waiting_app(deferred.set),
        session_expire_seconds=0.5,
        session_cleanup_interval=0.2,
    )
    Page(port).next_command("output")
    assert deferred.wait(10)


def test_cross_origin_requests(serve: Servers) -> None:
    port = serve(lambda: hold(), allowed_origins=["http://*.example.com"])
    assert Page(port, origin="http://evil.test").request("GET", {"ack": 0})[0] == 403
    status, headers, _body = Page(port, origin="http://app.example.com").request("OPTIONS", {})
    assert status == 204 and headers["access-control-allow-origin"] == "http://app.example.com"
    assert "webio-session-id" in headers["access-control-allow-headers"]


def test_a_download_is_fetched_once(serve: Servers) -> None:
    def app() -> None:
        download("a.bin", b"x" * 3_000_000)
        hold()

    page = Page(serve(app))
    address = page.next_command("download")["spec"]["url"]
    assert address.startswith("?download=")
    status, body = plain_get(page.port, address)
    assert status == 200 and body == b"x" * 3_000_000
    assert plain_get(page.port, address)[0] == 404


def test_a_page_that_never_acknowledges_ends_its_session(serve: Servers, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(_http_page, "MAX_UNACKNOWLEDGED", 50)
    ended = threading.Event()

    def app() -> None:
        defer_call(ended.set)
        for n in range(200):
            put_text(f"line {n}")
            time.sleep(0.002)  # one message each
        hold()

    page = Page(serve(app))
    page.pull(wait=0)  # creates the session, then never acknowledges
    assert ended.wait(10)


def test_a_coroutine_app_under_wsgi_needs_the_event_loop(serve: Servers, backend: str) -> None:
    async def app() -> None:
        put_text(f"language {await eval_js('navigator.language')}")

    port = serve(app)
    page = Page(port)
    if backend != "tornado_http" and _http._event_loop is None:
        status, _headers, body = page.request("GET", {"ack": 0})
        assert status == 500 and b"run_event_loop" in body
        threading.Thread(target=_http.run_event_loop, daemon=True).start()
        deadline = time.monotonic() + 5
        while _http._event_loop is None and time.monotonic() < deadline:
            time.sleep(0.01)
    answer_eval_js(page, "fr")
    assert page.next_command("output")["spec"]["content"] == "language fr"


HOSTILE_REQUESTS = 1500  # each is an HTTP request: half of test_fuzz's frames, on each backend


def test_hostile_requests_are_refused_or_dropped_and_the_session_goes_on(serve: Servers) -> None:
    """``test_fuzz``'s hostile events, pushed, among bodies that are not JSON, truncated binary frames, JSON
    nested 100,000 deep, and bad numbers and ids: each is refused (4xx) or dropped with a short log line; the
    session answers its ``eval_js`` afterwards."""
    results: list[Any] = []
    page = Page(serve(lambda: results.append([eval_js("1"), eval_js("2")])))
    first = page.next_command("run_script")
    page.push({"event": "js_yield", "task_id": first["task_id"], "data": 1})
    second = page.next_command("run_script")
    rng = random.Random(SEED)
    events = hostile_events(rng, first["task_id"])  # replays answer the first request again
    statuses = []
    with DropCounter() as log:
        for _ in range(HOSTILE_REQUESTS):
            message, buffers = next(events)
            choice = rng.randrange(6)
            if choice == 0:
                body = rng.choice([b"{nope", b"[" * 100_000, b"\x00", b'"' + b"a" * 1000, b'{"events": 3}'])
                status = page.request("POST", {"ack": page.ack, "seq": page.events + 1}, body)[0]
            elif choice == 1:
                frame = encode_frame({"events": [message]}, buffers or [b"b"])
                cut = rng.randrange(len(frame))
                headers = {"Content-Type": "application/octet-stream"}
                status = page.request("POST", {"ack": page.ack, "seq": page.events + 1}, frame[:cut], headers)[0]
            elif choice == 2:
                query = rng.choice([{"ack": -1}, {"ack": "x"}, {"seq": "0"}, {"seq": "9" * 40}, {"wait": "nan"}])
                status = page.request(rng.choice(["GET", "POST"]), {"ack": page.ack, "wait": 0, **query})[0]
            else:
                page.events += 1
                body = json.dumps({"events": [message]}).encode()
                status = page.request("POST", {"ack": page.ack, "seq": page.events}, body)[0]
            statuses.append(status)
        page.push({"event": "js_yield", "task_id": second["task_id"], "data": 2})
        page.next_command("close_session")
    assert results == [[1, 2]]
    assert set(statuses) <= {200, 400} and statuses.count(400) > HOSTILE_REQUESTS // 4
    assert log.dropped > 0 and log.longest < 1000
