"""Celery tasks of the work: each calls one service and is safe to run twice.

A job is named for when it runs and what it does (``autoclose_requests``), never like the service
it calls (``requests_autoclose``); the beat schedule in ``shaoguan.settings`` names them.

Why running twice is harmless (a message may be delivered twice: ``acks_late``, a retry after a
timeout): each service selects the rows still in the state it changes, then re-checks that state
under a row lock, one short transaction per row, so a second run finds nothing left to do and a
run killed midway leaves the rest to the next. They run on the ``default`` queue within the global
time limits (settings).
"""

from celery import shared_task

from orders.services.acceptances import acceptances_auto_checkout, acceptances_mark_no_show
from orders.services.dispatch import tasks_send_reminders, tasks_widen
from orders.services.escalations import escalations_mark_overdue
from orders.services.request_closing import requests_autoclose
from orders.services.requests import request_lookups_purge

# --- requests and the joint meeting ---------------------------------------------------------


@shared_task(autoretry_for=(Exception,), retry_backoff=True, max_retries=5)
def autoclose_requests() -> int:
    """Daily: close requests resolved and left unconfirmed for the set number of days.

    Idempotent: only requests still ``resolved`` are closed, re-checked under each row's lock."""
    return requests_autoclose()


@shared_task(autoretry_for=(Exception,), retry_backoff=True, max_retries=5)
def purge_request_lookups() -> int:
    """Daily: forget the nearby lookups and joins tried more than a day ago (they no longer count)."""
    return request_lookups_purge()


@shared_task(autoretry_for=(Exception,), retry_backoff=True, max_retries=5)
def mark_overdue_escalations() -> int:
    """Hourly: mark joint-meeting cases past their deadline and tell the street and community once.

    Idempotent: ``overdue_notified_at`` is set with the mark, and a case that has it is skipped."""
    return escalations_mark_overdue()


# --- tasks and acceptances ------------------------------------------------------------------


@shared_task(autoretry_for=(Exception,), retry_backoff=True, max_retries=5, acks_late=True)
def tell_members_of_task(task_id: int) -> int:
    """After a task is published: tell the members who may take it, in bulk.

    Idempotent: a member who already has the notice of this task is not told again."""
    # Imported here: the service that queues this job imports this module.
    from orders.services.task_notices import task_whistle_tell_members

    return task_whistle_tell_members(task_id=task_id)


@shared_task(autoretry_for=(Exception,), retry_backoff=True, max_retries=5)
def widen_unfilled_tasks() -> int:
    """Hourly: tasks nobody has taken for the set time open to paired units, then the city.

    Idempotent: a widened task waits a full period again (``widened_at``) before the next level."""
    return tasks_widen()


@shared_task(autoretry_for=(Exception,), retry_backoff=True, max_retries=5)
def send_task_reminders() -> int:
    """Every 10 minutes: remind members whose task starts within 2 hours (once each).

    Idempotent: ``notified_at`` marks a reminded acceptance, which is never selected again."""
    return tasks_send_reminders()


@shared_task(autoretry_for=(Exception,), retry_backoff=True, max_retries=5)
def auto_checkout_acceptances() -> int:
    """Every 10 minutes: check out members still checked in after their task ended (flagged).

    Idempotent: only acceptances still ``checked_in`` move, re-checked under the row lock."""
    return acceptances_auto_checkout()


@shared_task(autoretry_for=(Exception,), retry_backoff=True, max_retries=5)
def mark_no_shows() -> int:
    """Every 30 minutes: acceptances never checked in whose task has ended become no-shows.

    Idempotent: only acceptances still ``accepted`` move, re-checked under the row lock."""
    return acceptances_mark_no_show()
