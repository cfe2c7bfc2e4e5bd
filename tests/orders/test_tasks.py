"""下单/吹哨: dispatching, cancelling and completing tasks, the widening and reminder jobs, 吹哨 to the top N."""

import datetime as dt

import pytest
import time_machine
from django.utils import timezone

from core.errors import Conflict, PermissionDenied, ValidationFailed
from core.transitions import ALLOWED, transition
from grids.models import Post
from orders import tasks as jobs
from orders.models import Acceptance, ServiceRequest, Task, TaskEvent
from orders.services.acceptances import acceptance_check_in
from orders.services.cascades import task_cancel, task_complete
from orders.services.dispatch import task_notify_top, tasks_send_reminders, tasks_widen
from orders.services.tasks import WORKING_HOURS_WARNING, task_accept, task_create, task_working_hours_warning
from tests.accounts.factories import UserFactory
from tests.grids.factories import Level2GridFactory, MemberFactory, PostFactory
from tests.orders.factories import ServiceRequestFactory, TaskFactory
from tests.orders.support import consent, kinds, member_in, on_site, recipients, take

A, T, V = Acceptance.Status, Task.Status, Task.Visibility
pytestmark = pytest.mark.django_db


def _evening(days: int = 2, hour: int = 19) -> dt.datetime:
    day = timezone.localdate() + dt.timedelta(days=days)
    return timezone.make_aware(dt.datetime.combine(day, dt.time(hour, 0)))


def fields(community, **overrides) -> dict:
    starts = _evening()
    data = {
        "community": community,
        "focus": "governance",
        "duty": "safety",
        "title": "民情夜访",
        "address": "工业中社区3栋",
        "lat": community.lat,
        "lng": community.lng,
        "starts_at": starts,
        "ends_at": starts + dt.timedelta(hours=2),
        "slots": 4,
    }
    data.update(overrides)
    return data


# --- 下单 -----------------------------------------------------------------------------------


def test_secretary_dispatches_a_task(community, secretary):
    task = task_create(actor=secretary, skills_wanted=["doctor", "teacher"], **fields(community))
    assert (task.status, task.taken, task.slots, task.created_by) == (T.OPEN, 0, 4, secretary)
    assert task.skills_wanted == ["teacher", "doctor"]
    event = TaskEvent.objects.get(task=task)
    assert (event.from_status, event.to_status, event.actor) == ("", T.OPEN, secretary)


def test_a_gcj02_location_is_stored_as_wgs84(community, secretary):
    from grids.geo import wgs84_to_gcj02

    glat, glng = wgs84_to_gcj02(community.lat, community.lng)
    task = task_create(actor=secretary, coord_system="gcj02", **fields(community, lat=glat, lng=glng))
    assert abs(task.lat - community.lat) < 1e-6 and abs(task.lng - community.lng) < 1e-6


def test_street_and_district_staff_may_dispatch_for_their_communities(community, street_officer, district_officer):
    assert task_create(actor=street_officer, **fields(community))
    assert task_create(actor=district_officer, **fields(community))


def test_an_outsider_may_not_dispatch(community, outsider, resident):
    for actor in (outsider, resident):
        with pytest.raises(PermissionDenied):
            task_create(actor=actor, **fields(community))
    assert Task.objects.count() == 0


def test_a_grid_secretary_dispatches_only_in_their_grid(community, grid):
    user = UserFactory()
    PostFactory(user=user, role=Post.Role.GRID_SECRETARY, community=None, grid=grid)
    assert task_create(actor=user, grid=grid, **fields(community)).grid == grid
    with pytest.raises(PermissionDenied):
        task_create(actor=user, **fields(community))
    with pytest.raises(PermissionDenied):
        task_create(actor=user, grid=Level2GridFactory(community=community), **fields(community))


@pytest.mark.parametrize(
    ("override", "field"),
    [
        ({"title": ""}, "title"),
        ({"title": "夜访\x00"}, "title"),
        ({"address": "x" * 201}, "address"),
        ({"focus": "fun"}, "focus"),
        ({"duty": "nothing"}, "duty"),
        ({"slots": 0}, "slots"),
        ({"slots": 501}, "slots"),
        ({"starts_at": timezone.now() - dt.timedelta(minutes=1)}, "starts_at"),
        ({"ends_at": _evening()}, "ends_at"),
        ({"ends_at": _evening() + dt.timedelta(hours=25)}, "ends_at"),
        ({"lat": 39.9, "lng": 116.4}, "location"),
        ({"skills_wanted": ["juggler"]}, "skills_wanted"),
        ({"visibility": "world"}, "visibility"),
        ({"geofence_radius_m": 5}, "geofence_radius_m"),
    ],
)
def test_bad_input_is_refused_and_nothing_is_written(community, secretary, override, field):
    with pytest.raises(ValidationFailed) as err:
        task_create(actor=secretary, **fields(community, **override))
    assert err.value.field == field
    assert Task.objects.count() == 0


def test_the_grid_must_belong_to_the_community(community, other_community, secretary):
    with pytest.raises(ValidationFailed) as err:
        task_create(actor=secretary, grid=Level2GridFactory(community=other_community), **fields(community))
    assert err.value.field == "grid"


def test_source_requests_are_linked_and_must_be_the_communitys(community, other_community, secretary):
    mine = ServiceRequestFactory(community=community)
    task = task_create(actor=secretary, source_requests=[mine], **fields(community))
    mine.refresh_from_db()
    assert mine.task == task and mine.status == ServiceRequest.Status.SUBMITTED
    with pytest.raises(ValidationFailed):
        task_create(
            actor=secretary, source_requests=[ServiceRequestFactory(community=other_community)], **fields(community)
        )


def test_the_working_hours_warning(community):
    monday = timezone.localdate() + dt.timedelta(days=(7 - timezone.localdate().weekday()))
    at = lambda h: timezone.make_aware(dt.datetime.combine(monday, dt.time(h, 0)))  # noqa: E731
    inside = TaskFactory(community=community, starts_at=at(10), ends_at=at(12))
    evening = TaskFactory(community=community, starts_at=at(18), ends_at=at(20))
    straddling = TaskFactory(community=community, starts_at=at(16), ends_at=at(18))
    assert task_working_hours_warning(inside) == WORKING_HOURS_WARNING
    assert task_working_hours_warning(straddling) == WORKING_HOURS_WARNING
    assert task_working_hours_warning(evening) is None


# --- cancelling and completing --------------------------------------------------------------


def test_cancel_cancels_slots_tells_members_and_sends_requests_back_to_review(
    community, task, placed, secretary, sent, django_capture_on_commit_callbacks
):
    request = ServiceRequestFactory(community=community, status=ServiceRequest.Status.APPROVED, task=task)
    acceptance = task_accept(task=task, member=placed)
    with django_capture_on_commit_callbacks(execute=True):
        task = task_cancel(task=task, actor=secretary, reason="暴雨预警，活动取消")
    acceptance.refresh_from_db()
    request.refresh_from_db()
    assert (task.status, task.cancel_reason) == (T.CANCELLED, "暴雨预警，活动取消")
    assert acceptance.status == A.CANCELLED
    assert (request.status, request.task) == (ServiceRequest.Status.SUBMITTED, None)
    assert recipients(sent, "task_cancelled") == {placed.user_id}
    assert {c["url"] for c in sent if c["kind"] == "task_cancelled"} == {"/my/tasks/"}


def test_cancel_needs_a_reason_and_the_right_person(task, secretary, outsider):
    with pytest.raises(ValidationFailed):
        task_cancel(task=task, actor=secretary, reason="  ")
    with pytest.raises(PermissionDenied):
        task_cancel(task=task, actor=outsider, reason="不需要了")
    task.refresh_from_db()
    assert task.status == T.OPEN


def test_complete_checks_out_those_on_site_marks_no_shows_and_resolves_requests(community, task, placed, secretary):
    request = ServiceRequestFactory(community=community, status=ServiceRequest.Status.APPROVED, task=task)
    consent(placed)
    came = task_accept(task=task, member=placed)
    missing = task_accept(task=task, member=member_in(community))
    with time_machine.travel(task.starts_at, tick=False):
        acceptance_check_in(acceptance=came, actor=placed.user, **on_site(task))
    with time_machine.travel(task.ends_at + dt.timedelta(minutes=30), tick=False):
        task = task_complete(task=task, actor=secretary)
    came.refresh_from_db()
    missing.refresh_from_db()
    request.refresh_from_db()
    assert task.status == T.COMPLETED and task.completed_at is not None
    assert came.status == A.COMPLETED and came.record.auto_checked_out and came.record.minutes == 120
    assert missing.status == A.NO_SHOW
    assert request.status == ServiceRequest.Status.RESOLVED


def test_completing_early_counts_the_time_served_so_far(task, placed, secretary):
    consent(placed)
    came = task_accept(task=task, member=placed)
    with time_machine.travel(task.starts_at, tick=False):
        acceptance_check_in(acceptance=came, actor=placed.user, **on_site(task))
    with time_machine.travel(task.starts_at + dt.timedelta(minutes=45), tick=False):
        task_complete(task=task, actor=secretary)
    came.refresh_from_db()
    assert came.record.minutes == 45 and not came.record.auto_checked_out


def test_an_outsider_may_not_complete(task, outsider):
    with pytest.raises(PermissionDenied):
        task_complete(task=task, actor=outsider)


# --- every pair of the task machine ---------------------------------------------------------


def _task_in(status, community):
    extra = {"cancel_reason": "测试"} if status == T.CANCELLED else {}
    task = TaskFactory(community=community, slots=2, taken=2 if status == T.FULL else 0, status=status, **extra)
    return task


@pytest.mark.parametrize("to", T.values)
@pytest.mark.parametrize("start", T.values)
def test_every_task_pair_through_transition(start, to, community, secretary):
    from django.db import transaction

    task = _task_in(start, community)
    events = TaskEvent.objects.filter(task=task).count()
    changes = {}
    if to == T.CANCELLED:
        changes["cancel_reason"] = "测试取消"
    if to == T.FULL:
        changes["taken"] = task.slots
    if to == T.OPEN and start == T.FULL:
        changes["taken"] = task.slots - 1
    if to in ALLOWED[Task][start]:
        with transaction.atomic():
            transition(task, to, actor=secretary, **changes)
        task.refresh_from_db()
        assert task.status == to
        assert TaskEvent.objects.filter(task=task).count() == events + 1
    else:
        with pytest.raises(Conflict) as err, transaction.atomic():
            transition(task, to, actor=secretary, **changes)
        assert err.value.code == "illegal_transition"
        task.refresh_from_db()
        assert task.status == start and TaskEvent.objects.filter(task=task).count() == events


@pytest.mark.parametrize("start", T.values)
@pytest.mark.parametrize("action", ["cancel", "complete"])
def test_cancel_and_complete_from_every_status(start, action, community, secretary):
    task = _task_in(start, community)
    to = T.CANCELLED if action == "cancel" else T.COMPLETED

    def run():
        if action == "cancel":
            return task_cancel(task=task, actor=secretary, reason="测试")
        return task_complete(task=task, actor=secretary)

    if to in ALLOWED[Task][start]:
        assert run().status == to
    else:
        with pytest.raises(Conflict) as err:
            run()
        assert err.value.code == "illegal_transition"
        task.refresh_from_db()
        assert task.status == start


@pytest.mark.parametrize("start", T.values)
def test_the_first_check_in_starts_the_task_from_every_status(start, community, placed):
    task = _task_in(start, community)
    if start == T.FULL:
        Task.objects.filter(pk=task.pk).update(taken=1, slots=1)
    consent(placed)
    acceptance = take(task, placed) if start != T.FULL else _hold(task, placed)
    with time_machine.travel(task.starts_at, tick=False):
        if start in (T.CANCELLED, T.COMPLETED):
            with pytest.raises(Conflict):
                acceptance_check_in(acceptance=acceptance, actor=placed.user, **on_site(task))
            task.refresh_from_db()
            assert task.status == start
        else:
            acceptance_check_in(acceptance=acceptance, actor=placed.user, **on_site(task))
            task.refresh_from_db()
            assert task.status == T.IN_PROGRESS


def _hold(task, member):
    from tests.orders.factories import AcceptanceFactory

    return AcceptanceFactory(task=task, member=member)


# --- jobs -------------------------------------------------------------------------------------


def test_unfilled_tasks_widen_to_paired_then_city_and_the_secretary_is_told(
    community, secretary, sent, settings, django_capture_on_commit_callbacks
):
    settings.TASK_WIDEN_AFTER_HOURS = 24
    created = timezone.now()
    task = TaskFactory(community=community, created_at=created, starts_at=created + dt.timedelta(days=5))
    taken = TaskFactory(community=community, created_at=created, starts_at=task.starts_at, taken=1)
    with django_capture_on_commit_callbacks(execute=True):
        assert tasks_widen(now=created + dt.timedelta(hours=23)) == 0
        assert tasks_widen(now=created + dt.timedelta(hours=24)) == 1
        assert tasks_widen(now=created + dt.timedelta(hours=25)) == 0
    task.refresh_from_db()
    assert task.visibility == V.PAIRED and task.widened_at == created + dt.timedelta(hours=24)
    assert recipients(sent, "task_widened") == {secretary.pk}
    assert sent[0]["url"] == f"/work/tasks/{task.pk}/"
    with django_capture_on_commit_callbacks(execute=True):
        assert tasks_widen(now=created + dt.timedelta(hours=48)) == 1
        assert tasks_widen(now=created + dt.timedelta(hours=100)) == 0
    task.refresh_from_db()
    taken.refresh_from_db()
    assert task.visibility == V.CITY and taken.visibility == V.COMMUNITY
    assert task.events.filter(note__contains="扩大").count() == 2


def test_a_task_dispatched_to_paired_units_widens_to_the_city(community):
    created = timezone.now()
    task = TaskFactory(
        community=community, visibility=V.PAIRED, created_at=created, starts_at=created + dt.timedelta(days=5)
    )
    assert tasks_widen(now=created + dt.timedelta(hours=24)) == 1
    task.refresh_from_db()
    assert task.visibility == V.CITY


def test_started_tasks_do_not_widen(community):
    task = TaskFactory(community=community, created_at=timezone.now() - dt.timedelta(days=3))
    assert tasks_widen(now=task.starts_at + dt.timedelta(minutes=1)) == 0


def test_reminders_go_once_two_hours_before(task, placed, sent, django_capture_on_commit_callbacks):
    acceptance = task_accept(task=task, member=placed)
    with django_capture_on_commit_callbacks(execute=True):
        assert tasks_send_reminders(now=task.starts_at - dt.timedelta(hours=3)) == 0
        assert tasks_send_reminders(now=task.starts_at - dt.timedelta(minutes=110)) == 1
        assert tasks_send_reminders(now=task.starts_at - dt.timedelta(minutes=100)) == 0
    acceptance.refresh_from_db()
    assert acceptance.notified_at == task.starts_at - dt.timedelta(minutes=110)
    assert kinds(sent) == ["task_reminder"] and recipients(sent, "task_reminder") == {placed.user_id}
    assert sent[0]["url"] == "/my/tasks/"


def test_celery_jobs_call_their_services_and_are_safe_twice(task, placed):
    task_accept(task=task, member=placed)
    with time_machine.travel(task.starts_at - dt.timedelta(hours=1), tick=False):
        assert jobs.send_task_reminders.delay().get() == 1
        assert jobs.send_task_reminders.delay().get() == 0
    with time_machine.travel(task.ends_at + dt.timedelta(minutes=1), tick=False):
        assert jobs.mark_no_shows.delay().get() == 1
        assert jobs.mark_no_shows.delay().get() == 0
        assert jobs.auto_checkout_acceptances.delay().get() == 0
        assert jobs.widen_unfilled_tasks.delay().get() == 0


def test_the_beat_runs_every_job(settings):
    scheduled = {entry["task"] for entry in settings.CELERY_BEAT_SCHEDULE.values()}
    for name in ("widen_unfilled_tasks", "send_task_reminders", "auto_checkout_acceptances", "mark_no_shows"):
        assert f"orders.tasks.{name}" in scheduled


# --- 吹哨 to the top N -------------------------------------------------------------------------


def test_notify_top_tells_the_best_suggestions(community, secretary, sent, django_capture_on_commit_callbacks):
    task = TaskFactory(community=community, skills_wanted=["doctor"])
    doctor = MemberFactory(community=community, skills=["doctor"])
    MemberFactory(community=community, skills=["teacher"])
    with django_capture_on_commit_callbacks(execute=True):
        members = task_notify_top(task=task, actor=secretary, n=1)
    assert members == [doctor]
    assert recipients(sent, "task_dispatched") == {doctor.user_id}
    assert sent[0]["title"].startswith("社区吹哨：")
    assert sent[0]["url"] == f"/tasks/{task.pk}/"


def test_notify_top_is_for_the_communitys_staff(community, outsider):
    with pytest.raises(PermissionDenied):
        task_notify_top(task=TaskFactory(community=community), actor=outsider, n=5)
