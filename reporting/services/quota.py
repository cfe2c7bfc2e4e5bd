"""Keeping ``ServiceRecord.quota_minutes`` (the minutes outside working time, reporting.workdays)
in step: the confirming services set it; these fill it for rows written in bulk and recompute it
when the working-day calendar changes (an override added, changed or removed in the admin)."""

from __future__ import annotations

from datetime import date

from django.db import transaction
from django.db.models import Q

from reporting.models import ServiceRecord, WorkdayOverride
from reporting.workdays import load_is_workday, local_dates, quota_minutes, working_hours
from reporting.worktime import day_bounds, year_bounds

BATCH = 2000


def record_quota_minutes(record: ServiceRecord, minutes: int | None = None) -> int:
    """The quota minutes of ``record`` were its minutes ``minutes`` (default: its own): one query."""
    first, last = local_dates(record.started_at, record.ended_at)
    minutes = record.minutes if minutes is None else minutes
    return quota_minutes(record.started_at, record.ended_at, minutes, load_is_workday(first, last))


def _refill(qs) -> int:
    """Recompute ``quota_minutes`` for the records of ``qs`` in batches (one overrides query and
    one UPDATE per batch). Returns how many rows were written."""
    spans, done, last_pk = working_hours(), 0, 0
    qs = qs.order_by("pk").only("pk", "started_at", "ended_at", "minutes", "quota_minutes")
    while True:
        batch = list(qs.filter(pk__gt=last_pk)[:BATCH])
        if not batch:
            return done
        last_pk = batch[-1].pk
        first = min(local_dates(r.started_at, r.ended_at)[0] for r in batch)
        last = max(local_dates(r.started_at, r.ended_at)[1] for r in batch)
        is_workday = load_is_workday(first, last)
        changed = []
        for r in batch:
            value = quota_minutes(r.started_at, r.ended_at, r.minutes, is_workday, spans)
            if value != r.quota_minutes:
                r.quota_minutes = value
                changed.append(r)
        with transaction.atomic():
            ServiceRecord.objects.bulk_update(changed, ["quota_minutes"], batch_size=500)
        done += len(changed)


def quota_minutes_fill(*, year: int | None = None, recompute: bool = False) -> int:
    """Fill ``quota_minutes`` of confirmed records that lack it (``recompute``: of every confirmed
    record), optionally only those started in ``year``. Safe to run again."""
    qs = ServiceRecord.objects.filter(status=ServiceRecord.Status.CONFIRMED)
    if not recompute:
        qs = qs.filter(quota_minutes__isnull=True)
    if year is not None:
        start, end = year_bounds(year)
        qs = qs.filter(started_at__gte=start, started_at__lt=end)
    return _refill(qs)


def quota_minutes_recompute_day(day: date) -> int:
    """Recompute the confirmed records that touch the Shanghai calendar day ``day`` (after its
    working-day override changed)."""
    start, end = day_bounds(day)
    qs = ServiceRecord.objects.filter(Q(status=ServiceRecord.Status.CONFIRMED), started_at__lt=end, ended_at__gte=start)
    return _refill(qs)


@transaction.atomic
def workday_override_save(*, override: WorkdayOverride, previous_day: date | None = None) -> WorkdayOverride:
    """Save an override (the admin's form) and recompute the records of its day (and of the day
    it was moved from)."""
    override.full_clean()
    override.save()
    for day in {override.day, previous_day} - {None}:
        transaction.on_commit(lambda d=day: quota_minutes_recompute_day(d))
    return override


@transaction.atomic
def workday_override_delete(*, override: WorkdayOverride) -> None:
    day = override.day
    override.delete()
    transaction.on_commit(lambda: quota_minutes_recompute_day(day))
