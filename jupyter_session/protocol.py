"""The wire protocol between a session and its browser page, independent of any transport.

A server -> browser *message* is ``{"commands": [Command, ...]}``; a browser -> server message is one
``Event``. Binary data (downloads, images, uploads) never travels as base64: any ``bytes``-like value in a
message is cut out into a separate *buffer*, and ``buffer_paths`` records where each buffer belongs, as
ipywidgets does for widget state. Over a Jupyter comm the buffers are comm buffers; over a WebSocket a
message with buffers is one binary frame (``encode_frame``), one without is a JSON text frame.

See PROTOCOL.md for an example of every command and event. This module imports no transport.
"""

from __future__ import annotations

import json
import reprlib
import struct
import sys
from abc import ABC, abstractmethod
from collections.abc import Callable, Sequence
from typing import Any, TypedDict

if sys.version_info >= (3, 11):
    from typing import NotRequired
else:  # pragma: no cover
    from typing_extensions import NotRequired

from .exceptions import ProtocolError

__all__ = [
    "PROTOCOL_VERSION",
    "COMMANDS",
    "EVENTS",
    "CALLBACK_EVENTS",
    "CHUNK_SIZE",
    "DEFAULT_MAX_PAYLOAD",
    "Command",
    "Event",
    "CommandMessage",
    "HelloData",
    "JSErrorInfo",
    "Transport",
    "split_buffers",
    "join_buffers",
    "encode_frame",
    "decode_frame",
    "parse_event",
]

PROTOCOL_VERSION = 1

#: Commands a session sends to the browser (PyWebIO's names).
COMMANDS = frozenset(
    {
        "output",
        "output_ctl",
        "input_group",
        "update_input",
        "destroy_form",
        "popup",
        "close_popup",
        "toast",
        "run_script",
        "download",
        "set_env",
        "pin_value",
        "pin_update",
        "pin_wait",
        "pin_onchange",
        "close_session",
        "set_session_id",
        "processbar",
        "file_ack",
        "pin_values",
        "datatable",
    }
)

#: Events the browser sends. ``hello``, ``download_ack``, ``file_chunk`` and ``command_error`` are ours; the
#: rest are PyWebIO's (``from_submit`` is spelled as in PyWebIO).
EVENTS = frozenset(
    {
        "callback",
        "input_event",
        "from_submit",
        "from_cancel",
        "js_yield",
        "hello",
        "download_ack",
        "file_chunk",
        "command_error",
    }
)

#: Events addressed to a callback id: clicks and changes, and chunks of the files a file pin uploads.
CALLBACK_EVENTS = frozenset({"callback", "file_chunk"})

#: Largest piece of a download or upload sent in one message (1 MiB).
CHUNK_SIZE = 1 << 20

#: The web backends' default bound on one message from the page (``max_payload_size``): 8 MiB. Files travel as
#: ``CHUNK_SIZE`` chunks, one a message, so what is left to bound is JSON: form answers, pin values, ``eval_js``
#: results. PyWebIO's 200M let one page make the server parse a 150 MB message (+350-600 MB of memory).
DEFAULT_MAX_PAYLOAD = 8 << 20

# Bounds on untrusted input; a browser never needs more.
_MAX_TASK_ID = 256
_MAX_PATH_DEPTH = 32


class Command(TypedDict):
    command: str
    task_id: str | None
    spec: Any


class CommandMessage(TypedDict):
    commands: list[Command]
    buffer_paths: NotRequired[list[list[str | int]]]


class JSErrorInfo(TypedDict):
    name: str
    message: str
    stack: NotRequired[str]


class Event(TypedDict):
    event: str
    task_id: str | None
    data: Any
    error: NotRequired[JSErrorInfo]


class HelloData(TypedDict):
    protocol_version: int
    user_agent: str
    language: str
    origin: NotRequired[str]


class RunScriptSpec(TypedDict):
    code: str
    args: dict[str, Any]
    eval: NotRequired[bool]


class DownloadChunkSpec(TypedDict):
    download_id: str
    name: str
    size: int
    offset: int
    last: bool
    chunk: bytes | memoryview


class DownloadAckData(TypedDict):
    offset: int
    length: int


class Transport(ABC):
    """One connection to one browser page: a comm, a WebSocket, or a fake in tests.

    ``send`` may be called from any thread; an implementation that is not thread-safe must hop to its own
    event loop. Incoming messages are handed to the callback given to ``on_message``, in arrival order.
    ``on_close`` callbacks run once when the connection ends, whichever side ends it.
    """

    #: Set (to why) when the transport itself ended the connection because the page broke a bound (it stopped
    #: reading): its session then closes, even where a lost connection could be resumed.
    end_reason: str | None = None

    @abstractmethod
    def send(self, message: dict[str, Any], buffers: Sequence[bytes | memoryview] = ()) -> None:
        """Send one message with its buffers (already cut out by ``split_buffers``)."""

    @abstractmethod
    def on_message(self, callback: Callable[[dict[str, Any], list[memoryview]], None]) -> None:
        """Register the receiver of browser messages."""

    @abstractmethod
    def on_close(self, callback: Callable[[], None]) -> None:
        """Register a callback for the end of the connection."""

    @abstractmethod
    def close(self) -> None:
        """End the connection. Idempotent."""

    @abstractmethod
    def closed(self) -> bool:
        """Whether the connection has ended."""

    def offer_download(
        self, name: str, content: memoryview, on_fetched: Callable[[], None]
    ) -> tuple[str, Callable[[], None]] | None:
        """Serve ``content`` as the file ``name`` at an address of its own, for the browser to fetch itself.

        Returns the address (relative to the page) and a function that withdraws the offer; ``on_fetched``
        runs once the whole file has been sent. ``None`` (the default) means this transport has no such way:
        the download then travels over the connection in acknowledged chunks.
        """
        return None


_BINARY = (bytes, bytearray, memoryview)
#: What may hold a buffer, or be one.
_CONTAINERS = (dict, list, tuple, *_BINARY)


def split_buffers(message: dict[str, Any]) -> tuple[dict[str, Any], list[memoryview]]:
    """Cut every bytes-like value out of ``message``.

    Returns the message with its cut-out values ``None``, with a ``buffer_paths`` entry when there were any, and
    the buffers in the same order. The input is not modified: the dicts and lists on the way to a buffer are
    copied, the rest is shared (most messages carry no buffer, and then come back as they are).
    """
    buffers: list[memoryview] = []
    paths: list[list[str | int]] = []

    def walk(value: Any, path: tuple[Any, ...]) -> Any:
        if isinstance(value, _BINARY):
            buffers.append(memoryview(value).cast("B"))
            paths.append(_unwind(path))
            return None
        if isinstance(value, (dict, list, tuple)):
            copy: Any = None
            for key, item in value.items() if isinstance(value, dict) else enumerate(value):
                if isinstance(item, _CONTAINERS):
                    stripped = walk(item, (path, key))
                    if stripped is not item:
                        if copy is None:
                            copy = dict(value) if isinstance(value, dict) else list(value)
                        copy[key] = stripped
            return value if copy is None else copy
        return value

    stripped = walk(message, ())
    if paths:
        stripped["buffer_paths"] = paths
    return stripped, buffers


def _unwind(path: tuple[Any, ...]) -> list[str | int]:
    """``((((), 'a'), 0), 'b')`` -> ``['a', 0, 'b']``: paths are built as linked pairs, and listed only for a hit."""
    keys: list[str | int] = []
    while path:
        path, key = path
        keys.append(key)
    keys.reverse()
    return keys


def join_buffers(message: dict[str, Any], buffers: Sequence[memoryview]) -> dict[str, Any]:
    """Put buffers back where ``message["buffer_paths"]`` says; the inverse of ``split_buffers``.

    Raises ``ProtocolError`` when the paths and buffers do not match.
    """
    paths = message.pop("buffer_paths", None)
    if paths is None:
        if buffers:
            raise ProtocolError(f"{len(buffers)} buffers arrived without buffer_paths")
        return message
    if not isinstance(paths, list) or len(paths) != len(buffers):
        raise ProtocolError("buffer_paths must be a list with one path per buffer")
    for path, buffer in zip(paths, buffers):
        if not isinstance(path, list) or not 0 < len(path) <= _MAX_PATH_DEPTH:
            raise ProtocolError(f"bad buffer path {_brief(path)}")
        target: Any = message
        try:
            for key in path[:-1]:
                target = target[key]
            if isinstance(target, list) and not isinstance(path[-1], int):
                raise TypeError("list index must be an int")
            target[path[-1]] = buffer
        except (KeyError, IndexError, TypeError):
            raise ProtocolError(f"buffer path {_brief(path)} does not fit the message") from None
    return message


def encode_frame(message: dict[str, Any], buffers: Sequence[bytes | memoryview]) -> bytes:
    """Pack a message and its buffers into one binary WebSocket frame.

    Layout (big-endian, as Jupyter's own WebSocket protocol): ``u32 n_parts``, ``u32 offsets[n_parts]``, then
    the parts back to back: part 0 is the UTF-8 JSON message, parts 1.. are the buffers.
    """
    parts = [json.dumps(message, separators=(",", ":")).encode(), *buffers]
    header_size = 4 * (1 + len(parts))
    offsets = []
    position = header_size
    for part in parts:
        offsets.append(position)
        position += memoryview(part).nbytes
    return b"".join([struct.pack(f"!{1 + len(parts)}I", len(parts), *offsets), *parts])


def decode_frame(frame: bytes | memoryview) -> tuple[dict[str, Any], list[memoryview]]:
    """Unpack a binary frame made by ``encode_frame`` (or the browser's equivalent).

    Raises ``ProtocolError`` for a truncated or inconsistent frame. Buffers are zero-copy views of ``frame``.
    """
    view = memoryview(frame).cast("B")
    if view.nbytes < 8:
        raise ProtocolError("binary frame too short")
    (count,) = struct.unpack_from("!I", view, 0)
    header_size = 4 * (1 + count)
    if count < 1 or header_size > view.nbytes:
        raise ProtocolError(f"binary frame declares {count} parts but has {view.nbytes} bytes")
    offsets = list(struct.unpack_from(f"!{count}I", view, 4))
    ends = [*offsets[1:], view.nbytes]
    if offsets[0] != header_size or any(start > end for start, end in zip(offsets, ends)):
        raise ProtocolError("binary frame offsets are out of order")
    try:
        message = json.loads(bytes(view[offsets[0] : ends[0]]))
    except (UnicodeDecodeError, json.JSONDecodeError, RecursionError) as exc:
        raise ProtocolError(f"binary frame JSON part is invalid: {str(exc)[:200]}") from None
    if not isinstance(message, dict):
        raise ProtocolError("binary frame JSON part is not an object")
    return message, [view[start:end] for start, end in zip(offsets[1:], ends[1:])]


def parse_event(message: Any, buffers: Sequence[memoryview] = ()) -> Event:
    """Check that an untrusted browser message is a well-formed event and return it.

    Raises ``ProtocolError`` naming the first problem found. Buffers, which only ``file_chunk`` carries, are
    put back into ``data``.
    """
    if not isinstance(message, dict):
        raise ProtocolError(f"an event must be a JSON object, got {type(message).__name__}")
    name = message.get("event")
    if not isinstance(name, str) or name not in EVENTS:
        raise ProtocolError(f"unknown event {_brief(name)}")
    if (buffers or "buffer_paths" in message) and name != "file_chunk":
        # Everything else the page sends is JSON data: an app must never get a buffer where it expects it.
        raise ProtocolError(f"{name} cannot carry binary buffers; only file_chunk does")
    message = join_buffers(dict(message), buffers)
    task_id = message.get("task_id")
    if name == "hello":
        if task_id is not None:
            raise ProtocolError("hello must have task_id null")
        _check_hello(message.get("data"))
    elif name == "command_error" and task_id is None:
        pass  # a failed command that was addressed to no task
    elif not isinstance(task_id, str) or not 0 < len(task_id) <= _MAX_TASK_ID:
        raise ProtocolError(f"{name} needs a task_id string of 1-{_MAX_TASK_ID} characters")
    if "data" not in message:
        raise ProtocolError(f"{name} has no data field")
    if name == "download_ack":
        data = message["data"]
        if not (isinstance(data, dict) and _is_count(data.get("offset")) and _is_count(data.get("length"))):
            raise ProtocolError("download_ack data must be {offset: int, length: int}")
    if name == "file_chunk":
        data = message["data"]
        if not (
            isinstance(data, dict)
            and isinstance(data.get("upload_id"), str)
            and isinstance(data.get("name"), str)
            and _is_count(data.get("offset"))
            and len(buffers) == 1
            and isinstance(data.get("chunk"), memoryview)
            and data["chunk"].nbytes <= CHUNK_SIZE
        ):
            raise ProtocolError("file_chunk data must be {upload_id, name, offset, chunk: <= 1 MiB buffer}")
    if name == "command_error":
        data = message["data"]
        if not (isinstance(data, dict) and isinstance(data.get("command"), (str, type(None)))):
            raise ProtocolError("command_error data must be {command: string or null}")
        if "error" not in message:
            raise ProtocolError("command_error needs an error {name, message, stack}")
    if "error" in message:
        error = message["error"]
        if (
            name not in ("js_yield", "command_error")
            or not isinstance(error, dict)
            or not all(isinstance(error.get(key, ""), str) for key in ("name", "message", "stack"))
        ):
            raise ProtocolError(
                "error must be a {name, message, stack} object of strings, on js_yield or command_error"
            )
    return message


def _check_hello(data: Any) -> None:
    if not isinstance(data, dict):
        raise ProtocolError("hello data must be an object")
    if not _is_count(data.get("protocol_version")):
        raise ProtocolError("hello data needs an integer protocol_version")
    for key in ("user_agent", "language", "origin"):
        if not isinstance(data.get(key, ""), str):
            raise ProtocolError(f"hello {key} must be a string")


# Untrusted values in log lines are cut short, so a hostile page cannot flood the logs.
_BRIEF = reprlib.Repr()
_BRIEF.maxstring = _BRIEF.maxother = 60
_BRIEF.maxlist = _BRIEF.maxdict = 4
_BRIEF.maxlevel = 2


def _brief(value: Any) -> str:
    return _BRIEF.repr(value)


def _is_count(value: Any) -> bool:
    return isinstance(value, int) and not isinstance(value, bool) and value >= 0
