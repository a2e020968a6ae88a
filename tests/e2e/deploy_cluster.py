"""A production layout on loopback: several ``start_server`` processes behind a real load balancer.

- ``cluster_app``: what each process serves in ``test_deploy.py`` (``serve.py deploy_cluster:cluster_app``).
- ``Nginx``: Debian's nginx in the foreground, everything it writes under one directory; either in front of
  servers with WebSocket upgrades refused (``test_http_nginx.py``) or serving a ``site`` such as ``nginx_site``.
- ``nginx_site`` and ``haproxy_config``: the configurations ``docs/deploy.md`` shows, word for word
  (``test_deploy.py`` compares them), filled in with the test's ports.
- ``HAProxy``: Debian's haproxy in the foreground.

``bench/load.py --nginx`` imports this module too, so it keeps to the standard library and ``pages``."""

from __future__ import annotations

import os
import pwd
import shutil
import signal
import socket
import subprocess
import threading
import time
from collections.abc import Sequence
from pathlib import Path

from pages import stop_process

from jupyter_session.output import put_buttons, put_text
from jupyter_session.session import download, hold, register_thread

# -- the app each process serves --------------------------------------------------------------------------

#: How many lines ``Count`` writes, one every ``TICK_SECONDS``: long enough for a connection to drop midway.
TICKS = 60
TICK_SECONDS = 0.05


def download_payload(pid: int) -> bytes:
    """What a process offers for download: its pid, over and over (1.3 MB, so the transfer streams)."""
    return f"served by process {pid}\n".encode() * 50_000


def cluster_app() -> None:
    """Cluster

    Names its process, then does what the test clicks: ``Press`` (a counter kept in the session, and the pid
    of the process that ran the callback), ``Count`` (``TICKS`` lines from a thread of the session) and
    ``Download`` (``download_payload``), until the page goes."""
    put_text(f"PID {os.getpid()}")
    presses = 0

    def press() -> None:
        nonlocal presses
        presses += 1
        put_text(f"PRESSED {presses} in {os.getpid()}")

    def ticker() -> None:
        for n in range(TICKS):
            put_text(f"TICK {n}")
            time.sleep(TICK_SECONDS)

    def count() -> None:
        thread = threading.Thread(target=ticker)
        register_thread(thread)
        thread.start()

    def offer() -> None:
        download("process.txt", download_payload(os.getpid()))

    put_buttons(["Press", "Count", "Download"], onclick=[press, count, offer])
    hold()


# -- nginx ------------------------------------------------------------------------------------------------

#: The part of nginx's configuration that belongs to the test, not to the site: everything it writes goes under
#: the test's directory, one worker, and a reload closes the connections an old worker still holds after 1 s
#: (without ``worker_shutdown_timeout`` an old worker keeps its WebSockets open until they end by themselves).
CONFIG = """\
{user}
worker_processes 1;
worker_shutdown_timeout 1s;
error_log {dir}/error.log info;
events {{ worker_connections {connections}; }}
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
{servers}{site}}}
"""

REFUSING_SERVER = """\
    server {{
        listen 127.0.0.1:{port};
        if ($http_upgrade) {{ return 403; }}
        location / {{ proxy_pass http://127.0.0.1:{upstream}; }}
    }}
"""

#: The site of docs/deploy.md: the app at ``{prefix}/`` on the ``start_server`` processes of ``{upstreams}``.
#: Its comments are the documentation's.
NGINX_SITE = """\
# Session affinity. A session lives in the memory of one process, so every request of a page (the page, its
# renderer files, its WebSocket, each reconnection, each download) must reach the process that holds it.
# Open-source nginx has no sticky cookie, so it makes one: a browser's first request draws a random key
# ($request_id) and gets it back in the jps_route cookie; the upstream is chosen by hashing the key.
# (ip_hash needs no cookie, but sends everyone behind one NAT or proxy to the same process.)
map $cookie_jps_route $jps_route {{
    ""      $request_id;
    default $cookie_jps_route;
}}
map $cookie_jps_route $jps_route_cookie {{
    ""      "jps_route=$request_id; Path={prefix}/; HttpOnly; SameSite=Lax";
    default "";  # the browser has it already (add_header sends no empty header)
}}

# A WebSocket handshake goes on with "Connection: upgrade"; other requests keep their upstream connection.
map $http_upgrade $connection_upgrade {{
    default upgrade;
    ""      "";
}}

# Which process served each request: the first place to look when a page lost its session.
log_format jupyter_session '$remote_addr [$time_local] "$request" $status $body_bytes_sent '
                           'route=$jps_route upstream=$upstream_addr';

upstream jupyter_session {{
    # "consistent": when a process is down its keys move to the others and every other key stays put, so
    # the other processes' pages keep their sessions. A process that refuses a connection is skipped for
    # fail_timeout (10 s by default), then tried again.
    hash $jps_route consistent;
{upstreams}    # Idle connections kept for the next request: fewer than the server's 20 s before it closes an idle one,
    # or nginx could send a request down a connection the server is closing, and retry it on another process.
    keepalive 32;
    keepalive_timeout 15s;
}}

server {{
    listen {listen};
    access_log {log} jupyter_session;
    absolute_redirect off;  # {prefix} -> {prefix}/ stays on the browser's own host and port

    location {prefix}/ {{
        proxy_pass http://jupyter_session/;  # the trailing / strips {prefix}: the servers serve at /
        proxy_http_version 1.1;
        proxy_set_header Upgrade $http_upgrade;
        proxy_set_header Connection $connection_upgrade;
        # The browser's Host: the server admits a WebSocket whose Origin names the Host it was sent to.
        proxy_set_header Host $http_host;
        proxy_set_header X-Forwarded-For $proxy_add_x_forwarded_for;
        proxy_set_header X-Forwarded-Proto $scheme;
        # An idle page's WebSocket carries only the server's ping every 30 s; downloads stream as they come.
        proxy_read_timeout 1h;
        proxy_send_timeout 1h;
        proxy_buffering off;
        add_header Set-Cookie $jps_route_cookie always;

        # start_server's page names its files and its WebSocket by absolute paths (/_jupyter_session/..., /):
        # put the prefix in front of them. Downloads are relative (?download=...) and need nothing.
        proxy_set_header Accept-Encoding "";  # sub_filter cannot read a compressed page
        sub_filter_once off;
        sub_filter '"/_jupyter_session/' '"{prefix}/_jupyter_session/';
        sub_filter 'data-ws-path="/"' 'data-ws-path="{prefix}/"';
    }}
}}
"""


def nginx_site(listen: str, upstreams: Sequence[str], log: str, prefix: str = "/tools") -> str:
    """``NGINX_SITE`` for servers at ``upstreams`` (``host:port``), listening on ``listen``, logging to ``log``."""
    servers = "".join(f"    server {address};\n" for address in upstreams)
    return NGINX_SITE.format(listen=listen, upstreams=servers, log=log, prefix=prefix)


def indent(text: str, prefix: str = "    ") -> str:
    return "".join(prefix + line if line.strip() else line for line in text.splitlines(keepends=True))


def nginx_path() -> str:
    """Debian's nginx (in /usr/sbin, which a user's PATH may lack); a machine without it fails the test."""
    path = shutil.which("nginx") or ("/usr/sbin/nginx" if os.access("/usr/sbin/nginx", os.X_OK) else None)
    if path is None:
        import pytest

        pytest.fail("this test needs Debian's nginx: `apt-get install -y nginx` (tests/run.sh does)", pytrace=False)
    return path


def wait_for_port(port: int, process: subprocess.Popen[str], what: str, log: str = "", timeout: float = 15) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"{what} exited with {process.returncode}: {log}")
        try:
            socket.create_connection(("127.0.0.1", port), timeout=1).close()
            return
        except OSError:
            time.sleep(0.05)
    raise TimeoutError(f"{what} did not listen on {port}: {log}")


class Foreground:
    """A server command run in the foreground, its output kept in ``output``."""

    def __init__(self, argv: list[str]) -> None:
        self.process = subprocess.Popen(argv, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
        self.output: list[str] = []
        self._reader = threading.Thread(target=self._drain, daemon=True)
        self._reader.start()

    def _drain(self) -> None:
        for line in self.process.stdout:  # type: ignore[union-attr]
            self.output.append(line)

    def _stop(self) -> str:
        return stop_process(self.process, self._reader, self.output, timeout=10)


class Nginx(Foreground):
    """nginx in the foreground, with its config, logs, temp files and pid under ``directory``, proxying
    ``127.0.0.1:PORT`` to ``127.0.0.1:UPSTREAM`` for each ``(PORT, UPSTREAM)`` of ``routes``; every request
    with an ``Upgrade`` header gets 403 there. nginx answers 504 to a request its upstream has not answered
    within ``read_timeout`` seconds. ``site`` is more of the ``http`` block (``nginx_site``), listening on
    ``ports``."""

    def __init__(
        self,
        directory: Path,
        routes: Sequence[tuple[int, int]] = (),
        read_timeout: int = 60,
        *,
        site: str = "",
        ports: Sequence[int] = (),
        connections: int = 256,
    ) -> None:
        self.directory = directory
        directory.mkdir(parents=True, exist_ok=True)
        # As root, nginx would run its worker as nobody, who cannot enter the test's private temp directory.
        user = f"user {pwd.getpwuid(os.getuid()).pw_name};" if os.geteuid() == 0 else ""
        servers = "".join(REFUSING_SERVER.format(port=port, upstream=upstream) for port, upstream in routes)
        config = CONFIG.format(
            user=user,
            dir=directory,
            servers=servers,
            site=indent(site),
            read_timeout=read_timeout,
            connections=connections,
        )
        (directory / "nginx.conf").write_text(config)
        argv = [nginx_path(), "-p", str(directory), "-c", str(directory / "nginx.conf")]
        super().__init__([*argv, "-g", f"daemon off; pid {directory}/nginx.pid;"])
        for port in [port for port, _upstream in routes] + list(ports):
            wait_for_port(port, self.process, "nginx", "".join(self.output) + self.log("error.log"))

    def log(self, name: str) -> str:
        path = self.directory / name
        return path.read_text() if path.exists() else ""

    def reload(self) -> None:
        """What ``nginx -s reload`` does: a new worker takes new connections, the old one closes its own
        within ``worker_shutdown_timeout``."""
        self.process.send_signal(signal.SIGHUP)  # to the master this object started

    def stop(self) -> str:
        """Stop nginx; returns its access log."""
        self._stop()
        return self.log("access.log")


# -- HAProxy ----------------------------------------------------------------------------------------------

#: The HAProxy configuration of docs/deploy.md. HAProxy cannot rewrite the page, so the app is at the root of
#: its own host name (see NGINX_SITE for a prefix).
HAPROXY_CONFIG = """\
global
    log stdout format raw local0

defaults
    mode http
    log global
    option httplog
    timeout connect 5s
    timeout client 60s
    timeout server 60s
    # An open WebSocket: the server pings every 30 s.
    timeout tunnel 1h
    # A process that is down: the request goes to another (a new page; a reconnection then learns that its
    # session is gone, at once).
    option redispatch
    retries 2

frontend tools
    bind {bind}
    default_backend jupyter_session

backend jupyter_session
    balance roundrobin
    # Session affinity: the first answer sets SERVERID to the process's name; HAProxy reads it on each request
    # and strips it before the server sees it (indirect), and no cache may keep it (nocache).
    cookie SERVERID insert indirect nocache httponly
    # GET / renders the page and starts no session; a server shutting down answers it with 503. It must name a
    # Host: the server answers 400 to a name it does not know (its guard against DNS rebinding), and to none.
    option httpchk
    http-check send meth GET uri / ver HTTP/1.1 hdr Host localhost
    http-check expect status 200
{servers}"""


def haproxy_config(bind: str, upstreams: Sequence[str]) -> str:
    """``HAPROXY_CONFIG`` for servers at ``upstreams`` (``host:port``), named ``p1``, ``p2``..."""
    servers = "".join(f"    server p{n} {address} check cookie p{n}\n" for n, address in enumerate(upstreams, start=1))
    return HAPROXY_CONFIG.format(bind=bind, servers=servers)


def haproxy_path() -> str:
    path = shutil.which("haproxy") or ("/usr/sbin/haproxy" if os.access("/usr/sbin/haproxy", os.X_OK) else None)
    if path is None:
        import pytest

        pytest.fail("this test needs Debian's haproxy: `apt-get install -y haproxy`", pytrace=False)
    return path


class HAProxy(Foreground):
    """haproxy in the foreground with ``config`` (written to ``directory``), listening on ``port``; its log
    (one line a request) is its output."""

    def __init__(self, directory: Path, config: str, port: int) -> None:
        directory.mkdir(parents=True, exist_ok=True)
        (directory / "haproxy.cfg").write_text(config)
        super().__init__([haproxy_path(), "-db", "-f", str(directory / "haproxy.cfg")])
        wait_for_port(port, self.process, "haproxy", "".join(self.output))

    def stop(self) -> str:
        """Stop haproxy; returns its log."""
        return self._stop()
