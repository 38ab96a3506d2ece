"""No import cycle among the project's modules, and imports point one way: ui -> qa -> index.

Read statically (ast, nothing imported): every `import` and `from ... import` of a project
module, at any depth (a function's lazy import counts: it is a cycle waiting for a caller),
except those under `if TYPE_CHECKING:`, which never run. `from index import kinds` is an
edge to index.kinds; a package's own __init__ is not counted as imported by its submodules.
"""

from __future__ import annotations

import ast
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PACKAGES = ("index", "qa", "ui")
LAYERS = {"index": 0, "qa": 1, "ui": 2}  # a module may import its own layer and those below


def modules() -> dict[str, Path]:
    found = {}
    for package in PACKAGES:
        for path in sorted((ROOT / package).rglob("*.py")):
            parts = list(path.relative_to(ROOT).with_suffix("").parts)
            if parts[-1] == "__init__":
                parts.pop()
            found[".".join(parts)] = path
    return found


def _imported(tree: ast.AST) -> list[str]:
    """Dotted names imported anywhere in `tree`, outside `if TYPE_CHECKING:` blocks."""
    names: list[str] = []
    stack = [tree]
    while stack:
        node = stack.pop()
        if isinstance(node, ast.If) and _is_type_checking(node.test):
            stack.extend(node.orelse)
            continue
        if isinstance(node, ast.Import):
            names += [alias.name for alias in node.names]
        elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
            # "from index import kinds" is index.kinds; "from index import update_index", index
            names += [f"{node.module}.{alias.name}" for alias in node.names]
        stack.extend(ast.iter_child_nodes(node))
    return names


def _is_type_checking(test: ast.expr) -> bool:
    return (isinstance(test, ast.Name) and test.id == "TYPE_CHECKING") or (
        isinstance(test, ast.Attribute) and test.attr == "TYPE_CHECKING")


def import_graph(found: dict[str, Path]) -> dict[str, set[str]]:
    """module -> the project modules it imports (the longest known prefix of each name)."""
    graph: dict[str, set[str]] = {}
    for module, path in found.items():
        edges: set[str] = set()
        names = _imported(ast.parse(path.read_text(encoding="utf-8"), str(path)))
        for name in names:
            while name and name not in found:
                name = name.rpartition(".")[0]
            if name and name != module:
                edges.add(name)
        graph[module] = edges
    return graph


def cycles(graph: dict[str, set[str]]) -> list[list[str]]:
    """The strongly connected components of more than one module (Tarjan), each sorted."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    found: list[list[str]] = []

    def visit(node: str) -> None:
        index[node] = low[node] = len(index)
        stack.append(node)
        on_stack.add(node)
        for other in sorted(graph[node]):
            if other not in index:
                visit(other)
                low[node] = min(low[node], low[other])
            elif other in on_stack:
                low[node] = min(low[node], index[other])
        if low[node] == index[node]:
            component = []
            while True:
                other = stack.pop()
                on_stack.discard(other)
                component.append(other)
                if other == node:
                    break
            if len(component) > 1:
                found.append(sorted(component))

    for node in sorted(graph):
        if node not in index:
            visit(node)
    return found


def _described(component: list[str], graph: dict[str, set[str]]) -> str:
    return "; ".join(f"{m} -> {', '.join(sorted(graph[m] & set(component)))}" for m in component)


def test_no_import_cycle():
    graph = import_graph(modules())
    assert len(graph) > 60 and {"index", "qa", "ui", "index.formats.pdf", "ui.web.app"} <= set(graph)
    found = cycles(graph)
    assert not found, "import cycles: " + " | ".join(_described(c, graph) for c in found)


def test_imports_point_one_way():
    graph = import_graph(modules())
    upward = sorted(f"{m} -> {o}" for m, edges in graph.items() for o in edges
                    if LAYERS[o.split(".")[0]] > LAYERS[m.split(".")[0]])
    assert upward == []


def test_the_check_finds_a_cycle(tmp_path):
    """The checker itself: a lazy import inside a function closes a cycle; a TYPE_CHECKING one does not."""
    package = tmp_path / "pkg"
    package.mkdir()
    (package / "__init__.py").write_text("")
    (package / "a.py").write_text("from pkg.b import f\n")
    (package / "b.py").write_text("def f():\n    from pkg import a\n")
    (package / "c.py").write_text("from typing import TYPE_CHECKING\nif TYPE_CHECKING:\n    from pkg import a\n")
    found = {"pkg": package / "__init__.py", **{f"pkg.{n}": package / f"{n}.py" for n in "abc"}}
    graph = import_graph(found)
    assert graph["pkg.c"] == set()
    assert cycles(graph) == [["pkg.a", "pkg.b"]]
