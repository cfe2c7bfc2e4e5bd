"""点单 and 审核把关: creating, following and reviewing requests, with scope and notifications."""

import datetime as dt

import pytest
from django.utils import timezone

from core.errors import Conflict, PermissionDenied, ValidationFailed
from grids.models import Post
from orders.models import RequestEvent, RequestFollower, ServiceRequest, Task
from orders.services.cascades import request_approve
from orders.services.request_review import request_escalate, request_merge, request_reject
from orders.services.requests import request_create, request_join
from tests.accounts.factories import UserFactory
from tests.grids.factories import Level2GridFactory, MemberFactory, PostFactory, UnitFactory
from tests.orders.factories import ServiceRequestFactory, TaskFactory
from tests.orders.support import kinds, order_fields, recipients, snapshot

R = ServiceRequest.Status


@pytest.fixture
def grid_secretary(grid):
    user = UserFactory(phone="13800000007", name="钱网格")
    PostFactory(user=user, role=Post.Role.GRID_SECRETARY, community=None, grid=grid)
    return user


# --- creating -------------------------------------------------------------------------


def test_create_stores_wgs84_normalised_phone_and_a_submitted_event(resident, community, secretary, sent):
    request = request_create(requester=resident, **order_fields(community))
    request.refresh_from_db()
    assert request.status == R.SUBMITTED
    assert request.contact_phone == "13900000001"
    assert (request.lat, request.lng) == (community.lat, community.lng)
    events = list(RequestEvent.objects.filter(request=request))
    assert [(e.from_status, e.to_status, e.actor_id) for e in events] == [("", "submitted", resident.pk)]


def test_create_converts_gcj02(resident, community, sent):
    from grids.geo import wgs84_to_gcj02

    glat, glng = wgs84_to_gcj02(community.lat, community.lng)
    request = request_create(requester=resident, **order_fields(community, lat=glat, lng=glng, coord_system="gcj02"))
    assert request.coord_system == "gcj02"
    assert abs(request.lat - community.lat) < 1e-6 and abs(request.lng - community.lng) < 1e-6


def test_create_at_night_is_fine(resident, community, sent):
    import time_machine

    with time_machine.travel(dt.datetime(2026, 3, 4, 2, 30, tzinfo=dt.UTC).astimezone(), tick=False):
        request = request_create(requester=resident, **order_fields(community))
    assert request.status == R.SUBMITTED


@pytest.mark.parametrize(
    ("overrides", "field"),
    [
        ({"title": ""}, "title"),
        ({"title": "长" * 81}, "title"),
        ({"description": "  "}, "description"),
        ({"address": ""}, "address"),
        ({"contact_phone": "12345"}, "contact_phone"),
        ({"lat": 39.9, "lng": 116.4}, "location"),  # Beijing
        ({"duty": "cooking"}, "duty"),
        ({"title": "楼道\x00杂物"}, "title"),
        ({"description": "a\x00b"}, "description"),
        ({"coord_system": "bd09"}, "coord_system"),
    ],
)
def test_create_refuses_bad_input_in_chinese(resident, community, sent, overrides, field):
    with pytest.raises(ValidationFailed) as exc:
        request_create(requester=resident, **order_fields(community, **overrides))
    assert exc.value.field == field
    assert any("\u4e00" <= ch <= "\u9fff" for ch in exc.value.message)
    assert ServiceRequest.objects.count() == 0


def test_grid_must_belong_to_the_community(resident, community, other_community, sent):
    foreign = Level2GridFactory(community=other_community)
    with pytest.raises(ValidationFailed) as exc:
        request_create(requester=resident, grid=foreign, **order_fields(community))
    assert exc.value.field == "grid"


def test_unit_request_needs_a_member_of_that_unit(resident, community, sent):
    unit = UnitFactory()
    with pytest.raises(PermissionDenied):
        request_create(requester=resident, requester_kind="unit", unit=unit, **order_fields(community))
    member = MemberFactory(unit=unit)
    request = request_create(requester=member.user, requester_kind="unit", unit=unit, **order_fields(community))
    assert request.unit_id == unit.pk
    with pytest.raises(PermissionDenied):
        request_create(requester=MemberFactory().user, requester_kind="unit", unit=unit, **order_fields(community))


def test_member_kind_needs_a_member_profile(resident, community, sent):
    with pytest.raises(ValidationFailed):
        request_create(requester=resident, requester_kind="member", **order_fields(community))


def test_secretaries_are_told_after_commit(
    resident, community, grid, secretary, grid_secretary, outsider, sent, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        request_create(requester=resident, grid=grid, **order_fields(community))
    assert sent == []  # nothing told before the commit
    for callback in callbacks:
        callback()
    assert kinds(sent) == ["request_submitted"]
    assert recipients(sent, "request_submitted") == {secretary.pk, grid_secretary.pk}


# --- following ------------------------------------------------------------------------


def test_join_follows_once(submitted, sent):
    neighbour = UserFactory()
    here = {"lat": submitted.lat, "lng": submitted.lng}  # following needs a reason: being at the place
    first = request_join(request=submitted, user=neighbour, **here)
    again = request_join(request=submitted, user=neighbour, **here)
    assert first.pk == again.pk
    assert RequestFollower.objects.filter(request=submitted).count() == 1
    assert RequestEvent.objects.filter(request=submitted, note__contains="同一问题").count() == 1


def test_join_refuses_own_and_closed(submitted, resident, sent):
    with pytest.raises(Conflict):
        request_join(request=submitted, user=resident)
    closed = ServiceRequestFactory(status=R.CLOSED)
    with pytest.raises(Conflict):
        request_join(request=closed, user=UserFactory(), lat=closed.lat, lng=closed.lng)


# --- review -----------------------------------------------------------------------------


def test_approve_attaching_to_an_open_task(submitted, secretary, community, sent, django_capture_on_commit_callbacks):
    follower = UserFactory()
    RequestFollower.objects.create(request=submitted, user=follower)
    task = TaskFactory(community=community)
    with django_capture_on_commit_callbacks(execute=True):
        row = request_approve(request=submitted, actor=secretary, task=task)
    row.refresh_from_db()
    assert (row.status, row.task_id) == (R.APPROVED, task.pk)
    assert row.reviewed_at is not None
    assert recipients(sent, "request_approved") == {submitted.requester_id, follower.pk}


def test_approve_creating_a_task(submitted, secretary, community, sent):
    starts = timezone.now() + dt.timedelta(days=2)
    row = request_approve(
        request=submitted, actor=secretary, starts_at=starts, ends_at=starts + dt.timedelta(hours=2), slots=2
    )
    task = Task.objects.get()
    assert row.task_id == task.pk and row.status == R.APPROVED
    assert (task.title, task.duty, task.community_id, task.slots) == (submitted.title, submitted.duty, community.pk, 2)


def test_approve_needs_a_task(submitted, secretary, sent):
    with pytest.raises(ValidationFailed):
        request_approve(request=submitted, actor=secretary)
    submitted.refresh_from_db()
    assert submitted.status == R.SUBMITTED


@pytest.mark.parametrize("missing", ["starts_at", "ends_at", "slots"])
def test_approve_creating_a_task_needs_its_times_and_slots(submitted, secretary, sent, missing):
    """What a new task cannot take from the request is asked for (it was a 500 through the API)."""
    starts = timezone.now() + dt.timedelta(days=2)
    fields = {"starts_at": starts, "ends_at": starts + dt.timedelta(hours=2), "slots": 2, "address": "3栋"}
    del fields[missing]
    with pytest.raises(ValidationFailed) as exc:
        request_approve(request=submitted, actor=secretary, **fields)
    assert (exc.value.field, exc.value.code) == (missing, "required")
    submitted.refresh_from_db()
    assert submitted.status == R.SUBMITTED and not Task.objects.exists()


def test_approve_refuses_another_communitys_task_and_a_cancelled_one(submitted, secretary, other_community, sent):
    before = snapshot(submitted)
    with pytest.raises(ValidationFailed):
        request_approve(request=submitted, actor=secretary, task=TaskFactory(community=other_community))
    cancelled = TaskFactory(community=submitted.community, status=Task.Status.CANCELLED, cancel_reason="天气")
    with pytest.raises(Conflict):
        request_approve(request=submitted, actor=secretary, task=cancelled)
    assert snapshot(submitted) == before


def test_reject_needs_a_reason_the_resident_sees(submitted, secretary, sent, django_capture_on_commit_callbacks):
    with pytest.raises(ValidationFailed):
        request_reject(request=submitted, actor=secretary, reason="  ")
    with django_capture_on_commit_callbacks(execute=True):
        row = request_reject(request=submitted, actor=secretary, reason="属于物业管理范围，请联系物业。")
    assert row.status == R.REJECTED and row.reject_reason.startswith("属于物业")
    assert [c["body"] for c in sent if c["kind"] == "request_rejected"] == ["属于物业管理范围，请联系物业。"]


def test_merge_moves_people_to_the_target(submitted, secretary, community, sent, django_capture_on_commit_callbacks):
    into = ServiceRequestFactory(community=community)
    follower = UserFactory()
    RequestFollower.objects.create(request=submitted, user=follower)
    with django_capture_on_commit_callbacks(execute=True):
        row = request_merge(request=submitted, into=into, actor=secretary)
    assert row.status == R.MERGED and row.merged_into_id == into.pk
    assert set(RequestFollower.objects.filter(request=into).values_list("user_id", flat=True)) == {
        submitted.requester_id,
        follower.pk,
    }
    assert recipients(sent, "request_merged") == {submitted.requester_id, follower.pk}


def test_merge_refuses_itself_other_community_and_closed_target(submitted, secretary, other_community, sent):
    before = snapshot(submitted)
    with pytest.raises(ValidationFailed):
        request_merge(request=submitted, into=submitted, actor=secretary)
    with pytest.raises(ValidationFailed):
        request_merge(request=submitted, into=ServiceRequestFactory(community=other_community), actor=secretary)
    with pytest.raises(Conflict):
        request_merge(
            request=submitted,
            into=ServiceRequestFactory(community=submitted.community, status=R.CLOSED),
            actor=secretary,
        )
    assert snapshot(submitted) == before


def test_escalate_opens_a_case_at_the_street(submitted, secretary, street, sent):
    row = request_escalate(request=submitted, actor=secretary, reason="涉及违建，社区无执法权。")
    assert row.status == R.ESCALATED
    case = row.escalations.get()
    assert (case.street_id, case.community_id, case.status) == (street.pk, submitted.community_id, "open")


def _review_calls(request, actor, into):
    return [
        lambda: request_approve(request=request, actor=actor, task=TaskFactory(community=request.community)),
        lambda: request_reject(request=request, actor=actor, reason="不予受理"),
        lambda: request_merge(request=request, into=into, actor=actor),
        lambda: request_escalate(request=request, actor=actor, reason="上报"),
    ]


@pytest.mark.parametrize("action", range(4), ids=["approve", "reject", "merge", "escalate"])
def test_reviewing_another_communitys_request_is_refused(submitted, outsider, community, sent, action):
    into = ServiceRequestFactory(community=community)
    before = snapshot(submitted)
    with pytest.raises(PermissionDenied):
        _review_calls(submitted, outsider, into)[action]()
    assert snapshot(submitted) == before
    assert sent == []


@pytest.mark.parametrize("action", range(4), ids=["approve", "reject", "merge", "escalate"])
def test_a_resident_cannot_review(submitted, community, sent, action):
    before = snapshot(submitted)
    with pytest.raises(PermissionDenied):
        _review_calls(submitted, UserFactory(), ServiceRequestFactory(community=community))[action]()
    assert snapshot(submitted) == before


def test_grid_secretary_reviews_only_their_grid(community, grid, grid_secretary, resident, sent):
    building = Level2GridFactory(community=community)
    mine = ServiceRequestFactory(community=community, grid=grid, requester=resident)
    theirs = ServiceRequestFactory(community=community, grid=building)
    request_reject(request=mine, actor=grid_secretary, reason="重复")
    with pytest.raises(PermissionDenied):
        request_reject(request=theirs, actor=grid_secretary, reason="重复")
    no_grid = ServiceRequestFactory(community=community)
    with pytest.raises(PermissionDenied):
        request_reject(request=no_grid, actor=grid_secretary, reason="重复")


def test_street_staff_above_may_review(submitted, street_officer, sent):
    assert request_reject(request=submitted, actor=street_officer, reason="不予受理").status == R.REJECTED
