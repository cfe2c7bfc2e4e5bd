"""Closing the loop: resolve with the task, confirm (confirming hours), rate and like, reopen,
auto-close, and back to review when the task is cancelled."""

import datetime as dt

import pytest
from django.utils import timezone

from core.errors import Conflict, PermissionDenied, ValidationFailed
from notifications.models import Notification
from orders.models import Acceptance, Escalation, Feedback, Like, RequestFollower, ServiceRequest, Task
from orders.services.cascades import requests_reopen_for_cancelled_task, requests_resolve_for_task
from orders.services.request_closing import request_confirm, request_rate, request_reopen, requests_autoclose
from reporting.models import ServiceRecord
from tests.accounts.factories import UserFactory
from tests.grids.factories import MemberFactory
from tests.orders.factories import AcceptanceFactory, ServiceRequestFactory, TaskFactory
from tests.orders.support import recipients, served, snapshot

R = ServiceRequest.Status


def completed(task: Task) -> Acceptance:
    """A member who served the task: checked in, checked out, a pending service record."""
    return served(task, MemberFactory(community=task.community))


@pytest.fixture
def task(community, secretary):
    return TaskFactory(community=community, created_by=secretary, status=Task.Status.COMPLETED)


@pytest.fixture
def resolved(community, resident, task):
    return ServiceRequestFactory(
        community=community, requester=resident, task=task, status=R.RESOLVED, resolved_at=timezone.now()
    )


# --- resolve --------------------------------------------------------------------------------


def test_task_done_resolves_its_approved_requests(community, secretary, sent, django_capture_on_commit_callbacks):
    task = TaskFactory(community=community)
    a = ServiceRequestFactory(community=community, task=task, status=R.APPROVED)
    b = ServiceRequestFactory(community=community, task=task, status=R.APPROVED)
    follower = UserFactory()
    RequestFollower.objects.create(request=b, user=follower)
    other = ServiceRequestFactory(community=community, task=TaskFactory(community=community), status=R.APPROVED)
    with django_capture_on_commit_callbacks(execute=True):
        assert requests_resolve_for_task(task=task, actor=secretary) == 2
    for r in (a, b):
        r.refresh_from_db()
        assert r.status == R.RESOLVED and r.resolved_at is not None
    other.refresh_from_db()
    assert other.status == R.APPROVED
    assert recipients(sent, "request_resolved") == {a.requester_id, b.requester_id, follower.pk}


def test_inbox_rows_appear_only_after_commit(community, secretary, django_capture_on_commit_callbacks):
    """The real notify: nothing in the inbox until the transaction commits."""
    task = TaskFactory(community=community)
    request = ServiceRequestFactory(community=community, task=task, status=R.APPROVED)
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        requests_resolve_for_task(task=task, actor=secretary)
    assert not Notification.objects.filter(user=request.requester).exists()
    for callback in callbacks:
        callback()
    assert Notification.objects.filter(user=request.requester, kind="request_resolved").count() == 1


# --- confirm --------------------------------------------------------------------------------


def test_confirm_confirms_the_hours_of_those_who_served(resolved, resident, task, sent):
    served = [completed(task), completed(task)]
    already = completed(task)
    ServiceRecord.objects.filter(pk=already.record_id).update(
        status=ServiceRecord.Status.CONFIRMED, confirmed_via="community", confirmed_at=timezone.now()
    )
    row = request_confirm(request=resolved, actor=resident)
    assert row.status == R.CONFIRMED and row.closed_at is not None
    for a in served:
        a.record.refresh_from_db()
        assert (a.record.status, a.record.confirmed_via, a.record.confirmed_by_id) == (
            "confirmed",
            "resident",
            resident.pk,
        )
    already.record.refresh_from_db()
    assert already.record.confirmed_via == "community"  # the community's word stands


def test_only_the_requester_confirms(resolved, secretary):
    before = snapshot(resolved)
    with pytest.raises(PermissionDenied):
        request_confirm(request=resolved, actor=secretary)
    assert snapshot(resolved) == before


# --- rate and like --------------------------------------------------------------------------


def test_rate_with_likes_for_those_who_served(resolved, resident, task):
    a, b = completed(task), completed(task)
    row = request_rate(
        request=resolved, actor=resident, score=5, comment="很及时，谢谢！", liked_member_ids=[a.member_id]
    )
    assert row.status == R.RATED and row.closed_at is not None
    assert Feedback.objects.get(request=row).score == 5
    assert list(Like.objects.filter(request=row).values_list("member_id", flat=True)) == [a.member_id]
    b.record.refresh_from_db()
    assert b.record.status == ServiceRecord.Status.CONFIRMED  # rating is the resident's word too


def test_rate_after_confirm(resolved, resident):
    request_confirm(request=resolved, actor=resident)
    assert request_rate(request=resolved, actor=resident, score=4).status == R.RATED


def test_rating_someone_elses_request_is_refused(resolved, task):
    before = snapshot(resolved)
    with pytest.raises(PermissionDenied):
        request_rate(request=resolved, actor=UserFactory(), score=1)
    assert snapshot(resolved) == before
    assert not Feedback.objects.exists()


def test_rating_twice_is_a_conflict(resolved, resident):
    request_rate(request=resolved, actor=resident, score=3)
    with pytest.raises(Conflict) as exc:
        request_rate(request=resolved, actor=resident, score=5)
    assert exc.value.code == "already_rated"
    assert Feedback.objects.get().score == 3


def test_liking_a_member_who_did_not_serve_is_refused(resolved, resident, task, community):
    served = completed(task)
    withdrew = AcceptanceFactory(task=task, status=Acceptance.Status.CANCELLED)
    stranger = MemberFactory(community=community)
    before = snapshot(resolved)
    for member_id in (withdrew.member_id, stranger.pk):
        with pytest.raises(ValidationFailed) as exc:
            request_rate(request=resolved, actor=resident, score=5, liked_member_ids=[served.member_id, member_id])
        assert exc.value.field == "liked_member_ids"
    assert snapshot(resolved) == before
    assert not Like.objects.exists() and not Feedback.objects.exists()


@pytest.mark.parametrize("score", [0, 6, "5", None, True])
def test_score_one_to_five(resolved, resident, score):
    with pytest.raises(ValidationFailed):
        request_rate(request=resolved, actor=resident, score=score)


# --- reopen ---------------------------------------------------------------------------------


def test_reopen_once_back_to_review_twice_to_the_street(resolved, resident, secretary, street, task, sent):
    row = request_reopen(request=resolved, actor=resident, reason="杂物又堆回来了")
    assert (row.status, row.reopen_count, row.resolved_at) == (R.SUBMITTED, 1, None)
    assert not Escalation.objects.exists()
    # The community approves again, the task is done again, and it is still not solved.
    ServiceRequest.objects.filter(pk=row.pk).update(status=R.RESOLVED, resolved_at=timezone.now(), task=task)
    row = request_reopen(request=row, actor=resident, reason="还是没有解决")
    assert (row.status, row.reopen_count) == (R.ESCALATED, 2)
    case = Escalation.objects.get(request=row)
    assert case.street_id == street.pk and "还是没有解决" in case.reason
    assert [e.to_status for e in row.events.all()] == ["submitted", "escalated"]


def test_only_the_requester_reopens_and_needs_a_reason(resolved, resident, secretary):
    before = snapshot(resolved)
    with pytest.raises(PermissionDenied):
        request_reopen(request=resolved, actor=secretary, reason="x")
    with pytest.raises(ValidationFailed):
        request_reopen(request=resolved, actor=resident, reason=" ")
    assert snapshot(resolved) == before


# --- auto-close -----------------------------------------------------------------------------


def test_autoclose_after_7_days(community, time_machine):
    start = dt.datetime(2026, 5, 1, 10, 0, tzinfo=dt.UTC)
    time_machine.move_to(start, tick=False)
    old = ServiceRequestFactory(community=community, status=R.RESOLVED, resolved_at=start)
    fresh = ServiceRequestFactory(community=community, status=R.RESOLVED, resolved_at=start + dt.timedelta(days=1))
    confirmed = ServiceRequestFactory(community=community, status=R.CONFIRMED, resolved_at=start, closed_at=start)

    time_machine.move_to(start + dt.timedelta(days=6, hours=23), tick=False)
    assert requests_autoclose() == 0
    time_machine.move_to(start + dt.timedelta(days=7, minutes=1), tick=False)
    assert requests_autoclose() == 1
    assert requests_autoclose() == 0  # safe to run twice
    for r in (old, fresh, confirmed):
        r.refresh_from_db()
    assert (old.status, old.closed_at) == (R.CLOSED, start + dt.timedelta(days=7, minutes=1))
    assert fresh.status == R.RESOLVED and confirmed.status == R.CONFIRMED
    assert old.events.get().actor_id is None


def test_autoclose_job(community, time_machine):
    from orders.tasks import autoclose_requests

    start = dt.datetime(2026, 5, 1, 10, 0, tzinfo=dt.UTC)
    ServiceRequestFactory(community=community, status=R.RESOLVED, resolved_at=start)
    time_machine.move_to(start + dt.timedelta(days=8), tick=False)
    assert autoclose_requests.delay().get() == 1


# --- the task is cancelled ------------------------------------------------------------------


def test_cancelled_task_sends_requests_back_to_review(community, secretary, sent, django_capture_on_commit_callbacks):
    task = TaskFactory(community=community, status=Task.Status.CANCELLED, cancel_reason="台风")
    approved = ServiceRequestFactory(community=community, task=task, status=R.APPROVED, reviewed_at=timezone.now())
    with django_capture_on_commit_callbacks(execute=True):
        assert requests_reopen_for_cancelled_task(task=task, actor=secretary) == 1
    approved.refresh_from_db()
    assert (approved.status, approved.task_id, approved.reviewed_at) == (R.SUBMITTED, None, None)
    assert "已取消" in approved.events.get().note


def test_beat_runs_the_request_and_escalation_jobs(settings):
    import orders.tasks  # noqa: F401  (registers the tasks)
    from shaoguan.celery import app

    scheduled = {entry["task"] for entry in settings.CELERY_BEAT_SCHEDULE.values()}
    for name in ("orders.tasks.autoclose_requests", "orders.tasks.mark_overdue_escalations"):
        assert name in scheduled
        assert name in app.tasks
