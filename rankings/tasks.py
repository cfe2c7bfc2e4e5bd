"""Celery tasks of the rankings: the nightly build of the five boards (queue ``boards``)."""

from __future__ import annotations

from datetime import date, timedelta

from celery import shared_task
from django.db import DatabaseError
from django.utils import timezone

from core.errors import Conflict

# Beyond this the failure is not passing: the next night's run builds the boards anyway.
MAX_RETRIES = 6


@shared_task(
    bind=True,
    # A rebuild already running (Conflict) or a database hiccup: try again later, backing off
    # 1, 2, 4 … minutes (capped at 30, jittered so retries from several workers spread out).
    autoretry_for=(Conflict, DatabaseError),
    retry_backoff=60,
    retry_backoff_max=30 * 60,
    retry_jitter=True,
    max_retries=MAX_RETRIES,
    # Acknowledged only when done: a worker killed midway leaves the message queued and
    # another worker runs it again; the killed transaction left the old board untouched.
    acks_late=True,
    reject_on_worker_lost=True,
    # Well above a whole city's rebuild (bench_boards); under the broker's visibility timeout
    # (an hour, settings), so a long run is never handed to a second worker while it runs.
    soft_time_limit=20 * 60,
    time_limit=25 * 60,
)
def rebuild_boards(self, day_iso: str | None = None, triggered_by: str = "定时任务") -> dict:
    """Build the five boards of ``day_iso`` (default: yesterday in Asia/Shanghai).

    Idempotent: a rebuild replaces the day's boards in one transaction under an advisory lock
    (a second run at the same time gets Conflict and retries later), so running it again gives
    the same boards."""
    from rankings.services import board_rebuild

    day = date.fromisoformat(day_iso) if day_iso else timezone.localdate() - timedelta(days=1)
    retries = self.request.retries
    triggered_by = triggered_by if not retries else f"{triggered_by}（第{retries}次重试）"
    board_day = board_rebuild(day=day, triggered_by=triggered_by)
    return {"day": board_day.day.isoformat(), "entries": board_day.entry_count, "ms": board_day.duration_ms}


@shared_task(
    bind=True,
    autoretry_for=(DatabaseError,),
    retry_backoff=60,
    retry_backoff_max=30 * 60,
    retry_jitter=True,
    max_retries=MAX_RETRIES,
    acks_late=True,
    reject_on_worker_lost=True,
)
def recompute_member_stars(self, year: int | None = None) -> list[dict]:
    """评星定级 of ``year`` (default: the year of yesterday and, from 1 January, the new year too,
    so last year's stars take in its last day). Replacing a year's rows is safe to run twice."""
    from rankings.services import member_stars_recompute

    today = timezone.localdate()
    years = [year] if year else sorted({(today - timedelta(days=1)).year, today.year})
    return [member_stars_recompute(year=y) for y in years]
