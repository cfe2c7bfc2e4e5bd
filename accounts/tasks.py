"""Nightly purges of sign-in data (scheduled in ``settings.CELERY_BEAT_SCHEDULE``, queue ``default``)."""

from celery import shared_task

from accounts.device_tokens import device_tokens_purge
from accounts.services import signin_codes_purge


@shared_task(autoretry_for=(Exception,), retry_backoff=True, max_retries=5)
def purge_expired_codes() -> int:
    """Delete sign-in codes long expired. Idempotent: a delete by age; a second run finds none."""
    return signin_codes_purge()


@shared_task(autoretry_for=(Exception,), retry_backoff=True, max_retries=5)
def purge_dead_tokens() -> int:
    """Delete API tokens expired or revoked long ago. Idempotent: a delete by age, as above."""
    return device_tokens_purge()
