"""The pages of a unit's party organisation: its workbench (工作台) and its member roster.

Phone first (WeUI cells and the responsive table), wide on a desktop. A unit outside the
viewer's posts is a 403 page saying so (a unit that does not exist, a 404 one); nothing is
written by these pages.
"""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.shortcuts import redirect, render
from django.views.decorators.http import require_safe

from core.errors import DomainError, NotFound
from core.pages import LIST_LIMIT
from grids.selectors.scope import units_led_by
from grids.selectors.units import unit_get_for_viewer
from rankings.units import selectors


def _refused(request, exc: DomainError):
    status = 404 if isinstance(exc, NotFound) else 403
    return render(request, "rankings/unit_denied.html", {"message": exc.message, "tab": "home"}, status=status)


@login_required
@require_safe
def my_unit(request):
    """The unit of the viewer's unit post (a chooser when they hold posts in several)."""
    units = list(units_led_by(request.user))
    if len(units) == 1:
        return redirect("units:home", unit_id=units[0].pk)
    if not units:
        return render(
            request,
            "rankings/unit_denied.html",
            {"message": "您没有单位党组织的职务。", "tab": "home"},
            status=403,
        )
    return render(request, "rankings/unit_choose.html", {"units": units, "tab": "home"})


@login_required
@require_safe
def unit_home(request, unit_id: int):
    try:
        unit = unit_get_for_viewer(unit_id=unit_id, viewer=request.user)
    except DomainError as exc:
        return _refused(request, exc)
    bench = selectors.unit_workbench(unit)
    return render(
        request,
        "rankings/unit_home.html",
        {"bench": bench, "unit": unit, "behind": bench.behind[:LIST_LIMIT], "tab": "home"},
    )


@login_required
@require_safe
def unit_members(request, unit_id: int):
    try:
        unit = unit_get_for_viewer(unit_id=unit_id, viewer=request.user)
    except DomainError as exc:
        return _refused(request, exc)
    shown = LIST_LIMIT * 5  # a unit's roster on one page; the API pages through any size
    members = list(selectors.unit_roster(unit)[:shown])
    rows = selectors.roster_rows(members)
    only_behind = request.GET.get("behind") == "1"
    if only_behind:
        rows = [r for r in rows if r.behind is not None]
    return render(
        request,
        "rankings/unit_members.html",
        {
            "unit": unit,
            "rows": rows,
            "only_behind": only_behind,
            "truncated": len(members) == shown,
            "shown": shown,
            "tab": "home",
        },
    )
