"""Production: four ``start_server`` processes (Tornado's, then uvicorn's; ``reconnect_timeout`` 30 s) behind
Debian's nginx, the app at ``/tools/`` with the prefix stripped, session affinity by a cookie nginx sets
(``deploy_cluster.NGINX_SITE``, the configuration docs/deploy.md shows), pages in headless Chromium. Also the
same processes behind HAProxy (cookie ``SERVERID``). Each page shows the pid of its process, so a test knows
where each session lives.

A machine without nginx or haproxy fails these tests (``apt-get install -y nginx haproxy``)."""

from __future__ import annotations

import os
import re
import signal
import time
import urllib.request
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest
from deploy_cluster import TICKS, HAProxy, Nginx, download_payload, haproxy_config, nginx_site
from pages import Server, free_port, screenshot, wait_text

from jupyter_session.platform import _core

ROOT = Path(__file__).resolve().parents[2]
PROCESSES = 4
PREFIX = "/tools"
COOKIE = "jps_route"
#: A line of the site's access log (``log_format jupyter_session``); ``upstream`` lists every process nginx
#: tried, in order, when the first one failed.
EXCHANGE = re.compile(
    r'"(?P<method>\S+) (?P<target>\S+) [^"]*" (?P<status>\d+) \d+ route=(?P<route>\S+) upstream=(?P<upstream>.*)$'
)


@dataclass
class Exchange:
    method: str
    target: str
    status: int
    route: str
    upstreams: list[str]  # the processes nginx tried, the one that answered last


@dataclass
class Tab:
    """A page in a browser context of its own (its own cookies: a browser of its own, to nginx)."""

    context: Any
    page: Any
    pid: int
    errors: list[str] = field(default_factory=list)
    sockets: list[Any] = field(default_factory=list)

    def press(self) -> str:
        before = self.page.locator(".jps-text", has_text=re.compile("^PRESSED")).count()
        self.page.get_by_role("button", name="Press").click()
        line = self.page.locator(".jps-text", has_text=re.compile("^PRESSED")).nth(before)
        line.wait_for()
        return str(line.text_content())

    def ticks(self) -> list[str]:
        return [t for t in self.page.locator(".jps-text").all_text_contents() if t.startswith("TICK")]


class Cluster:
    """``PROCESSES`` servers of ``deploy_cluster.cluster_app`` on ``backend`` behind nginx at ``url``."""

    def __init__(self, directory: Path, backend: str = "tornado") -> None:
        def start(_: int) -> Server:
            return Server("deploy_cluster:cluster_app", "--reconnect-timeout", "30", backend=backend)

        with ThreadPoolExecutor(PROCESSES) as pool:  # each takes a second to import and listen
            self.servers = list(pool.map(start, range(PROCESSES)))
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}{PREFIX}/"
        self.addresses = [f"127.0.0.1:{server.port}" for server in self.servers]
        self.pid_at = {address: server.process.pid for address, server in zip(self.addresses, self.servers)}
        self.log = directory / "deploy.log"
        site = nginx_site(f"127.0.0.1:{self.port}", self.addresses, str(self.log), PREFIX)
        self.nginx = Nginx(directory, site=site, ports=[self.port])
        self.keys = self._a_key_per_process()

    def _a_key_per_process(self) -> dict[int, str]:
        """A ``jps_route`` value that nginx sends to each process (pid -> key), found by asking with plain GETs
        and reading nginx's log: the browser tests then put each page on the process they choose."""
        for n in range(200):
            request = urllib.request.Request(self.url, headers={"Cookie": f"{COOKIE}=key-{n}"})
            with urllib.request.urlopen(request, timeout=10) as answer:
                answer.read()
            keys = {self.pid_at[x.upstreams[-1]]: x.route for x in self.exchanges() if x.route.startswith("key-")}
            if len(keys) == PROCESSES:
                return keys
        raise AssertionError(f"200 keys did not reach every process: {self.log.read_text()}")

    def exchanges(self) -> list[Exchange]:
        """Every request nginx finished (a WebSocket's once it closed), from its log."""
        found = []
        for line in self.log.read_text().splitlines() if self.log.exists() else []:
            match = EXCHANGE.search(line)
            assert match, line
            found.append(
                Exchange(
                    match["method"],
                    match["target"],
                    int(match["status"]),
                    match["route"],
                    match["upstream"].split(", "),
                )
            )
        return found

    def wait_for_exchanges(self, condition: Any, timeout: float = 10) -> list[Exchange]:
        """nginx logs a WebSocket when it closes: wait until the log holds what ``condition`` asks for."""
        deadline = time.monotonic() + timeout
        while not condition(exchanges := self.exchanges()):
            if time.monotonic() > deadline:
                raise AssertionError(f"nginx's log never showed it: {self.log.read_text()}")
            time.sleep(0.1)
        return exchanges

    def open(self, browser: Any, pid: int | None = None, url: str | None = None) -> Tab:
        """A page on process ``pid`` (its key in the cookie), or where nginx puts a new browser."""
        context = browser.new_context(accept_downloads=True)
        if pid is not None:
            context.add_cookies(
                [{"name": COOKIE, "value": self.keys[pid], "domain": "127.0.0.1", "path": f"{PREFIX}/"}]
            )
        page = context.new_page()
        page.set_default_timeout(15_000)
        tab = Tab(context, page, pid=0)
        page.on("pageerror", lambda error: tab.errors.append(str(error)))
        page.on("websocket", lambda socket: tab.sockets.append(socket))
        page.goto(url or self.url)
        try:
            tab.pid = int(wait_text(page, "PID"))
        except Exception as error:  # a page that never started: all that can say why, at once
            raise AssertionError(
                f"no PID: {error}\n{page.content()}\nsockets {[s.url for s in tab.sockets]}\nerrors {tab.errors}\n"
                f"{self.log.read_text()}\n{self.nginx.log('error.log')[-3000:]}\n{self.server_logs()}"
            ) from error
        return tab

    def server_logs(self) -> str:
        return "".join("".join(server.output) for server in self.servers)

    def stop(self) -> None:
        self.nginx.stop()
        for server in self.servers:
            server.stop()


# uvicorn's processes as well as Tornado's: the FastAPI backend's start_server.
@pytest.fixture(scope="module", params=["tornado", "fastapi"])
def cluster(tmp_path_factory: pytest.TempPathFactory, request: pytest.FixtureRequest) -> Iterator[Cluster]:
    running = Cluster(tmp_path_factory.mktemp("nginx"), backend=request.param)
    yield running
    running.stop()


def tabs_on_every_process(cluster: Cluster, browser: Any) -> list[Tab]:
    tabs = [cluster.open(browser, pid) for pid in sorted(cluster.keys)]
    assert [tab.pid for tab in tabs] == sorted(cluster.keys)  # each page is on the process its cookie names
    return tabs


def test_pages_spread_over_the_processes_each_run_their_own_session(cluster: Cluster, browser: Any) -> None:
    tabs = tabs_on_every_process(cluster, browser)
    try:
        assert len({tab.pid for tab in tabs}) == PROCESSES
        for tab in tabs:
            assert tab.press() == f"PRESSED 1 in {tab.pid}"
        for tab in tabs:  # each has its own count, kept by its own process
            assert tab.press() == f"PRESSED 2 in {tab.pid}"
            assert tab.errors == []
            # The page's files and its WebSocket came through nginx, under the prefix.
            assert [socket.url for socket in tab.sockets] == [f"ws://127.0.0.1:{cluster.port}{PREFIX}/"]
        screenshot(tabs[0].page, "deploy-nginx-page")

        # A browser without the cookie gets one from nginx, and all its requests go to one process: the page,
        # the renderer's files, the WebSocket. /tools redirects to /tools/ on the same host and port.
        fresh = cluster.open(browser, url=cluster.url.rstrip("/"))
        assert fresh.page.url == cluster.url
        [cookie] = [cookie for cookie in fresh.context.cookies() if cookie["name"] == COOKIE]
        assert cookie["path"] == f"{PREFIX}/" and cookie["httpOnly"] and re.fullmatch(r"[0-9a-f]{32}", cookie["value"])
        assert fresh.press() == f"PRESSED 1 in {fresh.pid}"
        fresh.context.close()
        exchanges = cluster.wait_for_exchanges(
            lambda found: any(x.route == cookie["value"] and x.status == 101 for x in found)
        )
        mine = [x for x in exchanges if x.route == cookie["value"] and x.upstreams != ["-"]]  # not nginx's 301
        assert {x.target for x in mine} >= {f"{PREFIX}/", f"{PREFIX}/_jupyter_session/jupyter_session.js"}, mine
        assert {x.upstreams[-1] for x in mine} == {
            address for address, pid in cluster.pid_at.items() if pid == fresh.pid
        }, mine
    finally:
        for tab in tabs:
            tab.context.close()
    assert "Traceback" not in cluster.server_logs()


def test_a_dropped_websocket_reconnects_to_the_same_process_and_the_session_goes_on(
    cluster: Cluster, browser: Any
) -> None:
    """A reload of nginx's configuration (``worker_shutdown_timeout 1s``) drops every WebSocket a second later,
    without a close frame, while each session is writing: every page comes back to its own process, which
    delivers what the page did not apply (written meanwhile, or lost in nginx's buffers), once and in order."""
    tabs = tabs_on_every_process(cluster, browser)
    try:
        for tab in tabs:
            assert tab.press() == f"PRESSED 1 in {tab.pid}"
            tab.page.get_by_role("button", name="Count").click()
        for tab in tabs:
            wait_text(tab.page, "TICK 3")
        cluster.nginx.reload()
        deadline = time.monotonic() + 10
        while not all(len(tab.sockets) == 2 for tab in tabs):
            assert time.monotonic() < deadline, [len(tab.sockets) for tab in tabs]
            tabs[0].page.wait_for_timeout(50)
        # The drop came while the sessions were still counting.
        assert all(len(tab.ticks()) < TICKS for tab in tabs), [len(tab.ticks()) for tab in tabs]
        for tab in tabs:
            assert re.search(r"[?&]session_id=", tab.sockets[1].url), tab.sockets[1].url
            wait_text(tab.page, f"TICK {TICKS - 1}")
            ticks = [int(text.split()[1]) for text in tab.ticks()]
            assert ticks == list(range(TICKS)), ticks  # in order, none twice, none lost on the way
            assert tab.press() == f"PRESSED 2 in {tab.pid}"  # the same session, in the same process
            assert tab.page.locator(".jps-notice").count() == 0
            assert tab.page.locator("#jupyter-session-root.jps-disconnected").count() == 0
            assert tab.errors == []
    finally:
        for tab in tabs:
            tab.context.close()
    address_of = {pid: address for address, pid in cluster.pid_at.items()}
    resumed = {cluster.keys[tab.pid]: tab for tab in tabs}

    def all_logged(found: list[Exchange]) -> bool:
        return {x.route for x in found if "session_id=" in x.target and x.status == 101} >= set(resumed)

    for x in cluster.wait_for_exchanges(all_logged):
        if x.route in resumed and "session_id=" in x.target:
            assert x.upstreams == [address_of[resumed[x.route].pid]], x  # straight to its own process
    logs = cluster.server_logs()
    assert "Traceback" not in logs and _core._UNKNOWN_SESSION not in logs, logs


def test_a_download_is_fetched_through_nginx_from_the_process_of_its_session(cluster: Cluster, browser: Any) -> None:
    tabs = tabs_on_every_process(cluster, browser)
    try:
        for tab in tabs:
            with tab.page.expect_download() as pending:
                tab.page.get_by_role("button", name="Download").click()
            saved = pending.value
            assert saved.suggested_filename == "process.txt"
            assert saved.url.startswith(f"{cluster.url}?download=")
            # Only that process holds the offer: any other would have answered 404.
            assert Path(saved.path()).read_bytes() == download_payload(tab.pid)
            assert tab.errors == []
    finally:
        for tab in tabs:
            tab.context.close()
    fetched = [x for x in cluster.exchanges() if x.target.startswith(f"{PREFIX}/?download=")]
    assert sorted(cluster.pid_at[x.upstreams[-1]] for x in fetched if x.status == 200) == sorted(cluster.keys)
    assert all(cluster.keys[cluster.pid_at[x.upstreams[-1]]] == x.route for x in fetched), fetched


def test_behind_haproxy_pages_spread_over_the_processes(cluster: Cluster, browser: Any, tmp_path: Path) -> None:
    """The same processes behind HAProxy, with docs/deploy.md's configuration: round robin for a new browser,
    then the ``SERVERID`` cookie it inserted. The page is at the root (HAProxy does not rewrite pages)."""
    port = free_port()
    haproxy = HAProxy(tmp_path, haproxy_config(f"127.0.0.1:{port}", cluster.addresses), port)
    name_of = {address: f"p{n}" for n, address in enumerate(cluster.addresses, start=1)}
    tabs = []
    try:
        for _ in range(PROCESSES):
            tabs.append(cluster.open(browser, url=f"http://127.0.0.1:{port}/"))
        assert sorted(tab.pid for tab in tabs) == sorted(cluster.keys)  # one page on each process
        for tab in tabs:
            [cookie] = [cookie for cookie in tab.context.cookies() if cookie["name"] == "SERVERID"]
            assert cluster.pid_at[next(a for a, name in name_of.items() if name == cookie["value"])] == tab.pid
            assert tab.press() == f"PRESSED 1 in {tab.pid}"
            assert tab.sockets[0].url == f"ws://127.0.0.1:{port}/" and tab.errors == []
    finally:
        for tab in tabs:
            tab.context.close()
        log = haproxy.stop()
    assert re.search(r"jupyter_session/p\d .*\"GET / HTTP/1.1\"", log), log
    assert "is DOWN" not in log, log  # every health check passed
    assert "Traceback" not in cluster.server_logs()


def test_a_killed_process_ends_its_own_pages_and_no_other(browser: Any, tmp_path: Path) -> None:
    """SIGKILL one process while a page on each process is open. Its page's reconnection goes to another
    process (the first refuses the connection), which does not know the session: the page says at once that
    its session has ended and why, and a reload starts a new one on a live process. The other pages never notice."""
    cluster = Cluster(tmp_path)
    try:
        tabs = tabs_on_every_process(cluster, browser)
        victim, others = tabs[0], tabs[1:]
        for tab in tabs:
            assert tab.press() == f"PRESSED 1 in {tab.pid}"
        killed = time.monotonic()
        os.kill(victim.pid, signal.SIGKILL)  # one of the servers this test started
        notice = victim.page.locator(".jps-notice")
        notice.wait_for(timeout=10_000)
        noticed = time.monotonic() - killed
        assert notice.text_content() == f"This session has ended: {_core._UNKNOWN_SESSION}.", notice.text_content()
        assert noticed < 5, noticed
        assert victim.page.locator(".jps-root.jps-closed").count() == 1
        screenshot(victim.page, "deploy-nginx-process-killed")
        for tab in others:
            assert tab.press() == f"PRESSED 2 in {tab.pid}"
            assert len(tab.sockets) == 1 and tab.page.locator(".jps-notice").count() == 0 and tab.errors == []
        # A reload: a new session on a process that is alive.
        victim.page.reload()
        alive = int(wait_text(victim.page, "PID"))
        assert alive in {tab.pid for tab in others}
        assert victim.press() == f"PRESSED 1 in {alive}"
        for tab in tabs:
            tab.context.close()
        # The reconnection went to the dead process first, then to a live one, which refused the session.
        address_of = {pid: address for address, pid in cluster.pid_at.items()}
        exchanges = cluster.wait_for_exchanges(
            lambda found: any("session_id=" in x.target and x.route == cluster.keys[victim.pid] for x in found)
        )
        [retry] = [x for x in exchanges if "session_id=" in x.target and x.route == cluster.keys[victim.pid]]
        assert retry.upstreams[0] == address_of[victim.pid] and len(retry.upstreams) == 2, retry
        [answered] = [server for server in cluster.servers if f"127.0.0.1:{server.port}" == retry.upstreams[1]]
        # The live process took the handshake (its log leaves the id out), then said it knows no such session.
        for _ in range(50):  # its output is read by a thread of the test
            if "101 GET /?session_id=" in "".join(answered.output):
                break
            time.sleep(0.1)
        assert "101 GET /?session_id=" in "".join(answered.output) and retry.status == 101, (retry, answered.output)
        survivors = "".join("".join(s.output) for s in cluster.servers if s.process.pid != victim.pid)
        assert "Traceback" not in survivors, survivors
    finally:
        cluster.stop()


def test_the_documented_configurations_are_the_tested_ones() -> None:
    """docs/deploy.md shows NGINX_SITE and HAPROXY_CONFIG as the tests run them, with production's ports."""
    docs = (ROOT / "docs" / "deploy.md").read_text()
    upstreams = [f"127.0.0.1:{port}" for port in (8001, 8002, 8003, 8004)]
    assert nginx_site("80", upstreams, "/var/log/nginx/jupyter_session.log", PREFIX) in docs
    assert haproxy_config("*:80", upstreams) in docs
