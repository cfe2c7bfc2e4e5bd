"""What a live city has in front of it that a generated past year lacks: the coming days' open
tasks and a backlog of requests waiting for review. The benchmarks add them, committed
(``bench_api``) or inside a transaction they roll back (``bench_orders``).
"""

from __future__ import annotations

from datetime import datetime, timedelta

from django.db import connection
from django.utils import timezone

from grids.models import Community
from orders.models import ServiceRequest, Task

BACKLOG_TITLE = "待审核点单"


def upcoming_open_tasks(now: datetime | None = None) -> int:
    """How many open tasks start after ``now``."""
    now = now or timezone.now()
    return Task.objects.filter(status=Task.Status.OPEN, starts_at__gt=now).count()


def add_upcoming_tasks(*, days: int = 14, now: datetime | None = None) -> int:
    """Copy the last ``days`` days' tasks ``days`` days forward as open tasks, one in ten open to
    the whole city (so every member's hall holds a few hundred); returns how many were added."""
    now = now or timezone.now()
    shift = timedelta(days=days)
    recent = Task.objects.filter(starts_at__gte=now - shift, starts_at__lt=now)
    rows = []
    for i, task in enumerate(recent.iterator(chunk_size=2000)):
        task.pk = None
        if i % 10 == 0:
            task.visibility = Task.Visibility.CITY
        task.starts_at += shift
        task.ends_at += shift
        task.created_at = now
        task.status = Task.Status.OPEN
        task.taken = 0
        task.widened_at = task.completed_at = None
        task.cancel_reason = ""
        rows.append(task)
    Task.objects.bulk_create(rows, batch_size=2000)
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute(f"ANALYZE {Task._meta.db_table}")
    return len(rows)


def add_pending_backlog(community: Community, count: int, *, now: datetime | None = None) -> int:
    """``count`` requests waiting for review in ``community``, copied from one of its requests
    (or any), the oldest ``count × 37`` minutes ago; returns how many were added."""
    if count <= 0:
        return 0
    now = now or timezone.now()
    template = ServiceRequest.objects.filter(community=community).first() or ServiceRequest.objects.first()
    if template is None:
        return 0
    grids = list(community.grids.values_list("id", flat=True)) or [None]
    rows = [
        ServiceRequest(
            requester=template.requester,
            community=community,
            grid_id=grids[i % len(grids)],
            duty=template.duty,
            title=f"{BACKLOG_TITLE} {i + 1}",
            description="测量用的待审核点单。",
            address=template.address,
            lat=template.lat,
            lng=template.lng,
            contact_phone=template.contact_phone,
            status=ServiceRequest.Status.SUBMITTED,
            created_at=now - timedelta(minutes=37 * (i + 1)),
        )
        for i in range(count)
    ]
    ServiceRequest.objects.bulk_create(rows)
    return len(rows)
