"""An aiohttp app of its own (a JSON route) with the jupyter_session handler routed at ``/tools/report``:
``python aiohttp_site.py --port N [--no-static-routes]``. Without ``static_routes`` (a PyWebIO app as written
for PyWebIO, which took its files from a CDN) the handler serves the renderer's files itself."""

from __future__ import annotations

import argparse

from aiohttp import web
from backend_apps import tool

from jupyter_session.platform.aiohttp import static_routes, webio_handler


async def health(request: web.Request) -> web.Response:
    return web.json_response({"ok": True, "path": request.path})


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--port", type=int, required=True)
    parser.add_argument("--no-static-routes", action="store_true")
    arguments = parser.parse_args()
    app = web.Application()
    app.add_routes([web.get("/api/health", health), web.get("/tools/report", webio_handler(tool))])
    if not arguments.no_static_routes:
        app.add_routes(static_routes("/tools/"))
    web.run_app(app, host="127.0.0.1", port=arguments.port)


if __name__ == "__main__":
    main()
