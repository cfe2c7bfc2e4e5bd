"""Following a request ("这也是我的问题") needs a reason: being at the place (the nearby → join
path, with a location within the duplicate radius), being a member registered with the
request's community, or being staff over it. Everyone else is told the request does not exist —
the same 404, with the same body, as an id nobody has — through the service, the API and the page.
"""

import pytest

from core.errors import Conflict, NotFound
from grids.geo import wgs84_to_gcj02
from orders.models import RequestEvent, RequestFollower, RequestPhoto, ServiceRequest
from orders.services.requests import request_join
from tests.accounts.factories import UserFactory
from tests.conftest import client_for
from tests.grids.factories import MemberFactory
from tests.orders.api_support import V1
from tests.orders.factories import ServiceRequestFactory
from tests.pages import browser_for

pytestmark = pytest.mark.django_db

# ~110 m north of the request: inside the 200 m duplicate radius. ~1.1 km: outside it.
NEAR = 0.001
FAR = 0.01


@pytest.fixture
def req(community, resident):
    return ServiceRequestFactory(community=community, requester=resident, address="工业中社区 9 栋 302")


def at(req, dlat=NEAR, **extra) -> dict:
    return {"lat": req.lat + dlat, "lng": req.lng, "coord_system": "wgs84", **extra}


def follows(req, user) -> bool:
    return RequestFollower.objects.filter(request=req, user=user).exists()


# --- the service ---------------------------------------------------------------------


def test_an_outsider_without_a_location_is_told_it_does_not_exist(req):
    stranger = UserFactory()
    with pytest.raises(NotFound) as exc:
        request_join(request=req, user=stranger)
    assert exc.value.message == "点单不存在。" and exc.value.code == "not_found"
    assert not follows(req, stranger)
    assert not RequestEvent.objects.filter(request=req, kind="follower_joined").exists()


def test_a_location_outside_the_radius_is_no_reason(req):
    stranger = UserFactory()
    with pytest.raises(NotFound):
        request_join(request=req, user=stranger, **at(req, FAR))
    assert not follows(req, stranger)


def test_a_location_that_cannot_be_read_is_no_reason(req):
    """Outside Shaoguan, or out of range: never within the radius, and never a different answer."""
    stranger = UserFactory()
    with pytest.raises(NotFound):
        request_join(request=req, user=stranger, lat=39.9, lng=116.4)
    with pytest.raises(NotFound):
        request_join(request=req, user=stranger, lat=123.0, lng=500.0)
    with pytest.raises(NotFound):
        request_join(request=req, user=stranger, lat=req.lat, lng=req.lng, coord_system="bd09")


def test_a_resident_at_the_place_follows(req):
    neighbour = UserFactory()
    request_join(request=req, user=neighbour, **at(req))
    assert follows(req, neighbour)


def test_a_gcj02_location_is_converted_before_measuring(req):
    neighbour = UserFactory()
    glat, glng = wgs84_to_gcj02(req.lat + NEAR, req.lng)
    request_join(request=req, user=neighbour, lat=glat, lng=glng, coord_system="gcj02")
    assert follows(req, neighbour)


def test_the_raw_gcj02_point_read_as_wgs84_is_far_enough_to_matter(req):
    """GCJ-02 lies some 500 m off WGS-84 here: reading it unconverted would refuse the neighbour."""
    glat, glng = wgs84_to_gcj02(req.lat, req.lng)
    with pytest.raises(NotFound):
        request_join(request=req, user=UserFactory(), lat=glat, lng=glng, coord_system="wgs84")


def test_a_member_registered_with_the_community_follows(req, placed):
    request_join(request=req, user=placed.user)
    assert follows(req, placed.user)


def test_a_member_of_another_community_does_not(req, other_community):
    elsewhere = MemberFactory(community=other_community)
    with pytest.raises(NotFound):
        request_join(request=req, user=elsewhere.user)


def test_a_member_registered_nowhere_does_not(req, member):
    with pytest.raises(NotFound):
        request_join(request=req, user=member.user)


@pytest.mark.parametrize("who", ["secretary", "street_officer", "district_officer", "admin_user"])
def test_staff_over_the_community_follow(req, who, request):
    user = request.getfixturevalue(who)
    request_join(request=req, user=user)
    assert follows(req, user)


def test_the_neighbouring_secretary_is_told_it_does_not_exist(req, outsider):
    with pytest.raises(NotFound) as exc:
        request_join(request=req, user=outsider)
    assert exc.value.message == "点单不存在。"
    assert not follows(req, outsider)


def test_the_requester_keeps_being_told_it_is_their_own(req, resident):
    """Unchanged: the owner is refused with 409 ``own_request``, with or without a location."""
    for where in ({}, at(req)):
        with pytest.raises(Conflict) as exc:
            request_join(request=req, user=resident, **where)
        assert exc.value.code == "own_request"
    assert not follows(req, resident)


def test_a_closed_request_is_still_a_conflict_for_those_with_a_reason(community, placed, outsider):
    closed = ServiceRequestFactory(community=community, status=ServiceRequest.Status.CLOSED)
    with pytest.raises(Conflict):
        request_join(request=closed, user=placed.user)
    with pytest.raises(NotFound):  # and no hint for the others that it exists at all
        request_join(request=closed, user=outsider)


# --- the API -------------------------------------------------------------------------


def test_api_outsider_gets_the_same_404_as_a_missing_id(req):
    stranger = client_for(UserFactory())
    refused = stranger.post(f"{V1}/requests/{req.pk}/join/", {}, format="json")
    missing = stranger.post(f"{V1}/requests/{req.pk + 1000}/join/", {}, format="json")
    assert refused.status_code == missing.status_code == 404
    assert refused.json() == missing.json()
    far = stranger.post(f"{V1}/requests/{req.pk}/join/", at(req, FAR), format="json")
    assert far.status_code == 404 and far.json() == missing.json()
    # and nothing to read afterwards
    assert stranger.get(f"{V1}/requests/{req.pk}/").status_code == 404


def test_api_neighbouring_secretary_gets_404(req, outsider):
    resp = client_for(outsider).post(f"{V1}/requests/{req.pk}/join/", {}, format="json")
    assert resp.status_code == 404 and resp.json()["detail"] == "点单不存在。"
    assert client_for(outsider).get(f"{V1}/requests/{req.pk}/").status_code == 404


def test_api_resident_at_the_place_follows_and_reads(req):
    neighbour = client_for(UserFactory())
    resp = neighbour.post(f"{V1}/requests/{req.pk}/join/", at(req), format="json")
    assert resp.status_code == 200, resp.content.decode()
    assert resp.json()["id"] == req.pk and resp.json()["description"] == req.description
    assert [r["id"] for r in neighbour.get(f"{V1}/requests/").json()["results"]] == [req.pk]


def test_api_resident_sends_gcj02_from_the_mini_program(req):
    glat, glng = wgs84_to_gcj02(req.lat + NEAR, req.lng)
    resp = client_for(UserFactory()).post(
        f"{V1}/requests/{req.pk}/join/", {"lat": glat, "lng": glng, "coord_system": "gcj02"}, format="json"
    )
    assert resp.status_code == 200, resp.content.decode()


def test_api_member_and_staff_follow_without_a_location(req, placed, secretary):
    for user in (placed.user, secretary):
        resp = client_for(user).post(f"{V1}/requests/{req.pk}/join/", {}, format="json")
        assert resp.status_code == 200, resp.content.decode()
        assert follows(req, user)


def test_api_requester_gets_409(req, resident):
    resp = client_for(resident).post(f"{V1}/requests/{req.pk}/join/", at(req), format="json")
    assert resp.status_code == 409 and resp.json()["code"] == "own_request"


# --- the page ------------------------------------------------------------------------


def test_page_outsider_gets_404(req, outsider):
    for user in (UserFactory(), outsider):
        r = browser_for(user).post(f"/requests/{req.pk}/join/")
        assert r.status_code == 404
        assert not follows(req, user)
    r = browser_for(UserFactory()).post(f"/requests/{req.pk}/join/", at(req, FAR))
    assert r.status_code == 404


def test_page_resident_at_the_place_follows(req):
    neighbour = UserFactory()
    r = browser_for(neighbour).post(f"/requests/{req.pk}/join/", at(req))
    assert r.status_code == 302 and r["Location"] == f"/my/requests/{req.pk}/"
    assert follows(req, neighbour)


def test_page_member_and_staff_follow(req, placed, street_officer):
    for user in (placed.user, street_officer):
        r = browser_for(user).post(f"/requests/{req.pk}/join/")
        assert r.status_code == 302, r.status_code
        assert follows(req, user)


def test_page_requester_is_shown_the_refusal(req, resident):
    """Unchanged: the owner is sent back to the order form with 「这是您自己提交的点单。」."""
    r = browser_for(resident).post(f"/requests/{req.pk}/join/", at(req), follow=True)
    assert r.status_code == 200 and "这是您自己提交的点单。" in r.content.decode()
    assert not follows(req, resident)


# --- what the lookup before the join shows ------------------------------------------------------


def test_the_nearby_lookup_shows_what_identifies_the_problem_and_nothing_that_following_opens(req):
    """Anyone signed in may look nearby, from anywhere; so the answer is what the order page shows
    (title, kind, status, distance, when) — not the description, photos, names or reasons that
    only a follower (a reason to follow) may read."""
    req.description = "三楼楼道堆满杂物，住户王某说不清理"
    req.save()
    RequestPhoto.objects.create(request=req, image="requests/p.jpg", width=10, height=10)
    stranger = client_for(UserFactory())
    query = {"lat": req.lat, "lng": req.lng, "duty": req.duty, "coord_system": "wgs84"}
    rows = stranger.get(f"{V1}/requests/nearby/", query).json()["results"]
    assert [r["id"] for r in rows] == [req.pk]
    row = rows[0]
    assert set(row) == {
        "id", "title", "duty", "duty_label", "status", "status_label", "community_id", "community_name",
        "distance_m", "is_mine", "created_at",
    }  # fmt: skip
    assert req.description not in str(rows) and "requests/p.jpg" not in str(rows)
    # The page's lookup shows no more.
    page = browser_for(UserFactory()).get("/order/nearby/", query).json()["requests"]
    assert set(page[0]) == {"id", "title", "status", "created", "distance_m", "mine"}
