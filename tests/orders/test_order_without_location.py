"""Ordering without GPS: the resident chooses the community (found by name, street or address)
and describes the place; the request stands at the community's centre, and the task made from
it gets a geofence covering the community."""

import pytest
from django.urls import reverse

from core.errors import ValidationFailed
from grids.vocab import Duty
from orders.models import ServiceRequest
from orders.selectors.requests import follow_reason, nearby_open_requests
from orders.services.cascades import request_approve
from orders.services.request_approval import UNLOCATED_GEOFENCE_M
from orders.services.requests import request_create
from tests.conftest import client_for
from tests.grids.factories import CommunityFactory
from tests.orders.api_support import V1, assert_error, evening
from tests.orders.factories import ServiceRequestFactory
from tests.pages import browser_for, html

pytestmark = pytest.mark.django_db


def _create(resident, **kwargs):
    values = dict(
        requester=resident,
        duty=Duty.CONVENIENCE,
        title="楼道灯坏了",
        description="3 栋 2 单元楼道灯不亮。",
        address="工业中路 12 号 3 栋 2 单元",
        lat=None,
        lng=None,
        contact_phone="13800000001",
    )
    values.update(kwargs)
    return request_create(**values)


# --- the service ---------------------------------------------------------------------------


def test_a_request_with_a_community_and_no_location_stands_at_its_centre(resident, community):
    row = _create(resident, community=community)
    assert (row.community, row.located) == (community, False)
    assert (row.lat, row.lng, row.coord_system) == (community.lat, community.lng, "wgs84")
    assert row.address == "工业中路 12 号 3 栋 2 单元"


def test_neither_location_nor_community_is_refused(resident):
    with pytest.raises(ValidationFailed) as exc:
        _create(resident)
    assert exc.value.field == "community" and "搜索" in exc.value.message


def test_half_a_location_is_refused(resident, community):
    with pytest.raises(ValidationFailed) as exc:
        _create(resident, community=community, lat=24.8)
    assert exc.value.field == "location"


def test_a_located_request_stays_located(resident, community):
    row = _create(resident, lat=24.8036, lng=113.5906)
    assert row.located and row.community == community


def test_an_unlocated_request_is_near_nobody(resident, member, community):
    row = _create(resident, community=community)
    at_centre = (community.lat, community.lng)
    assert nearby_open_requests(lat=at_centre[0], lng=at_centre[1], duty=Duty.CONVENIENCE) == []
    # Standing at the community's centre is no reason to follow a request placed by address.
    assert follow_reason(row, member.user, at=at_centre) is None


def test_the_task_of_an_unlocated_request_covers_the_community(resident, secretary, community):
    row = _create(resident, community=community)
    start = evening(2)
    approved = request_approve(request=row, actor=secretary, starts_at=start, ends_at=start.replace(hour=21), slots=2)
    task = approved.task
    assert (task.lat, task.lng) == (community.lat, community.lng)
    assert task.geofence_radius_m == UNLOCATED_GEOFENCE_M
    assert task.address == row.address


def test_the_task_of_a_located_request_keeps_the_usual_geofence(resident, secretary, community):
    row = ServiceRequestFactory(community=community, requester=resident)
    start = evening(2)
    task = request_approve(request=row, actor=secretary, starts_at=start, ends_at=start.replace(hour=21), slots=2).task
    assert task.geofence_radius_m == 300


# --- the order page ------------------------------------------------------------------------


def _post(client, **fields):
    data = {
        "duty": Duty.CONVENIENCE,
        "title": "楼道灯坏了",
        "description": "3 栋 2 单元楼道灯不亮。",
        "address": "工业中路 12 号 3 栋 2 单元",
        "contact_phone": "13800000001",
        **fields,
    }
    return client.post("/order/", data)


def test_the_page_takes_a_searched_community_without_location(resident, community):
    r = _post(browser_for(resident), community=str(community.pk))
    assert r.status_code == 302
    row = ServiceRequest.objects.get()
    assert (row.community, row.located) == (community, False)


def test_the_page_says_once_what_is_missing(resident):
    r = _post(browser_for(resident))
    page = html(r)
    assert r.status_code == 200
    assert page.count("请使用当前位置，或搜索社区名称、地址后选择所属社区。") == 1
    assert "获取位置" not in page.split('data-testid="form-errors"')[1].split("</div>")[0]
    assert not ServiceRequest.objects.exists()


def test_a_searched_community_stays_offered_when_the_form_comes_back(resident, other_community):
    r = _post(browser_for(resident), community=str(other_community.pk), title="")
    assert r.status_code == 200
    assert f'<option value="{other_community.pk}" selected>东堤社区' in html(r)


def test_community_search_by_name_street_or_address(resident, community, other_community):
    CommunityFactory(street=community.street, name="西河社区", address="西河路 8 号")
    client = browser_for(resident)
    names = lambda q: [c["name"] for c in client.get("/order/communities/", {"q": q}).json()["communities"]]  # noqa: E731
    assert names("工业") == ["工业中社区"]
    assert names("西河路") == ["西河社区"]
    assert set(names("新华街道")) == {"工业中社区", "东堤社区", "西河社区"}
    assert names("   ") == [] and names("没有这个") == []
    row = client.get("/order/communities/", {"q": "工业"}).json()["communities"][0]
    assert row == {"id": community.pk, "name": "工业中社区", "place": "武江区新华街道", "address": community.address}


def test_community_search_is_one_query_and_at_most_ten(resident, community, django_assert_num_queries):
    for n in range(15):
        CommunityFactory(street=community.street, name=f"测试{n}社区")
    client = browser_for(resident)
    client.get("/order/communities/", {"q": "x"})  # the session and user, read once
    with django_assert_num_queries(3):  # session, user, communities
        rows = client.get("/order/communities/", {"q": "测试"}).json()["communities"]
    assert len(rows) == 10


def test_community_search_needs_sign_in():
    r = browser_for(None).get("/order/communities/", {"q": "工业"})
    assert r.status_code == 302 and r["Location"].startswith(reverse("accounts:login"))


# --- the API -------------------------------------------------------------------------------


def test_the_api_creates_a_request_with_a_community_and_no_location(resident, community):
    api = client_for(resident)
    found = api.get(f"{V1}/communities/", {"search": "工业中"}).json()["results"]
    assert [c["id"] for c in found] == [community.pk]
    r = api.post(
        f"{V1}/requests/",
        {
            "community": community.pk,
            "duty": Duty.CONVENIENCE,
            "title": "楼道灯坏了",
            "description": "3 栋 2 单元楼道灯不亮。",
            "address": "工业中路 12 号 3 栋 2 单元",
        },
        format="json",
    )
    assert r.status_code == 201, r.content.decode()
    assert r.json()["located"] is False and r.json()["community_id"] == community.pk


def test_the_api_refuses_neither_location_nor_community(resident):
    r = client_for(resident).post(
        f"{V1}/requests/",
        {"duty": Duty.CONVENIENCE, "title": "楼道灯坏了", "description": "不亮。", "address": "3 栋"},
        format="json",
    )
    assert_error(r, 400, field="community")
