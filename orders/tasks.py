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
