"""The rows a unit's party organisation reads: each member's registration, year and stars."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date

from django.conf import settings
from django.utils import timezone

from grids.models import Member, Registration, Unit
from grids.selectors.scope import unit_members
from grids.selectors.units import unit_members_with_registration, unit_waiting_registrations
from rankings.selectors.stars import stars_by_member
from reporting.quotas import Behind, behind_of, quota_years, unit_members_behind
from reporting.selectors import QuotaYear


@dataclass(frozen=True)
class RosterRow:
    member: Member
    registration: Registration | None  # the active one: pending, placed or waiting for adjustment
    quota: QuotaYear
    behind: Behind | None
    stars: int | None  # None before the first nightly rating of the year

    @property
    def serves_in(self) -> str:
        """Where the member serves (or is registered to), for the list."""
        if self.member.community_id:
            return self.member.community.name
        if self.registration is not None and self.registration.community_id:
            return self.registration.community.name
        return ""


def roster_rows(members: Sequence[Member], *, year: int | None = None, today: date | None = None) -> list[RosterRow]:
    """Rows for ``members`` (from ``unit_roster``, registrations prefetched): two more queries
    for the quota sums and visits, one for the stars (a fourth only for records without stored
    quota minutes)."""
    today = today or timezone.localdate()
    year = year or today.year
    ids = [m.pk for m in members]
    quotas = quota_years(ids, year, today=today)
    stars = stars_by_member(ids, year)
    rows = []
    for m in members:
        quota = quotas[m.pk]
        active = getattr(m, "active_registrations", [])
        rows.append(
            RosterRow(
                member=m,
                registration=active[0] if active else None,
                quota=quota,
                behind=behind_of(m, quota),
                stars=stars.get(m.pk),
            )
        )
    return rows


def unit_roster(unit: Unit | int):
    """The unit's members by name with their active registration (a queryset to page through;
    turn a page into rows with ``roster_rows``)."""
    return unit_members_with_registration(unit)


@dataclass(frozen=True)
class Workbench:
    """A unit's home: who waits on a registration, who is behind, and the unit's totals."""

    unit: Unit
    waiting: list[Registration]  # the oldest ``WAITING_SHOWN``
    waiting_count: int
    behind: list[Behind]
    members: int
    year: int
    current_quarter: str

    @property
    def quota_hours(self) -> int:
        return settings.QUOTA_HOURS_PER_YEAR

    @property
    def quarter_label(self) -> str:
        return {"Q1": "第一季度", "Q2": "第二季度", "Q3": "第三季度", "Q4": "第四季度"}[self.current_quarter]

    @property
    def behind_hours(self) -> int:
        return sum(1 for b in self.behind if b.hours_behind)

    @property
    def behind_visits(self) -> int:
        return sum(1 for b in self.behind if b.no_visit_this_quarter)


WAITING_SHOWN = 100


def unit_workbench(unit: Unit, *, today: date | None = None) -> Workbench:
    """Everything the unit's home page shows, in a fixed number of queries."""
    today = today or timezone.localdate()
    waiting = unit_waiting_registrations(unit)
    behind = unit_members_behind(unit, today=today)
    members = unit_members(unit).count()
    quarter = f"Q{(today.month - 1) // 3 + 1}"
    return Workbench(
        unit=unit,
        waiting=list(waiting[:WAITING_SHOWN]),
        waiting_count=waiting.count(),
        behind=behind,
        members=members,
        year=today.year,
        current_quarter=quarter,
    )
