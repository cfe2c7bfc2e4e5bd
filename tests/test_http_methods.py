"""HTTP methods belong to HTTP: no viewset action or view method takes the name of one, and an
OPTIONS request to every API route is answered (never a 500).

An ``@action`` named ``options`` once replaced DRF's OPTIONS handler on the registrations
viewset: ``OPTIONS /api/v1/registrations/{id}/`` raised a TypeError, and ``OPTIONS
/api/v1/registrations/`` answered with a member's reachable communities instead of metadata.
"""

from __future__ import annotations

import re
import uuid

import pytest
from django.apps import apps
from django.urls import URLPattern, URLResolver, get_resolver, reverse
from django.urls.converters import UUIDConverter
from django.views import View

from tests.conftest import client_for
from tests.grids.factories import RegistrationFactory
from tests.orders.factories import AcceptanceFactory, EscalationFactory, ServiceRequestFactory
from tests.reporting.factories import ServiceRecordFactory, VisitFactory

PROJECT_APPS = ("core", "accounts", "notifications", "grids", "reporting", "orders", "rankings", "portal", "shaoguan")
HTTP_METHODS = frozenset(View.http_method_names)  # get, post, put, patch, delete, head, options, trace


def _walk(patterns, namespace="", prefix=""):
    """(URL name with namespaces, route text, pattern, group names of the pattern and its parents)."""
    for p in patterns:
        if isinstance(p, URLResolver):
            ns = f"{namespace}{p.namespace}:" if p.namespace else namespace
            yield from _walk(p.url_patterns, ns, prefix + str(p.pattern))
        elif isinstance(p, URLPattern):
            yield namespace, prefix + str(p.pattern), p


def _view_class(callback):
    """The class behind a URL's callback: a DRF viewset's ``cls``, or a class-based view's."""
    return getattr(callback, "cls", None) or getattr(callback, "view_class", None)


def _project_views():
    seen = {}
    for _, route, pattern in _walk(get_resolver().url_patterns):
        cls = _view_class(pattern.callback)
        module = (cls.__module__ if cls else pattern.callback.__module__).split(".")[0]
        if module in PROJECT_APPS:
            seen.setdefault(cls or pattern.callback, route)
    return seen


def test_the_walk_sees_the_api_and_the_pages():
    views = _project_views()
    names = {getattr(v, "__name__", "") for v in views}
    assert {"RegistrationViewSet", "RequestViewSet", "TaskViewSet"} <= names
    assert len(views) > 50


def test_no_action_or_view_method_shadows_an_http_method():
    offenders = []
    for view, route in _project_views().items():
        if not isinstance(view, type):
            continue  # a function view has no methods to shadow
        allowed = {m.lower() for m in getattr(view, "http_method_names", View.http_method_names)}
        extra = view.get_extra_actions() if hasattr(view, "get_extra_actions") else []
        for act in extra:
            if act.__name__ in HTTP_METHODS or act.__name__ in allowed:
                offenders.append(f"{view.__module__}.{view.__name__}.{act.__name__} (action at {route})")
        for name in HTTP_METHODS:
            handler = getattr(view, name, None)
            if handler is not None and hasattr(handler, "mapping"):  # an @action, not a handler
                offenders.append(f"{view.__module__}.{view.__name__}.{name} (action at {route})")
    assert not offenders, "these take an HTTP method's name: " + "; ".join(sorted(set(offenders)))


# --- OPTIONS on every API route ---------------------------------------------------------------

_NO_FORMAT = re.compile(r"\(\?P<format>")


def _model_for(basename: str):
    """The model a router basename names (``service-record`` → ServiceRecord), if any."""
    wanted = basename.replace("-", "").replace("_", "").lower()
    for model in apps.get_models():
        if model._meta.model_name == wanted and model._meta.app_label in PROJECT_APPS:
            return model
    return None


def _api_urls() -> list[str]:
    urls = {}
    for namespace, route, pattern in _walk(get_resolver().url_patterns):
        if not route.startswith("api/v1/") or _NO_FORMAT.search(route) or not pattern.name:
            continue
        params = list(pattern.pattern.regex.groupindex)
        kwargs = {}
        if params:
            model = _model_for(pattern.name.rsplit("-", 1)[0])
            existing = model.objects.order_by("pk").values_list("pk", flat=True).first() if model else None
            converters = pattern.pattern.converters
            kwargs = {
                # A route taking a UUID (a download job's) gets a well-formed one nobody has.
                p: str(existing or (uuid.UUID(int=1) if isinstance(converters.get(p), UUIDConverter) else 1))
                for p in params
            }
        urls[route] = reverse(f"{namespace}{pattern.name}", kwargs=kwargs)
    return sorted(set(urls.values()))


@pytest.fixture
def world(placed, secretary, community):
    """One row of each thing the API shows, so detail routes find an existing id."""
    RegistrationFactory(member=placed, community=community)
    AcceptanceFactory(task__community=community, member=placed)
    EscalationFactory(request=ServiceRequestFactory(community=community))
    ServiceRecordFactory(member=placed, community=community)
    VisitFactory(member=placed, community=community)


@pytest.mark.django_db
def test_every_api_route_answers_options(world, admin_user):
    urls = _api_urls()
    assert "/api/v1/registrations/options/" in urls and len(urls) > 60
    assert any(re.fullmatch(r"/api/v1/registrations/[1-9]\d*/", u) for u in urls)
    client = client_for(admin_user)
    failures = {}
    for url in urls:
        resp = client.options(url)
        if resp.status_code >= 500:
            failures[url] = resp.status_code
    assert not failures, failures


@pytest.mark.django_db
def test_options_on_a_registration_describes_the_endpoint(world, admin_user):
    from grids.models import Registration

    registration = Registration.objects.first()
    client = client_for(admin_user)
    detail = client.options(f"/api/v1/registrations/{registration.pk}/")
    assert detail.status_code == 200, detail.content[:200]
    assert detail.json()["name"]
    listing = client.options("/api/v1/registrations/")
    assert listing.status_code == 200 and "results" not in listing.json()
    # the path stays a contract: the reachable communities are still at options/
    assert reverse("registration-options") == "/api/v1/registrations/options/"
