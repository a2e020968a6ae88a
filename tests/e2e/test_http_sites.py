"""The HTTP backends mounted in sites of their own: a Flask app with routes of its own and ``webio_view`` at
``/tool`` (Werkzeug's threaded server), and a Django project with the view at ``tool`` in its URLconf beside a
view of its own (Django's threaded development server, with its usual middleware). On both the page speaks the
HTTP protocol to ``/tool`` and the site's own routes still answer as before."""

from __future__ import annotations

import json
import sys
import urllib.error
import urllib.request
from typing import Any

from pages import Command, free_port
from test_backends import use_tool


def site(script: str) -> Command:
    port = free_port()
    return Command([sys.executable, script, "--port", str(port)], port, r"Running on http://")


def post(url: str) -> int:
    try:
        with urllib.request.urlopen(urllib.request.Request(url, data=b"x=1", method="POST"), timeout=10) as answer:
            return int(answer.status)
    except urllib.error.HTTPError as error:
        return int(error.code)


def test_a_flask_app_with_routes_of_its_own_and_the_tool_mounted(page: Any) -> None:
    flask = site("flask_site.py")
    try:
        page.goto(flask.url)
        assert page.locator("p").inner_text() == "The site's own home page."
        page.goto(f"{flask.url}api/items/7")
        assert json.loads(page.locator("body").inner_text()) == {"item": 7, "method": "GET"}
        use_tool(page, f"{flask.url}tool", "/tool", "flask", "flask-mounted")
        # After the tool, the site beside it still answers.
        page.goto(f"{flask.url}api/items/8")
        assert json.loads(page.locator("body").inner_text()) == {"item": 8, "method": "GET"}
    finally:
        log = flask.stop()
    assert "Traceback" not in log, log
    # The page's requests all went to the tool's own URL: the renderer's files, pulls, pushes, the download.
    assert '"GET /tool?_jupyter_session_asset=/jupyter_session.js HTTP/1.1" 200' in log, log
    assert '"POST /tool?ack=' in log and '"GET /tool?download=' in log, log


def test_a_django_project_with_a_view_of_its_own_and_the_tool_in_its_urlconf(page: Any) -> None:
    """The project keeps Django's CSRF middleware: a POST to its own view is refused, while the tool's pushes
    (POSTs without a CSRF token) pass, as ``webio_view`` is exempt."""
    django = site("django_site.py")
    try:
        page.goto(f"{django.url}api/items/3")
        assert json.loads(page.locator("body").inner_text()) == {"item": 3, "method": "GET"}
        assert post(f"{django.url}api/items/3") == 403  # CSRF verification failed
        use_tool(page, f"{django.url}tool", "/tool", "django", "django-mounted")
        page.goto(f"{django.url}api/items/4")
        assert json.loads(page.locator("body").inner_text()) == {"item": 4, "method": "GET"}
        assert post(f"{django.url}nowhere") == 404
    finally:
        log = django.stop()
    assert "Traceback" not in log, log
    assert '"GET /tool?_jupyter_session_asset=/jupyter_session.js HTTP/1.1" 200' in log, log
    assert '"GET /tool?download=' in log, log
    assert '"POST /api/items/3 HTTP/1.1" 403' in log and '"POST /tool?ack=' in log, log
