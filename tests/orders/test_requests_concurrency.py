"""Two people acting on one request or case at once: one wins, the other gets a clear 409.

Threads with their own connections race on PostgreSQL (row locks only mean something there).
Notifications are delivered for real: after each winner's commit, never for the loser.
"""

import datetime as dt
import threading

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from core.errors import Conflict
from notifications.models import Notification
from orders.models import Escalation, Feedback, RequestEvent, ServiceRequest
from orders.services.cascades import request_approve
from orders.services.escalations import escalations_mark_overdue
from orders.services.request_closing import request_rate, request_reopen, requests_autoclose
from orders.services.request_review import request_reject
from tests.grids.factories import PostFactory
from tests.orders.factories import EscalationFactory, ServiceRequestFactory, TaskFactory

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]

R = ServiceRequest.Status


def _race(calls) -> list:
    barrier = threading.Barrier(len(calls))
    results: list = []

    def attempt(call):
        try:
            barrier.wait(timeout=20)
            outcome = call()
            results.append(("ok", outcome if isinstance(outcome, int) else None))
        except Conflict as exc:
            results.append(("conflict", exc.code))
        except Exception as exc:  # pragma: no cover - reported by the assertions
            results.append(("error", repr(exc)))
        finally:
            connection.close()

    threads = [threading.Thread(target=attempt, args=(c,)) for c in calls]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=60)
    return results


def test_two_secretaries_rejecting_at_once(community, secretary):
    deputy = PostFactory(community=community, role="first_secretary").user
    request = ServiceRequestFactory(community=community)
    results = _race(
        [
            lambda: request_reject(request=request, actor=secretary, reason="理由一"),
            lambda: request_reject(request=request, actor=deputy, reason="理由二"),
        ]
    )
    assert sorted(r[0] for r in results) == ["conflict", "ok"], results
    assert ("conflict", "illegal_transition") in results
    assert RequestEvent.objects.filter(request=request, to_status=R.REJECTED).count() == 1
    assert Notification.objects.filter(user=request.requester, kind="request_rejected").count() == 1


def test_rating_twice_at_once(community, resident):
    request = ServiceRequestFactory(
        community=community, requester=resident, status=R.RESOLVED, task=TaskFactory(community=community)
    )
    results = _race([lambda s=s: request_rate(request=request, actor=resident, score=s) for s in (4, 5)])
    assert sorted(r[0] for r in results) == ["conflict", "ok"], results
    assert Feedback.objects.filter(request=request).count() == 1


def test_reopen_and_autoclose_at_once(community, resident):

    request = ServiceRequestFactory(
        community=community,
        requester=resident,
        status=R.RESOLVED,
        resolved_at=timezone.now() - dt.timedelta(days=8),
        task=TaskFactory(community=community),
    )
    results = _race([lambda: request_reopen(request=request, actor=resident, reason="没有解决"), requests_autoclose])
    assert [r for r in results if r[0] == "error"] == []
    request.refresh_from_db()
    assert request.status in (R.SUBMITTED, R.CLOSED)
    assert RequestEvent.objects.filter(request=request).count() == 1


def test_overdue_job_twice_at_once_tells_once(community, secretary):

    EscalationFactory(
        request=ServiceRequestFactory(community=community, status=R.ESCALATED),
        status=Escalation.Status.ASSIGNED,
        deadline=timezone.now() - dt.timedelta(hours=1),
    )
    results = _race([escalations_mark_overdue, escalations_mark_overdue])
    assert sorted(results) == [("ok", 0), ("ok", 1)], results
    assert Notification.objects.filter(user=secretary, kind="escalation_overdue").count() == 1


def test_approving_into_a_task_locks_the_task_before_the_request(community, secretary):
    """The same order as completing or cancelling a task, so the two can never deadlock."""
    task = TaskFactory(community=community)
    request = ServiceRequestFactory(community=community, status=R.SUBMITTED)
    with CaptureQueriesContext(connection) as ctx:
        request_approve(request=request, actor=secretary, task=task)
    locked = [q["sql"] for q in ctx.captured_queries if "FOR UPDATE" in q["sql"]]
    assert '"orders_task"' in locked[0].split("FROM")[1].split("WHERE")[0]
    assert any('FROM "orders_servicerequest"' in sql for sql in locked[1:])
