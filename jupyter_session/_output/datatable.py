"""``put_datatable`` and its updates (PyWebIO 1.8.4's names), drawn by this package's own table.

PyWebIO draws the table with AG Grid; here it is a plain scrolling table with sticky headers, row selection
(click a row; check boxes with ``multiple_select``), action buttons over the selected rows, and a bar that
shows the clicked cell in full. Nested dicts in records become one column per leaf. ``column_args`` applies
``headerName``/``header_name``, ``width`` and ``hide``; ``grid_args``, ``theme``, ``enterprise_key`` and
``JSFunction`` values are AG Grid settings and are accepted but not applied.
"""

from __future__ import annotations

import json
import logging
from collections.abc import Callable, Mapping, Sequence
from typing import Any

from ..session import get_current_session
from .core import Output, OutputPosition, _output_spec, _send

__all__ = ["put_datatable", "datatable_update", "datatable_insert", "datatable_remove", "JSFunction"]

logger = logging.getLogger(__name__)

Path = tuple[str, ...]

#: Past this many records ``height='auto'`` falls back to a fixed height, as in PyWebIO (a page this long is slow).
_MOST_AUTO_HEIGHT_ROWS = 1000


class JSFunction:
    """A JavaScript function for AG Grid settings: ``JSFunction('event', 'console.log(event)')``. Accepted for
    compatibility; this package's table does not run it."""

    def __init__(self, *params_and_body: str) -> None:
        if not params_and_body:
            raise ValueError("JSFunction must have at least body")
        self.params = params_and_body[:-1]
        self.body = params_and_body[-1]


def _field(path: Path) -> str:
    return json.dumps(list(path))


def _flatten(record: Mapping[Any, Any], prefix: Path = ()) -> dict[Path, Any]:
    flat: dict[Path, Any] = {}
    for key, value in record.items():
        path = (*prefix, str(key))
        if isinstance(value, Mapping):
            flat.update(_flatten(value, path))
        else:
            flat[path] = value
    return flat


def _cell(value: Any) -> Any:
    return value if value is None or isinstance(value, (str, int, float, bool)) else str(value)


def _order(column_order: Sequence[str] | Mapping[str, Any], prefix: Path = ()) -> list[Path]:
    if isinstance(column_order, Mapping):
        paths: list[Path] = []
        for key, sub in column_order.items():
            paths.extend(_order(sub, (*prefix, key)) if isinstance(sub, Mapping) else [(*prefix, key)])
        return paths
    return [(*prefix, key) for key in column_order]


def _row(record: Mapping[Any, Any], id_path: Path | None) -> dict[str, Any]:
    if not isinstance(record, Mapping):
        raise TypeError(f"datatable records are dicts, not {type(record).__name__}")
    flat = _flatten(record)
    row_id = None
    if id_path is not None:
        if id_path not in flat:
            raise ValueError(f"record {record!r} has no id field {list(id_path)!r}")
        row_id = flat[id_path]
    return dict(id=_cell(row_id), cells={_field(path): _cell(value) for path, value in flat.items()})


def _id_path(id_field: str | Sequence[str] | None) -> Path | None:
    if id_field is None:
        return None
    return (id_field,) if isinstance(id_field, str) else tuple(id_field)


def _id_paths() -> dict[str, Path | None]:
    """Per session: datatable instance id -> the path of its id field (for updates and inserts)."""
    return get_current_session().internal_save.setdefault("datatable_ids", {})


def put_datatable(
    records: Sequence[Mapping[str, Any]],
    actions: Sequence[tuple[str, Callable[[Any], None]] | None] | None = None,
    onselect: Callable[[Any], None] | None = None,
    multiple_select: bool = False,
    id_field: str | None = None,
    height: str | int = 600,
    theme: str = "balham",
    cell_content_bar: bool = True,
    instance_id: str = "",
    column_order: Sequence[str] | Mapping[str, Any] | None = None,
    column_args: Mapping[str | tuple[str, ...], Mapping[str, Any]] | None = None,
    grid_args: Mapping[str, Any] | None = None,
    enterprise_key: str = "",
    scope: str | None = None,
    position: int = OutputPosition.BOTTOM,
) -> Output:
    """Output a table of ``records`` (dicts) whose rows can be selected. ``onselect(row_id)`` runs when the
    selection changes; each action ``(label, callback)`` is a button that calls ``callback(row_id)`` for the
    selected row (a list of ids with ``multiple_select``); ``None`` in ``actions`` is a gap. Row ids are the
    ``id_field`` values (a key, or a path into nested dicts), else the row's index.

    ``height`` is the table's height in pixels (an int) or any CSS height; ``'auto'`` fits the rows, as in
    PyWebIO, which also falls back to 600 px past 1,000 records. On a page it is the table's height, as in
    PyWebIO; in a notebook it is the most the table takes, so a table of a few rows is as tall as its rows and a
    long one scrolls inside 600 px by default."""
    if not records and not column_order:
        raise ValueError("`column_order` must be specified when `records` is empty")
    id_path = _id_path(id_field)
    rows = [_row(record, id_path) for record in records]
    if column_order is not None:
        paths = _order(column_order)
    else:
        paths = list(dict.fromkeys(path for record in records for path in _flatten(record)))
    args = {(key,) if isinstance(key, str) else tuple(key): value for key, value in (column_args or {}).items()}
    columns = []
    for path in paths:
        options = args.get(path, {})
        columns.append(
            dict(
                field=_field(path),
                header=str(options.get("headerName", options.get("header_name", " › ".join(path)))),
                width=options.get("width"),
                hide=bool(options.get("hide")),
            )
        )
    actions = list(actions or [])
    for action in actions:
        if action is not None and not (isinstance(action, (tuple, list)) and len(action) == 2 and callable(action[1])):
            raise ValueError(f"datatable action {action!r} must be (label, callback) or None")

    def clicked(data: Any) -> Any:
        if not isinstance(data, dict) or not isinstance(data.get("rows"), list) or not data["rows"]:
            logger.warning("dropped a malformed datatable event: %.200r", data)
            return None
        selected = data["rows"] if multiple_select else data["rows"][0]
        button = data.get("btn")
        if button is None:
            return onselect(selected) if onselect is not None else None
        if not isinstance(button, int) or not 0 <= button < len(actions) or actions[button] is None:
            logger.warning("dropped a datatable event for no action: %.200r", data)
            return None
        return actions[button][1](selected)  # type: ignore[index]

    callback_id = get_current_session().register_callback(clicked) if actions or onselect else None
    if instance_id:
        _id_paths()[instance_id] = id_path
    if isinstance(height, int):
        height = f"{height}px"
    if height == "auto" and len(records) > _MOST_AUTO_HEIGHT_ROWS:
        height = "600px"
        logger.warning("put_datatable: too many rows for height='auto', the table is 600 px high instead")
    return Output(
        _output_spec(
            "datatable",
            scope,
            position,
            columns=columns,
            rows=rows,
            callback_id=callback_id,
            actions=[None if action is None else str(action[0]) for action in actions],
            on_select=onselect is not None,
            multiple_select=bool(multiple_select),
            height=str(height),
            cell_content_bar=bool(cell_content_bar),
            instance_id=str(instance_id),
        )
    )


def _table_command(instance_id: str, **spec: Any) -> None:
    _send("datatable", dict(instance_id=str(instance_id), **spec))


def datatable_update(
    instance_id: str, data: Any, row_id: int | str | None = None, field: str | list[str] | tuple[str] | None = None
) -> None:
    """Replace the whole data (a list of records), one row (``row_id``), or one cell (``row_id`` and
    ``field``, a key or a path into nested dicts) of the datatable ``instance_id``."""
    id_path = _id_paths().get(instance_id)
    if row_id is None and field is not None:
        raise ValueError("`row_id` is required when provide `field`")
    if row_id is None:
        _table_command(instance_id, op="replace", rows=[_row(record, id_path) for record in data])
    elif field is None:
        _table_command(instance_id, op="update", row_id=row_id, cells=_row(data, None)["cells"])
    else:
        path = (field,) if isinstance(field, str) else tuple(field)
        _table_command(instance_id, op="update", row_id=row_id, cells={_field(path): _cell(data)})


def datatable_insert(instance_id: str, records: list[Any], row_id: int | str | None = None) -> None:
    """Insert a record (or a list of them) before the row ``row_id`` (default: at the end)."""
    id_path = _id_paths().get(instance_id)
    records = records if isinstance(records, list) else [records]
    _table_command(instance_id, op="insert", row_id=row_id, rows=[_row(record, id_path) for record in records])


def datatable_remove(instance_id: str, row_ids: list[Any]) -> None:
    """Remove the row ``row_ids`` (or a list of row ids)."""
    row_ids = row_ids if isinstance(row_ids, list) else [row_ids]
    _table_command(instance_id, op="remove", row_ids=row_ids)
