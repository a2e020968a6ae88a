"""A Flask app of its own (a plain page at ``/``, a JSON route) with a jupyter_session app at ``/tool``, on
Werkzeug's threaded server: ``python flask_site.py --port N`` from tests/e2e/. The view serves the renderer's
files itself, so nothing else of the site's is needed for the tool."""

from __future__ import annotations

import argparse

from backend_apps import tool
from flask import Flask, jsonify, request

from jupyter_session.platform.flask import webio_view

app = Flask(__name__)


@app.route("/")
def home() -> str:
    return "<!doctype html><title>Flask site</title><p>The site's own home page.</p>"


@app.route("/api/items/<int:item>")
def read_item(item: int) -> object:
    return jsonify(item=item, method=request.method)


app.add_url_rule("/tool", "webio_view", webio_view(tool), methods=["GET", "POST", "OPTIONS"])


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--port", type=int, required=True)
    arguments = parser.parse_args()
    # threaded: each page holds a thread with its pull (up to 20 s) while it waits for commands.
    app.run(host="127.0.0.1", port=arguments.port, threaded=True)


if __name__ == "__main__":
    main()
