"""A small generated city with a year of activity, and an independent count of the cockpit's figures.

``build_city()`` makes it; the ``generated_city`` fixture (``conftest.py``) builds it once per test module (scale 0.01: 3 districts' worth of
streets and communities, ~600 members, ~600 tasks, ~5,000 service records) inside a transaction
that is rolled back when the module ends; each test runs in a savepoint inside it.

``expected(day, communities)`` recounts the headline figures with plain per-row Python over the
ORM — no GROUP BY, no shared code with ``rankings.cockpit.figures`` — to check the cockpit against.
"""

from __future__ import annotations

import datetime as dt
import itertools
import statistics
from io import StringIO

from django.conf import settings
from django.core.management import call_command
from django.db import connection
from django.utils import timezone

from grids.models import Community, District, Member, Street
from orders.models import Escalation, ServiceRequest, Task
from reporting.models import ServiceRecord, Visit
from tests.accounts.factories import UserFactory
from tests.grids.factories import PostFactory

SCALE = "0.01"
SOLVED = {"resolved", "confirmed", "rated", "closed"}
_phones = itertools.count(1)  # 199… numbers: the generated city never hands these out


def build_city() -> None:
    call_command("generate_city", "--scale", SCALE, "--seed", "1", "--quiet", stdout=StringIO())
    call_command("generate_activity", "--scale", SCALE, "--seed", "1", stdout=StringIO())
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")
            cursor.execute("SET CONSTRAINTS ALL DEFERRED")


def yesterday() -> dt.date:
    return timezone.localdate() - dt.timedelta(days=1)


def local_date(moment: dt.datetime) -> dt.date:
    return timezone.localtime(moment).date()


def staff(role: str, **node) -> object:
    """A user holding one post (city_staff, district_staff with district=, street_staff with street=…)."""
    user = UserFactory(phone=f"1990000{next(_phones):04d}")
    PostFactory(user=user, role=role, community=node.pop("community", None), **node)
    return user


def busiest_street() -> Street:
    """The street with the most confirmed service records (so its figures are not all zero)."""
    counts: dict[int, int] = {}
    for street_id in ServiceRecord.objects.filter(status="confirmed").values_list("community__street_id", flat=True):
        counts[street_id] = counts.get(street_id, 0) + 1
    return Street.objects.get(pk=max(counts, key=lambda k: (counts[k], -k)))


def communities_of(level: str, pk: int | None) -> set[int]:
    qs = Community.objects.all()
    if level == "district":
        qs = qs.filter(street__district_id=pk)
    elif level == "street":
        qs = qs.filter(street_id=pk)
    return set(qs.values_list("pk", flat=True))


def expected(day: dt.date, communities: set[int]) -> dict:
    """The headline figures of ``communities`` for ``day``, counted row by row."""
    year_start = dt.date(day.year, 1, 1)

    def in_year(moment) -> bool:
        return moment is not None and year_start <= local_date(moment) <= day

    activities = sum(
        1
        for t in Task.objects.filter(status="completed")
        if t.community_id in communities and in_year(t.starts_at) and local_date(t.completed_at) <= day
    )
    records = [
        r
        for r in ServiceRecord.objects.filter(status="confirmed")
        if r.community_id in communities and in_year(r.started_at) and local_date(r.confirmed_at) <= day
    ]
    solved = [
        r
        for r in ServiceRequest.objects.all()
        if r.community_id in communities and r.status in SOLVED and in_year(r.resolved_at)
    ]
    escalations = sum(
        1
        for e in Escalation.objects.filter(status="resolved")
        if e.community_id in communities and e.request_id is None and in_year(e.resolved_at)
    )
    members = [m for m in Member.objects.all() if m.community_id in communities and local_date(m.created_at) <= day]
    minutes_by_member: dict[int, int] = {}
    for r in ServiceRecord.objects.filter(status="confirmed"):
        if in_year(r.started_at) and local_date(r.confirmed_at) <= day:
            minutes_by_member[r.member_id] = minutes_by_member.get(r.member_id, 0) + (r.quota_minutes or 0)
    quarter = f"{day.year}Q{(day.month - 1) // 3 + 1}"
    visitors = {v.member_id for v in Visit.objects.all() if v.quarter == quarter and v.visited_on <= day}
    hours = sorted((r.resolved_at - r.created_at).total_seconds() / 3600 for r in solved)
    quota = settings.QUOTA_HOURS_PER_YEAR * 60
    return {
        "activities": activities,
        "participations": len(records),
        "hours": round(sum(r.minutes for r in records) / 60, 1),
        "requests_solved": len(solved),
        "problems_solved": len(solved) + escalations,
        "members_registered": len(members),
        "met_hours": sum(1 for m in members if minutes_by_member.get(m.pk, 0) >= quota),
        "visited": sum(1 for m in members if m.pk in visitors),
        "median_hours": round(statistics.median(hours), 1) if hours else None,
        "p90_hours": _p90(hours),
    }


def _p90(hours: list[float]) -> float | None:
    if len(hours) < 2:
        return round(hours[0], 1) if hours else None
    return round(statistics.quantiles(hours, n=10, method="inclusive")[-1], 1)


def first_district() -> District:
    return District.objects.filter(streets__communities__isnull=False).distinct().order_by("code").first()
