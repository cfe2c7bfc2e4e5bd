"""The assessment pages (考核表): a node's sheet with the sheets one level below it, drilling down
city → districts → streets → communities, and the units' sheets for city and district staff.
Tables become cards on phones (``.app-table``)."""

from __future__ import annotations

from urllib.parse import urlencode

from django.conf import settings
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_GET

from core.errors import DomainError
from grids.selectors.scope import scope_for
from rankings.assessment import access, selectors
from rankings.assessment.access import BELOW, Node
from rankings.assessment.periods import parse_period, period_choices

UNITS_PER_PAGE = 50
UNITS_PER_PAGE = 50
LABELS = {"city": "全市", "district": "区/县(市)", "street": "街道/镇", "community": "社区", "unit": "单位"}


def sheet_url(level: str, pk: int | None, period) -> str:
    """The page of a sheet, for the period shown."""
    if level == "city":
        url = reverse("assessment:city")
    else:
        url = reverse(f"assessment:{level}", args=[pk])
    return f"{url}?period={period.key}"


def _linked(rows: list[dict], period) -> list[dict]:
    return [dict(row, url=sheet_url(row["level"], row["id"], period)) for row in rows]


def _refused(request, exc: DomainError):
    return render(request, "rankings/assessment_denied.html", {"message": exc.message}, status=exc.status)


def _path(user, node: Node) -> list[dict]:
    """The breadcrumb above ``node``: each step linked where the viewer may open it."""
    scope = scope_for(user)
    steps = [{"level": "city", "pk": None, "name": "韶关市", "link": scope.city}]
    if node.level in ("street", "community"):
        in_district = scope.city or node.district_id in scope.district_ids
        steps.append({"level": "district", "pk": node.district_id, "name": node.district_name, "link": in_district})
        if node.level == "community":
            in_street = in_district or node.street_id in scope.street_ids
            steps.append({"level": "street", "pk": node.street_id, "name": node.street_name, "link": in_street})
    return steps if node.level != "city" else []


def _context(request, period, **extra) -> dict:
    return {
        "period": period,
        "choices": period_choices(),
        "labels": LABELS,
        "sees_units": not access.unit_scope(request.user).is_empty,
        "hours_rule": settings.QUOTA_HOURS_PER_YEAR,
        **extra,
    }


def _node_page(request, level: str, pk: int | None):
    try:
        period = parse_period(request.GET.get("period"))
        node = access.home_node(request.user) if level == "" else access.node_for(request.user, level, pk)
    except DomainError as exc:
        return _refused(request, exc)
    below = BELOW.get(node.level)
    children = selectors.child_sheets(request.user, node, period) if below else []
    if node.level == "city":
        sheet = selectors.total(children, node, period)
    else:
        sheet = selectors.node_sheet(node.level, node.pk, period)
    context = _context(
        request,
        period,
        node=node,
        sheet=sheet,
        below=below,
        node_label=LABELS[node.level],
        below_label=LABELS.get(below, ""),
        children=_linked(children, period),
        path=[dict(p, url=sheet_url(p["level"], p["pk"], period)) for p in _path(request.user, node)],
        units_district=node.pk if node.level == "district" else None,
        download_params=urlencode(
            {
                "node": node.level if node.pk is None else f"{node.level}:{node.pk}",
                "level": below or node.level,
                "period": period.key,
            }
        ),
    )
    return render(request, "rankings/assessment.html", context)


@login_required
@require_GET
def home(request):
    """The viewer's widest node: the city, a district, a street or a community; a unit's party
    organisation with no post on the tree, its unit's sheet."""
    scope = scope_for(request.user)
    if scope.is_empty and scope.leads_units:
        return redirect("assessment:unit", unit_id=min(scope.unit_ids))
    return _node_page(request, "", None)


@login_required
@require_GET
def city(request):
    return _node_page(request, "city", None)


@login_required
@require_GET
def district(request, district_id: int):
    return _node_page(request, "district", district_id)


@login_required
@require_GET
def street(request, street_id: int):
    return _node_page(request, "street", street_id)


@login_required
@require_GET
def community(request, community_id: int):
    return _node_page(request, "community", community_id)


@login_required
@require_GET
def units(request):
    """?district=<id> (default: every unit the viewer may assess), ?period=."""
    try:
        period = parse_period(request.GET.get("period"))
        access.unit_for_list(request.user)
        district_id = access.parse_id(request.GET.get("district"), "district")
        district = access.node_for(request.user, "district", district_id) if district_id else None
    except DomainError as exc:
        return _refused(request, exc)
    everywhere = selectors.unit_sheets(request.user, period)
    rows = [r for r in everywhere if district_id is None or r["parent_id"] == district_id]
    page = Paginator(rows, UNITS_PER_PAGE).get_page(request.GET.get("page"))
    # The districts to filter by: those of the units the viewer may assess (no query of its own).
    districts = sorted({(r["parent_id"], r["parent_name"]) for r in everywhere if r["parent_id"]})
    context = _context(
        request,
        period,
        district=district,
        districts=districts,
        count=len(rows),
        page=page,
        rows=_linked(list(page), period),
        download_params=urlencode(
            {"node": f"district:{district_id}" if district_id else "", "level": "unit", "period": period.key}
        ),
    )
    return render(request, "rankings/assessment_units.html", context)


@login_required
@require_GET
def unit(request, unit_id: int):
    try:
        period = parse_period(request.GET.get("period"))
        the_unit = access.unit_for(request.user, unit_id)
    except DomainError as exc:
        return _refused(request, exc)
    sheet = selectors.unit_sheet(the_unit, period)
    params = urlencode({"node": f"unit:{the_unit.pk}", "level": "unit", "period": period.key})
    return render(
        request, "rankings/assessment_unit.html", _context(request, period, sheet=sheet, download_params=params)
    )
