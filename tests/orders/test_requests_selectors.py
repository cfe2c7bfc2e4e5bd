"""Reads on requests: duplicates nearby, the review queue, the timeline, the PIPL contact rule."""

import datetime as dt
import math

import pytest
import time_machine
from django.utils import timezone

from grids.geo import wgs84_to_gcj02
from grids.models import Post
from grids.vocab import Duty
from orders.models import Acceptance, RequestFollower, ServiceRequest
from orders.selectors.requests import (
    masked_address,
    masked_contact,
    nearby_open_requests,
    nearest_community,
    pending_requests_for,
    request_contact_visible_to,
    request_timeline,
    requests_for_requester,
)
from orders.services.request_review import request_reject
from tests.accounts.factories import UserFactory
from tests.grids.factories import Level2GridFactory, MemberFactory, PostFactory
from tests.orders.factories import AcceptanceFactory, ServiceRequestFactory, TaskFactory

R = ServiceRequest.Status


def north_of(lat: float, metres: float) -> float:
    return lat + math.degrees(metres / 6_371_008.8)


# --- "is this yours?" -----------------------------------------------------------------------


@pytest.fixture
def base(community):
    return community.lat, community.lng


def test_duplicates_within_200m_7_days_same_duty_only(community, base):
    lat, lng = base
    near = ServiceRequestFactory(community=community, duty=Duty.SANITATION, lat=north_of(lat, 150), lng=lng)
    ServiceRequestFactory(community=community, duty=Duty.SANITATION, lat=north_of(lat, 250), lng=lng)  # too far
    ServiceRequestFactory(community=community, duty=Duty.SAFETY, lat=lat, lng=lng)  # other duty
    ServiceRequestFactory(
        community=community, duty=Duty.SANITATION, lat=lat, lng=lng, created_at=timezone.now() - dt.timedelta(days=8)
    )  # too old
    ServiceRequestFactory(
        community=community, duty=Duty.SANITATION, lat=lat, lng=lng, status=R.REJECTED, reject_reason="不予受理"
    )  # not open
    on_top = ServiceRequestFactory(
        community=community, duty=Duty.SANITATION, lat=lat, lng=lng, status=R.APPROVED, task=TaskFactory()
    )
    found = nearby_open_requests(lat=lat, lng=lng, duty=Duty.SANITATION)
    assert [r.pk for r in found] == [on_top.pk, near.pk]
    assert found[1].distance_m == pytest.approx(150, abs=1)


def test_duplicates_from_a_gcj02_point(community, base):
    lat, lng = base
    there = ServiceRequestFactory(community=community, duty=Duty.SANITATION, lat=lat, lng=lng)
    glat, glng = wgs84_to_gcj02(lat, lng)
    # Read as if it were WGS-84, the WeChat point is ~500 m off and finds nothing.
    assert nearby_open_requests(lat=glat, lng=glng, duty=Duty.SANITATION) == []
    found = nearby_open_requests(lat=glat, lng=glng, duty=Duty.SANITATION, coord_system="gcj02")
    assert [r.pk for r in found] == [there.pk]
    assert found[0].distance_m < 1


def test_nearest_community(community, other_community):
    assert nearest_community(community.lat, community.lng).pk == community.pk
    glat, glng = wgs84_to_gcj02(other_community.lat, other_community.lng)
    assert nearest_community(glat, glng, "gcj02").pk == other_community.pk


# --- the review queue ----------------------------------------------------------------------


def test_pending_oldest_first_and_scoped(community, other_community, secretary, outsider):
    now = timezone.now()
    newer = ServiceRequestFactory(community=community, created_at=now - dt.timedelta(hours=1))
    older = ServiceRequestFactory(community=community, created_at=now - dt.timedelta(days=2))
    ServiceRequestFactory(community=community, status=R.APPROVED, task=TaskFactory(community=community))
    theirs = ServiceRequestFactory(community=other_community)
    assert list(pending_requests_for(secretary)) == [older, newer]
    assert list(pending_requests_for(outsider)) == [theirs]
    assert list(pending_requests_for(UserFactory())) == []


def test_grid_secretary_sees_only_their_grid(community, grid, building):
    user = UserFactory()
    PostFactory(user=user, role=Post.Role.GRID_SECRETARY, community=None, grid=grid)
    in_grid = ServiceRequestFactory(community=community, grid=grid)
    in_building = ServiceRequestFactory(community=community, grid=building)
    ServiceRequestFactory(community=community, grid=Level2GridFactory(community=community))
    ServiceRequestFactory(community=community)
    assert set(pending_requests_for(user)) == {in_grid, in_building}


def test_pending_query_count_does_not_grow(community, grid, secretary, django_assert_num_queries):
    def read():
        return [
            (r.community.name, r.community.street.name, r.grid.name, r.requester.name, r.created_at)
            for r in pending_requests_for(secretary)
        ]

    ServiceRequestFactory.create_batch(2, community=community, grid=grid)
    with django_assert_num_queries(2) as few:  # the scope's posts, then one query for the page
        read()
    ServiceRequestFactory.create_batch(20, community=community, grid=grid)
    from grids.selectors.scope import forget_scope

    forget_scope(secretary)
    with django_assert_num_queries(len(few.captured_queries)):
        read()


def test_requests_for_requester_includes_followed(resident, community):
    own = ServiceRequestFactory(requester=resident, community=community)
    followed = ServiceRequestFactory(community=community)
    RequestFollower.objects.create(request=followed, user=resident)
    ServiceRequestFactory(community=community)
    assert set(requests_for_requester(resident)) == {own, followed}


def test_timeline_from_events(submitted, secretary, sent):
    request_reject(request=submitted, actor=secretary, reason="不予受理")
    assert [(e.from_status, e.to_status) for e in request_timeline(submitted)] == [("submitted", "rejected")]


# --- PIPL: who sees the phone and the address ----------------------------------------------


@pytest.fixture
def served(community, resident):
    task = TaskFactory(community=community)
    request = ServiceRequestFactory(community=community, requester=resident, status=R.APPROVED, task=task)
    return request, task


def test_contact_visible_to_requester_staff_and_members_who_accepted(
    served, resident, secretary, outsider, street_officer
):
    request, task = served
    helper = AcceptanceFactory(task=task).member.user
    withdrawn = AcceptanceFactory(task=task, status=Acceptance.Status.CANCELLED).member.user
    stranger_member = MemberFactory().user
    visible = {
        "requester": resident,
        "secretary": secretary,
        "helper": helper,
    }
    hidden = {
        "outsider": outsider,
        "withdrawn": withdrawn,
        "other member": stranger_member,
        "street": street_officer,
        "anyone": UserFactory(),
    }
    for who, user in visible.items():
        assert request_contact_visible_to(request, user), who
        assert masked_contact(request, user) == "13900000001"
        assert masked_address(request, user) == request.address
    for who, user in hidden.items():
        assert not request_contact_visible_to(request, user), who
        assert masked_contact(request, user) == "139****0001"
        assert request.address not in masked_address(request, user)


def test_contact_hidden_7_days_after_closing(served, resident, secretary):
    request, task = served
    helper = AcceptanceFactory(task=task, status=Acceptance.Status.ACCEPTED).member.user
    closed_at = timezone.now()
    ServiceRequest.objects.filter(pk=request.pk).update(status=R.CLOSED, resolved_at=closed_at, closed_at=closed_at)
    request.refresh_from_db()
    with time_machine.travel(closed_at + dt.timedelta(days=6, hours=23), tick=False):
        assert request_contact_visible_to(request, helper)
        assert request_contact_visible_to(request, secretary)
    with time_machine.travel(closed_at + dt.timedelta(days=7, minutes=1), tick=False):
        assert not request_contact_visible_to(request, helper)
        assert not request_contact_visible_to(request, secretary)
        assert request_contact_visible_to(request, resident)
        assert masked_contact(request, helper) == "139****0001"


def test_resolved_but_unconfirmed_is_still_open_for_contact(served, secretary):
    request, _ = served
    long_ago = timezone.now() - dt.timedelta(days=30)
    ServiceRequest.objects.filter(pk=request.pk).update(status=R.RESOLVED, resolved_at=long_ago)
    request.refresh_from_db()
    assert request_contact_visible_to(request, secretary)


def test_the_prepared_review_page_is_the_querysets_page(community, other_community, grid, building, secretary):
    """``pending_requests_page`` (what the API's review list reads) gives the same requests,
    with the same related rows and photos, as ``pending_requests_for`` — for a secretary, a grid
    secretary and the city — and the same count."""
    from django.test import RequestFactory

    from orders.models import RequestPhoto
    from orders.selectors.requests import pending_requests_page
    from orders.serializers.requests import RequestOut

    now = timezone.now()
    rows = [
        ServiceRequestFactory(community=community, grid=g, created_at=now - dt.timedelta(minutes=i))
        for i, g in enumerate([grid, building, None, grid, None] * 3)
    ]
    ServiceRequestFactory(community=other_community)
    for r in rows[:4]:
        for k in range(2):
            RequestPhoto.objects.create(request=r, image=f"requests/2026/11/{r.pk}-{k}.jpg", width=800, height=600)
    grid_secretary = UserFactory()
    PostFactory(user=grid_secretary, role=Post.Role.GRID_SECRETARY, community=None, grid=grid)
    city = UserFactory()
    PostFactory(user=city, role=Post.Role.CITY_STAFF, community=None)
    for user in (secretary, grid_secretary, city):
        request = RequestFactory().get("/api/v1/requests/")
        request.user = user
        expected = list(pending_requests_for(user).prefetch_related("photos"))
        for offset in (0, 5):
            page, total = pending_requests_page(user, limit=5, offset=offset)
            assert total == len(expected)
            ours = RequestOut(page, many=True, context={"request": request}).data
            theirs = RequestOut(expected[offset : offset + 5], many=True, context={"request": request}).data
            assert ours == theirs and len(ours) == min(5, max(0, total - offset))
    assert pending_requests_page(UserFactory(), limit=5, offset=0) == ([], 0)
