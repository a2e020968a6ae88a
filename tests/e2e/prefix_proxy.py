"""A tiny reverse proxy, as nginx's ``location /prefix/ { proxy_pass http://upstream/; }`` with the Host header
kept: ``python prefix_proxy.py --port N --prefix /prefix --upstream 127.0.0.1:M``. It strips the prefix from
the path and forwards HTTP requests and WebSockets; the app behind it learns the prefix from its server's
``--root-path``."""

from __future__ import annotations

import argparse
import asyncio

import aiohttp
from aiohttp import web

HOP_BY_HOP = {"connection", "keep-alive", "transfer-encoding", "upgrade", "te", "trailer", "proxy-connection"}
WS_HANDSHAKE = {"sec-websocket-key", "sec-websocket-version", "sec-websocket-extensions", "sec-websocket-protocol"}


def make_app(prefix: str, upstream: str) -> web.Application:
    async def startup(app: web.Application) -> None:
        app["client"] = aiohttp.ClientSession(auto_decompress=False)

    async def cleanup(app: web.Application) -> None:
        await app["client"].close()

    async def forward(request: web.Request) -> web.StreamResponse:
        if not (request.path == prefix or request.path.startswith(prefix + "/")):
            raise web.HTTPNotFound(text=f"only {prefix}/ is proxied")
        target = request.raw_path[len(prefix) :] or "/"
        headers = {k: v for k, v in request.headers.items() if k.lower() not in HOP_BY_HOP | WS_HANDSHAKE}
        headers["X-Forwarded-Prefix"] = prefix
        client: aiohttp.ClientSession = request.app["client"]
        websocket = request.headers.get("Upgrade", "").lower() == "websocket"
        print(f"PROXY {'WS' if websocket else request.method} {request.raw_path} -> {target}", flush=True)
        if websocket:
            return await tunnel(request, client, f"ws://{upstream}{target}", headers)
        async with client.request(
            request.method,
            f"http://{upstream}{target}",
            headers=headers,
            data=await request.read(),
            allow_redirects=False,
        ) as answer:
            response = web.StreamResponse(
                status=answer.status,
                headers={k: v for k, v in answer.headers.items() if k.lower() not in HOP_BY_HOP},
            )
            await response.prepare(request)
            async for chunk in answer.content.iter_chunked(1 << 16):
                await response.write(chunk)
            await response.write_eof()
            return response

    async def tunnel(
        request: web.Request, client: aiohttp.ClientSession, url: str, headers: dict[str, str]
    ) -> web.StreamResponse:
        try:
            upstream_socket = await client.ws_connect(url, headers=headers, max_msg_size=0)
        except aiohttp.WSServerHandshakeError as error:  # the app refused it (e.g. 403): refuse it too
            return web.Response(status=error.status, text="refused upstream")
        page_socket = web.WebSocketResponse(max_msg_size=0)
        await page_socket.prepare(request)

        async def pump(source: object, sink: object) -> None:
            async for message in source:  # type: ignore[attr-defined]
                if message.type is aiohttp.WSMsgType.TEXT:
                    await sink.send_str(message.data)  # type: ignore[attr-defined]
                elif message.type is aiohttp.WSMsgType.BINARY:
                    await sink.send_bytes(message.data)  # type: ignore[attr-defined]
            await sink.close()  # type: ignore[attr-defined]

        await asyncio.gather(pump(page_socket, upstream_socket), pump(upstream_socket, page_socket))
        return page_socket

    app = web.Application()
    app.on_startup.append(startup)
    app.on_cleanup.append(cleanup)
    app.router.add_route("*", "/{tail:.*}", forward)
    return app


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--port", type=int, required=True)
    parser.add_argument("--prefix", required=True)
    parser.add_argument("--upstream", required=True)
    arguments = parser.parse_args()
    web.run_app(make_app(arguments.prefix.rstrip("/"), arguments.upstream), host="127.0.0.1", port=arguments.port)


if __name__ == "__main__":
    main()
