"""Serve one app of tests/e2e/apps.py (or ``MODULE:NAME`` of another module here, which may be a dict of apps)
on one web backend:
``python serve.py NAME --port N [--backend tornado|aiohttp|fastapi|tornado_http|flask|django]
[--reconnect-timeout S] [--shutdown-timeout S] [...]``."""

from __future__ import annotations

import argparse
import importlib
import logging
import sys
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))

BACKENDS = ("tornado", "aiohttp", "fastapi", "tornado_http", "flask", "django")
HTTP_BACKENDS = ("tornado_http", "flask", "django")


def find_app(name: str) -> Any:
    module, _, function = name.rpartition(":")
    return getattr(importlib.import_module(module or "apps"), function)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("app")
    parser.add_argument("--port", type=int, required=True)
    parser.add_argument("--backend", choices=BACKENDS, default="tornado")
    parser.add_argument("--reconnect-timeout", type=float, default=0)
    parser.add_argument("--max-payload-size")
    parser.add_argument("--shutdown-timeout", type=float, default=10)
    arguments = parser.parse_args()
    logging.basicConfig(level=logging.INFO, format="%(levelname)s %(name)s: %(message)s", stream=sys.stdout)
    start_server = importlib.import_module(f"jupyter_session.platform.{arguments.backend}").start_server
    app = find_app(arguments.app)
    # The HTTP protocol has no reconnection: a page's requests carry its session id.
    reconnect = {} if arguments.backend in HTTP_BACKENDS else dict(reconnect_timeout=arguments.reconnect_timeout)
    start_server(
        app if isinstance(app, dict) else {"index": app},
        port=arguments.port,
        host="127.0.0.1",
        **({"max_payload_size": arguments.max_payload_size} if arguments.max_payload_size else {}),
        shutdown_timeout=arguments.shutdown_timeout,
        **reconnect,
    )


if __name__ == "__main__":
    main()
