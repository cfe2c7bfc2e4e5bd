"""The layers, enforced: Python imports by import-linter, templates' URL names here.

One order for both, the import-linter layers contract in ``pyproject.toml`` (``shaoguan`` on
top, then ``portal`` > ``rankings`` > ``orders`` > ``reporting`` > ``grids`` > ``notifications``
> ``accounts`` > ``core``). A template under ``templates/<app>/`` may name, in ``{% url %}``, only
URL names of its own app or of apps below it; a page that gathers several apps lives in
``portal``.

Who owns a URL name comes from the URL resolver, never from a list kept by hand: the first
component of the module of the view that serves it (for a model's admin page, the module of
its ``ModelAdmin``, so ``admin:orders_task_change`` belongs to ``orders``). Names served by
code outside the project (the admin site's own pages, DRF's and drf-spectacular's) are allowed
in every template: they are no layer of ours, and linking to them makes no app depend on
another.
"""

import subprocess
import sys
import tomllib
from collections import defaultdict
from pathlib import Path

import pytest
from django.apps import apps
from django.conf import settings
from django.template.base import Lexer, TokenType
from django.urls import URLPattern, URLResolver, get_resolver

ROOT = Path(__file__).resolve().parent.parent
TEMPLATES = ROOT / "templates"
PYPROJECT = ROOT / "pyproject.toml"


def _importlinter() -> dict:
    return tomllib.loads(PYPROJECT.read_text("utf-8"))["tool"]["importlinter"]


def layer_order() -> list[str]:
    """The layers contract's order, top first (``shaoguan``, ``portal``, … ``core``)."""
    (contract,) = [c for c in _importlinter()["contracts"] if c["type"] == "layers"]
    return list(contract["layers"])


LAYERS = layer_order()
RANK = {app: i for i, app in enumerate(LAYERS)}  # a larger rank sits lower


# --- who owns each URL name ------------------------------------------------------------------


def _owner(callback) -> str:
    model_admin = getattr(callback, "model_admin", None)
    module = type(model_admin).__module__ if model_admin is not None else callback.__module__
    return module.split(".")[0]


def _walk(patterns, namespaces: tuple[str, ...] = ()):
    for entry in patterns:
        if isinstance(entry, URLResolver):
            inner = (*namespaces, entry.namespace) if entry.namespace else namespaces
            yield from _walk(entry.url_patterns, inner)
        elif isinstance(entry, URLPattern) and entry.name:
            yield ":".join((*namespaces, entry.name)), _owner(entry.callback)


def url_name_owners() -> dict[str, set[str]]:
    """Every URL name the project serves → the top-level packages of the code serving it."""
    owners: dict[str, set[str]] = defaultdict(set)
    for name, owner in _walk(get_resolver().url_patterns):
        owners[name].add(owner)
    return dict(owners)


# --- what each template names ----------------------------------------------------------------


def url_names_in(source: str) -> list[tuple[int, str]]:
    """``(line, name)`` for every ``{% url %}`` tag outside comments; a name that is a variable
    (not a quoted literal) comes back as it is written, unquoted, so the check can refuse it."""
    found, in_comment = [], False
    for token in Lexer(source).tokenize():
        if token.token_type != TokenType.BLOCK:
            continue
        bits = token.split_contents()
        if bits[0] == "comment":
            in_comment = True
        elif bits[0] == "endcomment":
            in_comment = False
        elif bits[0] == "url" and not in_comment and len(bits) > 1:
            found.append((token.lineno, bits[1]))
    return found


def offences(owners: dict[str, set[str]] | None = None, root: Path = TEMPLATES) -> list[str]:
    """``"templates/<app>/<file>:<line>: <why>"`` for every URL name a template may not use."""
    owners = url_name_owners() if owners is None else owners
    others = {c.label for c in apps.get_app_configs()} - set(LAYERS)
    out = []
    for path in sorted(root.rglob("*.html")):
        where = path.relative_to(root.parent)
        parts = path.relative_to(root).parts
        app = parts[0] if len(parts) > 1 else ""
        if app in others:
            continue  # overrides an installed package's templates (admin/…), outside the layers
        if app not in RANK or app == LAYERS[0]:
            out.append(f"{where}: lies outside templates/<app>/ of an app in the layers (portal for the whole site)")
            continue
        for line, written in url_names_in(path.read_text("utf-8")):
            if written[:1] not in "'\"" or written[-1:] != written[:1]:
                out.append(f"{where}:{line}: URL name {written} is a variable; name it literally")
                continue
            name = written[1:-1]
            if name not in owners:
                out.append(f"{where}:{line}: {name!r} is no URL name of the project")
                continue
            above = sorted(o for o in owners[name] if o in RANK and RANK[o] < RANK[app])
            if above:
                out.append(f"{where}:{line}: {name!r} belongs to {', '.join(above)}, above {app}")
    return out


# --- the checks ------------------------------------------------------------------------------


def test_templates_name_only_their_own_apps_urls_or_those_below():
    found = offences()
    assert not found, "A template names URL names above its app:\n" + "\n".join(found)


def test_every_project_app_is_in_the_layers_contract():
    project = {c.name for c in apps.get_app_configs() if (ROOT / c.name).is_dir() and "." not in c.name}
    assert project <= set(LAYERS), f"apps missing from the layers contract: {sorted(project - set(LAYERS))}"
    assert set(_importlinter()["root_packages"]) == set(LAYERS)
    (forbidden,) = [c for c in _importlinter()["contracts"] if c["type"] == "forbidden"]
    assert set(forbidden["forbidden_modules"]) == set(LAYERS) - {"shaoguan"}


def test_import_linter_contracts_are_kept():
    # Also a step of ``make test``; here too so that pytest alone keeps the layers (≈0.3 s).
    lint_imports = Path(sys.executable).with_name("lint-imports")
    run = subprocess.run([str(lint_imports)], cwd=ROOT, capture_output=True, text=True, timeout=120)
    assert run.returncode == 0, run.stdout + run.stderr


# --- the check itself ------------------------------------------------------------------------


def test_owners_come_from_the_views_modules():
    owners = url_name_owners()
    assert owners["portal:home"] == {"portal"} and owners["portal:profile"] == {"portal"}
    assert owners["grids:browser"] == {"grids"}
    assert owners["accounts:login"] == {"accounts"}
    assert owners["me"] == {"portal"}  # the API's me/
    assert owners["admin:index"] == {"django"}
    assert owners["admin:grids_community_change"] == {"grids"}
    assert owners["schema"] == {"drf_spectacular"}


def test_url_tags_are_found_with_their_lines_outside_comments():
    source = (
        "{% extends 'portal/base.html' %}\n"
        '<a href="{% url "grids:grid" grid.pk %}">\n'
        "{# {% url 'portal:home' %} #}{% comment %}\n{% url 'orders:work' %}\n{% endcomment %}\n"
        "{% url 'tasks' as link %}{% url next_page %}\n"
    )
    assert url_names_in(source) == [(2, '"grids:grid"'), (6, "'tasks'"), (6, "next_page")]


@pytest.mark.parametrize(
    "app, name, allowed",
    [
        ("grids", "grids:browser", True),
        ("grids", "accounts:login", True),
        ("grids", "portal:home", False),
        ("grids", "admin:index", True),
        ("grids", "admin:orders_task_changelist", False),
        ("reporting", "orders:work", False),
        ("orders", "boards", False),
        ("portal", "boards", True),
        ("portal", "schema", True),
        ("grids", "no_such_name", False),
    ],
)
def test_offences_follow_the_layer_order(tmp_path, app, name, allowed):
    root = tmp_path / "templates"
    (root / app).mkdir(parents=True)
    (root / app / "page.html").write_text(f"<p>\n{{% url '{name}' %}}</p>", "utf-8")
    found = offences(root=root)
    assert (found == []) is allowed, found
    if not allowed:
        assert found[0].startswith(f"templates/{app}/page.html:2: '{name}'")


def test_templates_outside_an_app_are_offences(tmp_path):
    root = tmp_path / "templates"
    root.mkdir()
    (root / "base.html").write_text("<p></p>", "utf-8")
    (root / "shaoguan").mkdir()
    (root / "shaoguan" / "page.html").write_text("<p></p>", "utf-8")
    (root / "admin").mkdir()
    (root / "admin" / "base_site.html").write_text("{% url 'portal:home' %}", "utf-8")
    found = offences(owners={}, root=root)
    assert [line.split(":")[0] for line in found] == ["templates/base.html", "templates/shaoguan/page.html"]


def test_settings_template_dir_is_the_one_checked():
    assert Path(settings.TEMPLATES[0]["DIRS"][0]).resolve() == TEMPLATES
