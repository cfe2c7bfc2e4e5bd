"""Reads of the duty ledger: quota progress, hours per member, scoped record lists."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, timedelta

from django.conf import settings
from django.db.models import Prefetch, Q, QuerySet, Sum
from django.utils import timezone

from grids.models import Member
from grids.selectors.scope import scope_for
from reporting.models import CheckIn, LocationConsent, ServiceRecord, ServiceRecordEvent, Visit
from reporting.workdays import quota_minutes_of_rows
from reporting.worktime import quarter_of, year_bounds

QUARTERS = ("Q1", "Q2", "Q3", "Q4")


@dataclass(frozen=True)
class QuotaProgress:
    """A member's year against the rules: 20 confirmed hours, a visit every quarter."""

    year: int
    confirmed_minutes: int
    pending_minutes: int
    quota_hours: int
    visits: dict[str, bool] = field(default_factory=dict)  # "Q1".."Q4" → visited that quarter
    quarters_missed: list[str] = field(default_factory=list)  # quarters already over without a visit

    @property
    def confirmed_hours(self) -> float:
        return round(self.confirmed_minutes / 60, 1)

    @property
    def remaining_hours(self) -> float:
        return max(0.0, round(self.quota_hours - self.confirmed_minutes / 60, 1))

    @property
    def quota_met(self) -> bool:
        return self.confirmed_minutes >= self.quota_hours * 60

    @property
    def percent(self) -> int:
        return min(100, int(self.confirmed_minutes * 100 / (self.quota_hours * 60))) if self.quota_hours else 100


def location_consent_notice() -> str:
    """What a member agrees to before location check-in (位置信息处理告知), with the retention
    period this deployment keeps raw coordinates for."""
    return (
        "为核实您到场服务，签到和签退时将获取您手机的当前位置（经纬度），仅用于判断是否在任务地点附近并计算服务时长。"
        f"位置信息在社区服务台账中保存，{settings.LOCATION_RETENTION_DAYS} 天后只保留到约 1 公里的精度。"
        "您可以随时在“我的服务时长”页面撤回同意；不同意不影响您接单，但无法通过定位签到。"
    )


def has_location_consent(member: Member) -> bool:
    return LocationConsent.objects.filter(member=member, revoked_at__isnull=True).exists()


def quota_progress(member: Member | int, year: int, *, today: date | None = None) -> QuotaProgress:
    """Two queries: minutes by status, and the quarters visited."""
    member_id = member if isinstance(member, int) else member.pk
    start, end = year_bounds(year)
    sums = ServiceRecord.objects.filter(member_id=member_id, started_at__gte=start, started_at__lt=end).aggregate(
        confirmed=Sum("minutes", filter=Q(status=ServiceRecord.Status.CONFIRMED)),
        pending=Sum("reported_minutes", filter=Q(status=ServiceRecord.Status.PENDING)),
    )
    visited = set(
        Visit.objects.filter(member_id=member_id, quarter__startswith=f"{year}Q")
        .values_list("quarter", flat=True)
        .distinct()
    )
    visits = {q: f"{year}{q}" in visited for q in QUARTERS}
    current = quarter_of(today or timezone.localdate())
    over = [q for q in QUARTERS if f"{year}{q}" < current]  # "2026Q1" < "2026Q3" < "2027Q1"
    return QuotaProgress(
        year=year,
        confirmed_minutes=sums["confirmed"] or 0,
        pending_minutes=sums["pending"] or 0,
        quota_hours=settings.QUOTA_HOURS_PER_YEAR,
        visits=visits,
        quarters_missed=[q for q in over if not visits[q]],
    )


@dataclass(frozen=True)
class QuotaYear:
    """A member's year against the article's rules: 20 hours outside working hours (only the
    minutes outside working time count, reporting.workdays), a visit every quarter; with the pace
    expected by today's share of the year."""

    year: int
    quota_hours: int
    confirmed_minutes: int  # every confirmed minute of the year
    counted_minutes: int  # the part of them outside working hours: what counts toward the quota
    pending_minutes: int
    elapsed_share: float  # 0..1: how much of the year is over (today counted as over)
    visits: dict[str, bool] = field(default_factory=dict)  # "Q1".."Q4" → visited that quarter
    quarters_behind: list[str] = field(default_factory=list)  # quarters over without a visit
    current_quarter: str = ""  # "Q1".."Q4" when ``year`` is this year, else ""

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
        return self.quota_met or self.counted_minutes >= self.quota_hours * 60 * self.elapsed_share

    @property
    def visits_on_pace(self) -> bool:
        return not self.quarters_behind

    @property
    def on_pace(self) -> bool:
        return self.hours_on_pace and self.visits_on_pace

    @property
    def quarters_visited(self) -> int:
        return sum(self.visits.values())


def _elapsed_share(year: int, today: date) -> float:
    if today.year < year:
        return 0.0
    if today.year > year:
        return 1.0
    days = (date(year + 1, 1, 1) - date(year, 1, 1)).days
    return (today - date(year, 1, 1)).days / days + 1 / days


def quota_year(member: Member | int, year: int | None = None, *, today: date | None = None) -> QuotaYear:
    """A member's ``year`` (default: today's; Asia/Shanghai; a record counts in the year it started): two queries
    (the year's confirmed and pending records, the quarters visited), a third for the working-day
    overrides only when a confirmed record has no stored ``quota_minutes`` yet."""
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
    over = [q for q in QUARTERS if f"{year}{q}" < current]
    return QuotaYear(
        year=year,
        quota_hours=settings.QUOTA_HOURS_PER_YEAR,
        confirmed_minutes=sum(r[3] for r in confirmed),
        counted_minutes=counted,
        pending_minutes=sum(r[4] for r in rows if r[0] == ServiceRecord.Status.PENDING),
        elapsed_share=_elapsed_share(year, today),
        visits=visits,
        quarters_behind=[q for q in over if not visits[q]],
        current_quarter=current[4:] if current[:4] == str(year) else "",
    )


def confirmed_minutes_by_member(member_ids, year: int) -> dict[int, int]:
    """Confirmed minutes in ``year`` per member, in one GROUP BY query; members with none are absent."""
    start, end = year_bounds(year)
    rows = (
        ServiceRecord.objects.filter(
            member_id__in=list(member_ids),
            status=ServiceRecord.Status.CONFIRMED,
            started_at__gte=start,
            started_at__lt=end,
        )
        .order_by()
        .values("member_id")
        .annotate(total=Sum("minutes"))
        .values_list("member_id", "total")
    )
    return dict(rows)


def _records() -> QuerySet[ServiceRecord]:
    return ServiceRecord.objects.select_related("member__user", "community__street", "confirmed_by", "checkin")


def records_for(user, *, status: str | None = None) -> QuerySet[ServiceRecord]:
    """Service records the user may see and confirm as staff (grid secretaries: their grid's members)."""
    qs = _records().filter(scope_for(user).q("community", "member__grid"))
    return qs.filter(status=status) if status else qs


def records_visible_to(user) -> QuerySet[ServiceRecord]:
    """``records_for`` and, to read only, the records of the members of the units whose party
    organisation the user is in (wherever they served)."""
    scope = scope_for(user)
    if scope.city or not scope.leads_units:  # the city's Q() would swallow an OR
        return records_for(user)
    return _records().filter(scope.q("community", "member__grid") | scope.unit_q("member"))


def records_of(member: Member) -> QuerySet[ServiceRecord]:
    """A member's own records, newest first."""
    return _records().filter(member=member)


def with_corrections(records: QuerySet[ServiceRecord]) -> QuerySet[ServiceRecord]:
    """``records`` with each one's corrections (events of kind ``corrected``: who, when, the
    minutes before and after in their fields and the reason in the note) as
    ``record.corrections``, oldest first; one more query whatever the number of records."""
    events = ServiceRecordEvent.objects.filter(kind="corrected").select_related("actor").order_by("created_at", "id")
    return records.prefetch_related(Prefetch("events", queryset=events, to_attr="corrections"))


def with_history(records: QuerySet[ServiceRecord]) -> QuerySet[ServiceRecord]:
    """``records`` with every change made to each after it was reported (confirmed, corrected,
    rejected, checked out by the system …: who, when, and the reason) as ``record.history``,
    oldest first; one more query whatever the number of records. What a member reads on their
    hours page: every change to their own records and who made it."""
    events = ServiceRecordEvent.objects.exclude(from_status="").select_related("actor").order_by("created_at", "id")
    return records.prefetch_related(Prefetch("events", queryset=events, to_attr="history"))


def recently_confirmed_for(user, *, days: int = 30) -> QuerySet[ServiceRecord]:
    """Records the user may see as staff, confirmed in the last ``days``, newest first: the ones
    a correction is still likely for."""
    since = timezone.now() - timedelta(days=days)
    return (
        records_for(user, status=ServiceRecord.Status.CONFIRMED)
        .filter(confirmed_at__gte=since)
        .order_by("-confirmed_at", "-pk")
    )


def visits_of(member: Member) -> QuerySet[Visit]:
    """A member's own report-for-duty visits, newest first."""
    return Visit.objects.filter(member=member).select_related("community").order_by("-visited_at")


def checkins_for(user) -> QuerySet[CheckIn]:
    return CheckIn.objects.select_related("member__user", "community", "grid").filter(
        scope_for(user).q("community", "grid")
    )


def visits_for(user) -> QuerySet[Visit]:
    return Visit.objects.select_related("member__user", "community").filter(
        scope_for(user).q("community", "member__grid")
    )


def visits_visible_to(user) -> QuerySet[Visit]:
    """``visits_for`` and the visits of the members of the units the user's unit posts cover."""
    scope = scope_for(user)
    if scope.city or not scope.leads_units:
        return visits_for(user)
    return Visit.objects.select_related("member__user", "community").filter(
        scope.q("community", "member__grid") | scope.unit_q("member")
    )
