"""``Guard``: which Host names a server started by ``start_server`` answers (against DNS rebinding), its access
token, and the addresses it announces."""

from __future__ import annotations

import socket

import pytest

from jupyter_session.platform._core import announce
from jupyter_session.platform._guard import ALLOWED_HOSTS_ENV, TOKEN_ENV, Guard, HostCheck, Verdict, listening_addresses


@pytest.fixture(autouse=True)
def _no_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv(ALLOWED_HOSTS_ENV, raising=False)
    monkeypatch.delenv(TOKEN_ENV, raising=False)


def test_on_loopback_only_addresses_and_localhost_are_answered() -> None:
    check = HostCheck("127.0.0.1")
    for host in ("127.0.0.1:8080", "localhost", "LOCALHOST:1", "tool.localhost:80", "[::1]:8080", "10.1.2.3"):
        assert check(host), host
    for host in ("rebound.example:8080", "localhost.example", "127.0.0.1.nip.io", socket.gethostname()):
        assert not check(host), host
    assert check(None) and check("")  # no browser sends none: a health check, HTTP/1.0


def test_beyond_loopback_the_machine_s_own_names_are_answered_too() -> None:
    check = HostCheck("")
    assert check(f"{socket.gethostname()}:8080") and check(socket.getfqdn())
    assert not check("rebound.example")


def test_allowed_hosts_are_shell_patterns_and_the_environment_adds_to_them(monkeypatch: pytest.MonkeyPatch) -> None:
    check = HostCheck("127.0.0.1", ["*.example.com", "tool.test"])
    assert check("a.example.com:443") and check("TOOL.test") and not check("example.com")
    assert HostCheck("127.0.0.1", ["*"])("anything.at.all")
    monkeypatch.setenv(ALLOWED_HOSTS_ENV, "one.test, two.test")
    assert HostCheck("127.0.0.1")("two.test:1") and not HostCheck("127.0.0.1")("three.test")


def test_the_refusal_says_what_to_add() -> None:
    message = HostCheck("127.0.0.1").refusal("rebound.example:8080")
    assert "allowed_hosts=['rebound.example']" in message and f"{ALLOWED_HOSTS_ENV}=rebound.example" in message


def test_a_server_on_every_address_announces_the_machine_s_name(capsys: pytest.CaptureFixture[str]) -> None:
    assert listening_addresses("127.0.0.1", 8080) == []
    assert f"http://{socket.gethostname()}:8080/" in listening_addresses("", 8080)
    announce("", 8080)
    first, second = capsys.readouterr().out.splitlines()
    assert first == "Running on http://127.0.0.1:8080/"
    assert second.startswith("Listening on every address, also http://")


def test_a_token_is_taken_from_the_query_a_header_or_the_cookie_it_sets(monkeypatch: pytest.MonkeyPatch) -> None:
    guard = Guard("127.0.0.1", auth_token="s3cret")
    assert guard.check("localhost", "", None, None).status == 403
    assert guard.check("localhost", "token=wrong", None, "token wrong").status == 403
    assert guard.check("localhost", "", None, "Token s3cret") == Verdict()
    first = guard.check("localhost", "app=a&token=s3cret", None, None)
    assert first.status == 0 and first.set_cookie is not None and "HttpOnly" in first.set_cookie
    cookie = first.set_cookie.split(";")[0]
    assert guard.check("localhost", "", f"other=1; {cookie}", None) == Verdict()
    assert guard.check("localhost", "", cookie + "0", None).status == 403
    assert guard.check("localhost", "", 'broken="', None).status == 403
    assert guard.check("rebound.example", "token=s3cret", None, None).status == 400  # the Host comes first
    monkeypatch.setenv(TOKEN_ENV, "from-env")
    assert Guard("127.0.0.1").token == "from-env" and Guard("127.0.0.1", auth_token="given").token == "given"


def test_without_a_token_beyond_loopback_the_server_warns(caplog: pytest.LogCaptureFixture) -> None:
    Guard("127.0.0.1")
    assert not caplog.records
    Guard("")
    assert "without an access token" in caplog.text and TOKEN_ENV in caplog.text
    assert Guard("", auth_token="t").check("localhost", "", None, None).status == 403
