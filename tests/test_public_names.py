"""Every public name of PyWebIO 1.8.4's ``output``, ``input``, ``pin``, ``platform`` (and its ``aiohttp``,
``fastapi`` and ``path_deploy`` modules) and ``utils`` modules, compared with this package by name and signature
(parameter names, kinds and defaults). PyWebIO 1.8.4 is installed by the test extra.

Modules with ``__all__`` are compared on it; for the others the names are listed here: their module-level
public functions and classes. Left out: PyWebIO's ``WebSocketConnection`` adaptor classes (internal plumbing of its
backends, which here is ``_core.PageSocket``), and ``path_deploy.get_app_from_path`` (its loader, returning
PyWebIO's internal tuples). The backend submodules of ``pywebio.platform`` are checked by
``test_platform_namespace.py``.
"""

from __future__ import annotations

import importlib
import inspect
from types import ModuleType
from typing import Any

import pytest

from jupyter_session.protocol import DEFAULT_MAX_PAYLOAD

#: module pair -> (PyWebIO's module, ours, the names compared; None: PyWebIO's ``__all__``)
PAIRS: dict[str, tuple[str, str, list[str] | None]] = {
    "output": ("pywebio.output", "jupyter_session.output", None),
    "input": ("pywebio.input", "jupyter_session.input", None),
    "pin": ("pywebio.pin", "jupyter_session.pin", None),
    "platform": (
        "pywebio.platform",
        "jupyter_session.platform",
        ["start_server", "config", "seo", "run_event_loop", "path_deploy", "path_deploy_http"],
    ),
    "platform.aiohttp": (
        "pywebio.platform.aiohttp",
        "jupyter_session.platform.aiohttp",
        ["webio_handler", "static_routes", "start_server"],
    ),
    "platform.fastapi": (
        "pywebio.platform.fastapi",
        "jupyter_session.platform.fastapi",
        ["webio_routes", "start_server", "asgi_app"],
    ),
    "platform.path_deploy": (
        "pywebio.platform.path_deploy",
        "jupyter_session.platform.path_deploy",
        [
            "path_deploy",
            "path_deploy_http",
            "filename_ok",
            "identifiers_info",
            "valid_and_norm_path",
            "default_index_page",
        ],
    ),
    "utils": (
        "pywebio.utils",
        "jupyter_session.utils",
        [
            "pyinstaller_datas",
            "Setter",
            "ObjectDictProxy",
            "ReadOnlyObjectDict",
            "catch_exp_call",
            "iscoroutinefunction",
            "isgeneratorfunction",
            "get_function_name",
            "get_function_doc",
            "get_function_attr",
            "LimitedSizeQueue",
            "wait_host_port",
            "get_free_port",
            "random_str",
            "run_as_function",
            "to_coroutine",
            "LRUDict",
            "check_webio_js",
            "parse_file_size",
            "strip_space",
            "check_dom_name_value",
            "STATIC_PATH",
        ],
    ),
}
_EMPTY_DEFAULTS = ([], (), None)
#: Defaults changed on purpose (README, "Differences"): (name, ours) -> PyWebIO's.
DELIBERATE_DEFAULTS = {("max_payload_size", DEFAULT_MAX_PAYLOAD): "200M"}


def _public(module: ModuleType) -> list[str]:
    return list(module.__all__)


def _module(name: str) -> ModuleType:
    # Not `import a.b.path_deploy`: the package's attribute of that name is the function, as in PyWebIO.
    return importlib.import_module(name)


def _shape(func: Any, theirs: Any = None) -> list[tuple[str, Any, Any]]:
    """``func``'s parameters as (name, kind, default); with ``theirs`` (PyWebIO's function), without the
    keyword-only parameters PyWebIO's lacks (our additions: a PyWebIO call never passes them) and with the
    defaults we change on purpose shown as PyWebIO's."""

    def default(parameter: inspect.Parameter) -> Any:
        value = parameter.default
        if value is inspect.Parameter.empty:
            return "<required>"
        for (name, ours), pywebio_s in DELIBERATE_DEFAULTS.items():
            if parameter.name == name and value == ours:
                return pywebio_s
        return None if any(value == empty and type(value) is type(empty) for empty in _EMPTY_DEFAULTS) else value

    parameters = inspect.signature(func).parameters.values()
    if theirs is not None:
        their_names = set(inspect.signature(theirs).parameters)
        parameters = [p for p in parameters if p.kind is not p.KEYWORD_ONLY or p.name in their_names]
    return [(p.name, p.kind, default(p)) for p in parameters]


@pytest.mark.parametrize("module", sorted(PAIRS))
def test_every_public_name_exists_with_the_same_signature(module: str) -> None:
    their_name, our_name, names = PAIRS[module]
    theirs, ours = _module(their_name), _module(our_name)
    names = names if names is not None else _public(theirs)
    assert set(names) <= set(dir(theirs)), "a listed name is not PyWebIO's"
    missing = {name for name in names if not hasattr(ours, name)}
    assert missing == set()
    for name in names:
        their_object, our_object = getattr(theirs, name), getattr(ours, name, None)
        if our_object is None or inspect.isclass(their_object) or not callable(their_object):
            continue
        assert _shape(our_object, their_object) == _shape(their_object), name


def test_the_modules_without_all_list_every_public_function_and_class() -> None:
    """The lists above are PyWebIO's module-level functions and classes, but for what is left out on purpose."""
    left_out = {"WebSocketConnection", "get_app_from_path"}
    for their_name, _, names in PAIRS.values():
        if names is None or their_name == "pywebio.platform":
            continue
        theirs = _module(their_name)
        public = {
            name
            for name, value in vars(theirs).items()
            if not name.startswith("_")
            and (inspect.isfunction(value) or inspect.isclass(value))
            and value.__module__ == their_name
        }
        assert public - left_out <= set(names), their_name
