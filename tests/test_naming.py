"""Names a newcomer can grep: a view, a service and a Celery task never share a name.

``request_confirm`` the page and ``request_confirm`` the service were two different functions with
one name; so were two ``deliver``s. This reads the source, so it also covers code no test imports.
"""

import ast
from collections import defaultdict
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
APPS = ["core", "accounts", "notifications", "grids", "reporting", "orders", "rankings", "portal"]


def _modules(layer: str) -> list[Path]:
    """``<app>/<layer>.py`` and every module of a ``<app>/<layer>/`` package (cockpit's too)."""
    found = []
    for app in APPS:
        for base in [ROOT / app, *(p for p in (ROOT / app).glob("*") if (p / "__init__.py").exists())]:
            found += [base / f"{layer}.py"] if (base / f"{layer}.py").exists() else []
            found += sorted((base / layer).glob("*.py")) if (base / layer).is_dir() else []
    return found


def _functions(path: Path) -> list[str]:
    tree = ast.parse(path.read_text(encoding="utf-8"))
    return [n.name for n in tree.body if isinstance(n, ast.FunctionDef | ast.AsyncFunctionDef)]


def _is_task(node: ast.FunctionDef) -> bool:
    for deco in node.decorator_list:
        target = deco.func if isinstance(deco, ast.Call) else deco
        name = target.attr if isinstance(target, ast.Attribute) else getattr(target, "id", "")
        if name in {"shared_task", "task"}:
            return True
    return False


def _public(names):
    return {n for n in names if not n.startswith("_")}


def _by_name(layer: str) -> dict[str, list[str]]:
    where = defaultdict(list)
    for path in _modules(layer):
        for name in _public(_functions(path)):
            where[name].append(str(path.relative_to(ROOT)))
    return where


def test_no_view_shares_a_name_with_a_service():
    views, services = _by_name("views"), _by_name("services")
    clashes = {name: views[name] + services[name] for name in views.keys() & services.keys()}
    assert not clashes, clashes


def test_celery_tasks_have_names_of_their_own():
    tasks = defaultdict(list)
    for path in _modules("tasks"):
        tree = ast.parse(path.read_text(encoding="utf-8"))
        for node in tree.body:
            if isinstance(node, ast.FunctionDef) and _is_task(node):
                tasks[node.name].append(str(path.relative_to(ROOT)))
    assert tasks, "no Celery task found: the scan is broken"
    twice = {name: paths for name, paths in tasks.items() if len(paths) > 1}
    assert not twice, twice
    others = {}
    for layer in ("services", "selectors", "views", "api"):
        for name, paths in _by_name(layer).items():
            if name in tasks:
                others[name] = tasks[name] + paths
    assert not others, others
