"""A page without a browser, for runs that need hundreds of sessions: it speaks jupyter_session's WebSocket
protocol, answers each ``eval_js`` with its ``value`` argument, and keeps the text of each output."""

from __future__ import annotations

import json
from typing import Any

from tornado.httpclient import HTTPRequest
from tornado.websocket import WebSocketClientConnection, websocket_connect

from jupyter_session.protocol import PROTOCOL_VERSION, decode_frame

HELLO = json.dumps(
    dict(
        event="hello",
        task_id=None,
        data=dict(
            protocol_version=PROTOCOL_VERSION,
            user_agent="Mozilla/5.0 (X11; Linux x86_64) Chrome/130.0 Safari/537.36",
            language="en",
        ),
    )
)


class Page:
    def __init__(self, socket: WebSocketClientConnection) -> None:
        self.socket = socket
        self.texts: list[str] = []
        self.closed_by_server = False

    @classmethod
    async def open(cls, port: int, query: str = "") -> Page:
        request = HTTPRequest(f"ws://127.0.0.1:{port}/{query}", headers={"Origin": f"http://127.0.0.1:{port}"})
        page = cls(await websocket_connect(request, max_message_size=256 << 20))
        await page.socket.write_message(HELLO)
        return page

    async def serve(self, until: str | None = None) -> None:
        """Answer the server until it closes the session, the socket closes, or an output starts with ``until``."""
        while True:
            frame = await self.socket.read_message()
            if frame is None:
                return
            message = decode_frame(frame)[0] if isinstance(frame, bytes) else json.loads(frame)
            for command in message["commands"]:
                if await self._handle(command) or (until and self.texts and self.texts[-1].startswith(until)):
                    return

    async def _handle(self, command: dict[str, Any]) -> bool:
        """Act on one command; True when it ends the session."""
        spec = command.get("spec") or {}
        if command["command"] == "run_script" and spec.get("eval"):
            reply = dict(event="js_yield", task_id=command["task_id"], data=spec["args"].get("value"))
            await self.socket.write_message(json.dumps(reply))
        elif command["command"] == "output" and spec.get("type") == "text":
            self.texts.append(str(spec.get("content")))
        elif command["command"] == "close_session":
            self.closed_by_server = True
            return True
        return False

    def close(self) -> None:
        self.socket.close()
