"""Celery tasks of the work: each calls one service and is safe to run twice."""

from celery import shared_task

# --- requests and the joint meeting ---------------------------------------------------------


@shared_task(autoretry_for=(Exception,), retry_backoff=True, max_retries=5)
def autoclose_requests() -> int:
    """Daily: close requests resolved and left unconfirmed for the set number of days."""
    from orders.services.requests import requests_autoclose

    return requests_autoclose()


@shared_task(autoretry_for=(Exception,), retry_backoff=True, max_retries=5)
def mark_overdue_escalations() -> int:
    """Hourly: mark joint-meeting cases past their deadline and tell the street and community once."""
    from orders.services.escalations import escalations_mark_overdue

    return escalations_mark_overdue()


# --- tasks and acceptances ------------------------------------------------------------------


@shared_task(autoretry_for=(Exception,), retry_backoff=True, max_retries=5)
def widen_unfilled_tasks() -> int:
    """Hourly: tasks nobody has taken for the set time open to paired units, then the city."""
    from orders.services.dispatch import tasks_widen

    return tasks_widen()


@shared_task(autoretry_for=(Exception,), retry_backoff=True, max_retries=5)
def send_task_reminders() -> int:
    """Every 10 minutes: remind members whose task starts within 2 hours (once each)."""
    from orders.services.dispatch import tasks_send_reminders

    return tasks_send_reminders()


@shared_task(autoretry_for=(Exception,), retry_backoff=True, max_retries=5)
def auto_checkout_acceptances() -> int:
    """Every 10 minutes: check out members still checked in after their task ended (flagged)."""
    from orders.services.acceptances import acceptances_auto_checkout

    return acceptances_auto_checkout()


@shared_task(autoretry_for=(Exception,), retry_backoff=True, max_retries=5)
def mark_no_shows() -> int:
    """Every 30 minutes: acceptances never checked in whose task has ended become no-shows."""
    from orders.services.acceptances import acceptances_mark_no_show

    return acceptances_mark_no_show()
