"""The cockpit page (数据驾驶舱): desktop-first, charts drawn in the browser from the figures
embedded in the page, so the first paint needs no second request.
"""

from __future__ import annotations

from django.conf import settings
from django.contrib.auth.decorators import login_required
from django.shortcuts import render
from django.utils import timezone
from django.views.decorators.http import require_GET

from grids.selectors import scope_for
from rankings.cockpit import selectors
from shaoguan.errors import DomainError, PermissionDenied


def _visible_keys(user, current: selectors.CockpitScope) -> set[str] | None:
    """Scope keys the viewer may open (None: all of them), to link the breadcrumb only where allowed."""
    scope = scope_for(user)
    if scope.city:
        return None
    keys = {f"district:{pk}" for pk in scope.district_ids} | {f"street:{pk}" for pk in scope.street_ids}
    return keys | {current.key}


def _render(request, scope, figures=None, error: DomainError | None = None):
    data = figures.data if figures else None
    visible = _visible_keys(request.user, scope) if scope else set()
    path = []
    if data:
        path = [dict(p, link=visible is None or p["scope"] in visible) for p in data["path"]]
    context = {
        "scope": scope,
        "figures": figures,
        "data": data,
        "path": path,
        "options": selectors.cockpit_scope_options(request.user),
        "asked_date": request.GET.get("date", ""),
        "today": timezone.localdate(),
        "tile_url": getattr(settings, "COCKPIT_TILE_URL", ""),
        "error": error.message if error else "",
    }
    return render(request, "rankings/cockpit.html", context, status=error.status if error else 200)


@login_required
@require_GET
def cockpit(request):
    """?scope=city|district:<id>|street:<id> (default the widest the viewer holds), ?date=YYYY-MM-DD."""
    try:
        scope = selectors.cockpit_scope_for(request.user, request.GET.get("scope"))
    except PermissionDenied as exc:
        if not selectors.may_use_cockpit(request.user):
            return render(request, "rankings/cockpit_denied.html", {"message": exc.message}, status=403)
        return _render(request, None, error=exc)
    except DomainError as exc:
        return _render(request, None, error=exc)
    try:
        day = selectors.parse_day(request.GET.get("date"))
        figures = selectors.cockpit_figures(scope, day=day)
    except DomainError as exc:
        return _render(request, scope, error=exc)
    return _render(request, scope, figures)
