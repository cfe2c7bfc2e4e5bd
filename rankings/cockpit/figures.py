"""What the cockpit counts, per community, over one day's periods.

Every figure is first counted per community (the smallest unit a street, district or the city is
made of) in a handful of GROUP BY queries, then summed up to each scope in Python
(``rollup.py``): one pass over the ledger serves the city, its 10 districts and 101 streets.

The periods, for a day D (Asia/Shanghai):

* totals, per-duty and per-area figures: the calendar year up to the end of D (the year the
  article counts, and the year the boards and the 20-hour quota count);
* trends: the 26 ISO weeks ending with D's week;
* report-for-duty visits: D's quarter, up to D.

What each figure is:

* 开展活动 (activities): tasks completed by the end of D, by the day they started;
* 参与人次 (participations): confirmed service records (a member's completed service, confirmed by
  the end of D), by the day the service started; 服务时长: their minutes;
* 解决群众问题 (problems solved): requests resolved in the period and still resolved, confirmed,
  rated or closed, plus joint-meeting cases (联席会议) resolved in the period that did not come
  from a request — a request settled by the joint meeting is resolved with it and counts once;
* response time: from a solved request's submission to its resolution, in hours;
* 报到党员 (members registered): members who have reported to a community (their 报到社区),
  counted where they reported; quota compliance is the share of them with at least
  ``QUOTA_HOURS_PER_YEAR`` confirmed hours outside working hours this year (served anywhere; the
  quota's minutes, ``ServiceRecord.quota_minutes``, as the assessment sheets and the stars count
  them), and the share who reported for duty (到社区报到) this quarter.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta

from django.conf import settings
from django.db.models import Count, Q, Sum
from django.db.models.functions import TruncWeek

from grids.models import Community, District, Member, Street
from orders.models import Escalation, ServiceRequest, Task
from reporting.models import ServiceRecord, Visit
from reporting.worktime import SHANGHAI, day_bounds, quarter_of, year_bounds

TREND_WEEKS = 26
SOLVED = [
    ServiceRequest.Status.RESOLVED,
    ServiceRequest.Status.CONFIRMED,
    ServiceRequest.Status.RATED,
    ServiceRequest.Status.CLOSED,
]
# The per-community counters; every scope's figures are sums of these.
COUNTERS = ("activities", "participations", "minutes", "requests_solved", "escalations_solved")


@dataclass(frozen=True)
class Period:
    day: date
    start: datetime  # 1 January of the day's year, local midnight
    end: datetime  # the midnight after the day
    weeks: tuple[date, ...]  # the Mondays of the trend weeks, oldest first
    quarter: str

    @classmethod
    def of(cls, day: date) -> Period:
        start, _ = year_bounds(day.year)
        _, end = day_bounds(day)
        monday = day - timedelta(days=day.weekday())
        weeks = tuple(monday - timedelta(weeks=n) for n in range(TREND_WEEKS - 1, -1, -1))
        return cls(day=day, start=start, end=end, weeks=weeks, quarter=quarter_of(day))

    @property
    def trend_start(self) -> datetime:
        return day_bounds(self.weeks[0])[0]

    @property
    def earliest(self) -> datetime:
        """Where the reads begin: the year or the first trend week, whichever is earlier."""
        return min(self.start, self.trend_start)


@dataclass(frozen=True)
class Area:
    """Which communities to count: the whole city, one district or one street."""

    level: str = "city"  # "city" | "district" | "street"
    pk: int | None = None

    def q(self, community: str | None) -> Q:
        """A filter for a model whose path to its community is ``community`` (None: the community itself)."""
        if self.level == "city":
            return Q()
        prefix = "" if community is None else f"{community}__"
        if self.level == "district":
            return Q(**{f"{prefix}street__district_id": self.pk})
        return Q(**{f"{prefix}street_id": self.pk})


def _counters() -> dict[str, int]:
    return dict.fromkeys(COUNTERS, 0)


@dataclass
class CommunityFigures:
    """The counters of every community, the organisation they sit in, and the raw response times."""

    period: Period
    districts: dict[int, dict] = field(default_factory=dict)  # id → {name, code}
    streets: dict[int, dict] = field(default_factory=dict)  # id → {name, district_id}
    communities: dict[int, dict] = field(default_factory=dict)  # id → {name, street_id, lat, lng}
    year: dict[int, dict[str, int]] = field(default_factory=lambda: defaultdict(_counters))
    duty: dict[tuple[int, str], dict[str, int]] = field(default_factory=lambda: defaultdict(_counters))
    week: dict[tuple[int, date], dict[str, int]] = field(default_factory=lambda: defaultdict(_counters))
    # (community, duty) → response times in hours of the requests solved this year
    response_hours: dict[tuple[int, str], list[float]] = field(default_factory=lambda: defaultdict(list))
    # community → {"registered", "met_hours", "visited"}
    members: dict[int, dict[str, int]] = field(default_factory=dict)


def _monday(value: datetime | date) -> date:
    if isinstance(value, datetime):
        value = value.astimezone(SHANGHAI).date()
    return value - timedelta(days=value.weekday())


def collect(day: date, area: Area | None = None) -> CommunityFigures:
    """Count everything the cockpit shows for ``day``, per community of ``area`` (default: the city).

    Ten queries whatever the size of the city; the biggest reads the year's confirmed service
    records twice (by duty and by week), grouped in the database.
    """
    area = area or Area()
    period = Period.of(day)
    figures = CommunityFigures(period=period)
    _organisation(figures, area)
    _tasks(figures, area)
    _records(figures, area)
    _requests(figures, area)
    _escalations(figures, area)
    _members(figures, area)
    return figures


def _organisation(f: CommunityFigures, area: Area) -> None:
    if area.level == "city":
        districts = District.objects.all()
        streets = Street.objects.all()
    elif area.level == "district":
        districts = District.objects.filter(pk=area.pk)
        streets = Street.objects.filter(district_id=area.pk)
    else:
        districts = District.objects.filter(streets=area.pk)
        streets = Street.objects.filter(pk=area.pk)
    for pk, name, code in districts.order_by("code").values_list("pk", "name", "code"):
        f.districts[pk] = {"name": name, "code": code}
    for pk, name, district_id in streets.order_by("name", "pk").values_list("pk", "name", "district_id"):
        f.streets[pk] = {"name": name, "district_id": district_id}
    rows = (
        Community.objects.filter(area.q(None))
        .order_by("name", "pk")
        .values_list("pk", "name", "street_id", "lat", "lng", "kind")
    )
    for pk, name, street_id, lat, lng, kind in rows:
        f.communities[pk] = {"name": name, "street_id": street_id, "lat": lat, "lng": lng, "kind": kind}


def _tasks(f: CommunityFigures, area: Area) -> None:
    p = f.period
    done = Task.objects.filter(area.q("community"), status=Task.Status.COMPLETED, completed_at__lt=p.end)
    by_duty = (
        done.filter(starts_at__gte=p.start, starts_at__lt=p.end)
        .order_by()
        .values_list("community_id", "duty")
        .annotate(n=Count("pk"))
    )
    for cid, duty, n in by_duty:
        f.duty[cid, duty]["activities"] += n
        f.year[cid]["activities"] += n
    by_week = (
        done.filter(starts_at__gte=p.trend_start, starts_at__lt=p.end)
        .annotate(week=TruncWeek("starts_at", tzinfo=SHANGHAI))
        .order_by()
        .values_list("community_id", "week")
        .annotate(n=Count("pk"))
    )
    for cid, week, n in by_week:
        f.week[cid, _monday(week)]["activities"] += n


def _records(f: CommunityFigures, area: Area) -> None:
    p = f.period
    confirmed = ServiceRecord.objects.filter(
        area.q("community"), status=ServiceRecord.Status.CONFIRMED, confirmed_at__lt=p.end
    )
    by_duty = (
        confirmed.filter(started_at__gte=p.start, started_at__lt=p.end)
        .order_by()
        .values_list("community_id", "duty")
        .annotate(n=Count("pk"), m=Sum("minutes"))
    )
    for cid, duty, n, m in by_duty:
        for counters in (f.duty[cid, duty], f.year[cid]):
            counters["participations"] += n
            counters["minutes"] += m or 0
    by_week = (
        confirmed.filter(started_at__gte=p.trend_start, started_at__lt=p.end)
        .annotate(week=TruncWeek("started_at", tzinfo=SHANGHAI))
        .order_by()
        .values_list("community_id", "week")
        .annotate(n=Count("pk"), m=Sum("minutes"))
    )
    for cid, week, n, m in by_week:
        counters = f.week[cid, _monday(week)]
        counters["participations"] += n
        counters["minutes"] += m or 0


def _requests(f: CommunityFigures, area: Area) -> None:
    """Solved requests are few (11,390 a year in the whole city): read them and count here."""
    p = f.period
    rows = (
        ServiceRequest.objects.filter(
            area.q("community"), status__in=SOLVED, resolved_at__gte=p.earliest, resolved_at__lt=p.end
        )
        .order_by()
        .values_list("community_id", "duty", "created_at", "resolved_at")
    )
    trend_start = p.trend_start
    for cid, duty, created_at, resolved_at in rows:
        if resolved_at >= p.start:
            f.duty[cid, duty]["requests_solved"] += 1
            f.year[cid]["requests_solved"] += 1
            f.response_hours[cid, duty].append(max(0.0, (resolved_at - created_at).total_seconds() / 3600))
        if resolved_at >= trend_start:
            f.week[cid, _monday(resolved_at)]["requests_solved"] += 1


def _escalations(f: CommunityFigures, area: Area) -> None:
    p = f.period
    rows = (
        Escalation.objects.filter(
            area.q("community"),
            status=Escalation.Status.RESOLVED,
            request__isnull=True,
            resolved_at__gte=p.start,
            resolved_at__lt=p.end,
        )
        .order_by()
        .values_list("community_id")
        .annotate(n=Count("pk"))
    )
    for cid, n in rows:
        f.year[cid]["escalations_solved"] += n


def _members(f: CommunityFigures, area: Area) -> None:
    p = f.period
    quota_minutes = settings.QUOTA_HOURS_PER_YEAR * 60
    met_quota = (
        ServiceRecord.objects.filter(
            status=ServiceRecord.Status.CONFIRMED,
            confirmed_at__lt=p.end,
            started_at__gte=p.start,
            started_at__lt=p.end,
        )
        .order_by()
        .values("member_id")
        .annotate(total=Sum("quota_minutes"))
        .filter(total__gte=quota_minutes)
        .values("member_id")
    )
    visited = Visit.objects.filter(quarter=p.quarter, visited_on__lte=p.day).values("member_id")
    rows = (
        Member.objects.filter(area.q("community"), community__isnull=False, created_at__lt=p.end)
        .order_by()
        .values_list("community_id")
        .annotate(
            registered=Count("pk"),
            met=Count("pk", filter=Q(pk__in=met_quota)),
            visited=Count("pk", filter=Q(pk__in=visited)),
        )
    )
    for cid, registered, met, seen in rows:
        f.members[cid] = {"registered": registered, "met_hours": met, "visited": seen}
