"""Output functions with PyWebIO 1.8.4's names and semantics.

A ``put_*`` call returns an ``Output``. When the return value is not used, the output is sent at once
(PyWebIO sends it when the object is dropped, and so does this module); when it is passed into another
output, it is embedded there instead.

Scopes are named areas of the page: ``ROOT`` is the whole output area; ``use_scope(name)`` makes outputs go
into ``name``; ``position`` 0 puts an output first in its scope, -1 last, other integers at that index.
Text is always shown as text (escaped); only ``put_html`` takes HTML, and markdown's HTML is sanitized.
"""

from ._output.content import (
    put_button,
    put_buttons,
    put_code,
    put_error,
    put_html,
    put_info,
    put_link,
    put_markdown,
    put_success,
    put_table,
    put_text,
    put_warning,
    span,
)
from ._output.core import Output, OutputPosition, Position
from ._output.core import scope2dom as scope2dom  # not in PyWebIO's __all__, but in its module
from ._output.datatable import JSFunction, datatable_insert, datatable_remove, datatable_update, put_datatable
from ._output.deprecated import OutputHandler as OutputHandler  # what output() returns
from ._output.deprecated import output
from ._output.layout import put_collapse, put_column, put_grid, put_loading, put_row, put_scrollable, put_tabs, style
from ._output.media import (
    put_file,
    put_image,
    put_processbar,
    put_progressbar,
    put_widget,
    set_processbar,
    set_progressbar,
)
from ._output.popups import PopupSize, close_popup, popup, toast
from ._output.scopes import clear, get_scope, put_scope, remove, scroll_to, set_scope, use_scope
from ._output.scopes import use_scope_ as use_scope_  # what use_scope() and popup() return

__all__ = [
    "Output",
    "OutputPosition",
    "Position",
    "put_text",
    "put_html",
    "put_markdown",
    "put_scope",
    "set_scope",
    "get_scope",
    "clear",
    "remove",
    "scroll_to",
    "use_scope",
    "put_buttons",
    "put_button",
    "put_code",
    "put_link",
    "put_info",
    "put_success",
    "put_warning",
    "put_error",
    "put_table",
    "span",
    "put_row",
    "put_column",
    "put_grid",
    "put_collapse",
    "put_scrollable",
    "put_loading",
    "toast",
    "popup",
    "close_popup",
    "style",
    "PopupSize",
    "put_image",
    "put_file",
    "put_tabs",
    "put_processbar",
    "set_processbar",
    "put_progressbar",
    "set_progressbar",
    "put_widget",
    "output",
    "put_datatable",
    "datatable_update",
    "datatable_insert",
    "datatable_remove",
    "JSFunction",
]
