"""A reverse proxy that cuts requests of the HTTP protocol, each rule once:
``python cutting_proxy.py --port N --upstream 127.0.0.1:M [--cut-pull REGEX]... [--cut-push REGEX]...``.

It forwards every request to the upstream as it came (Host kept) and passes the answer on, except:

- ``--cut-pull REGEX``: the first pull (a GET with a ``webio-session-id`` header) whose *answer* matches is
  answered by the server in full, then the proxy closes the page's connection without a byte of it: the page
  never sees messages the server believes it sent.
- ``--cut-push REGEX``: the first push (a POST) whose *body* matches is forwarded and answered (the server has
  applied its events), then the page's connection is closed: the page cannot tell whether it arrived.

Every answer says ``Connection: close``, so each request has a connection of its own: Chromium resends a
request by itself when a *reused* connection closes before the answer, which would hide the page's own retry.
It prints ``PROXY METHOD TARGET STATUS`` for each request and ``CUT METHOD TARGET STATUS`` for each cut."""

from __future__ import annotations

import argparse
import asyncio
import re

import aiohttp
from multidict import CIMultiDict

HOP_BY_HOP = {"connection", "keep-alive", "transfer-encoding", "upgrade", "te", "trailer", "proxy-connection"}


class Rules:
    """The cuts still to make: each pattern cuts one request, the first that matches."""

    def __init__(self, pulls: list[str], pushes: list[str]) -> None:
        self.pulls = [re.compile(pattern) for pattern in pulls]
        self.pushes = [re.compile(pattern) for pattern in pushes]

    def take(self, patterns: list[re.Pattern[str]], text: str) -> bool:
        for pattern in patterns:
            if pattern.search(text):
                patterns.remove(pattern)
                return True
        return False


async def serve(port: int, upstream: str, rules: Rules) -> None:
    connector = aiohttp.TCPConnector(force_close=True)  # no stale keep-alive connection to trip on
    async with aiohttp.ClientSession(connector=connector, auto_decompress=False) as client:

        async def handle(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
            try:
                await forward(client, upstream, rules, reader, writer)
            except (ConnectionError, asyncio.IncompleteReadError):
                pass  # the page went away
            finally:
                writer.close()

        server = await asyncio.start_server(handle, "127.0.0.1", port)
        print(f"Running on http://127.0.0.1:{port}/", flush=True)
        async with server:
            await server.serve_forever()


async def forward(
    client: aiohttp.ClientSession,
    upstream: str,
    rules: Rules,
    reader: asyncio.StreamReader,
    writer: asyncio.StreamWriter,
) -> None:
    head = (await reader.readuntil(b"\r\n\r\n")).decode("latin-1")
    request_line, *header_lines = head.rstrip("\r\n").split("\r\n")
    method, target, _version = request_line.split(" ", 2)
    headers = CIMultiDict(
        (name.strip(), value.strip()) for name, _, value in (line.partition(":") for line in header_lines)
    )
    body = await reader.readexactly(int(headers.get("Content-Length", "0")))
    forwarded = CIMultiDict((k, v) for k, v in headers.items() if k.lower() not in HOP_BY_HOP | {"content-length"})
    pull = method == "GET" and "webio-session-id" in headers
    cut = method == "POST" and rules.take(rules.pushes, body.decode("utf-8", "replace"))
    try:
        async with client.request(
            method, f"http://{upstream}{target}", headers=forwarded, data=body or None, allow_redirects=False
        ) as answer:
            status, reason, content = answer.status, answer.reason or "", await answer.read()
            answer_headers = [(k, v) for k, v in answer.headers.items() if k.lower() not in HOP_BY_HOP]
    except aiohttp.ClientError as error:
        status, reason, content, answer_headers = 502, "Bad Gateway", str(error).encode(), []
    cut = cut or (pull and status == 200 and rules.take(rules.pulls, content.decode("utf-8", "replace")))
    print(f"{'CUT' if cut else 'PROXY'} {method} {target} {status}", flush=True)
    if cut:
        return  # the connection closes with no answer
    lines = [f"HTTP/1.1 {status} {reason}"]
    lines += [f"{k}: {v}" for k, v in answer_headers if k.lower() != "content-length"]
    lines += [f"Content-Length: {len(content)}", "Connection: close"]
    writer.write(("\r\n".join(lines) + "\r\n\r\n").encode("latin-1") + content)
    await writer.drain()


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--port", type=int, required=True)
    parser.add_argument("--upstream", required=True)
    parser.add_argument("--cut-pull", action="append", default=[], metavar="REGEX")
    parser.add_argument("--cut-push", action="append", default=[], metavar="REGEX")
    arguments = parser.parse_args()
    asyncio.run(serve(arguments.port, arguments.upstream, Rules(arguments.cut_pull, arguments.cut_push)))


if __name__ == "__main__":
    main()
