"""Input functions with PyWebIO 1.8.4's names and semantics: a form in the page, and the call waits for it.

``input('Name')`` shows a one-field form and returns what the user submits; inside ``input_group`` the same
functions, given a ``name``, describe fields instead. In a coroutine session (and in a notebook's async cells)
``await`` them. ``validate`` functions return an error message (or ``None``); the message shows under the
field and the form stays open. ``onchange`` runs on every change, and may call ``input_update``.

Choices (``select``, ``checkbox``, ``radio``, ``actions``) travel to the browser as indexes, so their values
can be any Python object and a forged answer cannot produce a value that was not offered.

``file_upload`` sends each file in binary chunks of at most 1 MiB, each acknowledged; size limits are checked
in the browser (with a message under the field) and again here.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Generator, Sequence
from typing import Any

from ._fields import (
    AnswerError,
    Choices,
    Field,
    Uploads,
    acknowledge_chunk,
    action_specs,
    add_action_button,
    as_text,
    choice_specs,
    code_field,
    field_of,
    field_spec,
    number_from_text,
    slider_spec,
    upload_limits,
)
from ._utils import parse_file_size
from .session import chose_impl, get_current_session, get_current_task_id, info

__all__ = [
    "TEXT",
    "NUMBER",
    "FLOAT",
    "PASSWORD",
    "URL",
    "DATE",
    "TIME",
    "COLOR",
    "DATETIME_LOCAL",
    "DATETIME",
    "CHECKBOX",
    "RADIO",
    "SELECT",
    "TEXTAREA",
    "input",
    "textarea",
    "select",
    "checkbox",
    "radio",
    "actions",
    "slider",
    "file_upload",
    "input_group",
    "input_update",
]

logger = logging.getLogger(__name__)

TEXT = "text"
NUMBER = "number"
FLOAT = "float"
PASSWORD = "password"
URL = "url"
DATE = "date"
TIME = "time"
COLOR = "color"
DATETIME_LOCAL = "datetime-local"
DATETIME = DATETIME_LOCAL
CHECKBOX = "checkbox"
RADIO = "radio"
SELECT = "select"
TEXTAREA = "textarea"

_INPUT_TYPES = {TEXT, NUMBER, FLOAT, PASSWORD, URL, DATE, TIME, COLOR, DATETIME_LOCAL}
# Attributes ``input_update`` may not change.
_FIXED = set("action buttons code inline max_size max_total_size multiple name onchange type validate".split())


def _single(field: Field) -> Any:
    """Show a one-field form and wait for it; with a ``name``, describe a field of an ``input_group`` instead."""
    __tracebackhide__ = True
    if field.spec.get("name") is not None:
        return field
    field.spec["name"] = "data"
    label = field.spec.pop("label", "")
    field.spec.setdefault("auto_focus", True)
    return _run_form(dict(label=label, inputs=[field.spec]), {"data": field}, None, only="data")


def input(
    label: str = "",
    type: str = TEXT,
    *,
    validate: Callable[[Any], str | None] | None = None,  # noqa: A001,A002
    name: str | None = None,
    value: str | int | None = None,
    action: Any = None,
    onchange: Callable[[Any], None] | None = None,
    placeholder: str | None = None,
    required: bool | None = None,
    readonly: bool | None = None,
    datalist: list[str] | None = None,
    help_text: str | None = None,
    **other_html_attrs: Any,
) -> Any:
    """A one-line field. ``type``: TEXT, NUMBER (returns ``int``), FLOAT (``float``), PASSWORD, URL, DATE, TIME,
    COLOR, DATETIME_LOCAL. Returns the value, or ``None`` for an empty NUMBER/FLOAT field."""
    if type not in _INPUT_TYPES:
        raise ValueError(f"input type {type!r} is not one of {', '.join(sorted(_INPUT_TYPES))}")
    arguments = dict(locals())
    spec, validate, onchange = field_spec("input", arguments, excludes=("type", "action"))
    spec["input_type"] = "number" if type in (NUMBER, FLOAT) else type
    if type == FLOAT:
        spec.setdefault("step", "any")
    preprocess = number_from_text(int) if type == NUMBER else number_from_text(float) if type == FLOAT else as_text
    if action is not None:
        preprocess = add_action_button(spec, action, preprocess)
    # The frames on the way to a wait leave tracebacks (see session/_waiting.py). Set after `locals()` was read,
    # which would take it for an HTML attribute.
    __tracebackhide__ = True
    return _single(Field(spec, validate, preprocess, onchange))


def textarea(
    label: str = "",
    *,
    rows: int = 6,
    code: Any = None,
    maxlength: int | None = None,
    minlength: int | None = None,
    validate: Callable[[Any], str | None] | None = None,
    name: str | None = None,
    value: str | None = None,
    onchange: Callable[[Any], None] | None = None,
    placeholder: str | None = None,
    required: bool | None = None,
    readonly: bool | None = None,
    help_text: str | None = None,
    **other_html_attrs: Any,
) -> Any:
    """A multi-line text field. ``code=True`` (or a dict of CodeMirror 5 options) makes it a code field: on the
    page a CodeMirror editor as PyWebIO's (line numbers, ``indentUnit`` 4; the dict overrides them; modes are
    built in, loaded with the editor when the first code field shows); in a notebook a monospace text area where
    Tab indents by ``indentUnit``, without highlighting."""
    spec, validate, onchange = field_spec(TEXTAREA, dict(locals()), excludes=("code",))
    code_field(spec, code)
    __tracebackhide__ = True
    return _single(Field(spec, validate, as_text, onchange))


def select(
    label: str = "",
    options: Sequence[Any] | None = None,
    *,
    multiple: bool | None = None,
    validate: Callable[[Any], str | None] | None = None,
    name: str | None = None,
    value: Any = None,
    onchange: Callable[[Any], None] | None = None,
    native: bool = True,
    required: bool | None = None,
    help_text: str | None = None,
    **other_html_attrs: Any,
) -> Any:
    """A drop-down list; returns the chosen value, or the list of chosen values with ``multiple``."""
    spec, validate, onchange = field_spec(SELECT, dict(locals()), excludes=("value", "options", "native"))
    spec["options"], values = choice_specs(options, value)
    __tracebackhide__ = True
    return _single(Field(spec, validate, Choices(values, bool(multiple)), onchange))


def checkbox(
    label: str = "",
    options: Sequence[Any] | None = None,
    *,
    inline: bool | None = None,
    validate: Callable[[Any], str | None] | None = None,
    name: str | None = None,
    value: list[Any] | None = None,
    onchange: Callable[[Any], None] | None = None,
    help_text: str | None = None,
    **other_html_attrs: Any,
) -> Any:
    """Check boxes; returns the list of checked values."""
    spec, validate, onchange = field_spec(CHECKBOX, dict(locals()), excludes=("value", "options"))
    spec["options"], values = choice_specs(options, value)
    __tracebackhide__ = True
    return _single(Field(spec, validate, Choices(values, many=True), onchange))


def radio(
    label: str = "",
    options: Sequence[Any] | None = None,
    *,
    inline: bool | None = None,
    validate: Callable[[Any], str | None] | None = None,
    name: str | None = None,
    value: Any = None,
    onchange: Callable[[Any], None] | None = None,
    required: bool | None = None,
    help_text: str | None = None,
    **other_html_attrs: Any,
) -> Any:
    """Radio buttons; returns the chosen value (``None`` when nothing is chosen)."""
    spec, validate, onchange = field_spec(RADIO, dict(locals()), excludes=("value", "options"))
    spec["options"], values = choice_specs(options, value)
    __tracebackhide__ = True
    return _single(Field(spec, validate, Choices(values, many=False), onchange))


def actions(
    label: str = "", buttons: Sequence[Any] | None = None, name: str | None = None, help_text: str | None = None
) -> Any:
    """Buttons that submit the form with their value (``type='submit'``, the default), reset it
    (``'reset'``) or cancel it (``'cancel'``). Returns the value of the button clicked."""
    spec, validate, onchange = field_spec("actions", dict(locals()), excludes=("buttons",))
    spec["buttons"], values = action_specs(buttons)
    __tracebackhide__ = True
    return _single(Field(spec, validate, Choices(values, many=False), onchange))


def slider(
    label: str = "",
    *,
    name: str | None = None,
    value: int | float = 0,
    min_value: int | float = 0,
    max_value: int | float = 100,
    step: int = 1,
    validate: Callable[[Any], str | None] | None = None,
    onchange: Callable[[Any], None] | None = None,
    required: bool | None = None,
    help_text: str | None = None,
    **other_html_attrs: Any,
) -> Any:
    """A slider from ``min_value`` to ``max_value``; returns an ``int``, or a ``float`` when any bound, the
    value or the step is a float."""
    spec, validate, onchange, convert = slider_spec(dict(locals()))
    __tracebackhide__ = True
    return _single(Field(spec, validate, convert, onchange))


def file_upload(
    label: str = "",
    accept: str | list[str] | None = None,
    name: str | None = None,
    placeholder: str = "Choose file",
    multiple: bool = False,
    max_size: int | str = 0,
    max_total_size: int | str = 0,
    required: bool | None = None,
    help_text: str | None = None,
    **other_html_attrs: Any,
) -> Any:
    """Files from the user's computer: a dict ``filename``, ``size``, ``mime_type``, ``last_modified`` (seconds
    since the epoch, a float), ``content`` (bytes), or a list of them with ``multiple``; ``None`` when no file was
    chosen. ``max_size`` (each file) and ``max_total_size`` take bytes or strings such as ``'4M'``; without
    either, 64 MiB (``DEFAULT_UPLOAD_LIMIT``). ``accept`` is a MIME type, an extension (``'.csv'``) or a list."""
    arguments = dict(locals())
    spec, validate, onchange = field_spec("file", arguments, excludes=("max_size", "max_total_size", "accept"))
    spec["max_size"], spec["max_total_size"] = upload_limits(parse_file_size(max_size), parse_file_size(max_total_size))
    if accept is not None:
        spec["accept"] = ",".join(accept) if isinstance(accept, (list, tuple)) else str(accept)
    __tracebackhide__ = True
    return _single(Field(spec, validate, lambda files: files, onchange))


def input_group(
    label: str = "",
    inputs: Sequence[Any] | None = None,
    validate: Callable[[dict[str, Any]], tuple[str, str] | None] | None = None,
    cancelable: bool = False,
) -> Any:
    """A form of several fields, each made by an input function with a ``name``. Returns ``{name: value}``,
    or ``None`` when cancelled. ``validate(data)`` returns ``(name, error)`` to reject the whole form."""
    fields: dict[str, Field] = {}
    for item in inputs or ():
        field = field_of(item)
        name = field.spec.get("name")
        if name is None:
            raise ValueError("each input of an input_group needs a `name`")
        if name in fields:
            raise ValueError(f"two inputs of the input_group are named {name!r}")
        fields[name] = field
    specs = [field.spec for field in fields.values()]
    if all("auto_focus" not in spec for spec in specs):
        for spec in specs:
            # As in PyWebIO: the first one-line field other than a colour, or drop-down list.
            if spec["type"] == SELECT or (spec["type"] == "input" and spec["input_type"] != COLOR):
                spec["auto_focus"] = True
                break
    __tracebackhide__ = True
    return _run_form(dict(label=label, inputs=specs, cancelable=cancelable), fields, validate)


def input_update(name: str | None = None, **spec: Any) -> None:
    """Change attributes of a field of the form on screen (``label``, ``value``, ``options``, ``help_text``,
    ``placeholder``...). Only in an ``onchange`` function; ``name`` defaults to the field that changed."""
    session = get_current_session()
    form = session.internal_save.get(f"form-{get_current_task_id()}")
    if form is None or form.changing is None:
        raise RuntimeError("`input_update()` can only be called in `onchange` callback.")
    target = form.fields.get(name or form.changing)
    if target is None:
        raise ValueError(f"the form has no input named {name!r}")
    fixed = _FIXED.intersection(spec)
    if fixed:
        raise ValueError(f"{', '.join(sorted(fixed))} can not be updated")
    attributes = {key: value for key, value in spec.items() if value is not None}
    if "options" in attributes:
        multiple = target.spec["type"] == CHECKBOX or bool(target.spec.get("multiple"))
        attributes["options"], values = choice_specs(attributes["options"], attributes.get("value"))
        target.preprocess = Choices(values, multiple)
        attributes.pop("value", None)
    elif "value" in attributes and isinstance(target.preprocess, Choices):  # choose by index, as pin_update
        attributes["selected"] = target.preprocess.indexes(attributes.pop("value"))
    form.update(target.spec["name"], attributes)


class _Form:
    """The form on screen for one task: validation and ``onchange`` as the browser reports changes."""

    def __init__(self, fields: dict[str, Field], validate: Callable[[dict[str, Any]], Any] | None) -> None:
        self.fields = fields
        self.validate = validate
        self.changing: str | None = None  # the field whose onchange runs (for input_update)
        self.uploads = Uploads()

    def chunk(self, data: dict[str, Any]) -> None:
        field = self.fields.get(data["name"])
        received = self.uploads.receive(None if field is None else field.spec, data)
        if received is not None:
            acknowledge_chunk(data["upload_id"], received)

    def update(self, name: str, attributes: dict[str, Any]) -> None:
        get_current_session().send_task_command(
            dict(
                command="update_input",
                task_id=get_current_task_id(),
                spec=dict(target_name=name, attributes=attributes),
            )
        )

    def check(self, name: str, answer: Any, clear_valid: bool = False) -> tuple[bool, Any]:
        """Preprocess and validate one field's answer; shows the error in the browser when it fails."""
        field = self.fields[name]
        try:
            is_file = field.spec["type"] == "file"
            value = self.uploads.take(field.spec, answer) if is_file else None
            if field.spec.get("required") and (not value if is_file else answer in ("", None, [])):
                # On PyWebIO's page the browser refused this submit; this page leaves the check to the session.
                error: Any = "Please choose a file" if is_file else "Please fill in this field"
            else:
                value = value if is_file else field.preprocess(answer)
                error = field.validate(value)
        except AnswerError as exc:
            value, error = None, str(exc)
        except Exception as exc:
            logger.info("input %r: %r is not valid: %s", name, answer, exc)
            value, error = None, "字段内容不合法" if "zh" in (info.user_language or "") else "Your input is not valid"
        if error is not None:
            self.update(name, dict(valid_status=False, invalid_feedback=str(error)))
            return False, None
        if clear_valid:
            self.update(name, dict(valid_status=0))
        return True, value

    def input_event(self, data: Any) -> None:
        """A field's blur (validate it) or change (run its ``onchange``), as the page reports them."""
        kind, name = (data.get("event_name"), data.get("name")) if isinstance(data, dict) else (None, None)
        if kind not in ("blur", "change") or not isinstance(name, str):
            logger.warning("dropped a malformed input_event: %.200r", data)
            return
        blur = kind == "blur"
        field = self.fields.get(name)
        if field is None:
            # The page reports a blur or change as it happens: one of the task's previous form can arrive after
            # this form opened (sent before the page had taken the previous one away).
            logger.debug("dropped an input_event for %.100r, which is not a field of the open form", name)
        elif not (field.spec.get("onblur") and field.spec["type"] != "file" if blur else field.onchange is not None):
            logger.debug("dropped a %s input_event for %.100r, which has no function for it", kind, name)
        elif blur:
            self.check(name, data.get("value"), clear_valid=True)
        else:
            self.changed(name, data.get("value"))

    def changed(self, name: str, answer: Any) -> None:
        field = self.fields[name]
        if field.onchange is None:
            return
        self.changing = name
        try:
            ok, value = True, field.preprocess(answer)
        except Exception:
            ok, value = False, None
        try:
            if ok:
                field.onchange(value)
        except Exception:
            logger.exception("error in the onchange function of input %r", name)
        finally:
            self.changing = None

    def submitted(self, data: Any) -> dict[str, Any] | None:
        """The form's values when every check passes, else ``None`` (errors are shown)."""
        if not isinstance(data, dict) or set(data) != set(self.fields):
            logger.warning("dropped a form submission with the wrong fields: %.200r", data)
            return None
        values, valid = {}, True
        for name in self.fields:
            ok, values[name] = self.check(name, data[name])
            valid = valid and ok
        if not valid:
            return None
        if self.validate is not None:
            rejected = self.validate(values)
            if rejected is not None:
                try:
                    name, error = rejected
                except (TypeError, ValueError):
                    raise ValueError(
                        "The `validate` function for input group must return `(name, error_msg)` "
                        "when validation failed."
                    ) from None
                self.update(name, dict(valid_status=False, invalid_feedback=str(error)))
                return None
        return values


@chose_impl
def _run_form(
    spec: dict[str, Any],
    fields: dict[str, Field],
    validate: Callable[[dict[str, Any]], Any] | None,
    only: str | None = None,
) -> Generator[Any, Any, Any]:
    """Show a form and wait until it is submitted (its values, or the value of the field ``only``) or
    cancelled (``None``)."""
    __tracebackhide__ = True
    session = get_current_session()
    task_id = get_current_task_id()
    form = _Form(fields, validate)
    key = f"form-{task_id}"
    session.internal_save[key] = form
    session.send_task_command(dict(command="input_group", task_id=task_id, spec=spec))
    try:
        while True:
            event = yield session.next_client_event()
            kind, data = event["event"], event.get("data")
            if kind == "input_event":
                form.input_event(data)
            elif kind == "from_submit":
                values = form.submitted(data)
                if values is not None:
                    return values if only is None else values[only]
            elif kind == "file_chunk":
                form.chunk(data)
            elif kind == "from_cancel":
                return None
            else:
                logger.warning("dropped an unexpected %.100r event while a form is open", kind)
    finally:
        session.internal_save.pop(key, None)
        try:
            session.send_task_command(dict(command="destroy_form", task_id=task_id, spec=None))
        except Exception:  # the session closed while the form was open
            pass
