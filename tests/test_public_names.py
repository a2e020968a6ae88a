"""Every public name of PyWebIO 1.8.4's ``output``, ``input`` and ``pin`` modules, compared with this package
by name and signature (parameter names, kinds and defaults). PyWebIO 1.8.4 is installed by the test extra.
"""

from __future__ import annotations

import inspect
from types import ModuleType
from typing import Any

import pytest
import pywebio.input as pywebio_input
import pywebio.output as pywebio_output
import pywebio.pin as pywebio_pin

import jupyter_session.input as our_input
import jupyter_session.output as our_output
import jupyter_session.pin as our_pin

PAIRS = {"output": (pywebio_output, our_output), "input": (pywebio_input, our_input), "pin": (pywebio_pin, our_pin)}
_EMPTY_DEFAULTS = ([], (), None)


def _public(module: ModuleType) -> list[str]:
    return list(module.__all__)


def _shape(func: Any) -> list[tuple[str, Any, Any]]:
    def default(parameter: inspect.Parameter) -> Any:
        value = parameter.default
        if value is inspect.Parameter.empty:
            return "<required>"
        return None if any(value == empty and type(value) is type(empty) for empty in _EMPTY_DEFAULTS) else value

    return [(p.name, p.kind, default(p)) for p in inspect.signature(func).parameters.values()]


@pytest.mark.parametrize("module", sorted(PAIRS))
def test_every_public_name_exists_with_the_same_signature(module: str) -> None:
    theirs, ours = PAIRS[module]
    missing = {name for name in _public(theirs) if not hasattr(ours, name)}
    assert missing == set()
    for name in _public(theirs):
        their_object, our_object = getattr(theirs, name), getattr(ours, name, None)
        if our_object is None or inspect.isclass(their_object) or not callable(their_object):
            continue
        assert _shape(our_object) == _shape(their_object), name
