"""The cockpit page (数据驾驶舱): desktop-first. The line and bar charts are SVG drawn here
(``rankings.cockpit.charts``); the map, the donut and the gauges are drawn in the browser from the
figures embedded in the page, once scrolled to.
"""

from __future__ import annotations

from django.conf import settings
from django.contrib.auth.decorators import login_required
from django.shortcuts import render
from django.utils import timezone
from django.views.decorators.http import require_GET

from core.errors import DomainError, PermissionDenied
from grids.selectors.scope import scope_for
from rankings.cockpit import selectors
from rankings.cockpit.charts import cockpit_charts


def grouped(value: float | int | None, digits: int = 0) -> str:
    """12,345 / 1,234.5 — the tables' exact figures."""
    return "—" if value is None else f"{value:,.{digits}f}"


def in_wan(value: float | int) -> str:
    """Headline figures the way the article reports them: 6.01万, 137.0万; below 10,000 as is."""
    if value >= 100_000:
        return f"{value / 10_000:.1f}万"
    if value >= 10_000:
        return f"{value / 10_000:.2f}万"
    return grouped(value)


KPIS = [
    ("activities", "开展活动", "场"),
    ("participations", "参与人次", "人次"),
    ("hours", "全部时长", "小时"),
    ("counted_hours", "计入20小时的时长", "小时"),
    ("problems_solved", "解决群众问题", "件"),
    ("members_registered", "报到党员", "人"),
]
# What static/js/cockpit.js and cockpit-map.js read of the figures: the rest is on the page already.
BROWSER_KEYS = ("level", "path", "duties", "quota", "map")
COUNTS = ("activities", "participations", "requests_solved", "problems_solved", "members_registered")


def _shown(row: dict) -> dict:
    """A breakdown row with its figures formatted for the tables (``row.shown.hours``)."""
    shown = {k: grouped(row[k]) for k in COUNTS if k in row}
    shown["hours"] = grouped(row["hours"], 1)
    return dict(row, shown=shown)


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
        "kpis": [
            {
                "key": key,
                "label": label,
                "unit": unit,
                # Figures stored before a key existed lack it until the next nightly rebuild.
                "value": in_wan(data["totals"].get(key, 0)),
                "exact": grouped(data["totals"].get(key, 0)),
            }
            for key, label, unit in KPIS
        ]
        if data
        else [],
        "area_rows": [_shown(r) for r in data["areas"]["rows"]] if data else [],
        "duty_rows": [_shown(r) for r in data["duties"]] if data else [],
        "charts": cockpit_charts(data, request.GET.get("date", "")) if data else {},
        "browser_data": {k: data[k] for k in BROWSER_KEYS} if data else None,
        "path": path,
        "options": selectors.cockpit_scope_options(request.user),
        "asked_date": request.GET.get("date", ""),
        "shown_date": request.GET.get("date") or (figures.day.isoformat() if figures else ""),
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
