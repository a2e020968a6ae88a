"""The package's layers point one way: the session layer at the bottom, and no two modules import each other.

The graph is built from the source with ``ast``, counting every ``import`` wherever it stands (inside a function
too: a late import still ties two modules together).
"""

from __future__ import annotations

import ast
from pathlib import Path

import jupyter_session

PACKAGE = Path(jupyter_session.__file__).parent
NAME = "jupyter_session"


def _module_name(path: Path) -> str:
    parts = list(path.relative_to(PACKAGE.parent).with_suffix("").parts)
    if parts[-1] == "__init__":
        parts.pop()
    return ".".join(parts)


def _modules() -> dict[str, Path]:
    return {_module_name(path): path for path in PACKAGE.rglob("*.py")}


def _imports(name: str, path: Path, modules: dict[str, Path]) -> set[str]:
    """The package modules that ``name`` imports."""
    is_package = path.name == "__init__.py"
    found: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text(), str(path))):
        if isinstance(node, ast.Import):
            targets = [alias.name for alias in node.names]
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                base = name.split(".") if is_package else name.split(".")[:-1]
                base = base[: len(base) - (node.level - 1)]
                origin = ".".join(base + ([node.module] if node.module else []))
            else:
                origin = node.module or ""
            # `from pkg import sub` imports the submodule when there is one, else a name of the package.
            targets = [
                f"{origin}.{alias.name}" if f"{origin}.{alias.name}" in modules else origin for alias in node.names
            ]
        else:
            continue
        found.update(target for target in targets if target in modules and target != name)
    return found


def _graph() -> dict[str, set[str]]:
    modules = _modules()
    return {name: _imports(name, path, modules) for name, path in modules.items()}


def test_the_graph_sees_the_imports_it_should() -> None:
    graph = _graph()
    assert "jupyter_session.session.base" in graph["jupyter_session.session.threadbased"]
    assert "jupyter_session.session" in graph["jupyter_session.output"] or any(
        target.startswith("jupyter_session._output") for target in graph["jupyter_session.output"]
    )
    assert "jupyter_session.platform" in graph[NAME]  # a late import inside a function is seen


def test_the_session_layer_imports_nothing_above_it() -> None:
    above = (
        "jupyter_session.output",
        "jupyter_session._output",
        "jupyter_session.platform",
        "jupyter_session.pin",
        "jupyter_session.input",
    )
    offending = {
        (module, target)
        for module, targets in _graph().items()
        if module == "jupyter_session.session" or module.startswith("jupyter_session.session.")
        for target in targets
        if target == NAME or target.startswith(above)
    }
    assert not offending, f"the session layer imports upward: {sorted(offending)}"


def test_no_two_modules_import_each_other_directly_or_in_a_circle() -> None:
    graph = _graph()
    circles = _circles(graph)
    assert not circles, "import circles: " + "; ".join(" -> ".join([*circle, circle[0]]) for circle in circles)


def _circles(graph: dict[str, set[str]]) -> list[list[str]]:
    """The strongly connected components of more than one module (Tarjan's algorithm)."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    found: list[list[str]] = []

    def visit(node: str) -> None:
        index[node] = low[node] = len(index)
        stack.append(node)
        on_stack.add(node)
        for target in sorted(graph[node]):
            if target not in index:
                visit(target)
                low[node] = min(low[node], low[target])
            elif target in on_stack:
                low[node] = min(low[node], index[target])
        if low[node] == index[node]:
            component = []
            while True:
                member = stack.pop()
                on_stack.discard(member)
                component.append(member)
                if member == node:
                    break
            if len(component) > 1:
                found.append(sorted(component))

    for node in sorted(graph):
        if node not in index:
            visit(node)
    return found


def test_the_circle_finder_finds_a_circle() -> None:
    assert _circles({"a": {"b"}, "b": {"c"}, "c": {"a"}, "d": {"a"}}) == [["a", "b", "c"]]
    assert _circles({"a": {"b"}, "b": set()}) == []


def test_no_module_is_over_500_lines() -> None:
    long = {name: n for name, path in _modules().items() if (n := len(path.read_text().splitlines())) > 500}
    assert not long, f"modules over 500 lines (split them by concern): {long}"
