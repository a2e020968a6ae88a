"""What input.py and pin.py share: field specs for the browser, choices sent as indexes, and uploads that
arrive in acknowledged chunks."""

from __future__ import annotations

import copy
import logging
import math
import os
import re
import weakref
from collections.abc import Callable, Mapping, Sequence
from typing import Any

from .session import get_current_session, get_current_task_id

logger = logging.getLogger(__name__)


class Field:
    """One field of a form: its spec for the browser and its Python-side functions."""

    def __init__(
        self,
        spec: dict[str, Any],
        validate: Callable[[Any], str | None] | None,
        preprocess: Callable[[Any], Any],
        onchange: Callable[[Any], Any] | None,
    ) -> None:
        self.spec = spec
        self.validate = validate or (lambda _value: None)
        self.preprocess = preprocess
        self.onchange = onchange


def field_spec(kind: str, values: dict[str, Any], excludes: Sequence[str] = ()) -> tuple[dict[str, Any], Any, Any]:
    """The browser spec from a function's arguments: ``None`` values dropped, extra HTML attributes merged."""
    spec = {
        key: value
        for key, value in values.items()
        if value is not None and key not in ("validate", "onchange", "other_html_attrs", *excludes)
    }
    spec.update(values.get("other_html_attrs") or {})
    validate, onchange = values.get("validate"), values.get("onchange")
    name = spec.get("name")
    if name is not None and (not isinstance(name, str) or not name):
        raise ValueError(f"`name` must be a non-empty string, not {name!r}")
    if validate is not None:
        spec["onblur"] = True
    if onchange is not None:
        spec["onchange"] = True
    spec["type"] = kind
    return spec, validate, onchange


def choice_specs(options: Sequence[Any] | None, value: Any = None) -> tuple[list[dict[str, Any]], list[Any]]:
    """Choices as specs whose values are indexes, and the real values. ``value`` (or each item of a list
    ``value``, whatever the kind of field, as in PyWebIO) marks the selected ones."""
    selected = value if isinstance(value, (list, tuple)) else [value]
    specs, values = [], []
    for index, option in enumerate(options or ()):
        if isinstance(option, Mapping):
            if "label" not in option or "value" not in option:
                raise ValueError(f"option {option!r} needs a 'label' and a 'value'")
            spec = copy.deepcopy(dict(option))
        elif isinstance(option, (list, tuple)):
            if not 2 <= len(option) <= 4:
                raise ValueError(f"option {option!r} must be (label, value[, selected[, disabled]])")
            spec = dict(zip(("label", "value", "selected", "disabled"), option))
        else:
            spec = dict(label=option, value=option)
        if value is not None and spec["value"] in selected:
            spec["selected"] = True
        values.append(spec["value"])
        spec["label"], spec["value"] = str(spec["label"]), index
        specs.append(spec)
    return specs, values


def action_specs(buttons: Sequence[Any] | None) -> tuple[list[dict[str, Any]], list[Any]]:
    """The buttons of ``actions``/``put_actions`` as specs whose values are indexes, and the real values."""
    specs: list[dict[str, Any]] = []
    values: list[Any] = []
    for button in buttons or ():
        if isinstance(button, Mapping):
            item = copy.deepcopy(dict(button))
            if "label" not in item:
                raise ValueError(f"action {button!r} needs a 'label'")
        elif isinstance(button, (list, tuple)):
            if len(button) not in (2, 3, 4):
                raise ValueError(f"action {button!r} must be (label, value[, type[, disabled]])")
            item = dict(zip(("label", "value", "type", "disabled"), button))
        else:
            item = dict(label=button, value=button)
        item.setdefault("type", "submit")
        if item["type"] not in ("submit", "reset", "cancel"):
            raise ValueError(f"action type must be 'submit', 'reset' or 'cancel', not {item['type']!r}")
        if item["type"] == "submit" and "value" not in item and not item.get("disabled"):
            raise ValueError(f"submit action {button!r} needs a 'value'")
        values.append(item.get("value"))
        item["label"], item["value"] = str(item["label"]), len(specs)
        specs.append(item)
    return specs, values


class Choices:
    """Maps the browser's index (or list of indexes) back to the offered values; anything else is invalid."""

    def __init__(self, values: list[Any], many: bool) -> None:
        self.values = values
        self.many = many

    def _one(self, index: Any) -> Any:
        if not isinstance(index, int) or isinstance(index, bool) or not 0 <= index < len(self.values):
            raise ValueError(f"not an offered choice: {index!r}")
        return self.values[index]

    def __call__(self, answer: Any) -> Any:
        if self.many:
            if not isinstance(answer, list):
                raise ValueError(f"expected a list of choices, not {answer!r}")
            return [self._one(index) for index in answer]
        return None if answer is None else self._one(answer)

    def indexes(self, wanted: Any) -> list[int]:
        """The indexes of the choices to select for a value (or, for a multiple choice, a list of values)."""
        wanted = wanted if isinstance(wanted, (list, tuple)) else [wanted]
        return [index for index, value in enumerate(self.values) if value in wanted]


class AnswerError(ValueError):
    """An answer a field cannot take, with a message for the user (shown under the field)."""


def as_text(answer: Any) -> str:
    if not isinstance(answer, str):
        raise ValueError(f"expected text, not {answer!r}")
    return answer


# What a browser's number field gives (HTML's floating-point numbers), not all Python reads: no `1_000`, `nan`.
_NUMBER = re.compile(r"[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?")
_WHOLE = re.compile(r"[+-]?\d+")
_MAX_NUMBER_TEXT = 400


def number_from_text(kind: type) -> Callable[[Any], Any]:
    """A NUMBER (``kind`` int) or FLOAT field's text as a number; ``None`` for an empty field only. A text that is
    no number, or a fraction for NUMBER, raises ``AnswerError``: the app never gets ``None`` for it."""

    def convert(answer: Any) -> Any:
        text = as_text(answer).strip()
        if text == "":
            return None
        if len(text) > _MAX_NUMBER_TEXT or not _NUMBER.fullmatch(text):
            raise AnswerError("Please enter a number.")
        if kind is int and _WHOLE.fullmatch(text):
            return int(text)  # exact, however large
        number = float(text)
        if not math.isfinite(number):
            raise AnswerError("Please enter a number.")
        if kind is int:
            if not number.is_integer():
                raise AnswerError("Please enter a whole number.")
            return int(number)
        return number

    return convert


def code_field(spec: dict[str, Any], code: Any) -> None:
    """Make ``spec`` a code field: ``indent`` for the notebook's text area, the app's CodeMirror ``options``
    for the page's editor."""
    if code:
        options = dict(code) if isinstance(code, Mapping) else {}
        spec["code"] = dict(indent=int(options.get("indentUnit", 4)), options=options)


def slider_spec(values: dict[str, Any]) -> tuple[dict[str, Any], Any, Any, Callable[[Any], Any]]:
    spec, validate, onchange = field_spec("slider", values)
    numbers = (spec.get("value", 0), spec.get("min_value", 0), spec.get("max_value", 100), spec.get("step", 1))
    if not all(isinstance(n, (int, float)) and not isinstance(n, bool) for n in numbers):
        raise TypeError("slider() value, min_value, max_value and step must be numbers")
    kind = float if any(isinstance(n, float) for n in numbers) else int

    def convert(answer: Any) -> Any:
        return kind(number_from_text(float)(answer) if isinstance(answer, str) else answer)

    return spec, validate, onchange, convert


def field_of(item: Any) -> Field:
    if isinstance(item, Field):  # what a named input function returns in a thread session
        return item
    try:
        item.send(None)  # in a coroutine session: a coroutine that returns at once
    except StopIteration as stop:
        if isinstance(stop.value, Field):
            return stop.value
    except AttributeError:
        pass
    raise TypeError(f"input_group takes the results of input functions called with a name, not {item!r}")


#: A file field's limit, each file and all together, when the app gives none (PyWebIO's was its backend's 200M
#: message limit; uploads here are chunked, so no message limit bounds them).
DEFAULT_UPLOAD_LIMIT = 64 << 20
#: Bytes of uploads one session keeps at once, across its forms and file pins (a field's own larger
#: ``max_total_size`` raises it for that field): what a page can make the server hold.
SESSION_UPLOAD_LIMIT = 256 << 20


def upload_limits(max_size: int, max_total_size: int) -> tuple[int, int]:
    """A file field's ``max_size`` and ``max_total_size`` in bytes; 0 (not given) gets a default, and a limit the
    app gives also bounds the other one when that is not given."""
    return (
        max_size or max_total_size or DEFAULT_UPLOAD_LIMIT,
        max_total_size or max(max_size, DEFAULT_UPLOAD_LIMIT),
    )


class Uploads:
    """Files arriving for file fields in acknowledged chunks, kept in order and within each field's limits and
    the session's (``SESSION_UPLOAD_LIMIT``, over every ``Uploads`` of the session). Create it in a session."""

    MAX_UPLOADS = 1000

    def __init__(self) -> None:
        self.files: dict[str, tuple[str, bytearray]] = {}  # upload id -> (field name, bytes so far)
        self.held = 0  # bytes in self.files
        # Weak: a form's uploads go with the form.
        self._all: weakref.WeakSet[Uploads] = get_current_session().internal_save.setdefault(
            "uploads", weakref.WeakSet()
        )
        self._all.add(self)

    def receive(self, spec: dict[str, Any] | None, data: dict[str, Any]) -> int | None:
        """Keep one chunk for the file field ``spec``; the bytes of that file received so far, or ``None`` when
        the chunk is dropped (unacknowledged: a page of ours never sends one, it checks the limits first)."""
        name, upload_id, offset, chunk = data["name"], data["upload_id"], data["offset"], data["chunk"]
        if spec is None or spec.get("type") != "file" or len(upload_id) > 64:
            logger.warning("dropped a file chunk for %.100r, which is not a file field", name)
            return None
        entry = self.files.get(upload_id)
        if entry is None:
            other = None if spec.get("multiple") else next((k for k, (n, _) in self.files.items() if n == name), None)
            if other is not None:
                logger.warning(
                    "dropped a file chunk of upload %.100r for %.100r: a single-file field takes one file, and "
                    "upload %.100r is already there",
                    upload_id,
                    name,
                    other,
                )
                return None
            if len(self.files) >= self.MAX_UPLOADS:
                logger.warning("dropped a file chunk: too many uploads")
                return None
        content = bytearray() if entry is None else entry[1]
        if offset != len(content):
            logger.warning("dropped an out-of-order file chunk for %.100r", name)
            return None
        limit, total_limit = upload_limits(spec.get("max_size") or 0, spec.get("max_total_size") or 0)
        total = sum(len(c) for n, c in self.files.values() if n == name) + chunk.nbytes
        if len(content) + chunk.nbytes > limit or total > total_limit:
            logger.warning("dropped a file chunk for %.100r beyond its size limit", name)
            return None
        held = sum(uploads.held for uploads in list(self._all))
        session_limit = max(SESSION_UPLOAD_LIMIT, total_limit)
        if held + chunk.nbytes > session_limit:
            logger.warning(
                "dropped a file chunk for %.100r: its session already holds %d bytes of uploads, and keeps at most "
                "%d (SESSION_UPLOAD_LIMIT); the page has sent more than its forms asked for",
                name,
                held,
                session_limit,
            )
            return None
        if entry is None:
            self.files[upload_id] = (name, content)
        content += chunk
        self.held += chunk.nbytes
        return len(content)

    def forget(self, name: str) -> None:
        """Drop the uploads of the field ``name``."""
        for upload_id in [key for key, (owner, _) in self.files.items() if owner == name]:
            self.held -= len(self.files.pop(upload_id)[1])

    def take(self, spec: dict[str, Any], answer: Any) -> Any:
        """The files an answer describes, with their bytes (forgotten here); raises ValueError if any is
        incomplete or the answer is malformed."""
        name = spec["name"]
        if not isinstance(answer, list):
            raise ValueError("a file field's answer must be a list of files")
        files = []
        for item in answer:
            if not isinstance(item, dict) or not isinstance(item.get("upload_id"), str):
                raise ValueError("malformed file description")
            modified = item.get("last_modified")
            if not isinstance(modified, (int, float)) or isinstance(modified, bool) or not math.isfinite(modified):
                raise ValueError("malformed file description: last_modified is not a time")
            owner, content = self.files.get(item["upload_id"], (None, bytearray()))
            if owner != name or len(content) != item.get("size"):
                raise ValueError(f"file {item.get('filename')!r} did not arrive whole")
            # PyWebIO's keys and order; the name loses any folder a page put in it, as in PyWebIO.
            files.append(
                dict(
                    filename=os.path.basename(str(item.get("filename", ""))),
                    size=len(content),
                    mime_type=str(item.get("mime_type", "")),
                    last_modified=modified,
                    content=bytes(content),
                )
            )
        self.forget(name)
        if spec.get("multiple"):
            return files
        return files[0] if files else None


def acknowledge_chunk(upload_id: str, received: int) -> None:
    get_current_session().send_task_command(
        dict(command="file_ack", task_id=get_current_task_id(), spec=dict(upload_id=upload_id, received=received))
    )


_NO_LABEL = object()


def add_action_button(spec: dict[str, Any], action: Any, preprocess: Callable[[Any], Any]) -> Callable[[Any], Any]:
    """``input(action=(label, callback))``: a button beside the field; a click calls ``callback(set_value)``.
    ``set_value(value)`` fills the field; ``set_value(value, label)`` shows ``label`` read-only and the input
    returns ``value``, which never goes to the browser. Returns the field's new preprocessing."""
    try:
        button_label, callback = action
    except (TypeError, ValueError):
        raise ValueError("input(action=...) takes a (label, callback) pair") from None
    session, task_id = get_current_session(), get_current_task_id()
    labelled: dict[str, Any] = {}  # the label shown -> the value it stands for

    def set_value(value: Any, label: Any = _NO_LABEL) -> None:
        labelled.clear()
        attributes: dict[str, Any] = dict(value=value)
        if label is not _NO_LABEL:
            labelled[str(label)] = value
            attributes = dict(value=str(label), readonly=True)
        session.send_task_command(
            dict(command="update_input", task_id=task_id, spec=dict(target_name=spec["name"], attributes=attributes))
        )

    spec["action"] = dict(
        label=str(button_label), callback_id=session.register_callback(lambda _data: callback(set_value))
    )
    return lambda raw: labelled[raw] if isinstance(raw, str) and raw in labelled else preprocess(raw)
