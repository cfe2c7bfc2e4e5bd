"""Periodic jobs of the duty ledger (scheduled in ``settings.CELERY_BEAT_SCHEDULE``)."""

from celery import shared_task

from reporting.services.checkins import checkins_coarsen


@shared_task(autoretry_for=(Exception,), retry_backoff=True, max_retries=5)
def coarsen_checkins() -> int:
    """Clear raw coordinates past ``LOCATION_RETENTION_DAYS``.

    Idempotent: only rows still holding raw coordinates are selected; a second run finds nothing."""
    return checkins_coarsen()
