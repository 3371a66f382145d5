"""The write side's import graph has no cycle (issue 13).

Read from the AST: every `import` / `from ... import` at any depth (module level AND
inside functions: a circle held together by imports inside functions is still a
circle), each resolved to the ingest module it names. Importing `ingest.a.b` runs
`ingest/a/__init__.py` first, so a module also depends on the packages above what it
imports, except its own packages (already being imported when it runs).
"""

from __future__ import annotations

import ast
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
PACKAGE = "ingest"


def _module_name(path: Path) -> str:
    parts = path.relative_to(ROOT).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def _modules() -> dict[str, Path]:
    return {_module_name(p): p for p in sorted((ROOT / PACKAGE).rglob("*.py"))}


def _resolve(name: str, modules: dict[str, Path]) -> str | None:
    """The longest known module that `name` (a module or a module.attribute) starts with."""
    while name:
        if name in modules:
            return name
        name = name.rpartition(".")[0]
    return None


def _imported_names(tree: ast.AST, module: str, is_package: bool) -> set[str]:
    names: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            names.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:  # relative: from the module's package
                package = module if is_package else module.rpartition(".")[0]
                for _ in range(node.level - 1):
                    package = package.rpartition(".")[0]
                base = f"{package}.{base}".rstrip(".")
            names.add(base)
            names.update(f"{base}.{alias.name}" for alias in node.names)
    return names


def import_graph() -> dict[str, set[str]]:
    """ingest module -> the ingest modules it imports (at any depth) or runs by importing."""
    modules = _modules()
    graph: dict[str, set[str]] = {}
    for module, path in modules.items():
        tree = ast.parse(path.read_text(), filename=str(path))
        targets = set()
        own = {module.rsplit(".", n)[0] for n in range(module.count(".") + 1)}
        for name in _imported_names(tree, module, path.name == "__init__.py"):
            target = _resolve(name, modules)
            while target:  # the module and the packages above it
                if target not in own and target in modules:
                    targets.add(target)
                target = target.rpartition(".")[0]
        graph[module] = targets
    return graph


def find_cycle(graph: dict[str, set[str]]) -> list[str]:
    """One cycle as [a, b, ..., a], or [] when the graph is acyclic (depth-first search)."""
    state: dict[str, int] = {}  # 1 = on the current path, 2 = done
    path: list[str] = []

    def visit(node: str) -> list[str]:
        state[node] = 1
        path.append(node)
        for nxt in sorted(graph.get(node, ())):
            if state.get(nxt) == 1:
                return path[path.index(nxt) :] + [nxt]
            if nxt not in state and (cycle := visit(nxt)):
                return cycle
        path.pop()
        state[node] = 2
        return []

    for node in sorted(graph):
        if node not in state and (cycle := visit(node)):
            return cycle
    return []


def test_the_ingest_import_graph_has_no_cycle() -> None:
    graph = import_graph()
    assert len(graph) > 20
    # The loaders are reached from the importer (the graph is read, not empty).
    assert "ingest.loaders" in graph["ingest.importer"]
    cycle = find_cycle(graph)
    assert not cycle, "import cycle in ingest/: " + " -> ".join(cycle)


def test_function_level_imports_count() -> None:
    # The check sees an import inside a function: a circle through one is found.
    tree = ast.parse("def f():\n    from ingest.importer import import_file\n")
    assert "ingest.importer.import_file" in _imported_names(tree, "ingest.loaders", False)
    assert find_cycle({"a": {"b"}, "b": {"c"}, "c": {"a"}}) == ["a", "b", "c", "a"]
    assert find_cycle({"a": {"b"}, "b": {"c"}, "c": set()}) == []
