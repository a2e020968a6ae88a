"""The deprecated ``output()`` placeholder (PyWebIO 1.5 replaced it with ``put_scope``)."""

from __future__ import annotations

from typing import Any

from .._utils import random_str
from .content import put_text
from .core import Output, OutputPosition, _contents, _output_spec, scope2dom
from .scopes import clear


class OutputHandler(Output):
    """What ``output()`` returns: a placeholder whose content can be reset, appended to and inserted into
    after it is shown. It is not sent by itself when dropped."""

    def __init__(self, spec: dict[str, Any], scope: str) -> None:
        super().__init__(spec)
        self.scope = scope

    def __del__(self) -> None:
        pass

    def reset(self, *outputs: Any) -> None:
        clear(self.scope)
        self.append(*outputs)

    def append(self, *outputs: Any) -> None:
        for item in outputs:
            self._place(item, OutputPosition.BOTTOM)

    def insert(self, idx: int, *outputs: Any) -> None:
        """Insert before the item at ``idx`` (``idx`` < 0: after the item at ``idx``)."""
        direction = 1 if idx >= 0 else -1
        for offset, item in enumerate(outputs):
            self._place(item, idx + direction * offset)

    def _place(self, item: Any, position: int) -> None:
        placed = item if isinstance(item, Output) else put_text(item)
        placed.spec["scope"] = scope2dom(self.scope)
        placed.spec["position"] = position
        placed.send()


def output(*contents: Any) -> OutputHandler:
    """A placeholder that can be passed wherever a ``put_*`` output can, then changed with ``reset``,
    ``append`` and ``insert``. Deprecated since PyWebIO 1.5: use ``put_scope``."""
    import warnings

    warnings.warn(
        "`output()` is deprecated since PyWebIO 1.5, use `put_scope()` instead", DeprecationWarning, stacklevel=2
    )
    name = random_str(10)
    spec = _output_spec(
        "scope",
        None,
        OutputPosition.BOTTOM,
        dom_id=scope2dom(name, no_css_selector=True),
        contents=_contents(list(contents)),
    )
    return OutputHandler(spec, name)
