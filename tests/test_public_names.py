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


def _public(module: ModuleType) -> list[str]:
    return list(module.__all__)


def _module(name: str) -> ModuleType:
    # Not `import a.b.path_deploy`: the package's attribute of that name is the function, as in PyWebIO.
    return importlib.import_module(name)


def _shape(func: Any) -> list[tuple[str, Any, Any]]:
    def default(parameter: inspect.Parameter) -> Any:
        value = parameter.default
        if value is inspect.Parameter.empty:
            return "<required>"
        return None if any(value == empty and type(value) is type(empty) for empty in _EMPTY_DEFAULTS) else value

    return [(p.name, p.kind, default(p)) for p in inspect.signature(func).parameters.values()]


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
        assert _shape(our_object) == _shape(their_object), name


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
