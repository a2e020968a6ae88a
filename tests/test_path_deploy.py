"""``path_deploy``: a folder's apps at their paths, its index, hidden and outside paths refused, ``?reload``;
over a real Tornado server with a small Python client as the page, and its console script.

Browser tests: tests/e2e/test_path_deploy.py.
"""

from __future__ import annotations

import asyncio
import importlib
import json
import logging
import socket
import sys
import urllib.error
import urllib.request
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
import tornado.httpclient
import tornado.websocket
from test_http_protocol import Page as HttpPage

from jupyter_session.platform import _core
from jupyter_session.platform import tornado as tornado_platform
from jupyter_session.protocol import PROTOCOL_VERSION

# The module, not the package's attribute of the same name (the function, as in PyWebIO).
deploy_module = importlib.import_module("jupyter_session.platform.path_deploy")
PathDeployEndpoint = deploy_module.PathDeployEndpoint

HELLO = {
    "event": "hello",
    "task_id": None,
    "data": {"protocol_version": PROTOCOL_VERSION, "user_agent": "test-client", "language": "en"},
}

APP = '''"""Not the app's docstring: the module's."""
from jupyter_session.session import eval_js


def main():
    """{title}

    The rest of the docstring."""
    eval_js({first!r})
    eval_js("second")
'''


def write_apps(base: Path) -> Path:
    """A folder of apps: ``hello``, ``sub/deep``, hidden ``_secret`` and ``.dot``, a file without ``main``,
    a hidden folder, and ``outside.py`` next to the folder."""
    base.mkdir()
    (base / "hello.py").write_text(APP.format(title="Hello app", first="hello v1"))
    (base / "_secret.py").write_text(APP.format(title="Secret", first="secret"))
    (base / ".dot.py").write_text(APP.format(title="Dot", first="dot"))
    (base / "helper.py").write_text("VALUE = 1\n")
    (base / "sub").mkdir()
    (base / "sub" / "deep.py").write_text(APP.format(title="Deep app", first="deep"))
    (base / "_hidden").mkdir()
    (base / "_hidden" / "inner.py").write_text(APP.format(title="Inner", first="inner"))
    (base.parent / "outside.py").write_text(APP.format(title="Outside", first="outside"))
    return base


@pytest.fixture
def base(tmp_path: Path) -> Path:
    return write_apps(tmp_path / "apps")


# -- PyWebIO's helpers ------------------------------------------------------------------------------------


def test_filename_ok_and_identifiers_info() -> None:
    assert deploy_module.filename_ok("app.py") and deploy_module.filename_ok("")
    assert (
        not deploy_module.filename_ok("_app.py")
        and not deploy_module.filename_ok(".app")
        and not (deploy_module.filename_ok(".."))
    )
    code = 'X = 1\ndef main():\n    """Title\n\n    more"""\nasync def other(): pass\nclass K: pass\n'
    assert deploy_module.identifiers_info(code) == {"X": "", "main": "Title", "other": "", "K": ""}
    assert deploy_module.identifiers_info("def (:") == {}


def test_valid_and_norm_path_refuses_hidden_and_outside_paths(tmp_path: Path) -> None:
    base = str(tmp_path)
    check = deploy_module.valid_and_norm_path
    assert check(base, "/a/b") == str(tmp_path / "a" / "b")
    assert check(base, "/") == base and check(base, "") == base
    assert check(base, "/a/") == str(tmp_path / "a")
    for refused in ("/_secret", "/a/_b", "/.git/config", "/../x", "/a/../../x", "/a\\..\\x", "/a\x00"):
        assert check(base, refused) is None, refused


def test_the_default_index_lists_visible_folders_and_apps(base: Path) -> None:
    page = deploy_module.default_index_page(str(base), str(base))
    assert "<title>Index of /</title>" in page
    assert '<a href="sub/">sub/</a>' in page and '<a href="hello">hello</a>' in page
    assert "Hello app" in page and "The rest" not in page  # the first paragraph of main's docstring
    for absent in ("_secret", ".dot", "helper", "_hidden", "../", "outside"):
        assert absent not in page, absent
    sub = deploy_module.default_index_page(str(base / "sub"), str(base))
    assert "<title>Index of /sub/</title>" in sub and '<a href="../">../</a>' in sub and "deep" in sub


# -- the endpoint -----------------------------------------------------------------------------------------


def test_each_file_with_main_is_an_app_at_its_path(base: Path) -> None:
    endpoint = PathDeployEndpoint(str(base))
    page = endpoint.page("/sub/deep", None)
    assert page.status == 200 and "<title>Deep app</title>" in page.html and 'data-ws-path="/sub/deep"' in page.html
    assert endpoint.page("/hello", "no-such-app").status == 200  # as PyWebIO: an unknown ?app runs main
    assert isinstance(endpoint.find("/hello"), _core.AppEndpoint)


@pytest.mark.parametrize(
    ("path", "status"),
    [
        ("/_secret", 403),
        ("/.dot", 403),
        ("/_hidden/inner", 403),
        ("/../outside", 403),
        ("/%2e%2e/outside", 403),  # decoded before it is checked
        ("/sub/..%2F_secret", 403),
        ("/%5Fsecret", 403),
        ("/missing", 404),
        ("/helper", 404),  # no main
        ("/sub", 404),  # a folder's address ends with '/'
        ("/", 200),
        ("/sub/", 200),
    ],
)
def test_pages_refused_missing_and_indexes(base: Path, path: str, status: int) -> None:
    page = PathDeployEndpoint(str(base)).page(path, None)
    assert page.status == status, page.html
    assert "secret" not in page.html.lower() or status != 200


def test_a_folder_with_index_py_runs_it_and_index_can_be_off_or_a_function(base: Path) -> None:
    assert PathDeployEndpoint(str(base), index=False).page("/sub/", None).status == 403
    seen: list[str] = []

    def index(path: str) -> str:
        seen.append(path)
        return "<p>my index</p>"

    page = PathDeployEndpoint(str(base), index=index).page("/sub/", None)
    assert (page.status, page.html, seen) == (200, "<p>my index</p>", [str(base / "sub")])
    (base / "sub" / "index.py").write_text(APP.format(title="Sub index", first="x"))
    assert "<title>Sub index</title>" in PathDeployEndpoint(str(base)).page("/sub/", None).html


def test_a_file_runs_once_until_reload(base: Path) -> None:
    counter = base / "counted.py"
    counter.write_text("import builtins\nbuiltins.RUNS = getattr(builtins, 'RUNS', 0) + 1\ndef main(): pass\n")
    import builtins

    try:
        endpoint = PathDeployEndpoint(str(base))
        first = endpoint.find("/counted")
        assert endpoint.find("/counted") is first and builtins.RUNS == 1  # type: ignore[attr-defined]
        counter.write_text("def main():\n    'New title'\n")  # the same size would not matter: no bytecode cache
        endpoint.reload("/counted")
        assert endpoint.find("/counted") is first  # the same apps object (its detached sessions), new main
        assert "<title>New title</title>" in endpoint.page("/counted", None).html
        assert not (base / "__pycache__").exists()
    finally:
        del builtins.RUNS  # type: ignore[attr-defined]


def test_an_app_file_runs_as_pywebio_runs_it(base: Path) -> None:
    (base / "named.py").write_text(
        "import sibling\nNAME = __name__\nif __name__ == '__main__':\n    raise SystemExit('ran as a script')\n"
        "def main(): pass\n"
    )
    (base / "sibling.py").write_text("X = 1\n")
    endpoint = PathDeployEndpoint(str(base))
    assert endpoint.page("/named", None).status == 200
    module = deploy_module._load_module(str(base / "named.py"))
    assert module.NAME == "__pywebio__" and module.__file__ == str(base / "named.py")
    assert str(base) not in sys.path  # its folder was on sys.path only while it ran
    sys.modules.pop("sibling", None)


def test_a_file_that_fails_answers_500_and_is_tried_again(base: Path, caplog: pytest.LogCaptureFixture) -> None:
    broken = base / "broken.py"
    broken.write_text("raise RuntimeError('boom')\ndef main(): pass\n")
    endpoint = PathDeployEndpoint(str(base))
    with caplog.at_level(logging.ERROR):
        page = endpoint.page("/broken", None)
    assert page.status == 500 and "boom" not in page.html  # the traceback goes to the log, not to the page
    assert "boom" in caplog.text
    broken.write_text("def main(): pass\n")
    assert endpoint.page("/broken", None).status == 200  # a failure is not kept
    (base / "notanapp.py").write_text("main = 42\n")
    assert endpoint.page("/notanapp", None).status == 500


def test_a_base_that_is_not_a_folder_is_refused(tmp_path: Path) -> None:
    with pytest.raises(ValueError, match="is not a folder"):
        PathDeployEndpoint(str(tmp_path / "nothing"))


# -- over a server ----------------------------------------------------------------------------------------


@pytest.fixture
def deploy(loop: asyncio.AbstractEventLoop, monkeypatch: pytest.MonkeyPatch) -> Iterator[Callable[..., int]]:
    """Serve a folder on the shared platform loop, as path_deploy does; returns the port."""
    monkeypatch.setattr(tornado_platform, "_check_bundle", lambda: None)
    servers: list[Any] = []

    def start(folder: Path, http: bool = False, **kwargs: Any) -> int:
        endpoint = PathDeployEndpoint(str(folder), **kwargs)
        if http:
            handler = deploy_module._tornado_http_handler(endpoint)
        else:
            handler = deploy_module._tornado_handler(endpoint)

        async def setup() -> int:
            server, port = tornado_platform._setup_server(
                handler, 0, "127.0.0.1", None, 1 << 20, path=r"/.*", websocket_max_message_size=1 << 20
            )
            servers.append(server)
            return int(port)

        return asyncio.run_coroutine_threadsafe(setup(), loop).result(5)

    yield start
    for server in servers:
        loop.call_soon_threadsafe(server.stop)


def get(port: int, path: str) -> tuple[int, str]:
    try:
        with urllib.request.urlopen(f"http://127.0.0.1:{port}{path}", timeout=10) as response:
            return response.status, response.read().decode()
    except urllib.error.HTTPError as error:
        return error.code, error.read().decode()


def raw_get(port: int, path: str) -> int:
    """The status of a GET of ``path`` exactly as given (an HTTP client would normalise ``..`` away)."""
    with socket.create_connection(("127.0.0.1", port), timeout=10) as connection:
        connection.sendall(f"GET {path} HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n".encode())
        return int(connection.recv(1024).split()[1])


class Client:
    """A WebSocket client that speaks the protocol like the renderer."""

    def __init__(self, socket: tornado.websocket.WebSocketClientConnection) -> None:
        self.socket = socket
        self.received = 0  # messages read: what a reconnecting page says it applied (?applied=)

    async def command(self, name: str) -> dict[str, Any]:
        while True:
            frame = await asyncio.wait_for(self.socket.read_message(), 5)
            if frame is None:
                raise ConnectionError(f"closed ({self.socket.close_code}) while waiting for {name}")
            self.received += 1
            for command in json.loads(frame)["commands"]:
                if command["command"] == name:
                    return dict(command)

    async def send(self, event: dict[str, Any]) -> None:
        await self.socket.write_message(json.dumps(event))


async def connect(port: int, path: str) -> Client:
    request = tornado.httpclient.HTTPRequest(
        f"ws://127.0.0.1:{port}{path}", headers={"Origin": f"http://127.0.0.1:{port}"}
    )
    client = Client(await tornado.websocket.websocket_connect(request))
    await client.send(HELLO)
    return client


def test_a_server_serves_the_index_the_apps_and_refuses_hidden_paths(base: Path, deploy: Any) -> None:
    port = deploy(base)
    status, index = get(port, "/")
    assert status == 200 and 'href="hello"' in index and 'href="sub/"' in index and "_secret" not in index
    assert get(port, "/sub/deep")[0] == 200
    assert get(port, "/_secret")[0] == 403 and get(port, "/nothing")[0] == 404
    assert raw_get(port, "/../outside") == 403 and raw_get(port, "/sub/../../outside") == 403
    assert get(port, "/_jupyter_session/nothing.js")[0] == 404  # the renderer's own files, not an app path

    async def page() -> tuple[str, int | None]:
        client = await connect(port, "/sub/deep")
        command = await client.command("run_script")
        refused = await connect(port, "/_secret")
        assert await refused.socket.read_message() is None
        return command["spec"]["code"], refused.socket.close_code

    assert asyncio.run(page()) == ("deep", 4003)


def test_reload_runs_the_new_code_and_a_dropped_page_still_resumes(base: Path, deploy: Any) -> None:
    port = deploy(base, reconnect_timeout=10)

    async def first() -> tuple[str, dict[str, Any]]:
        client = await connect(port, "/hello")
        session_id = (await client.command("set_session_id"))["spec"]
        command = await client.command("run_script")
        assert command["spec"]["code"] == "hello v1"
        client.socket.close()
        return f"{session_id}&applied={client.received}", command

    session_id, command = asyncio.run(first())
    (base / "hello.py").write_text(APP.format(title="Hello app", first="hello v2"))
    assert "hello v2" not in get(port, "/hello")[1]
    assert get(port, "/hello?reload")[0] == 200

    async def second() -> tuple[str, str]:
        # The old session, across the reload, even when the server has not yet seen the first socket close.
        resumed = await connect(port, f"/hello?session_id={session_id}")
        await resumed.send({"event": "js_yield", "task_id": command["task_id"], "data": None})
        old = (await resumed.command("run_script"))["spec"]["code"]
        fresh = await connect(port, "/hello")
        return old, (await fresh.command("run_script"))["spec"]["code"]

    assert asyncio.run(second()) == ("second", "hello v2")


# -- path_deploy and the console script -------------------------------------------------------------------


def test_path_deploy_http_serves_each_file_over_the_http_protocol(base: Path, deploy: Any) -> None:
    port = deploy(base, http=True)
    status, index = get(port, "/")
    assert status == 200 and 'href="hello"' in index
    status, html = get(port, "/sub/deep")
    assert status == 200 and 'data-protocol="http"' in html and 'data-ws-path="/sub/deep"' in html
    assert get(port, "/_secret")[0] == 403 and get(port, "/nothing")[0] == 404
    page = HttpPage(port, path="/sub/deep")
    assert page.next_command("run_script")["spec"]["code"] == "deep"
    hidden = HttpPage(port, path="/_secret")
    assert hidden.request("GET", {"ack": 0})[0] == 403


def test_path_deploy_passes_its_settings_to_tornado(base: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from jupyter_session.platform import tornado as tornado_module

    seen: dict[str, Any] = {}

    def serve(handler: Any, port: int, host: str, static_dir: Any, max_payload: int, settings: Any, **kw: Any) -> None:
        seen.update(endpoint=handler.endpoint, port=port, max_payload=max_payload, settings=settings, **kw)

    monkeypatch.setattr(tornado_module, "serve", serve)
    monkeypatch.delenv("PYWEBIO_DEBUG", raising=False)
    deploy_module.path_deploy(str(base), port=0, max_payload_size="1M", websocket_ping_timeout=None, auth_token="t")
    assert seen["path"] == r"/.*" and seen["shutdown_timeout"] == 10 and seen["auth_token"] == "t"
    assert seen["max_payload"] == 1 << 20 and seen["endpoint"].base == str(base)
    assert seen["settings"] == {"websocket_ping_interval": 30, "websocket_max_message_size": 1 << 20, "debug": False}


def test_the_console_script_takes_pywebio_path_deploys_options(base: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    calls: list[dict[str, Any]] = []
    monkeypatch.setattr(deploy_module, "path_deploy", lambda **kwargs: calls.append(kwargs))
    deploy_module.main(["-p", "9000", "-h", "127.0.0.1", "--no-index", "--websocket-ping-interval", "5", str(base)])
    deploy_module.main([str(base)])
    assert calls == [
        dict(
            base=str(base), port=9000, host="127.0.0.1", index=False, cdn=True, debug=False, websocket_ping_interval=5
        ),
        dict(base=str(base), port=8080, host="0.0.0.0", index=True, cdn=True, debug=False),
    ]


def test_the_console_script_serves_over_http_with_its_options_and_checks_the_folder(
    base: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    calls: list[dict[str, Any]] = []
    monkeypatch.setattr(deploy_module, "path_deploy_http", lambda **kwargs: calls.append(kwargs))
    deploy_module.main(["--http", "--session-expire-seconds", "30", str(base)])
    assert calls == [
        dict(base=str(base), port=8080, host="0.0.0.0", index=True, cdn=True, debug=False, session_expire_seconds=30)
    ]
    with pytest.raises(SystemExit) as exited:
        deploy_module.main([str(base / "nothing")])
    assert exited.value.code == 2 and "is not a folder" in capsys.readouterr().err


def test_the_console_script_is_declared() -> None:
    tomllib = pytest.importorskip("tomllib")
    pyproject = tomllib.loads((Path(__file__).parent.parent / "pyproject.toml").read_text())
    target = pyproject["project"]["scripts"]["jupyter-session-path-deploy"]
    module, _, name = target.partition(":")
    assert getattr(importlib.import_module(module), name) is deploy_module.main
