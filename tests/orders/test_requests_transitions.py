"""Every (from, to) pair of the request and escalation machines, driven through the services.

Legal pairs (per ``transitions.ALLOWED``) succeed and write an event; illegal ones raise
``Conflict(code="illegal_transition")`` and change nothing.
"""

import datetime as dt
import itertools

import pytest
from django.db import transaction
from django.utils import timezone

from core.errors import Conflict
from core.transitions import ALLOWED, transition
from orders.models import Escalation, RequestEvent, ServiceRequest
from orders.services.cascades import (
    escalation_resolve,
    request_approve,
    request_resolve_from_escalation,
    requests_reopen_for_cancelled_task,
    requests_resolve_for_task,
)
from orders.services.escalations import escalation_assign
from orders.services.request_closing import request_confirm, request_rate, request_reopen, requests_autoclose
from orders.services.request_review import request_escalate, request_merge, request_reject
from tests.orders.factories import DepartmentFactory, EscalationFactory, ServiceRequestFactory, TaskFactory
from tests.orders.support import snapshot

R, E = ServiceRequest.Status, Escalation.Status
REQUEST_PAIRS = list(itertools.product(R.values, R.values))
ESCALATION_PAIRS = list(itertools.product(E.values, E.values))


def legal(model, before, to) -> bool:
    return to in ALLOWED[model].get(before, set())


def test_every_status_has_a_row_in_the_table():
    assert set(ALLOWED[ServiceRequest]) == set(R.values)
    assert set(ALLOWED[Escalation]) == set(E.values)


# --- requests -------------------------------------------------------------------------------


def make_request(status: str, community, requester, *, reopened: int = 0) -> ServiceRequest:
    long_ago = timezone.now() - dt.timedelta(days=8)
    kwargs = {"community": community, "requester": requester, "status": status, "reopen_count": reopened}
    if status in (R.APPROVED, R.RESOLVED, R.CONFIRMED, R.RATED, R.CLOSED):
        kwargs["task"] = TaskFactory(community=community)
    if status in (R.RESOLVED, R.CONFIRMED, R.RATED, R.CLOSED):
        kwargs["resolved_at"] = long_ago
    if status in (R.CONFIRMED, R.RATED, R.CLOSED):
        kwargs["closed_at"] = long_ago
    if status == R.REJECTED:
        kwargs["reject_reason"] = "不予受理"
    if status == R.MERGED:
        kwargs["merged_into"] = ServiceRequestFactory(community=community)
    return ServiceRequestFactory(**kwargs)


def drive_request(request: ServiceRequest, to: str, *, secretary, resident):
    """Ask the service that moves a request to ``to`` (the one a user or a job would call)."""
    before = request.status
    community = request.community
    if to == R.APPROVED:
        return request_approve(request=request, actor=secretary, task=TaskFactory(community=community))
    if to == R.REJECTED:
        return request_reject(request=request, actor=secretary, reason="不予受理")
    if to == R.MERGED:
        return request_merge(request=request, into=ServiceRequestFactory(community=community), actor=secretary)
    if to == R.ESCALATED:
        if before == R.RESOLVED:  # the resident's second reopening
            return request_reopen(request=request, actor=resident, reason="仍未解决")
        return request_escalate(request=request, actor=secretary, reason="社区无法解决")
    if to == R.RESOLVED:
        if before == R.APPROVED:
            requests_resolve_for_task(task=request.task, actor=secretary)
            return request
        return request_resolve_from_escalation(request=request, actor=secretary)
    if to == R.CONFIRMED:
        return request_confirm(request=request, actor=resident)
    if to == R.RATED:
        return request_rate(request=request, actor=resident, score=5)
    if to == R.CLOSED:
        if requests_autoclose() == 0:
            # The job passes over rows it may not close; the table refuses them too.
            with transaction.atomic():
                transition(request, R.CLOSED)
        return request
    if to == R.SUBMITTED:
        if before == R.APPROVED:
            requests_reopen_for_cancelled_task(task=request.task, actor=secretary)
            return request
        return request_reopen(request=request, actor=resident, reason="仍未解决")
    raise AssertionError(to)


@pytest.mark.parametrize(("before", "to"), REQUEST_PAIRS, ids=[f"{a}->{b}" for a, b in REQUEST_PAIRS])
def test_request_pair(before, to, community, secretary, resident, sent):
    # Reopening a resolved request goes to review the first time and to the street the second.
    reopened = 1 if (before, to) == (R.RESOLVED, R.ESCALATED) else 0
    request = make_request(before, community, resident, reopened=reopened)
    if legal(ServiceRequest, before, to):
        drive_request(request, to, secretary=secretary, resident=resident)
        request.refresh_from_db()
        assert request.status == to
        assert RequestEvent.objects.filter(request=request, from_status=before, to_status=to).count() == 1
    else:
        state = snapshot(request)
        with pytest.raises(Conflict) as exc:
            drive_request(request, to, secretary=secretary, resident=resident)
        assert exc.value.code == "illegal_transition"
        assert snapshot(request) == state


def test_approved_to_resolved_and_back_to_review_are_task_driven_only(community, secretary, resident, sent):
    """The task-level services pass over requests in other states rather than failing the task."""
    task = TaskFactory(community=community)
    waiting = make_request(R.SUBMITTED, community, resident)
    waiting.task = task
    waiting.save(update_fields=["task"])
    state = snapshot(waiting)
    assert requests_resolve_for_task(task=task, actor=secretary) == 0
    assert requests_reopen_for_cancelled_task(task=task, actor=secretary) == 0
    assert snapshot(waiting) == state


# --- escalations ----------------------------------------------------------------------------


def make_escalation(status: str, community, resident) -> Escalation:
    kwargs = {"status": status, "request": make_request(R.ESCALATED, community, resident)}
    if status in (E.ASSIGNED, E.RESOLVED):
        kwargs["deadline"] = timezone.now() + dt.timedelta(days=3)
    if status == E.RESOLVED:
        kwargs["outcome"] = "已协调住建部门处理"
        kwargs["resolved_at"] = timezone.now()
    return EscalationFactory(**kwargs)


def drive_escalation(escalation: Escalation, to: str, *, street_officer):
    if to == E.ASSIGNED:
        return escalation_assign(
            escalation=escalation, actor=street_officer, department_ids=[DepartmentFactory(name="住建").pk]
        )
    if to == E.RESOLVED:
        return escalation_resolve(escalation=escalation, actor=street_officer, outcome="已办结")
    # No service moves a case back to "open": it is only ever created so.
    with transaction.atomic():
        return transition(escalation, to, actor=street_officer)


@pytest.mark.parametrize(("before", "to"), ESCALATION_PAIRS, ids=[f"{a}->{b}" for a, b in ESCALATION_PAIRS])
def test_escalation_pair(before, to, community, resident, street_officer, sent):
    escalation = make_escalation(before, community, resident)
    if legal(Escalation, before, to):
        drive_escalation(escalation, to, street_officer=street_officer)
        escalation.refresh_from_db()
        assert escalation.status == to
        assert escalation.events.filter(from_status=before, to_status=to).count() == 1
    else:
        state = snapshot(escalation)
        with pytest.raises(Conflict) as exc:
            drive_escalation(escalation, to, street_officer=street_officer)
        assert exc.value.code == "illegal_transition"
        assert snapshot(escalation) == state
