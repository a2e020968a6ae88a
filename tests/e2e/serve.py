"""Serve one app of tests/e2e/apps.py: ``python serve.py NAME --port N [--reconnect-timeout S] [...]``."""

from __future__ import annotations

import argparse
import logging
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

import apps  # noqa: E402

from jupyter_session.platform.tornado import start_server  # noqa: E402


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("app")
    parser.add_argument("--port", type=int, required=True)
    parser.add_argument("--reconnect-timeout", type=float, default=0)
    parser.add_argument("--max-payload-size", default="200M")
    arguments = parser.parse_args()
    logging.basicConfig(level=logging.INFO, format="%(levelname)s %(name)s: %(message)s", stream=sys.stdout)
    start_server(
        {"index": getattr(apps, arguments.app)},
        port=arguments.port,
        host="127.0.0.1",
        reconnect_timeout=arguments.reconnect_timeout,
        max_payload_size=arguments.max_payload_size,
    )


if __name__ == "__main__":
    main()
