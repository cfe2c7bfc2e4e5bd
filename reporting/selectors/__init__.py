"""Reads of the duty ledger: scoped record, check-in and visit lists; the year against the quota
is in ``reporting.selectors.quota`` (re-exported here)."""

from __future__ import annotations

from datetime import timedelta

from django.conf import settings
from django.db.models import Prefetch, QuerySet, Sum
from django.utils import timezone

from grids.models import Member
from grids.selectors.scope import scope_for
from reporting.models import CheckIn, LocationConsent, ServiceRecord, ServiceRecordEvent, Visit
from reporting.selectors.quota import (  # noqa: F401 - the year against the quota, read from here too
    QUARTERS,
    QuotaYear,
    quota_minutes_by_member,
    quota_year,
    unreported_members,
    with_counted_minutes,
)
from reporting.worktime import year_bounds


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


# The rule every record's minutes follow (reporting.services.checkins.checkout_create), said
# where minutes are shown beside the check-in and check-out times.
COUNTING_RULE = (
    "服务时长只计签到至签退之间、且在任务时间内的部分：任务开始前签到的，从任务开始时算起；"
    "任务结束后签退的，算到任务结束为止；不足 1 分钟的部分不计。"
)


def counted_note(record: ServiceRecord) -> str:
    """Why a record's minutes are fewer than its check-in to check-out: the part outside the
    task's time ("计时自任务开始 19:00 起", "计至任务结束 21:00 止"); empty when none was cut.
    Reads the record's check-in (``_records`` joins it)."""
    checkin = record.checkin if record.checkin_id else None
    if checkin is None:
        return ""
    said = []
    if checkin.opens_at > record.started_at:
        said.append(f"计时自任务开始 {timezone.localtime(checkin.opens_at):%H:%M} 起")
    if checkin.closes_at < record.ended_at:
        said.append(f"计至任务结束 {timezone.localtime(checkin.closes_at):%H:%M} 止")
    return "，".join(said)


def with_counted_notes(records) -> list[ServiceRecord]:
    """``records`` as a list, each with ``counted_note`` set (no query beyond the list's own)."""
    rows = list(records)
    for r in rows:
        r.counted_note = counted_note(r)
    return rows


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


def unreported_for(user, quarter: str) -> QuerySet[Member]:
    """Members in the user's scope (grid secretaries: their grid's) the rules apply to with no
    report-for-duty visit in ``quarter``, with their minutes toward the year's quota
    (``counted_minutes``), by community then name: one query."""
    members = unreported_members(quarter).filter(scope_for(user).q("community", "grid"))
    return (
        with_counted_minutes(members, int(quarter[:4]))
        .select_related("user", "community", "unit")
        .order_by("community__name", "user__name", "pk")
    )


def visits_visible_to(user) -> QuerySet[Visit]:
    """``visits_for`` and the visits of the members of the units the user's unit posts cover."""
    scope = scope_for(user)
    if scope.city or not scope.leads_units:
        return visits_for(user)
    return Visit.objects.select_related("member__user", "community").filter(
        scope.q("community", "member__grid") | scope.unit_q("member")
    )


def confirmed_minutes_by_member(member_ids, year: int) -> dict[int, int]:
    """Every confirmed minute in ``year`` per member (全部时长, working hours included: a team's
    hours, as the boards count them; the quota's part is ``quota_minutes_by_member``), in one
    GROUP BY query; members with none are absent."""
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
