"""The cockpit's nightly job: 01:20 Asia/Shanghai, over the data up to the end of yesterday (queue ``boards``)."""

from datetime import date, timedelta

from celery import shared_task
from django.utils import timezone

from core.errors import DomainError


# A refused day (in the future) will not change on a retry; anything else (the database
# restarting, a lock timeout) is retried with a growing wait.
@shared_task(
    autoretry_for=(Exception,),
    dont_autoretry_for=(DomainError,),
    retry_backoff=True,
    retry_backoff_max=600,
    max_retries=5,
    soft_time_limit=20 * 60,
    time_limit=25 * 60,
)
def rebuild_cockpit(day: str | None = None) -> int:
    """Compute the cockpit's figures of ``day`` (YYYY-MM-DD; default yesterday) for every scope.

    Idempotent: the day's figures are upserted on (scope, day), so a second run writes the same rows."""
    from rankings.cockpit.services import cockpit_rebuild

    when = date.fromisoformat(day) if day else timezone.localdate() - timedelta(days=1)
    return cockpit_rebuild(day=when)
