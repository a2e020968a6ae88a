from __future__ import annotations

import json
import struct

import pytest

from jupyter_session.exceptions import ProtocolError
from jupyter_session.protocol import (
    COMMANDS,
    EVENTS,
    PROTOCOL_VERSION,
    decode_frame,
    encode_frame,
    join_buffers,
    parse_event,
    split_buffers,
)


def test_split_buffers_cuts_out_every_bytes_value_and_records_its_path() -> None:
    message = {
        "commands": [
            {"command": "download", "task_id": "t", "spec": {"chunk": b"abc", "n": 1}},
            {"command": "output", "task_id": "t", "spec": {"parts": [bytearray(b"x"), "s"]}},
        ]
    }
    stripped, buffers = split_buffers(message)
    assert stripped["buffer_paths"] == [["commands", 0, "spec", "chunk"], ["commands", 1, "spec", "parts", 0]]
    assert [bytes(b) for b in buffers] == [b"abc", b"x"]
    assert stripped["commands"][0]["spec"] == {"chunk": None, "n": 1}
    json.dumps(stripped)  # what is left is JSON
    assert message["commands"][0]["spec"]["chunk"] == b"abc"  # the input is untouched


def test_split_buffers_copies_only_the_way_to_a_buffer() -> None:
    plain = {"commands": [{"command": "output", "spec": {"type": "text", "content": "hi", "rows": [[1, (2, "a")]]}}]}
    stripped, buffers = split_buffers(plain)
    assert stripped is plain and buffers == []  # nothing to cut: nothing copied
    mixed = {"commands": [{"spec": {"content": "text"}}, {"spec": {"pair": ("x", b"\x00")}}]}
    stripped, buffers = split_buffers(mixed)
    assert stripped["commands"][0] is mixed["commands"][0]
    assert stripped["commands"][1]["spec"]["pair"] == ["x", None]
    assert mixed["commands"][1]["spec"]["pair"] == ("x", b"\x00")
    assert stripped["buffer_paths"] == [["commands", 1, "spec", "pair", 1]]


def test_join_buffers_is_the_inverse_of_split_buffers() -> None:
    message = {"event": "x", "task_id": "t", "data": {"files": [{"content": b"\x00\x01"}]}}
    stripped, buffers = split_buffers(message)
    joined = join_buffers(json.loads(json.dumps(stripped)), buffers)
    assert bytes(joined["data"]["files"][0]["content"]) == b"\x00\x01"
    assert "buffer_paths" not in joined


@pytest.mark.parametrize(
    "paths, buffers, reason",
    [
        (None, [b"x"], "without buffer_paths"),
        ([["data"]], [], "one path per buffer"),
        ([["nope", "deeper"]], [b"x"], "does not fit"),
        ([[]], [b"x"], "bad buffer path"),
        ([["data", "k"]], [b"x"], "does not fit"),  # data is a list: a str index is refused
        ([["x"] * 40], [b"x"], "bad buffer path"),
    ],
)
def test_join_buffers_rejects_paths_that_do_not_match(paths: object, buffers: list[bytes], reason: str) -> None:
    message: dict[str, object] = {"event": "callback", "task_id": "t", "data": [1]}
    if paths is not None:
        message["buffer_paths"] = paths
    with pytest.raises(ProtocolError, match=reason):
        join_buffers(message, [memoryview(b) for b in buffers])


def test_binary_frame_round_trip_keeps_json_and_buffers() -> None:
    message = {
        "commands": [{"command": "download", "task_id": None, "spec": {"chunk": None}}],
        "buffer_paths": [["commands", 0, "spec", "chunk"]],
    }
    frame = encode_frame(message, [b"\xffdata", b""])
    decoded, buffers = decode_frame(frame)
    assert decoded == message
    assert [bytes(b) for b in buffers] == [b"\xffdata", b""]


def test_binary_frame_header_is_big_endian_part_count_then_offsets() -> None:
    frame = encode_frame({"a": 1}, [b"xyz"])
    count, first, second = struct.unpack_from("!3I", frame)
    assert (count, first) == (2, 12)
    assert frame[first:second] == b'{"a":1}' and frame[second:] == b"xyz"


@pytest.mark.parametrize(
    "frame, reason",
    [
        (b"\x00\x00", "too short"),
        (struct.pack("!2I", 5, 8), "declares 5 parts"),
        (struct.pack("!3I", 2, 20, 12) + b"{}", "out of order"),
        (struct.pack("!2I", 1, 8) + b"{nope", "JSON part is invalid"),
        (struct.pack("!2I", 1, 8) + b"[1]", "not an object"),
        (struct.pack("!2I", 0, 8), "declares 0 parts"),
    ],
)
def test_decode_frame_rejects_malformed_frames(frame: bytes, reason: str) -> None:
    with pytest.raises(ProtocolError, match=reason):
        decode_frame(frame)


def test_parse_event_accepts_each_well_formed_event() -> None:
    assert parse_event({"event": "js_yield", "task_id": "eval_js-1", "data": [1, 2]})["data"] == [1, 2]
    assert (
        parse_event(
            {
                "event": "js_yield",
                "task_id": "e",
                "data": None,
                "error": {"name": "TypeError", "message": "m", "stack": "s"},
            }
        )["error"]["name"]
        == "TypeError"
    )
    hello = {"protocol_version": PROTOCOL_VERSION, "user_agent": "UA", "language": "fr", "origin": "http://x"}
    assert parse_event({"event": "hello", "task_id": None, "data": hello})["data"] == hello
    assert parse_event({"event": "download_ack", "task_id": "dl-1", "data": {"offset": 0, "length": 5}})


@pytest.mark.parametrize(
    "event, reason",
    [
        ("text", "must be a JSON object"),
        ({"event": "nope", "task_id": "t", "data": 1}, "unknown event"),
        ({"event": "callback", "data": 1}, "needs a task_id"),
        ({"event": "callback", "task_id": 5, "data": 1}, "needs a task_id"),
        ({"event": "callback", "task_id": "x" * 300, "data": 1}, "needs a task_id"),
        ({"event": "callback", "task_id": "t"}, "no data field"),
        ({"event": "hello", "task_id": "t", "data": {}}, "task_id null"),
        ({"event": "hello", "task_id": None, "data": {"protocol_version": "1"}}, "protocol_version"),
        ({"event": "hello", "task_id": None, "data": {"protocol_version": 1, "user_agent": 3}}, "user_agent"),
        ({"event": "download_ack", "task_id": "d", "data": {"offset": -1, "length": 1}}, "download_ack"),
        ({"event": "download_ack", "task_id": "d", "data": {"offset": True, "length": 1}}, "download_ack"),
        ({"event": "js_yield", "task_id": "t", "data": None, "error": "boom"}, "error must be"),
        ({"event": "callback", "task_id": "t", "data": None, "error": {"name": "E"}}, "error must be"),
    ],
)
def test_parse_event_rejects_malformed_events_naming_the_problem(event: object, reason: str) -> None:
    with pytest.raises(ProtocolError, match=reason):
        parse_event(event)


def test_protocol_names_match_the_design() -> None:
    assert {"output", "output_ctl", "run_script", "download", "set_env", "close_session", "set_session_id"} <= COMMANDS
    assert {"callback", "input_event", "from_submit", "from_cancel", "js_yield"} <= EVENTS


def test_the_default_message_limit_holds_the_largest_message_a_page_of_ours_sends() -> None:
    """8 MiB, not PyWebIO's 200M (a 150 MB message took 350-600 MB to parse): files come as 1 MiB chunks, one a
    message, so the largest message of ours is a chunk, with room for the JSON a form or pin answers with."""
    from jupyter_session.protocol import CHUNK_SIZE, DEFAULT_MAX_PAYLOAD, encode_frame

    assert DEFAULT_MAX_PAYLOAD == 8 << 20
    data = {"upload_id": "u" * 64, "name": "n" * 1000, "offset": 1 << 40, "chunk": None}
    chunk_event = {"event": "file_chunk", "task_id": "t" * 256, "data": data, "buffer_paths": [["data", "chunk"]]}
    assert len(encode_frame(chunk_event, [bytes(CHUNK_SIZE)])) < DEFAULT_MAX_PAYLOAD // 4


def test_every_backend_defaults_to_the_default_message_limit() -> None:
    import importlib
    import inspect

    from jupyter_session._utils import parse_file_size
    from jupyter_session.protocol import DEFAULT_MAX_PAYLOAD

    defaults = {}
    for name in ("tornado", "tornado_http", "aiohttp", "fastapi", "flask", "django", "path_deploy"):
        module = importlib.import_module(f"jupyter_session.platform.{name}")
        for function in vars(module).values():
            if inspect.isfunction(function) and function.__module__ == module.__name__:
                parameter = inspect.signature(function).parameters.get("max_payload_size")
                if parameter is not None and parameter.default is not inspect.Parameter.empty:
                    defaults[f"{name}.{function.__name__}"] = parse_file_size(parameter.default)
    assert len(defaults) >= 10, defaults
    assert defaults == dict.fromkeys(defaults, DEFAULT_MAX_PAYLOAD)
