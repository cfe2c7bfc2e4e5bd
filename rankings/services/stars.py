"""评星定级: every member's stars for a year, recomputed in bulk (the nightly job, a command).

Four GROUP BY queries give the components of every member who has any (the quota minutes of
confirmed records, visited quarters, outcomes, likes); the one rule (rankings.stars.stars_for)
turns them into stars in Python; the year's rows are replaced in one transaction (readers see the
old rows until it commits). Members with nothing get one star and a row too, so every member's
page reads a row.
"""

from __future__ import annotations

import time
from datetime import datetime

from django.db import transaction
from django.db.models import Count, F, Sum
from django.utils import timezone

from grids.models import Member
from orders.models import Acceptance, Like, ServiceRequest
from rankings.models import MemberStars
from rankings.stars import stars_for, thresholds
from reporting.models import ServiceRecord, Visit
from reporting.services.quota import quota_minutes_fill
from reporting.worktime import year_bounds

_RESIDENT_CONFIRMED = [ServiceRequest.Status.CONFIRMED, ServiceRequest.Status.RATED]
BATCH = 5000


def year_components(year: int) -> dict[int, list[int]]:
    """member id → [quota minutes, quarters visited, outcomes, likes] for members with any."""
    start, end = year_bounds(year)
    comps: dict[int, list[int]] = {}

    def put(rows, i):
        for member_id, value in rows:
            comps.setdefault(member_id, [0, 0, 0, 0])[i] = value or 0

    put(
        ServiceRecord.objects.filter(status=ServiceRecord.Status.CONFIRMED, started_at__gte=start, started_at__lt=end)
        .order_by()
        .values("member_id")
        .annotate(n=Sum("quota_minutes"))
        .values_list("member_id", "n"),
        0,
    )
    put(
        Visit.objects.filter(quarter__startswith=f"{year}Q")
        .order_by()
        .values("member_id")
        .annotate(n=Count("quarter", distinct=True))
        .values_list("member_id", "n"),
        1,
    )
    # The boards' outcomes (rankings.services.board_sql): one row per (request, member) pair.
    put(
        ServiceRequest.objects.filter(
            closed_at__gte=start,
            closed_at__lt=end,
            status__in=_RESIDENT_CONFIRMED,
            task__acceptances__status=Acceptance.Status.COMPLETED,
        )
        .order_by()
        .values(mid=F("task__acceptances__member_id"))
        .annotate(n=Count("id"))
        .values_list("mid", "n"),
        2,
    )
    put(
        Like.objects.filter(created_at__gte=start, created_at__lt=end)
        .order_by()
        .values("member_id")
        .annotate(n=Count("id"))
        .values_list("member_id", "n"),
        3,
    )
    return comps


def member_stars_recompute(*, year: int, now: datetime | None = None) -> dict:
    """Recompute every member's stars for ``year``; safe to run twice. Returns figures."""
    t0 = time.perf_counter()
    levels = thresholds()
    # Rows written in bulk (the generator, imports) have no stored quota minutes yet.
    filled = quota_minutes_fill(year=year)
    comps = year_components(year)
    now = now or timezone.now()
    zero = [0, 0, 0, 0]
    rows = []
    by_stars = [0] * 6
    for member_id in Member.objects.order_by("pk").values_list("pk", flat=True).iterator(chunk_size=BATCH):
        minutes, quarters, outcomes, likes = comps.get(member_id, zero)
        stars, _ = stars_for(minutes / 60, quarters, outcomes, likes, levels)
        by_stars[stars] += 1
        rows.append(
            MemberStars(
                year=year,
                member_id=member_id,
                stars=stars,
                minutes=minutes,
                quarters=quarters,
                outcomes=outcomes,
                likes=likes,
                computed_at=now,
            )
        )
    with transaction.atomic():
        MemberStars.objects.filter(year=year).delete()
        MemberStars.objects.bulk_create(rows, batch_size=BATCH)
    return {
        "year": year,
        "members": len(rows),
        "filled_quota_minutes": filled,
        "by_stars": {n: by_stars[n] for n in range(1, 6)},
        "ms": int((time.perf_counter() - t0) * 1000),
    }
