"""Reads of the cockpit: who may see which scope, and that scope's figures for a day.

The cockpit is for street, district and city staff (and superusers, who see the city). A street
officer sees their street; a district officer their district and any of its streets; city staff
the city and everything in it. The scopes come from ``grids.selectors.scope_for``, like every
other scoped read.

The figures of a scope are the latest precomputed row on or before the asked day — one query.
When a scope has no row at all yet (a fresh install, a street added since the last nightly run),
they are computed on the spot for that scope and kept in the cache for a few minutes.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.core.cache import cache
from django.db.models import Min
from django.utils import timezone

from core.errors import NotFound, PermissionDenied, ValidationFailed
from grids.models import District, Street
from grids.selectors.scope import scope_for
from orders.models import ServiceRequest, Task
from rankings.cockpit.figures import Area, collect
from rankings.cockpit.rollup import CITY_NAME, Rollup
from rankings.models import CockpitFigures
from reporting.models import ServiceRecord

LIVE_CACHE_SECONDS = 300
STAFF_ONLY = "数据驾驶舱仅向街道、区/县(市)和市级组织部门工作人员开放。"
OUTSIDE = "您只能查看本人管辖范围内的数据。"


@dataclass(frozen=True)
class CockpitScope:
    level: str  # "city" | "district" | "street"
    pk: int | None
    name: str
    district_id: int | None = None  # of a street

    @property
    def key(self) -> str:
        return "city" if self.level == "city" else f"{self.level}:{self.pk}"

    @property
    def area(self) -> Area:
        return Area(self.level, self.pk)


@dataclass(frozen=True)
class Figures:
    scope: CockpitScope
    day: dt.date  # the day the figures are counted up to
    data: dict
    built_at: dt.datetime | None  # None: computed on the spot, not yet by the nightly job

    @property
    def live(self) -> bool:
        return self.built_at is None


def may_use_cockpit(user) -> bool:
    scope = scope_for(user)
    return scope.city or bool(scope.district_ids or scope.street_ids)


def _parse_scope(value: str) -> tuple[str, int | None]:
    if value == "city":
        return "city", None
    level, _, raw = value.partition(":")
    if level in ("district", "street") and raw.isdigit() and len(raw) <= 18 and int(raw) > 0:
        return level, int(raw)
    raise ValidationFailed(
        "查看范围不正确：应为 city、district:<区/县(市)编号> 或 street:<街道/镇编号>。", code="bad_scope", field="scope"
    )


def _default_scope(user) -> str:
    """The viewer's widest scope: the city, else a district, else a street."""
    scope = scope_for(user)
    if scope.city:
        return "city"
    if scope.district_ids:
        return f"district:{min(scope.district_ids)}"
    return f"street:{min(scope.street_ids)}"


def cockpit_scope_for(user, value: str | None = None) -> CockpitScope:
    """The scope ``value`` ("city", "district:<id>", "street:<id>"; default the widest) if ``user`` may see it.

    Raises PermissionDenied for users without a street, district or city post, or for a scope
    outside theirs; NotFound for an unknown district or street; ValidationFailed for a malformed value.
    """
    if not may_use_cockpit(user):
        raise PermissionDenied(STAFF_ONLY, code="cockpit_staff_only")
    scope = scope_for(user)
    level, pk = _parse_scope((value or "").strip() or _default_scope(user))
    if level == "city":
        if not scope.city:
            raise PermissionDenied(OUTSIDE, code="outside_scope")
        return CockpitScope("city", None, CITY_NAME)
    if level == "district":
        row = District.objects.filter(pk=pk).values_list("name", flat=True).first()
        if row is None:
            raise NotFound("没有这个区/县(市)。", code="unknown_district")
        if not (scope.city or pk in scope.district_ids):
            raise PermissionDenied(OUTSIDE, code="outside_scope")
        return CockpitScope("district", pk, row)
    row = Street.objects.filter(pk=pk).values_list("name", "district_id").first()
    if row is None:
        raise NotFound("没有这个街道/镇。", code="unknown_street")
    name, district_id = row
    if not (scope.city or district_id in scope.district_ids or pk in scope.street_ids):
        raise PermissionDenied(OUTSIDE, code="outside_scope")
    return CockpitScope("street", pk, name, district_id)


def parse_day(value: str | None) -> dt.date:
    """The asked day (YYYY-MM-DD), today by default; never in the future."""
    today = timezone.localdate()
    if not value:
        return today
    try:
        day = dt.date.fromisoformat(value.strip())
    except ValueError:
        raise ValidationFailed("日期格式不正确，应为 YYYY-MM-DD，如 2026-11-25。", code="bad_date", field="date")
    if day > today:
        raise ValidationFailed(f"不能查看未来日期的数据：今天是 {today:%Y-%m-%d}。", code="future_date", field="date")
    return day


def cockpit_figures(scope: CockpitScope, *, day: dt.date) -> Figures:
    """The figures of ``scope`` as of ``day``: the latest precomputed row on or before it."""
    row = (
        CockpitFigures.objects.filter(scope=scope.key, day__lte=day)
        .order_by("-day")
        .values_list("day", "data", "built_at")
        .first()
    )
    if row is not None:
        return Figures(scope=scope, day=row[0], data=row[1], built_at=row[2])
    first = CockpitFigures.objects.filter(scope=scope.key).aggregate(first=Min("day"))["first"]
    if first is not None:
        raise NotFound(
            f"驾驶舱数据从 {first:%Y-%m-%d} 起每日生成，没有更早的数据，请选择 {first:%Y-%m-%d} 或之后的日期。",
            code="before_first_day",
        )
    return _computed(scope, day)


def _first_activity_day() -> dt.date | None:
    firsts = [
        Task.objects.aggregate(m=Min("created_at"))["m"],
        ServiceRecord.objects.aggregate(m=Min("started_at"))["m"],
        ServiceRequest.objects.aggregate(m=Min("created_at"))["m"],
    ]
    known = [timezone.localtime(m).date() for m in firsts if m is not None]
    return min(known) if known else None


def _computed(scope: CockpitScope, day: dt.date) -> Figures:
    key = f"cockpit:live:{scope.key}:{day.isoformat()}"
    data = cache.get(key)
    if data is None:
        first = _first_activity_day()
        if first is not None and day < first:
            raise NotFound(
                f"所选日期早于平台最早的数据（{first:%Y-%m-%d}），请选择之后的日期。", code="before_first_day"
            )
        data = Rollup(collect(day, scope.area)).scope_data(scope.level, scope.pk)
        cache.set(key, data, LIVE_CACHE_SECONDS)
    return Figures(scope=scope, day=day, data=data, built_at=None)


def cockpit_scope_options(user) -> list[dict]:
    """The scopes the viewer may switch to, for the page's selector: two queries at most."""
    scope = scope_for(user)
    options: list[dict] = []
    if scope.city:
        options.append({"scope": "city", "name": CITY_NAME, "streets": []})
        districts = District.objects.order_by("code")
        streets = Street.objects.order_by("name", "pk")
    else:
        districts = District.objects.filter(pk__in=scope.district_ids).order_by("code")
        streets = Street.objects.filter(district_id__in=scope.district_ids).order_by("name", "pk")
    by_district: dict[int, dict] = {}
    for pk, name in districts.values_list("pk", "name"):
        by_district[pk] = {"scope": f"district:{pk}", "name": name, "streets": []}
        options.append(by_district[pk])
    for pk, name, district_id in streets.values_list("pk", "name", "district_id"):
        if district_id in by_district:
            by_district[district_id]["streets"].append({"scope": f"street:{pk}", "name": name})
    if scope.street_ids and not scope.city:
        # Streets of a street officer outside their districts (if any) are listed on their own.
        listed = {int(s["scope"].split(":")[1]) for o in options for s in o["streets"]}
        extra = Street.objects.filter(pk__in=scope.street_ids - listed).order_by("name", "pk")
        rows = [{"scope": f"street:{pk}", "name": name} for pk, name in extra.values_list("pk", "name")]
        if rows:
            options.append({"scope": None, "name": "街道/镇", "streets": rows})
    return options
