"""The request's whole loop through the real task and ledger services: order → approve with a new
task → accept, check in, check out → the task completes → resolved → rated and liked, hours
confirmed by the resident. And the other way: the task is cancelled, the request goes back."""

import datetime as dt

from django.utils import timezone

from orders.models import Acceptance, Like, ServiceRequest
from orders.services.acceptances import acceptance_check_in, acceptance_check_out
from orders.services.cascades import request_approve, task_cancel, task_complete
from orders.services.request_closing import request_rate
from orders.services.requests import request_create
from orders.services.tasks import task_accept
from reporting.models import ServiceRecord
from reporting.services.consent import location_consent_grant
from tests.orders.support import order_fields

R = ServiceRequest.Status


def _evening(days: int = 2) -> dt.datetime:
    day = timezone.localdate() + dt.timedelta(days=days)
    return timezone.make_aware(dt.datetime.combine(day, dt.time(19, 0)))


def test_order_to_rating(resident, community, grid, secretary, member, time_machine, sent):
    member.community, member.grid = community, grid
    member.save(update_fields=["community", "grid"])
    location_consent_grant(member=member)

    request = request_create(requester=resident, grid=grid, **order_fields(community))
    starts = _evening()
    request = request_approve(
        request=request, actor=secretary, starts_at=starts, ends_at=starts + dt.timedelta(hours=2), slots=2
    )
    task = request.task
    acceptance = task_accept(task=task, member=member)

    time_machine.move_to(starts + dt.timedelta(minutes=5), tick=False)
    acceptance_check_in(acceptance=acceptance, actor=member.user, lat=task.lat, lng=task.lng)
    time_machine.move_to(starts + dt.timedelta(minutes=95), tick=False)
    acceptance_check_out(acceptance=acceptance, actor=member.user)
    task_complete(task=task, actor=secretary)

    request.refresh_from_db()
    assert request.status == R.RESOLVED
    request_rate(request=request, actor=resident, score=5, comment="很满意", liked_member_ids=[member.pk])

    request.refresh_from_db()
    acceptance = Acceptance.objects.select_related("record").get(pk=acceptance.pk)
    assert request.status == R.RATED
    assert Like.objects.filter(request=request, member=member).exists()
    assert (acceptance.record.status, acceptance.record.confirmed_via) == (ServiceRecord.Status.CONFIRMED, "resident")
    assert [e.to_status for e in request.events.all()] == ["submitted", "approved", "resolved", "rated"]


def test_cancelled_task_sends_the_request_back_to_review(resident, community, secretary, sent):
    request = request_create(requester=resident, **order_fields(community))
    starts = _evening()
    request = request_approve(
        request=request, actor=secretary, starts_at=starts, ends_at=starts + dt.timedelta(hours=2), slots=1
    )
    task_cancel(task=request.task, actor=secretary, reason="台风预警，活动取消")
    request.refresh_from_db()
    assert (request.status, request.task_id) == (R.SUBMITTED, None)
