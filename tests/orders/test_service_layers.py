"""The orders services import each other one way only, and only at the top of a module.

Read from the source with ``ast``: an import inside a function hides a cycle from import-time
errors and from import-linter alike, so it is refused here too.
"""

import ast
from pathlib import Path

import orders.services

PACKAGE = "orders.services"
ROOT = Path(orders.services.__file__).parent


def _modules() -> dict[str, ast.Module]:
    return {f"{PACKAGE}.{p.stem}": ast.parse(p.read_text(), str(p)) for p in sorted(ROOT.glob("*.py"))}


def _imported(node: ast.AST) -> list[str]:
    """The modules an import statement names (``from orders.services import x`` names ``…x``)."""
    if isinstance(node, ast.Import):
        return [a.name for a in node.names]
    if isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
        return [node.module, *(f"{node.module}.{a.name}" for a in node.names)]
    return []


def _graph(modules: dict[str, ast.Module]) -> dict[str, set[str]]:
    graph = {}
    for name, tree in modules.items():
        graph[name] = {m for node in tree.body for m in _imported(node) if m in modules and m != name}
    return graph


def _cycle(graph: dict[str, set[str]]) -> list[str] | None:
    done: set[str] = set()

    def visit(name: str, path: list[str]) -> list[str] | None:
        if name in path:
            return [*path[path.index(name) :], name]
        if name in done:
            return None
        for target in sorted(graph[name]):
            found = visit(target, [*path, name])
            if found:
                return found
        done.add(name)
        return None

    for name in sorted(graph):
        found = visit(name, [])
        if found:
            return found
    return None


def test_the_service_modules_are_found():
    modules = _modules()
    assert {f"{PACKAGE}.{m}" for m in ("cascades", "common", "requests", "tasks", "escalations")} <= set(modules)


def test_no_function_level_imports_of_orders_modules():
    found = []
    for name, tree in _modules().items():
        for top in tree.body:
            for node in ast.walk(top):
                if node is top:
                    continue
                for module in _imported(node):
                    if module == "orders" or module.startswith("orders."):
                        found.append(f"{name}:{node.lineno} imports {module}")
    assert not found, found


def test_the_service_modules_import_each_other_without_a_cycle():
    assert _cycle(_graph(_modules())) is None


def test_cascades_sit_on_top_and_common_at_the_bottom():
    graph = _graph(_modules())
    assert not any(f"{PACKAGE}.cascades" in targets for targets in graph.values())
    assert graph[f"{PACKAGE}.common"] == set()


def test_the_cycle_finder_finds_a_cycle():
    assert _cycle({"a": {"b"}, "b": {"c"}, "c": {"a"}}) == ["a", "b", "c", "a"]
    assert _cycle({"a": {"b"}, "b": set()}) is None
