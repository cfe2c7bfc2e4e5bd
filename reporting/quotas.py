"""Quota progress of many members at once, and who of a unit is behind.

``quota_years`` gives the same ``QuotaYear`` as ``reporting.selectors.quota_year`` for a whole
list of members in a fixed number of queries; ``unit_members_behind`` is the one answer to
"which members of this unit are behind on the quota" — for the unit's party organisation's
pages and API, and for anything that reminds them.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date

from django.conf import settings
from django.db.models import Q, Sum
from django.utils import timezone

from grids.models import Member, Unit
from grids.selectors.scope import unit_members
from reporting.models import ServiceRecord, Visit
from reporting.selectors.quota import QUARTERS, QuotaYear, days_in_year, days_over
from reporting.workdays import quota_minutes_of_rows
from reporting.worktime import quarter_of, year_bounds

CONFIRMED, PENDING = ServiceRecord.Status.CONFIRMED, ServiceRecord.Status.PENDING


def quota_years(
    member_ids: Iterable[int],
    year: int | None = None,
    *,
    today: date | None = None,
    between: tuple[int, int] | None = None,
) -> dict[int, QuotaYear]:
    """``QuotaYear`` per member id (every id given, also those with no record): three queries
    (sums per member, the confirmed records still without stored quota minutes, the quarters
    visited) and a fourth for the working-day overrides only when such records exist.

    ``between`` (lowest, highest), when every id lies in it, reads the range instead of the list:
    for a page of thousands of dense ids (a download) a range is one index condition where the
    list is thousands of parameters to bind and match; rows of ids not asked for are ignored."""
    ids = list(member_ids)
    today = today or timezone.localdate()
    year = year or today.year
    if not ids:
        return {}
    start, end = year_bounds(year)
    members = Q(member_id__gte=between[0], member_id__lte=between[1]) if between else Q(member_id__in=ids)
    in_year = ServiceRecord.objects.filter(members, started_at__gte=start, started_at__lt=end)
    sums = {
        row["member_id"]: row
        for row in in_year.order_by()
        .values("member_id")
        .annotate(
            confirmed=Sum("minutes", filter=Q(status=CONFIRMED)),
            counted=Sum("quota_minutes", filter=Q(status=CONFIRMED)),
            pending=Sum("reported_minutes", filter=Q(status=PENDING)),
        )
    }
    missing = list(
        in_year.filter(status=CONFIRMED, quota_minutes__isnull=True)
        .order_by()
        .values_list("member_id", "started_at", "ended_at", "minutes")
    )
    extra: dict[int, int] = defaultdict(int)
    for (member_id, *_), minutes in zip(missing, quota_minutes_of_rows(r[1:] for r in missing), strict=True):
        extra[member_id] += minutes
    visited: dict[int, set[str]] = defaultdict(set)
    for member_id, quarter in (
        Visit.objects.filter(members, quarter__startswith=f"{year}Q")
        .order_by()
        .values_list("member_id", "quarter")
        .distinct()
    ):
        visited[member_id].add(quarter)
    current = quarter_of(today)
    over = [q for q in QUARTERS if f"{year}{q}" < current]
    over_days, year_days = days_over(year, today), days_in_year(year)
    keys = [(q, f"{year}{q}") for q in QUARTERS]
    this_quarter = current[4:] if current[:4] == str(year) else ""
    quota_hours, nothing, none_visited = settings.QUOTA_HOURS_PER_YEAR, {}, frozenset()
    result = {}
    for member_id in ids:
        row = sums.get(member_id, nothing)
        seen = visited.get(member_id, none_visited)
        visits = {q: key in seen for q, key in keys}
        result[member_id] = QuotaYear(
            year=year,
            quota_hours=quota_hours,
            confirmed_minutes=row.get("confirmed") or 0,
            counted_minutes=(row.get("counted") or 0) + extra.get(member_id, 0),
            pending_minutes=row.get("pending") or 0,
            days_over=over_days,
            days_in_year=year_days,
            visits=visits,
            quarters_behind=[q for q in over if not visits[q]],
            current_quarter=this_quarter,
        )
    return result


@dataclass(frozen=True)
class Behind:
    """A member behind on the year's rules, and how."""

    member: Member
    quota: QuotaYear
    hours_behind: bool  # fewer hours outside working hours than the year's pace asks by today
    no_visit_this_quarter: bool  # has not reported to a community this quarter

    @property
    def reasons(self) -> list[str]:
        out = []
        if self.hours_behind:
            out.append(
                f"时长落后：{self.quota.counted_hours:g}/{self.quota.quota_hours} 小时，按进度应满 {self.quota.expected_hours:g} 小时"
            )
        if self.no_visit_this_quarter:
            out.append("本季度未到社区报到")
        return out


def behind_of(member: Member, quota: QuotaYear) -> Behind | None:
    """How ``member`` is behind this year (hours off the pace, or no visit in the current
    quarter), or None when on track. Past years: hours short of the quota."""
    hours_behind = not quota.hours_on_pace
    no_visit = bool(quota.current_quarter) and not quota.visits.get(quota.current_quarter, False)
    if not (hours_behind or no_visit):
        return None
    return Behind(member=member, quota=quota, hours_behind=hours_behind, no_visit_this_quarter=no_visit)


def unit_members_behind(unit: Unit | int, *, year: int | None = None, today: date | None = None) -> list[Behind]:
    """The members of ``unit`` (wherever they serve) behind on the quota this year, by name:
    four queries whatever the unit's size (members, then ``quota_years``). The caller has
    checked that the viewer may see the unit (``grids.selectors.units.unit_get_for_viewer``);
    a job that reminds a unit's secretary calls it as it is."""
    members = list(unit_members(unit).order_by("user__name", "pk"))
    quotas = quota_years([m.pk for m in members], year, today=today)
    return [b for m in members if (b := behind_of(m, quotas[m.pk])) is not None]
