"""The fire-and-forget and state functions: download, set_env, go_app, local, info, data/get_info."""

from __future__ import annotations

import hashlib
import threading
import time
from typing import Any

import pytest
from helpers import both, start_app

from jupyter_session import _connection
from jupyter_session.exceptions import SessionNotFoundException
from jupyter_session.protocol import CHUNK_SIZE
from jupyter_session.session import (
    data,
    download,
    get_info,
    go_app,
    info,
    local,
    run_js,
    set_env,
)
from jupyter_session.testing import FakeBrowser

# -- download ----------------------------------------------------------------------------------------------


@pytest.mark.parametrize("size", [0, 1024, CHUNK_SIZE, 5 * CHUNK_SIZE + 3])
def test_download_arrives_whole_in_acknowledged_chunks_of_at_most_1_mib(run_app: Any, size: int) -> None:
    content = bytes(range(256)) * (size // 256) + b"\x07" * (size % 256)
    sent: list[tuple[int, int]] = []
    browser = FakeBrowser()
    original = browser.send

    def spy(message: dict[str, Any], buffers: Any = ()) -> None:
        for command in message["commands"]:
            if command["command"] == "download":
                sent.append((command["spec"]["offset"], memoryview(buffers[0]).nbytes))
        original(message, buffers)

    browser.send = spy  # type: ignore[method-assign]

    def app() -> None:
        download("report.bin", content)

    run_app(app, browser)
    assert hashlib.sha256(browser.downloads["report.bin"]).digest() == hashlib.sha256(content).digest()
    assert all(length <= CHUNK_SIZE for _, length in sent)
    assert [offset for offset, _ in sent] == list(range(0, max(size, 1), CHUNK_SIZE))
    assert browser.errors == []


def test_download_never_has_more_than_the_window_unacknowledged(loop: Any) -> None:
    content = b"z" * (12 * CHUNK_SIZE)
    in_flight: list[int] = []
    browser = FakeBrowser()
    original_send, original_event = browser.send, browser.send_event
    state = {"sent": 0, "acked": 0}

    def count_sent(message: dict[str, Any], buffers: Any = ()) -> None:
        if any(c["command"] == "download" for c in message["commands"]):
            state["sent"] += memoryview(buffers[0]).nbytes
            in_flight.append(state["sent"] - state["acked"])
        original_send(message, buffers)

    def count_acked(event: dict[str, Any], buffers: Any = ()) -> None:
        if event.get("event") == "download_ack":
            state["acked"] += event["data"]["length"]
        original_event(event, buffers)

    browser.send, browser.send_event = count_sent, count_acked  # type: ignore[method-assign]
    start_app(lambda: download("big.bin", content), browser, loop)
    browser.wait_closed(10)
    assert browser.downloads["big.bin"] == content
    assert max(in_flight) <= _connection.DOWNLOAD_WINDOW * CHUNK_SIZE


def test_download_rejects_wrong_types(run_app: Any) -> None:
    errors: list[str] = []

    def app() -> None:
        for name, content in [("", b"x"), (3, b"x"), ("a.txt", "text")]:
            try:
                download(name, content)  # type: ignore[arg-type]
            except TypeError as exc:
                errors.append(str(exc))

    run_app(app)
    assert errors == [
        "download: name must be a non-empty str, not ''",
        "download: name must be a non-empty str, not 3",
        "download: content must be bytes-like, not str",
    ]


def test_app_end_waits_for_running_downloads_before_closing_the_connection(run_app: Any) -> None:
    content = b"q" * (9 * CHUNK_SIZE)
    _, browser = run_app(lambda: download("last.bin", content))
    browser.wait_for(browser.closed)
    assert browser.downloads["last.bin"] == content


# -- set_env and go_app ------------------------------------------------------------------------------------


def test_set_env_sends_all_nine_keys(run_app: Any) -> None:
    env = dict(
        title="Report",
        output_animation=False,
        auto_scroll_bottom=True,
        http_pull_interval=500,
        output_max_width="80%",
        input_panel_min_height=100,
        input_panel_init_height=200,
        input_panel_fixed=False,
        input_auto_focus=False,
    )
    _, browser = run_app(lambda: set_env(**env))
    assert browser.env == env


@pytest.mark.parametrize(
    "kwargs, error, message",
    [
        ({"titel": "x"}, TypeError, "set_env() got an unknown key 'titel'; valid keys: title, output_animation"),
        ({"title": 3}, TypeError, "set_env(title=...) takes a str, not int"),
        ({"output_animation": "yes"}, TypeError, "set_env(output_animation=...) takes a bool, not str"),
        ({"http_pull_interval": True}, TypeError, "set_env(http_pull_interval=...) takes a int, not bool"),
        ({"http_pull_interval": 0}, ValueError, "must be a positive number of milliseconds"),
        ({"input_panel_min_height": 10}, ValueError, "must be at least 75 (pixels)"),
        ({"input_panel_init_height": 100}, ValueError, "must be at least 175 (pixels)"),
        ({"output_max_width": "wide"}, ValueError, "must be pixels or a percentage, e.g. '1080px'"),
    ],
)
def test_set_env_rejects_bad_keys_and_values(run_app: Any, kwargs: dict[str, Any], error: type, message: str) -> None:
    caught: list[BaseException] = []

    def app() -> None:
        try:
            set_env(**kwargs)
        except (TypeError, ValueError) as exc:
            caught.append(exc)

    _, browser = run_app(app)
    assert type(caught[0]) is error and message in str(caught[0])
    assert browser.env == {}  # nothing was sent


def test_go_app_passes_the_name_as_data(run_app: Any) -> None:
    _, browser = run_app(lambda: go_app("other'); alert(1); ('", new_window=False))
    (command,) = browser.commands_named("run_script")
    assert command["spec"]["args"] == {"app": "other'); alert(1); ('", "new_window": False}
    assert "other" not in command["spec"]["code"]


# -- local and info ----------------------------------------------------------------------------------------


@pytest.mark.parametrize("mode", ["thread", "coroutine"])
def test_local_is_a_dict_proxy_with_none_for_missing_names(run_app: Any, mode: str) -> None:
    seen: dict[str, Any] = {}

    def body() -> None:
        seen["missing"] = local.nothing
        local.counter = (local.counter or 0) + 1
        local.counter += 1
        local[10] = "ten"
        seen["contains"] = ("counter" in local, "bar" in local)
        seen["keys"] = sorted(map(str, local))
        seen["dict"] = dict(local._dict)
        seen["len"] = len(local)
        del local.counter
        seen["after_del"] = local.counter
        with pytest.raises(AttributeError, match="reserved"):
            local._private = 1

    async def coroutine_app() -> None:
        body()

    run_app(both(body, coroutine_app, mode))
    assert seen == {
        "missing": None,
        "contains": (True, False),
        "keys": ["10", "counter"],
        "dict": {"counter": 2, 10: "ten"},
        "len": 2,
        "after_del": None,
    }


def test_local_is_isolated_between_sessions(loop: Any) -> None:
    barrier = threading.Barrier(2, timeout=5)
    seen: dict[str, Any] = {}

    def make_app(name: str) -> Any:
        def app() -> None:
            local.owner = name
            barrier.wait()
            seen[name] = (local.owner, dict(local._dict))

        return app

    browsers = [FakeBrowser(), FakeBrowser()]
    for name, browser in zip(["a", "b"], browsers):
        start_app(make_app(name), browser, loop)
    for browser in browsers:
        browser.wait_closed()
    assert seen == {"a": ("a", {"owner": "a"}), "b": ("b", {"owner": "b"})}


@pytest.mark.parametrize("mode", ["thread", "coroutine"])
def test_info_has_the_parsed_user_agent_and_the_session_fields(run_app: Any, mode: str) -> None:
    seen: dict[str, Any] = {}

    def body() -> None:
        ua = info.user_agent
        seen.update(
            browser=ua.browser.family,
            os=ua.os.family,
            is_pc=ua.is_pc,
            is_mobile=ua.is_mobile,
            is_tablet=ua.is_tablet,
            touch=ua.is_touch_capable,
            device=ua.device.family,
            language=info.user_language,
            origin=info.origin,
            backend=info.backend,
            protocol=info.protocol,
            server_host=info.server_host,
            user_ip=info.user_ip,
            request=info.request,
        )
        with pytest.raises(TypeError, match="read-only"):
            info.backend = "x"

    async def coroutine_app() -> None:
        body()

    iphone = (
        "Mozilla/5.0 (iPhone; CPU iPhone OS 17_0 like Mac OS X) AppleWebKit/605.1.15 "
        "(KHTML, like Gecko) Version/17.0 Mobile/15E148 Safari/604.1"
    )
    run_app(both(body, coroutine_app, mode), FakeBrowser(user_agent=iphone, language="de-DE"))
    assert seen == dict(
        browser="Mobile Safari",
        os="iOS",
        is_pc=False,
        is_mobile=True,
        is_tablet=False,
        touch=True,
        device="iPhone",
        language="de-DE",
        origin="http://fake.test",
        backend="test",
        protocol="fake",
        server_host="fake.test",
        user_ip="",
        request=None,
    )


def test_data_and_get_info_are_deprecated_aliases(run_app: Any) -> None:
    seen: list[Any] = []

    def app() -> None:
        with pytest.warns(DeprecationWarning, match="use `jupyter_session.session.local` instead"):
            seen.append(data() is local)
        with pytest.warns(DeprecationWarning, match="use `jupyter_session.session.info` instead"):
            seen.append(get_info() is info)

    run_app(app)
    assert seen == [True, True]


def test_session_functions_outside_a_session_raise_session_not_found() -> None:
    from jupyter_session.session import ThreadBasedSession, register_session_implement

    register_session_implement(ThreadBasedSession)
    with pytest.raises(
        SessionNotFoundException, match="no session in this thread: call session functions from the app's own thread"
    ):
        run_js("1")
    with pytest.raises(SessionNotFoundException):
        local.x = 1


# -- the same fire-and-forget functions from a coroutine session ---------------------------------------------


def test_download_set_env_go_app_and_deprecated_aliases_work_in_coroutine_sessions(run_app: Any) -> None:
    content = b"c" * (2 * CHUNK_SIZE + 1)
    seen: list[Any] = []

    async def app() -> None:
        download("co.bin", content)
        set_env(title="co", input_auto_focus=False)
        go_app("other")
        with pytest.warns(DeprecationWarning):
            seen.append(data() is local)
        with pytest.warns(DeprecationWarning):
            seen.append(get_info() is info)
        with pytest.raises(TypeError, match="unknown key"):
            set_env(colour="red")

    _, browser = run_app(app)
    assert browser.downloads["co.bin"] == content
    assert browser.env == {"title": "co", "input_auto_focus": False}
    assert browser.commands_named("run_script")[0]["spec"]["args"] == {"app": "other", "new_window": True}
    assert seen == [True, True]


def test_the_browser_hello_fills_in_info_the_request_did_not_give(loop: Any) -> None:
    from jupyter_session._connection import start_session
    from jupyter_session.session._info import make_session_info

    seen: list[Any] = []
    go = threading.Event()

    def app() -> None:
        go.wait(5)
        seen.append((info.user_agent.browser.family, info.user_language, info.origin, info.backend))

    browser = FakeBrowser(
        user_agent="Mozilla/5.0 (Windows NT 10.0; Win64; x64; rv:121.0) Gecko/20100101 Firefox/121.0", language="fr-FR"
    )
    start_session(app, browser, make_session_info(backend="jupyter"), loop=loop)
    time.sleep(0.1)  # the hello is handled as soon as the session exists
    go.set()
    browser.wait_closed()
    assert seen == [("Firefox", "fr-FR", "http://fake.test", "jupyter")]


def test_a_hello_with_another_protocol_version_is_logged_and_ignored(
    loop: Any, caplog: pytest.LogCaptureFixture
) -> None:
    from jupyter_session.protocol import PROTOCOL_VERSION

    seen: list[Any] = []
    go = threading.Event()

    def app() -> None:
        go.wait(5)
        seen.append(info.user_language)

    browser = FakeBrowser(send_hello=False)
    start_app(app, browser, loop)
    browser.send_event(
        dict(
            event="hello", task_id=None, data=dict(protocol_version=PROTOCOL_VERSION + 1, user_agent="x", language="xx")
        )
    )
    go.set()
    browser.wait_closed()
    assert seen == ["en-US"]
    assert (
        f"incompatible jupyter_session protocol versions: the browser speaks {PROTOCOL_VERSION + 1}, "
        f"this package speaks {PROTOCOL_VERSION}"
    ) in caplog.text
