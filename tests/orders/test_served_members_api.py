"""A request's detail names the members who served it — to its requester only, who likes them
when rating (the mini program's rate form)."""

import pytest

from orders.models import Acceptance, ServiceRequest
from tests.conftest import client_for
from tests.grids.factories import MemberFactory
from tests.orders.api_support import V1
from tests.orders.factories import AcceptanceFactory, ServiceRequestFactory, TaskFactory
from tests.orders.support import served as serve

pytestmark = pytest.mark.django_db


@pytest.fixture
def served(community, resident):
    task = TaskFactory(community=community)
    row = ServiceRequestFactory(
        community=community, requester=resident, task=task, status=ServiceRequest.Status.RESOLVED
    )
    done = serve(task, MemberFactory(community=community))
    AcceptanceFactory(task=task, status=Acceptance.Status.CANCELLED)  # withdrew: not whom to like
    return row, done


def test_the_requester_sees_who_served(resident, served):
    row, done = served
    body = client_for(resident).get(f"{V1}/requests/{row.pk}/").json()
    assert body["served_members"] == [{"member_id": done.member_id, "name": done.member.user.name}]


def test_staff_see_the_request_but_not_this_list(secretary, served):
    row, _ = served
    body = client_for(secretary).get(f"{V1}/requests/{row.pk}/").json()
    assert body["id"] == row.pk and body["served_members"] == []


def test_the_neighbouring_secretary_is_404(outsider, served):
    row, _ = served
    assert client_for(outsider).get(f"{V1}/requests/{row.pk}/").status_code == 404


def test_rating_likes_them(resident, served):
    row, done = served
    resp = client_for(resident).post(
        f"{V1}/requests/{row.pk}/rate/", {"score": 5, "liked_members": [done.member_id]}, format="json"
    )
    assert resp.status_code == 200, resp.content
    assert resp.json()["liked_member_ids"] == [done.member_id]
