"""Nobody acts on their own: a requester who served their own request's task neither rates it nor
likes themself, nor confirms their own hours by confirming the request; staff do not approve a
request they placed. Through the service, the API and the pages."""

import pytest
from django.utils import timezone

from core.errors import PermissionDenied
from grids.models import Post
from orders.models import Feedback, Like, ServiceRequest, Task
from orders.services.cascades import request_approve
from orders.services.request_closing import request_confirm, request_rate
from reporting.models import ServiceRecord
from tests.accounts.factories import UserFactory
from tests.conftest import client_for
from tests.grids.factories import MemberFactory, PostFactory
from tests.orders.factories import ServiceRequestFactory, TaskFactory
from tests.orders.support import served
from tests.pages import browser_for

pytestmark = pytest.mark.django_db
V1 = "/api/v1"
R = ServiceRequest.Status


@pytest.fixture
def server(community):
    """A member who ordered a service and then took the task themself."""
    return MemberFactory(user=UserFactory(phone="13800000032", name="何党员"), community=community)


@pytest.fixture
def own_request(community, secretary, server):
    task = TaskFactory(community=community, created_by=secretary, status=Task.Status.COMPLETED)
    mine = served(task, server)
    theirs = served(task, MemberFactory(community=community))
    row = ServiceRequestFactory(
        community=community, requester=server.user, task=task, status=R.RESOLVED, resolved_at=timezone.now()
    )
    row.mine, row.theirs = mine, theirs
    return row


def nothing_rated(row) -> None:
    row.refresh_from_db()
    assert row.status == R.RESOLVED
    assert not Feedback.objects.filter(request=row).exists() and not Like.objects.filter(request=row).exists()


# --- rating and liking one's own service ------------------------------------------------------


def test_rating_a_request_one_served_is_refused(own_request, server):
    with pytest.raises(PermissionDenied) as exc:
        request_rate(request=own_request, actor=server.user, score=5)
    assert exc.value.code == "own_service"
    nothing_rated(own_request)


def test_liking_oneself_is_refused(own_request, server):
    with pytest.raises(PermissionDenied) as exc:
        request_rate(request=own_request, actor=server.user, score=5, liked_member_ids=[server.pk])
    assert exc.value.code == "own_service" and "自己" in exc.value.message
    nothing_rated(own_request)


def test_api_rate_own_service_is_refused(own_request, server):
    resp = client_for(server.user).post(
        f"{V1}/requests/{own_request.pk}/rate/", {"score": 5, "liked_members": [server.pk]}, format="json"
    )
    assert resp.status_code == 403 and resp.json()["code"] == "own_service", resp.content.decode()
    nothing_rated(own_request)


def test_page_rate_own_service_is_refused(own_request, server):
    browser_for(server.user).post(f"/my/requests/{own_request.pk}/rate/", {"score": "5", "liked": [server.pk]})
    nothing_rated(own_request)


def test_confirming_the_request_leaves_ones_own_hours_to_the_community(own_request, server):
    request_confirm(request=own_request, actor=server.user)
    own_request.refresh_from_db()
    assert own_request.status == R.CONFIRMED
    mine, theirs = own_request.mine.record, own_request.theirs.record
    mine.refresh_from_db()
    theirs.refresh_from_db()
    assert mine.status == ServiceRecord.Status.PENDING
    assert theirs.status == ServiceRecord.Status.CONFIRMED and theirs.confirmed_via == "resident"


def test_outsiders_cannot_rate_it(own_request, resident, outsider):
    for actor in (resident, outsider):
        with pytest.raises(PermissionDenied):
            request_rate(request=own_request, actor=actor, score=1)
    nothing_rated(own_request)


def test_a_resident_served_by_others_rates_and_likes(community, secretary, resident):
    task = TaskFactory(community=community, created_by=secretary, status=Task.Status.COMPLETED)
    acc = served(task, MemberFactory(community=community))
    row = ServiceRequestFactory(
        community=community, requester=resident, task=task, status=R.RESOLVED, resolved_at=timezone.now()
    )
    request_rate(request=row, actor=resident, score=5, liked_member_ids=[acc.member_id])
    assert Like.objects.filter(request=row, member=acc.member).exists()


# --- approving one's own request --------------------------------------------------------------


@pytest.fixture
def placed_by_committee(community):
    """A part-time committee member of the community placed a request there."""
    user = UserFactory(phone="13800000033", name="林委员")
    PostFactory(user=user, role=Post.Role.PART_TIME_MEMBER, community=community)
    return ServiceRequestFactory(community=community, requester=user)


@pytest.fixture
def open_task(community, secretary):
    return TaskFactory(community=community, created_by=secretary)


def still_submitted(row) -> None:
    row.refresh_from_db()
    assert row.status == R.SUBMITTED and row.task_id is None


def test_approving_a_request_one_placed_is_refused(placed_by_committee, open_task):
    with pytest.raises(PermissionDenied) as exc:
        request_approve(request=placed_by_committee, actor=placed_by_committee.requester, task=open_task)
    assert exc.value.code == "own_request"
    still_submitted(placed_by_committee)


def test_api_approve_own_request_is_refused(placed_by_committee, open_task):
    resp = client_for(placed_by_committee.requester).post(
        f"{V1}/requests/{placed_by_committee.pk}/approve/", {"task_id": open_task.pk}, format="json"
    )
    assert resp.status_code == 403 and resp.json()["code"] == "own_request", resp.content.decode()
    still_submitted(placed_by_committee)


def test_page_approve_own_request_is_refused(placed_by_committee, open_task):
    r = browser_for(placed_by_committee.requester).post(
        f"/work/requests/{placed_by_committee.pk}/approve/", {"task": open_task.pk}, follow=True
    )
    assert "自己" in r.content.decode()
    still_submitted(placed_by_committee)


def test_outsiders_cannot_approve_it(placed_by_committee, open_task, resident, outsider):
    for actor in (resident, outsider):
        with pytest.raises(PermissionDenied):
            request_approve(request=placed_by_committee, actor=actor, task=open_task)
        resp = client_for(actor).post(
            f"{V1}/requests/{placed_by_committee.pk}/approve/", {"task_id": open_task.pk}, format="json"
        )
        assert resp.status_code in (403, 404)
    still_submitted(placed_by_committee)


def test_another_secretary_approves_it(placed_by_committee, open_task, secretary):
    resp = client_for(secretary).post(
        f"{V1}/requests/{placed_by_committee.pk}/approve/", {"task_id": open_task.pk}, format="json"
    )
    assert resp.status_code == 200 and resp.json()["status"] == "approved", resp.content.decode()


def test_the_review_page_offers_no_approval_of_ones_own_request(placed_by_committee, open_task, secretary):
    own = browser_for(placed_by_committee.requester).get(f"/work/requests/{placed_by_committee.pk}/").content.decode()
    assert 'data-testid="own-request"' in own and 'data-testid="approve-new"' not in own
    theirs = browser_for(secretary).get(f"/work/requests/{placed_by_committee.pk}/").content.decode()
    assert 'data-testid="approve-new"' in theirs and 'data-testid="own-request"' not in theirs
