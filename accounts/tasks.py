from celery import shared_task

from accounts.device_tokens import device_tokens_purge
from accounts.services import signin_codes_purge


@shared_task(autoretry_for=(Exception,), retry_backoff=True, max_retries=5)
def purge_expired_codes() -> int:
    return signin_codes_purge()


@shared_task(autoretry_for=(Exception,), retry_backoff=True, max_retries=5)
def purge_dead_tokens() -> int:
    return device_tokens_purge()
