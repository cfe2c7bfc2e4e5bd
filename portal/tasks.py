"""The quota's follow-up jobs (scheduled in ``settings.CELERY_BEAT_SCHEDULE``, queue ``default``).

The work is reporting's (reporting.services.reminders); the jobs live here because a member's
reminder links to the page that acts on it, and those pages belong to several apps: the task hall
(orders) for hours, 我的 (portal) for the quarter's visit.
"""

from datetime import date

from celery import shared_task
from django.urls import reverse

from reporting.services.reminders import ReminderLinks, quarter_lists_send, quota_reminders_send


def reminder_links() -> ReminderLinks:
    return ReminderLinks(hours=reverse("tasks"), visit=reverse("portal:profile"))


@shared_task(autoretry_for=(Exception,), retry_backoff=True, retry_backoff_max=600, max_retries=5)
def send_quota_reminders(day: str | None = None) -> int:
    """Weekly: remind members behind the year's hours pace or without this quarter's visit.

    Safe to run twice, even at once: a member is reminded at most once per ISO week (a unique row)."""
    return quota_reminders_send(links=reminder_links(), today=date.fromisoformat(day) if day else None)


@shared_task(autoretry_for=(Exception,), retry_backoff=True, retry_backoff_max=600, max_retries=5)
def send_quarter_lists(day: str | None = None) -> dict:
    """Daily: from a month before the quarter ends, each community's (and unit's) list of members
    not yet reported this quarter, to its secretaries, once per quarter (a unique row per node)."""
    return quarter_lists_send(today=date.fromisoformat(day) if day else None)
