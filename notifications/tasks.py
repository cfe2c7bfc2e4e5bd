"""Sending notifications through outside channels, after the writing transaction commits."""

from celery import shared_task
from django.conf import settings

from notifications.services import notifications_deliver


def backoff_seconds(retries: int) -> int:
    """30 s, 1 min, 2 min, 4 min, … capped at an hour."""
    return min(3600, 30 * 2**retries)


@shared_task(bind=True, acks_late=True)
def deliver(self, notification_ids: list[int]) -> list[int]:
    """Safe to run twice: a channel that already sent a notification is not called again.

    Failures worth retrying are retried with exponential backoff, for those notifications
    only; after the last try the failed deliveries stay recorded. Run eagerly (no broker, as
    in development) a failure is recorded and not retried: retrying at once would only hit
    the same broken provider again, inside the request that caused the notification.
    """
    again = notifications_deliver(notification_ids=notification_ids)
    if again and not self.request.is_eager and self.request.retries < settings.NOTIFICATION_MAX_RETRIES:
        raise self.retry(args=[again], countdown=backoff_seconds(self.request.retries))
    return again
