"""The year against the article's rules, in one definition for every page, job and figure.

**Toward the 20-hour quota** counts only the confirmed minutes outside working hours
(``ServiceRecord.quota_minutes``, reporting.workdays); **all hours** are every confirmed minute.
Both are shown wherever hours are (我的, the hours page, the cockpit); whatever says whether a
member has met the quota or is on pace reads the first. A record counts in the Asia/Shanghai year
it started in.

**On pace** (hours): the minutes counted by today are at least the quota's share of the days of
the year over, today included — ``counted × days_in_year ≥ quota × 60 × days_over``, compared in
integers so that a page, the API and the weekly reminder agree to the minute. **Visits**: at least
one report-for-duty visit in every quarter; a quarter is *behind* once it is over without one,
and the weekly reminder also asks for the current quarter's visit while it is still missing.

Set reads (``quota_minutes_by_member``, ``members_to_remind``, the cockpit) sum the stored
``quota_minutes`` in the database: the confirming services store it, and the nightly jobs fill
the rows written in bulk (``quota_minutes_fill``) before they read. ``quota_year``, for one
member, computes what is not stored yet.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date

from django.conf import settings
from django.db.models import Exists, F, IntegerField, OuterRef, Q, QuerySet, Subquery, Sum, Value
from django.db.models.functions import Coalesce
from django.utils import timezone

from grids.models import Member
from reporting.models import ServiceRecord, Visit
from reporting.workdays import quota_minutes_of_rows
from reporting.worktime import quarter_of, year_bounds

QUARTERS = ("Q1", "Q2", "Q3", "Q4")


def days_in_year(year: int) -> int:
    return (date(year + 1, 1, 1) - date(year, 1, 1)).days


def days_over(year: int, today: date) -> int:
    """Days of ``year`` over by the end of ``today`` (today counted): 0 before it, all after it."""
    if today.year < year:
        return 0
    if today.year > year:
        return days_in_year(year)
    return (today - date(year, 1, 1)).days + 1


def quota_minutes_total() -> int:
    return settings.QUOTA_HOURS_PER_YEAR * 60


def on_pace(counted_minutes: int, year: int, today: date) -> bool:
    """Whether ``counted_minutes`` toward the quota keep the year's pace by the end of ``today``."""
    total = quota_minutes_total()
    return counted_minutes >= total or counted_minutes * days_in_year(year) >= total * days_over(year, today)


@dataclass(frozen=True)
class QuotaYear:
    """A member's year against the rules (see the module docstring)."""

    year: int
    quota_hours: int
    confirmed_minutes: int  # every confirmed minute of the year (全部时长)
    counted_minutes: int  # the part outside working hours: what counts toward the quota (计入20小时的时长)
    pending_minutes: int
    days_over: int  # days of the year over, today included
    days_in_year: int
    visits: dict[str, bool] = field(default_factory=dict)  # "Q1".."Q4" → visited that quarter
    quarters_behind: list[str] = field(default_factory=list)  # quarters over without a visit
    current_quarter: str = ""  # "Q1".."Q4" when ``year`` is this year, else ""

    @property
    def elapsed_share(self) -> float:
        return self.days_over / self.days_in_year

    @property
    def confirmed_hours(self) -> float:
        return round(self.confirmed_minutes / 60, 1)

    @property
    def counted_hours(self) -> float:
        return round(self.counted_minutes / 60, 1)

    @property
    def remaining_hours(self) -> float:
        return max(0.0, round(self.quota_hours - self.counted_minutes / 60, 1))

    @property
    def quota_met(self) -> bool:
        return self.counted_minutes >= self.quota_hours * 60

    @property
    def percent(self) -> int:
        return min(100, int(self.counted_minutes * 100 / (self.quota_hours * 60))) if self.quota_hours else 100

    @property
    def expected_hours(self) -> float:
        return round(self.quota_hours * self.elapsed_share, 1)

    @property
    def hours_on_pace(self) -> bool:
        total = self.quota_hours * 60
        return self.counted_minutes >= total or self.counted_minutes * self.days_in_year >= total * self.days_over

    @property
    def visits_on_pace(self) -> bool:
        return not self.quarters_behind

    @property
    def on_pace(self) -> bool:
        return self.hours_on_pace and self.visits_on_pace

    @property
    def quarters_visited(self) -> int:
        return sum(self.visits.values())

    @property
    def visited_this_quarter(self) -> bool | None:
        """None when ``year`` is not the current year."""
        return self.visits[self.current_quarter] if self.current_quarter else None


def quota_year(member: Member | int, year: int | None = None, *, today: date | None = None) -> QuotaYear:
    """A member's ``year`` (default: today's, Asia/Shanghai): two queries (the year's confirmed
    and pending records, the quarters visited), a third for the working-day overrides only when a
    confirmed record has no stored ``quota_minutes`` yet."""
    member_id = member if isinstance(member, int) else member.pk
    today = today or timezone.localdate()
    year = year or today.year
    start, end = year_bounds(year)
    rows = list(
        ServiceRecord.objects.filter(
            member_id=member_id,
            started_at__gte=start,
            started_at__lt=end,
            status__in=[ServiceRecord.Status.CONFIRMED, ServiceRecord.Status.PENDING],
        ).values_list("status", "started_at", "ended_at", "minutes", "reported_minutes", "quota_minutes")
    )
    confirmed = [r for r in rows if r[0] == ServiceRecord.Status.CONFIRMED]
    missing = [(s, e, m) for _, s, e, m, _, q in confirmed if q is None]
    counted = sum(q for *_, q in confirmed if q is not None) + sum(quota_minutes_of_rows(missing))
    visited = set(
        Visit.objects.filter(member_id=member_id, quarter__startswith=f"{year}Q")
        .values_list("quarter", flat=True)
        .distinct()
    )
    visits = {q: f"{year}{q}" in visited for q in QUARTERS}
    current = quarter_of(today)
    over = [q for q in QUARTERS if f"{year}{q}" < current]  # "2026Q1" < "2026Q3" < "2027Q1"
    return QuotaYear(
        year=year,
        quota_hours=settings.QUOTA_HOURS_PER_YEAR,
        confirmed_minutes=sum(r[3] for r in confirmed),
        counted_minutes=counted,
        pending_minutes=sum(r[4] for r in rows if r[0] == ServiceRecord.Status.PENDING),
        days_over=days_over(year, today),
        days_in_year=days_in_year(year),
        visits=visits,
        quarters_behind=[q for q in over if not visits[q]],
        current_quarter=current[4:] if current[:4] == str(year) else "",
    )


def counted_records(year: int, *, confirmed_before=None) -> QuerySet[ServiceRecord]:
    """The confirmed records of ``year`` (by start, Asia/Shanghai) whose ``quota_minutes`` count
    toward the quota; ``confirmed_before``: only those confirmed before that moment (a figure as
    of a past day)."""
    start, end = year_bounds(year)
    qs = ServiceRecord.objects.filter(status=ServiceRecord.Status.CONFIRMED, started_at__gte=start, started_at__lt=end)
    return qs.filter(confirmed_at__lt=confirmed_before) if confirmed_before is not None else qs


def quota_minutes_by_member(member_ids, year: int) -> dict[int, int]:
    """Minutes toward the quota in ``year`` per member, in one GROUP BY query; members with none are absent."""
    rows = (
        counted_records(year)
        .filter(member_id__in=list(member_ids))
        .order_by()
        .values("member_id")
        .annotate(total=Sum("quota_minutes"))
        .values_list("member_id", "total")
    )
    return {pk: total or 0 for pk, total in rows}


def quota_met_member_ids(year: int, *, confirmed_before=None) -> QuerySet:
    """A subquery of the ids of members with the year's quota met (``member_id`` values)."""
    return (
        counted_records(year, confirmed_before=confirmed_before)
        .order_by()
        .values("member_id")
        .annotate(total=Sum("quota_minutes"))
        .filter(total__gte=quota_minutes_total())
        .values("member_id")
    )


def quota_members() -> QuerySet[Member]:
    """Members the rules apply to: registered with a community (报到), with an active account, of
    the kinds in ``settings.QUOTA_MEMBER_KINDS`` (the article's 三八八 is for in-service members)."""
    return Member.objects.filter(
        community__isnull=False, user__is_active=True, kind__in=settings.QUOTA_MEMBER_KINDS
    ).order_by()


def with_counted_minutes(members: QuerySet[Member], year: int) -> QuerySet[Member]:
    """``members`` annotated with ``counted_minutes``, their minutes toward ``year``'s quota."""
    per_member = (
        counted_records(year)
        .filter(member_id=OuterRef("pk"))
        .order_by()
        .values("member_id")
        .annotate(total=Sum("quota_minutes"))
        .values("total")
    )
    return members.annotate(counted_minutes=Coalesce(Subquery(per_member, output_field=IntegerField()), Value(0)))


def visited_in(quarter: str):
    """``Exists`` of a report-for-duty visit of the outer member in ``quarter`` ("2026Q4")."""
    return Exists(Visit.objects.filter(member_id=OuterRef("pk"), quarter=quarter))


@dataclass(frozen=True)
class ReminderTarget:
    member_id: int
    user_id: int
    counted_minutes: int
    hours_behind: bool
    visit_missing: bool


def members_to_remind(today: date) -> list[ReminderTarget]:
    """Members behind the year's hours pace by the end of ``today``, or without a report-for-duty
    visit in ``today``'s quarter: one query, whatever the number of members."""
    year, total = today.year, quota_minutes_total()
    # counted × days_in_year < quota × days_over, in integers (see on_pace).
    target = total * days_over(year, today)
    qs = (
        with_counted_minutes(quota_members(), year)
        .annotate(visited=visited_in(quarter_of(today)), scaled=F("counted_minutes") * days_in_year(year))
        .filter(Q(scaled__lt=target, counted_minutes__lt=total) | Q(visited=False))
        .order_by("pk")
        .values_list("pk", "user_id", "counted_minutes", "visited")
    )
    return [
        ReminderTarget(
            member_id=pk,
            user_id=user_id,
            counted_minutes=counted,
            hours_behind=not on_pace(counted, year, today),
            visit_missing=not visited,
        )
        for pk, user_id, counted, visited in qs
    ]


def unreported_members(quarter: str) -> QuerySet[Member]:
    """Members the rules apply to with no report-for-duty visit in ``quarter`` ("2026Q4")."""
    return quota_members().annotate(visited=visited_in(quarter)).filter(visited=False)
