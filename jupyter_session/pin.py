"""Pins (PyWebIO 1.8.4's ``pywebio.pin``): input fields placed among the outputs and read at any time.

``put_input('name')`` shows a field; ``pin.name`` (or ``pin['name']``) reads its current value from the
browser, ``pin.name = value`` sets it; ``pin_wait_change('a', 'b')`` waits for one of them to change;
``pin_on_change('a', onchange)`` calls ``onchange(value)`` on every change. In a coroutine session,
``await pin.name`` and ``await pin_wait_change(...)``. Choices travel as indexes, as in the input functions.

A file pin (``put_file_upload``) uploads its files, in acknowledged 1 MiB chunks, each time its value is read;
its value is what ``file_upload`` returns.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Generator, Sequence
from typing import Any

from ._fields import (
    Choices,
    Uploads,
    acknowledge_chunk,
    action_specs,
    as_text,
    choice_specs,
    code_field,
    field_of,
    field_spec,
    number_from_text,
    slider_spec,
)
from ._output.core import Output, OutputPosition, _output_spec, _send
from .exceptions import SessionTimeout
from .input import CHECKBOX, FLOAT, NUMBER, RADIO, SELECT, TEXT, TEXTAREA, file_upload
from .protocol import Command
from .session import chose_impl, get_current_session

__all__ = [
    "pin",
    "put_input",
    "put_textarea",
    "put_select",
    "put_checkbox",
    "put_radio",
    "put_slider",
    "put_actions",
    "put_file_upload",
    "pin_wait_change",
    "pin_update",
    "pin_on_change",
    "get_pin_values",
]

logger = logging.getLogger(__name__)

# Seconds past its own timeout that pin_wait_change gives the browser to report that nothing changed.
_WAIT_GRACE = 5.0
# Seconds reading a pin waits for the browser; reading a file pin uploads its files first.
_PIN_READ_TIMEOUT = 10.0
_FILE_PIN_READ_TIMEOUT = 600.0


def _readers() -> dict[str, Callable[[Any], Any]]:
    """Per session: pin name -> how to turn the browser's raw value into the Python value."""
    return get_current_session().internal_save.setdefault("pin_readers", {})


def _file_pins() -> dict[str, dict[str, Any]]:
    """Per session: file pin name -> its field spec."""
    return get_current_session().internal_save.setdefault("pin_files", {})


def _uploads() -> Uploads:
    saved = get_current_session().internal_save
    if "pin_uploads" not in saved:
        saved["pin_uploads"] = Uploads()
    return saved["pin_uploads"]


def _put_pin(name: str, spec: dict[str, Any], reader: Callable[[Any], Any], scope: str | None, position: int) -> Output:
    _readers()[name] = reader
    if spec["type"] != "file":
        _file_pins().pop(name, None)
    return Output(_output_spec("pin", scope, position, input=spec))


def put_input(
    name: str,
    type: str = TEXT,
    *,
    label: str = "",
    value: str | None = None,  # noqa: A002
    placeholder: str | None = None,
    readonly: bool | None = None,
    datalist: list[str] | None = None,
    help_text: str | None = None,
    scope: str | None = None,
    position: int = OutputPosition.BOTTOM,
) -> Output:
    """A one-line field (``type`` as for ``input``)."""
    spec, _, _ = field_spec(
        "input",
        dict(
            name=name,
            label=label,
            value=value,
            placeholder=placeholder,
            readonly=readonly,
            datalist=datalist,
            help_text=help_text,
        ),
    )
    spec["input_type"] = "number" if type in (NUMBER, FLOAT) else type
    reader = number_from_text(int) if type == NUMBER else number_from_text(float) if type == FLOAT else as_text
    return _put_pin(name, spec, reader, scope, position)


def put_textarea(
    name: str,
    *,
    label: str = "",
    rows: int = 6,
    code: Any = None,
    maxlength: int | None = None,
    minlength: int | None = None,
    value: str | None = None,
    placeholder: str | None = None,
    readonly: bool | None = None,
    help_text: str | None = None,
    scope: str | None = None,
    position: int = OutputPosition.BOTTOM,
) -> Output:
    """A multi-line field (``code`` as for ``input.textarea``)."""
    spec, _, _ = field_spec(
        TEXTAREA,
        dict(
            name=name,
            label=label,
            rows=rows,
            maxlength=maxlength,
            minlength=minlength,
            value=value,
            placeholder=placeholder,
            readonly=readonly,
            help_text=help_text,
        ),
    )
    code_field(spec, code)
    return _put_pin(name, spec, as_text, scope, position)


def _put_choices(
    kind: str,
    name: str,
    options: Sequence[Any] | None,
    value: Any,
    many: bool,
    fields: dict[str, Any],
    scope: str | None,
    position: int,
) -> Output:
    spec, _, _ = field_spec(kind, dict(name=name, **fields))
    spec["options"], values = choice_specs(options, value)
    return _put_pin(name, spec, Choices(values, many), scope, position)


def put_select(
    name: str,
    options: Sequence[Any] | None = None,
    *,
    label: str = "",
    multiple: bool | None = None,
    value: Any = None,
    native: bool | None = None,
    help_text: str | None = None,
    scope: str | None = None,
    position: int = OutputPosition.BOTTOM,
) -> Output:
    """A drop-down list (``multiple``: a list of values)."""
    return _put_choices(
        SELECT,
        name,
        options,
        value,
        bool(multiple),
        dict(label=label, multiple=multiple, help_text=help_text),
        scope,
        position,
    )


def put_checkbox(
    name: str,
    options: Sequence[Any] | None = None,
    *,
    label: str = "",
    inline: bool | None = None,
    value: list[Any] | None = None,
    help_text: str | None = None,
    scope: str | None = None,
    position: int = OutputPosition.BOTTOM,
) -> Output:
    """Check boxes; the pin's value is the list of checked values."""
    return _put_choices(
        CHECKBOX, name, options, value, True, dict(label=label, inline=inline, help_text=help_text), scope, position
    )


def put_radio(
    name: str,
    options: Sequence[Any] | None = None,
    *,
    label: str = "",
    inline: bool | None = None,
    value: Any = None,
    help_text: str | None = None,
    scope: str | None = None,
    position: int = OutputPosition.BOTTOM,
) -> Output:
    """Radio buttons; the pin's value is the chosen value."""
    return _put_choices(
        RADIO, name, options, value, False, dict(label=label, inline=inline, help_text=help_text), scope, position
    )


def put_slider(
    name: str,
    *,
    label: str = "",
    value: int | float = 0,
    min_value: int | float = 0,
    max_value: int | float = 100,
    step: int = 1,
    required: bool | None = None,
    help_text: str | None = None,
    scope: str | None = None,
    position: int = OutputPosition.BOTTOM,
) -> Output:
    """A slider (see ``input.slider``)."""
    spec, _, _, convert = slider_spec(
        dict(
            name=name,
            label=label,
            value=value,
            min_value=min_value,
            max_value=max_value,
            step=step,
            required=required,
            help_text=help_text,
        )
    )
    return _put_pin(name, spec, convert, scope, position)


def put_actions(
    name: str,
    *,
    label: str = "",
    buttons: Sequence[Any] | None = None,
    help_text: str | None = None,
    scope: str | None = None,
    position: int = OutputPosition.BOTTOM,
) -> Output:
    """Buttons; the pin's value is the value of the last one clicked (``None`` before any click)."""
    spec, _, _ = field_spec("actions", dict(name=name, label=label, help_text=help_text))
    spec["buttons"], values = action_specs(buttons)
    if any(button["type"] != "submit" for button in spec["buttons"]):
        raise ValueError("put_actions() buttons must be of type 'submit': a pin has no form to reset or cancel")
    return _put_pin(name, spec, Choices(values, many=False), scope, position)


def put_file_upload(
    name: str,
    *,
    label: str = "",
    accept: list[str] | str | None = None,
    placeholder: str = "Choose file",
    multiple: bool = False,
    max_size: int | str = 0,
    max_total_size: int | str = 0,
    help_text: str | None = None,
    scope: str | None = None,
    position: int = OutputPosition.BOTTOM,
) -> Output:
    """A file field; the pin's value is what ``file_upload`` returns (``None`` or ``[]`` before a choice)."""
    _check_name(name)
    field = file_upload(
        label=label,
        accept=accept,
        name=name,
        placeholder=placeholder,
        multiple=multiple,
        max_size=max_size,
        max_total_size=max_total_size,
        help_text=help_text,
    )
    spec = field_of(field).spec
    uploads = _uploads()

    def receive(chunk: dict[str, Any]) -> None:
        received = uploads.receive(spec, chunk) if isinstance(chunk, dict) and "chunk" in chunk else None
        if received is not None:
            acknowledge_chunk(chunk["upload_id"], received)

    spec["upload_callback_id"] = get_current_session().register_callback(receive)
    _file_pins()[name] = spec

    def reader(raw: Any) -> Any:
        return uploads.take(spec, [] if raw is None else raw)

    return _put_pin(name, spec, reader, scope, position)


def _read_timeout(names: Sequence[str]) -> float:
    files = _file_pins()
    return _FILE_PIN_READ_TIMEOUT if any(name in files for name in names) else _PIN_READ_TIMEOUT


def _fresh_uploads(names: Sequence[str]) -> None:
    """A read uploads a file pin's files again: drop what an earlier read left (it timed out), which would
    count against the pin's limits and, for a single-file pin, refuse the new upload."""
    files, uploads = _file_pins(), _uploads()
    for name in names:
        if name in files:
            uploads.forget(name)


def _read(name: str, raw: Any) -> Any:
    reader = _readers().get(name)
    if reader is None:
        return raw
    try:
        return reader(raw)
    except (TypeError, ValueError):
        logger.warning("pin %r: the browser sent %.100r, which is not a value of this pin", name, raw)
        return None


@chose_impl
def _pin_value(name: str) -> Generator[Any, Any, Any]:
    session = get_current_session()
    _fresh_uploads([name])
    event = yield from session.request(
        "pin_value", dict(command="pin_value", task_id=None, spec=dict(name=name)), _read_timeout([name])
    )
    data = event["data"]
    return _read(name, data.get("value")) if isinstance(data, dict) else None


@chose_impl
def get_pin_values(names: list[str]) -> Generator[Any, Any, Any]:
    """The values of several pins in one round trip: ``{name: value}``, without the pins not in the page."""
    names = list(names)
    for name in names:
        _check_name(name)
    session = get_current_session()
    _fresh_uploads(names)
    event = yield from session.request(
        "get_pin_values",
        dict(
            command="pin_values",
            task_id=None,
            spec=dict(names=names),
        ),
        _read_timeout(names),
    )
    data = event["data"]
    if not isinstance(data, dict):
        return {}
    return {name: _read(name, data[name]) for name in names if name in data}


class Pin_:  # noqa: N801  (PyWebIO's name)
    """``pin.name`` reads the pin called ``name``; ``pin.name = value`` sets it. Reading a pin that is not in
    the page gives ``None`` (with ``use_strict()``: ``AssertionError``)."""

    _strict = False

    def use_strict(self) -> None:
        object.__setattr__(self, "_strict", True)

    def __getattr__(self, name: str) -> Any:
        # Tools probe objects for `_repr_html_`, `__wrapped__`...: those are not pins (use pin['_x'] for one).
        if name.startswith("_"):
            raise AttributeError(f"Pin object has no attribute {name!r}")
        return self[name]

    def __getitem__(self, name: str) -> Any:
        _check_name(name)
        value = _pin_value(name)
        if self._strict and value is None:
            raise AssertionError(f"there is no pin called {name!r} in the page")
        return value

    def __setattr__(self, name: str, value: Any) -> None:
        if name == "use_strict":
            raise AssertionError("'use_strict' is a reserved name, can't use as pin widget name")
        self[name] = value

    def __setitem__(self, name: str, value: Any) -> None:
        pin_update(name, value=value)


pin = Pin_()


def _check_name(name: Any) -> None:
    if not isinstance(name, str) or not name:
        raise ValueError(f"pin names are non-empty strings, not {name!r}")


def pin_update(name: str, **spec: Any) -> None:
    """Change attributes of the pin ``name``: ``value``, ``label``, ``placeholder``, ``help_text``, ``options``,
    ``readonly``..."""
    _check_name(name)
    attributes = {key: value for key, value in spec.items() if value is not None}
    reader = _readers().get(name)
    if "options" in attributes:
        many = reader.many if isinstance(reader, Choices) else isinstance(attributes.get("value"), (list, tuple))
        attributes["options"], values = choice_specs(attributes["options"], attributes.get("value"))
        _readers()[name] = Choices(values, many)
        attributes.pop("value", None)
    elif "value" in attributes and isinstance(reader, Choices):  # by index: the browser never sees the values
        attributes["selected"] = reader.indexes(attributes.pop("value"))
    _send("pin_update", dict(name=name, attributes=attributes))


@chose_impl
def pin_wait_change(*names: str, timeout: float | None = None) -> Generator[Any, Any, Any]:
    """Wait until one of the pins ``names`` changes; returns ``{'name': ..., 'value': ...}``, or ``None`` after
    ``timeout`` seconds."""
    __tracebackhide__ = True
    if not names:
        raise ValueError("pin_wait_change() needs at least one pin name")
    for name in names:
        _check_name(name)
    if timeout is not None and not timeout > 0:
        raise ValueError("pin_wait_change() timeout must be a positive number of seconds")
    session = get_current_session()
    command = Command(command="pin_wait", task_id=None, spec=dict(names=list(names), timeout=timeout))
    try:
        event = yield from session.request(
            "pin_wait_change",
            command,
            None if timeout is None else timeout + _WAIT_GRACE,
        )
    except SessionTimeout:
        return None
    data = event["data"]
    if not isinstance(data, dict) or data.get("name") not in names:
        return None
    return dict(name=data["name"], value=_read(data["name"], data.get("value")))


def pin_on_change(
    name: str,
    onchange: Callable[[Any], Any] | None = None,
    clear: bool = False,
    init_run: bool = False,
    **callback_options: Any,
) -> None:
    """Call ``onchange(value)`` on every change of the pin ``name`` (``clear``: drop earlier callbacks;
    ``init_run``: also call it now with the current value)."""
    _check_name(name)
    session = get_current_session()
    callback_id = None
    if onchange is not None:

        def changed(raw: Any) -> Any:
            return onchange(_read(name, raw))

        callback_id = session.register_callback(changed, **callback_options)
    _send("pin_onchange", dict(name=name, callback_id=callback_id, clear=clear))
    if init_run and onchange is not None:
        onchange(pin[name])
