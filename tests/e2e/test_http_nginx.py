"""Behind nginx that refuses WebSocket upgrades (as some corporate proxies and hosts do): a page of an HTTP
backend (flask) works in full through it, pulls held up to 20 s included, while the WebSocket page of the
Tornado backend behind the same nginx cannot connect, which shows the refusal is real.

nginx is Debian's, started unprivileged on loopback with everything it writes under the test's directory. A
machine without it fails this test (tests/run.sh installs it)."""

from __future__ import annotations

import json
import os
import pwd
import shutil
import socket
import subprocess
import threading
import time
from pathlib import Path
from typing import Any

import pytest
from pages import free_port, screenshot, stop_process, wait_text
from test_backends import use_tool

CONFIG = """\
{user}
worker_processes 1;
error_log {dir}/error.log info;
events {{ worker_connections 256; }}
http {{
    log_format exchange '$server_port "$request" $status $request_time upgrade="$http_upgrade"';
    access_log {dir}/access.log exchange;
    client_body_temp_path {dir}/client_body;
    proxy_temp_path {dir}/proxy;
    fastcgi_temp_path {dir}/fastcgi;
    uwsgi_temp_path {dir}/uwsgi;
    scgi_temp_path {dir}/scgi;
    # Pulls are held up to 20 s: answers must go to the page as they come, and nginx must wait longer.
    proxy_buffering off;
    proxy_read_timeout {read_timeout}s;
    # The browser's Host, so that the app's origin check matches it with the page's Origin.
    proxy_set_header Host $http_host;
{servers}}}
"""

SERVER = """\
    server {{
        listen 127.0.0.1:{port};
        if ($http_upgrade) {{ return 403; }}
        location / {{ proxy_pass http://127.0.0.1:{upstream}; }}
    }}
"""


def nginx_path() -> str:
    """Debian's nginx (in /usr/sbin, which a user's PATH may lack); a machine without it fails the test."""
    path = shutil.which("nginx") or ("/usr/sbin/nginx" if os.access("/usr/sbin/nginx", os.X_OK) else None)
    if path is None:
        pytest.fail("this test needs Debian's nginx: `apt-get install -y nginx` (tests/run.sh does)", pytrace=False)
    return path


class Nginx:
    """nginx in the foreground, with its config, logs, temp files and pid under ``directory``, proxying
    ``127.0.0.1:PORT`` to ``127.0.0.1:UPSTREAM`` for each ``(PORT, UPSTREAM)`` of ``routes``; every request
    with an ``Upgrade`` header gets 403. nginx answers 504 to a request its upstream has not answered within
    ``read_timeout`` seconds."""

    def __init__(self, directory: Path, routes: list[tuple[int, int]], read_timeout: int = 60) -> None:
        self.directory = directory
        directory.mkdir(parents=True, exist_ok=True)
        # As root, nginx would run its worker as nobody, who cannot enter the test's private temp directory.
        user = f"user {pwd.getpwuid(os.getuid()).pw_name};" if os.geteuid() == 0 else ""
        servers = "".join(SERVER.format(port=port, upstream=upstream) for port, upstream in routes)
        config = CONFIG.format(user=user, dir=directory, servers=servers, read_timeout=read_timeout)
        (directory / "nginx.conf").write_text(config)
        argv = [nginx_path(), "-p", str(directory), "-c", str(directory / "nginx.conf")]
        self.process = subprocess.Popen(
            [*argv, "-g", f"daemon off; pid {directory}/nginx.pid;"],
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
            text=True,
        )
        self.output: list[str] = []
        self._reader = threading.Thread(target=self._drain, daemon=True)
        self._reader.start()
        for port, _upstream in routes:
            self._wait_for(port)

    def _drain(self) -> None:
        for line in self.process.stdout:  # type: ignore[union-attr]
            self.output.append(line)

    def _wait_for(self, port: int) -> None:
        deadline = time.monotonic() + 15
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError(f"nginx exited: {''.join(self.output)}{self.log('error.log')}")
            try:
                socket.create_connection(("127.0.0.1", port), timeout=1).close()
                return
            except OSError:
                time.sleep(0.05)
        raise TimeoutError(f"nginx did not listen on {port}: {self.log('error.log')}")

    def log(self, name: str) -> str:
        path = self.directory / name
        return path.read_text() if path.exists() else ""

    def stop(self) -> str:
        """Stop nginx; returns its access log."""
        stop_process(self.process, self._reader, self.output, timeout=10)
        return self.log("access.log")


def test_behind_nginx_that_refuses_websockets_the_http_page_works(
    serve: Any, page: Any, browser: Any, tmp_path: Path
) -> None:
    nginx_path()
    flask = serve("http_apps:BEHIND_NGINX", backend="flask")
    tornado = serve("http_apps:BEHIND_NGINX", backend="tornado")
    http_port, websocket_port = free_port(), free_port()
    nginx = Nginx(tmp_path / "nginx", [(http_port, flask.port), (websocket_port, tornado.port)])
    base = f"http://127.0.0.1:{http_port}/"
    # A second page stays open while the rest runs, so that its pull is held the full 20 s through nginx.
    idle_context = browser.new_context()
    idle = idle_context.new_page()
    idle.set_default_timeout(15_000)
    try:
        idle.goto(base)
        assert json.loads(wait_text(idle, "TOOL")) == {"path": "/", "backend": "flask"}
        opened = time.monotonic()

        # The form app: a validation error, then the choices, then a cancel, each a push and its answer.
        page.goto(f"{base}?app=form")
        age = page.locator(".jps-form input[type=number]")
        age.fill("12")
        page.get_by_role("button", name="Submit").click()
        page.locator(".jps-field-feedback", has_text="Too young").wait_for()
        age.fill("42")
        page.get_by_role("button", name="Submit").click()
        assert wait_text(page, "AGE") == "42"
        form = page.locator(".jps-form", has_text="Choose")
        form.get_by_label("Nuts").check()
        form.get_by_role("radio", name="L").check()
        form.locator("input[type=text]").fill("through nginx")
        form.get_by_role("button", name="Submit").click()
        choice = json.loads(wait_text(page, "CHOICE"))
        assert choice == {"extras": ["nuts"], "fruit": "pear", "note": "through nginx", "size": "L", "volume": 0.5}
        page.wait_for_timeout(300)  # the new output fades in
        screenshot(page, "nginx-flask-form")
        page.locator(".jps-form", has_text="Cancel me").get_by_role("button", name="Cancel").click()
        assert wait_text(page, "CANCELLED") == "None"
        assert page.errors == []

        # The tool: eval_js, a button's callback, a download streamed through nginx.
        use_tool(page, base, "/", "flask", "nginx-flask-tool")

        # Tornado's page behind the same nginx: its WebSocket is refused, so no output ever comes.
        page.goto(f"http://127.0.0.1:{websocket_port}/")
        root = page.locator("#jupyter-session-root.jps-disconnected")
        root.wait_for(state="attached")  # empty, so not visible
        page.wait_for_timeout(1000)
        assert page.locator(".jps-text").count() == 0
        screenshot(page, "nginx-tornado-refused")
        before_direct = len(tornado.output)
        # The same page straight from Tornado works: it is nginx that refuses.
        page.goto(tornado.url)
        assert json.loads(wait_text(page, "TOOL")) == {"path": "/", "backend": "tornado"}
        page.goto("about:blank")

        # The idle page's pull came back empty after 20 s (not cut by nginx), and the page still answers.
        idle.wait_for_timeout(max(0.0, opened + 21 - time.monotonic()) * 1000)
        idle.get_by_role("button", name="Press").click()
        assert json.loads(wait_text(idle, "PRESSED")) == "pressed at /"
        assert idle.locator("#jupyter-session-root.jps-disconnected").count() == 0
        idle.goto("about:blank")
    finally:
        idle_context.close()
        access = nginx.stop()
    flask_log, tornado_log = flask.stop(), tornado.stop()
    assert "Traceback" not in flask_log + tornado_log, flask_log + tornado_log
    flask_side = [line for line in access.splitlines() if line.startswith(f"{http_port} ")]
    tornado_side = [line for line in access.splitlines() if line.startswith(f"{websocket_port} ")]
    # The HTTP pages' exchange all went through nginx, nothing asked to upgrade, and a pull was held 20 s.
    assert any('"POST /?app=form&ack=' in line and " 200 " in line for line in flask_side), access
    assert any('"GET /?download=' in line and " 200 " in line for line in flask_side), access
    assert all(line.endswith('upgrade="-"') for line in flask_side), access
    held = [line for line in flask_side if "&wait=20 " in line and " 200 " in line]
    assert any(float(line.split()[-2]) >= 19.5 for line in held), access
    # Tornado's page asked to upgrade and nginx said 403; Tornado never saw a WebSocket until the direct visit.
    refused = [line for line in tornado_side if 'upgrade="websocket"' in line]
    assert refused and all(" 403 " in line for line in refused), access
    assert "101 GET" not in "".join(tornado.output[:before_direct]), tornado_log
    assert "101 GET" in tornado_log, tornado_log
