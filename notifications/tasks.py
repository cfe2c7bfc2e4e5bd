"""Sending notifications through outside channels, after the writing transaction commits (queue ``notifications``)."""

from datetime import timedelta

from celery import shared_task
from django.conf import settings

from core.tasks import enqueue
from notifications.services import notifications_deliver, notifications_undelivered

SWEEP_BATCH = 100


def backoff_seconds(retries: int) -> int:
    """30 s, 1 min, 2 min, 4 min, … capped at an hour."""
    return min(3600, 30 * 2**retries)


# A batch is up to SWEEP_BATCH notifications, each through every channel with an HTTP timeout of
# NOTIFICATION_TIMEOUT_SECONDS: ten minutes covers a slow provider; what a stopped batch had not
# reached has no delivery row yet, and the sweep queues it again.
@shared_task(bind=True, acks_late=True, soft_time_limit=10 * 60, time_limit=11 * 60)
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


@shared_task
def sweep_undelivered() -> int:
    """Queue again the notifications whose delivery was never queued or never ran.

    Idempotent: it only queues ``deliver``, which is.

    ``notify`` queues delivery after its commit; when the broker is down then, the message is
    lost but the inbox rows are not. Every few minutes (beat) this finds the rows older than
    ``NOTIFICATION_SWEEP_AFTER_MINUTES`` (time enough for the normal path) and younger than
    ``NOTIFICATION_SWEEP_HORIZON_HOURS`` that no channel has a delivery row for, and queues
    them in batches; ``deliver`` is safe to run twice. Returns how many were queued.
    """
    ids = notifications_undelivered(
        older_than=timedelta(minutes=settings.NOTIFICATION_SWEEP_AFTER_MINUTES),
        newer_than=timedelta(hours=settings.NOTIFICATION_SWEEP_HORIZON_HOURS),
    )
    queued = 0
    for start in range(0, len(ids), SWEEP_BATCH):
        batch = ids[start : start + SWEEP_BATCH]
        if not enqueue(deliver, batch):
            break  # the broker is still down: the next sweep tries again
        queued += len(batch)
    return queued
