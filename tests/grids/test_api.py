"""The grids API against an anonymous caller, a resident, the member, the secretary and an outsider
(the secretary of another community), plus junk input and query counts of every list."""

import json

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from accounts.models import User
from grids.geo import haversine_m, wgs84_to_gcj02
from grids.models import Member, Post, Registration, RegistrationChoice
from tests.accounts.factories import UserFactory
from tests.conftest import client_for
from tests.grids.factories import (
    BuildingFactory,
    CommunityFactory,
    DistrictFactory,
    Level2GridFactory,
    MemberFactory,
    PairingFactory,
    PostFactory,
    RegistrationFactory,
    StreetFactory,
    UnitFactory,
)

pytestmark = pytest.mark.django_db

V1 = "/api/v1"


def snapshot():
    return (
        sorted(
            Registration.objects.values_list("id", "member_id", "community_id", "grid_id", "status", "source", "note")
        ),
        sorted(RegistrationChoice.objects.values_list("registration_id", "community_id", "rank", "declined_at")),
        sorted(Member.objects.values_list("id", "community_id", "grid_id", "skills", "home_lat", "home_lng")),
        sorted(User.objects.values_list("id", "name")),
    )


def assert_error(resp, status, code=None, field=None):
    assert resp.status_code == status, resp.content.decode()
    body = resp.json()
    assert isinstance(body["detail"], str) and any("\u4e00" <= ch <= "\u9fff" for ch in body["detail"]), body
    if code:
        assert body["code"] == code, body
    if field:
        assert field in body["fields"], body
        assert all(any("\u4e00" <= ch <= "\u9fff" for ch in m) for m in body["fields"][field]), body
    return body


def results(resp):
    assert resp.status_code == 200, resp.content.decode()
    return resp.json()["results"]


@pytest.fixture
def placed(community, grid, secretary):
    """A member placed in 第三网格 of 工业中社区."""
    m = MemberFactory(user=UserFactory(phone="13700000011", name="钱在册"), community=community, grid=grid)
    RegistrationFactory(member=m, community=community, grid=grid, status="placed", placed_at=timezone.now())
    return m


@pytest.fixture
def pending(member, community, other_community):
    """The ``member`` fixture's registration: 工业中社区 first, then 东堤社区."""
    resp = client_for(member.user).post(
        f"{V1}/registrations/", {"communities": [community.pk, other_community.pk]}, format="json"
    )
    assert resp.status_code == 201, resp.content
    return Registration.objects.get(pk=resp.json()["id"])


# --- anonymous ----------------------------------------------------------------------------------

ANONYMOUS_CALLS = [
    ("get", "/me/"),
    ("get", "/districts/"),
    ("get", "/districts/1/"),
    ("get", "/streets/"),
    ("get", "/communities/"),
    ("get", "/communities/?near=24.8,113.59"),
    ("get", "/grids/"),
    ("get", "/grids/1/members/"),
    ("get", "/units/"),
    ("get", "/units/1/members/"),
    ("get", "/members/"),
    ("get", "/members/1/"),
    ("get", "/members/me/"),
    ("patch", "/members/me/"),
    ("post", "/members/me/"),
    ("get", "/registrations/"),
    ("post", "/registrations/"),
    ("get", "/registrations/1/"),
    ("post", "/registrations/1/place/"),
    ("post", "/registrations/1/decline/"),
    ("post", "/registrations/1/withdraw/"),
    ("post", "/registrations/adjust/"),
    ("get", "/registrations/options/"),
]


@pytest.mark.parametrize("method,path", ANONYMOUS_CALLS)
def test_anonymous_gets_401(api, community, method, path):
    before = snapshot()
    resp = getattr(api, method)(V1 + path, {}, format="json")
    assert_error(resp, 401, "not_authenticated")
    assert snapshot() == before


def test_bad_token_gets_401(api, community):
    api.credentials(HTTP_AUTHORIZATION="Token not-a-token")
    assert_error(api.get(f"{V1}/communities/"), 401, "authentication_failed")


# --- the organisation: public to signed-in users ---------------------------------------------


def test_resident_reads_the_organisation(resident, district, street, community, grid, building, other_community):
    c = client_for(resident)
    assert [d["name"] for d in results(c.get(f"{V1}/districts/"))] == ["武江区"]
    assert c.get(f"{V1}/districts/{district.pk}/").json()["kind_label"] == "市辖区"
    assert [s["name"] for s in results(c.get(f"{V1}/streets/", {"district": district.pk}))] == ["新华街道"]
    assert results(c.get(f"{V1}/streets/", {"district": district.pk + 99})) == []
    rows = results(c.get(f"{V1}/communities/", {"street": street.pk}))
    assert {r["name"] for r in rows} == {"工业中社区", "东堤社区"}
    row = next(r for r in rows if r["name"] == "工业中社区")
    assert row["members_needed"] == 200 and row["registered"] == 0 and row["still_needed"] == 200
    assert row["district_name"] == "武江区" and row["distance_m"] is None
    grids = results(c.get(f"{V1}/grids/", {"community": community.pk}))
    assert {g["name"] for g in grids} == {"第三网格", "1栋"}
    assert [g["name"] for g in results(c.get(f"{V1}/grids/", {"parent": grid.pk}))] == ["1栋"]
    assert [g["name"] for g in results(c.get(f"{V1}/grids/", {"community": community.pk, "level": 2}))] == ["第三网格"]
    assert results(c.get(f"{V1}/grids/", {"community": other_community.pk})) == []


def test_community_filters(resident, street, community, other_community):
    village = CommunityFactory(street=street, name="下陂城中村", kind="urban_village")
    c = client_for(resident)
    assert [r["id"] for r in results(c.get(f"{V1}/communities/", {"kind": "urban_village"}))] == [village.pk]
    assert [r["id"] for r in results(c.get(f"{V1}/communities/", {"search": "工业"}))] == [community.pk]
    assert [r["id"] for r in results(c.get(f"{V1}/communities/", {"search": "GYZ"}))] == [community.pk]
    far = DistrictFactory(code="440281", name="乐昌市", kind="county_city", lat=25.13, lng=113.35)
    assert results(c.get(f"{V1}/communities/", {"district": far.pk})) == []
    assert len(results(c.get(f"{V1}/communities/", {"district": street.district_id}))) == 3


def test_still_needed_counts_pending_and_placed(resident, community, placed, pending):
    row = client_for(resident).get(f"{V1}/communities/{community.pk}/").json()
    assert row["registered"] == 2 and row["still_needed"] == 198


def test_communities_near_sorted_with_distance(resident, community, other_community):
    far_street = StreetFactory(
        district=DistrictFactory(code="440282", name="南雄市", kind="county_city", lat=25.117, lng=114.309)
    )
    CommunityFactory(street=far_street, name="永康社区", lat=25.12, lng=114.31)
    c = client_for(resident)
    rows = results(c.get(f"{V1}/communities/", {"near": "24.8081,113.5961"}))
    assert [r["name"] for r in rows] == ["东堤社区", "工业中社区"]
    assert rows[0]["distance_m"] < 20 and 700 < rows[1]["distance_m"] < 800
    # the same place as WeChat reports it (GCJ-02, ~600 m off) gives the same answer
    glat, glng = wgs84_to_gcj02(24.8081, 113.5961)
    rows = results(c.get(f"{V1}/communities/", {"near": f"{glat},{glng}", "coord_system": "gcj02"}))
    assert rows[0]["name"] == "东堤社区" and rows[0]["distance_m"] < 20
    # …while reading GCJ-02 as WGS-84 would be ~600 m wrong
    wrong = results(c.get(f"{V1}/communities/", {"near": f"{glat},{glng}"}))
    assert wrong[0]["distance_m"] > 400
    # filters combine with near
    rows = results(c.get(f"{V1}/communities/", {"near": "24.8081,113.5961", "search": "工业"}))
    assert [r["name"] for r in rows] == ["工业中社区"]
    assert results(c.get(f"{V1}/communities/", {"near": "24.8081,113.5961", "radius_m": 100}))[0]["name"] == "东堤社区"
    assert len(results(c.get(f"{V1}/communities/", {"near": "24.8081,113.5961", "radius_m": 100}))) == 1


@pytest.mark.parametrize(
    "params,field,code",
    [
        ({"near": "abc"}, "near", "invalid"),
        ({"near": "24.8"}, "near", "invalid"),
        ({"near": "24.8,113.6,1"}, "near", "invalid"),
        ({"near": "nan,nan"}, "near", "invalid"),
        ({"near": "1e400,5"}, "near", "invalid"),
        ({"near": "23.129,113.264"}, "near", "outside_city"),
        ({"near": "999,999"}, "near", "invalid"),
        ({"near": "24.8,113.6", "coord_system": "bd09"}, "coord_system", "invalid"),
        ({"near": "24.8,113.6", "radius_m": "-5"}, "radius_m", "invalid"),
        ({"near": "24.8,113.6", "radius_m": "1000000"}, "radius_m", "invalid"),
    ],
)
def test_communities_near_bad_input(resident, community, params, field, code):
    assert_error(client_for(resident).get(f"{V1}/communities/", params), 400, code, field)


def test_units_list_and_filters(resident, district):
    a = UnitFactory(name="韶关市教育局", district=None)
    b = UnitFactory(name="武江区人民医院", kind="public_institution", district=district)
    c = client_for(resident)
    assert {u["id"] for u in results(c.get(f"{V1}/units/"))} == {a.pk, b.pk}
    assert [u["id"] for u in results(c.get(f"{V1}/units/", {"district": district.pk}))] == [b.pk]
    assert [u["id"] for u in results(c.get(f"{V1}/units/", {"kind": "public_institution"}))] == [b.pk]
    assert [u["id"] for u in results(c.get(f"{V1}/units/", {"search": "sgsjyj"}))] == [a.pk]
    assert [u["id"] for u in results(c.get(f"{V1}/units/", {"search": "医院"}))] == [b.pk]


# --- grid and unit member lists: scoped ------------------------------------------------------------


def test_grid_members_for_the_secretary(secretary, placed, grid, building, community):
    in_building = MemberFactory(community=community, grid=building)
    rows = results(client_for(secretary).get(f"{V1}/grids/{grid.pk}/members/"))
    assert {r["id"] for r in rows} == {placed.pk, in_building.pk}
    assert next(r for r in rows if r["id"] == placed.pk)["phone"] == "13700000011"


@pytest.mark.parametrize("who", ["outsider", "resident", "member"])
def test_grid_members_refused_outside_scope(request, placed, grid, who):
    user = request.getfixturevalue(who)
    user = user.user if who == "member" else user
    assert_error(client_for(user).get(f"{V1}/grids/{grid.pk}/members/"), 403, "permission_denied")


def test_grid_members_for_a_grid_secretary(placed, grid, community):
    other_grid = Level2GridFactory(community=community)
    gs = UserFactory()
    PostFactory(user=gs, role=Post.Role.GRID_SECRETARY, community=None, grid=grid)
    assert [r["id"] for r in results(client_for(gs).get(f"{V1}/grids/{grid.pk}/members/"))] == [placed.pk]
    assert_error(client_for(gs).get(f"{V1}/grids/{other_grid.pk}/members/"), 403)
    assert_error(client_for(gs).get(f"{V1}/grids/999999/members/"), 404, "not_found")


def test_unit_members_are_scoped(secretary, outsider, resident, placed, other_community):
    unit = placed.unit
    theirs = MemberFactory(unit=unit, community=other_community)
    assert [r["id"] for r in results(client_for(secretary).get(f"{V1}/units/{unit.pk}/members/"))] == [placed.pk]
    assert [r["id"] for r in results(client_for(outsider).get(f"{V1}/units/{unit.pk}/members/"))] == [theirs.pk]
    assert_error(client_for(resident).get(f"{V1}/units/{unit.pk}/members/"), 403)


# --- members/ ---------------------------------------------------------------------------------------


def test_members_list_for_the_secretary(secretary, placed, pending, community, other_community):
    theirs = MemberFactory(community=other_community)
    rows = results(client_for(secretary).get(f"{V1}/members/"))
    assert [r["id"] for r in rows] == [placed.pk]  # a pending member is not in the community yet
    assert rows[0]["phone"] == "13700000011" and rows[0]["community_name"] == "工业中社区"
    assert theirs.pk not in {r["id"] for r in rows}


def test_members_hidden_from_the_outsider(outsider, placed, other_community):
    theirs = MemberFactory(community=other_community)
    c = client_for(outsider)
    assert [r["id"] for r in results(c.get(f"{V1}/members/"))] == [theirs.pk]
    assert_error(c.get(f"{V1}/members/{placed.pk}/"), 404, "not_found")
    assert results(c.get(f"{V1}/members/", {"community": placed.community_id})) == []
    assert results(c.get(f"{V1}/members/", {"search": "钱在册"})) == []


@pytest.mark.parametrize("who", ["resident", "member"])
def test_members_list_refused_without_a_post(request, placed, who):
    user = request.getfixturevalue(who)
    user = user.user if who == "member" else user
    assert_error(client_for(user).get(f"{V1}/members/"), 403, "permission_denied")
    assert_error(client_for(user).get(f"{V1}/members/{placed.pk}/"), 403, "permission_denied")


def test_members_filters(secretary, community, grid, building):
    unit = UnitFactory()
    a = MemberFactory(
        user=UserFactory(name="张三", phone="13911112222"), community=community, grid=grid, skills=["doctor", "it"]
    )
    b = MemberFactory(
        user=UserFactory(name="李四", phone="13933334444"),
        community=community,
        grid=building,
        unit=unit,
        skills=["lawyer"],
    )
    c = MemberFactory(
        user=UserFactory(name="王五", phone="13955556666"), kind="resident", unit=None, community=community, skills=[]
    )
    cl = client_for(secretary)

    def got(**params):
        return {r["id"] for r in results(cl.get(f"{V1}/members/", params))}

    assert got() == {a.pk, b.pk, c.pk}
    assert got(search="张三") == {a.pk}
    assert got(search="ls") == {b.pk}
    assert got(search="5555") == {c.pk}
    assert got(skill="it") == {a.pk}
    assert got(skill="lawyer") == {b.pk}
    assert got(skill="teacher") == set()
    assert got(kind="resident") == {c.pk}
    assert got(unit=unit.pk) == {b.pk}
    assert got(grid=grid.pk) == {a.pk, b.pk}  # the grid and its buildings
    assert got(grid=building.pk) == {b.pk}
    assert got(community=community.pk) == {a.pk, b.pk, c.pk}


def test_members_filter_bad_values_are_400(secretary):
    cl = client_for(secretary)
    assert_error(cl.get(f"{V1}/members/", {"skill": "juggler"}), 400, "invalid", "skill")
    assert_error(cl.get(f"{V1}/members/", {"community": "abc"}), 400, "invalid", "community")


def test_phone_is_masked_for_a_viewer_outside_scope(member, community, secretary, outsider, pending):
    # After 工业中社区 declines, the registration is 东堤社区's: the decliner no longer sees the number.
    resp = client_for(secretary).post(
        f"{V1}/registrations/{pending.pk}/decline/", {"reason": "名额已满"}, format="json"
    )
    assert resp.status_code == 200
    assert resp.json()["member_phone"] == "138****0002"
    assert resp.json()["community_name"] == "东堤社区"
    # the new community's secretary and the member see it whole
    assert client_for(outsider).get(f"{V1}/registrations/{pending.pk}/").json()["member_phone"] == "13800000002"
    assert client_for(member.user).get(f"{V1}/registrations/{pending.pk}/").json()["member_phone"] == "13800000002"


# --- members/me/ ---------------------------------------------------------------------------------


def test_me_profile_get(member):
    body = client_for(member.user).get(f"{V1}/members/me/").json()
    assert body["id"] == member.pk and body["phone"] == "13800000002" and body["name"] == "王党员"
    assert body["lat"] == 24.80 and body["coord_system"] == "wgs84" and body["skill_labels"] == ["教师"]


def test_me_profile_get_without_profile_is_404(resident):
    assert_error(client_for(resident).get(f"{V1}/members/me/"), 404, "no_member_profile")
    assert_error(client_for(resident).patch(f"{V1}/members/me/", {"skills": []}, format="json"), 404)


def test_me_profile_create(resident):
    unit = UnitFactory()
    glat, glng = wgs84_to_gcj02(24.80, 113.59)
    resp = client_for(resident).post(
        f"{V1}/members/me/",
        {
            "kind": "in_service",
            "unit": unit.pk,
            "skills": ["it", "teacher"],
            "home_address": "工业中路 8 号",
            "lat": glat,
            "lng": glng,
            "coord_system": "gcj02",
        },
        format="json",
    )
    assert resp.status_code == 201, resp.content
    body = resp.json()
    assert body["kind"] == "in_service" and body["unit_id"] == unit.pk and body["skills"] == ["teacher", "it"]
    assert body["name"] == "李居民"
    m = Member.objects.get(user=resident)
    assert haversine_m(m.home_lat, m.home_lng, 24.80, 113.59) < 1
    # a second time conflicts and changes nothing
    before = snapshot()
    resp = client_for(resident).post(f"{V1}/members/me/", {"kind": "resident"}, format="json")
    assert_error(resp, 409, "already_member")
    assert snapshot() == before


@pytest.mark.parametrize(
    "payload,field",
    [
        ({}, "kind"),
        ({"kind": "mayor"}, "kind"),
        ({"kind": "in_service"}, "unit"),
        ({"kind": "in_service", "unit": 999999}, "unit"),
        ({"kind": "in_service", "unit": "abc"}, "unit"),
        ({"kind": "resident", "skills": ["juggler"]}, "skills"),
        ({"kind": "resident", "skills": "teacher"}, "skills"),
        ({"kind": "resident", "lat": 24.8}, "lat"),
        ({"kind": "resident", "lat": "北纬", "lng": 113.6}, "lat"),
        ({"kind": "resident", "lat": 39.9, "lng": 116.4}, "lat"),
        ({"kind": "resident", "lat": 24.8, "lng": 113.6, "coord_system": "bd09"}, "coord_system"),
        ({"kind": "resident", "name": "x" * 51}, "name"),
    ],
)
def test_me_profile_create_refused(resident, payload, field):
    before = snapshot()
    resp = client_for(resident).post(f"{V1}/members/me/", payload, format="json")
    assert_error(resp, 400, field=field)
    assert snapshot() == before


def test_me_profile_patch(member):
    glat, glng = wgs84_to_gcj02(24.81, 113.60)
    resp = client_for(member.user).patch(
        f"{V1}/members/me/",
        {"name": "王新", "skills": ["doctor"], "lat": glat, "lng": glng, "coord_system": "gcj02", "kind": "resident"},
        format="json",
    )
    assert resp.status_code == 200, resp.content
    body = resp.json()
    assert body["name"] == "王新" and body["skills"] == ["doctor"]
    assert body["kind"] == "in_service"  # read-only once created
    assert haversine_m(body["lat"], body["lng"], 24.81, 113.60) < 1
    member.refresh_from_db()
    assert member.kind == "in_service" and member.user.name == "王新"


@pytest.mark.parametrize(
    "payload,field",
    [
        ({"lat": 23.129, "lng": 113.264}, "lat"),
        ({"lat": 24.8}, "lat"),
        ({"lat": 100, "lng": 113.6}, "lat"),
        ({"skills": ["teacher", "juggler"]}, "skills"),
        ({"name": ""}, "name"),
        ({"name": "新名", "lat": "x", "lng": "y"}, "lat"),
    ],
)
def test_me_profile_patch_refused_changes_nothing(member, payload, field):
    before = snapshot()
    assert_error(client_for(member.user).patch(f"{V1}/members/me/", payload, format="json"), 400, field=field)
    assert snapshot() == before


# --- registrations -----------------------------------------------------------------------------


def test_register(member, community, other_community):
    resp = client_for(member.user).post(
        f"{V1}/registrations/", {"communities": [other_community.pk, community.pk]}, format="json"
    )
    assert resp.status_code == 201, resp.content
    body = resp.json()
    assert body["status"] == "pending" and body["source"] == "self_selected" and body["source_label"] == "自选"
    assert body["community_id"] == other_community.pk and body["decided_by_id"] == member.user_id
    assert [(c["rank"], c["community_name"]) for c in body["choices"]] == [(1, "东堤社区"), (2, "工业中社区")]


@pytest.mark.parametrize(
    "payload,code,field",
    [
        ({"communities": []}, "invalid", "communities"),
        ({}, "invalid", "communities"),
        ({"communities": ["c", "c"]}, "invalid", "communities"),
        ({"communities": ["c", "o", "t", "x"]}, "invalid", "communities"),
        ({"communities": ["x"]}, "out_of_reach", "communities"),
        ({"communities": ["c", "x"]}, "out_of_reach", "communities"),
        ({"communities": [999999]}, "invalid", "communities"),
        ({"communities": ["abc"]}, "invalid", "communities"),
        ({"communities": 5}, "invalid", "communities"),
        ({"communities": [0]}, "invalid", "communities"),
        ({"communities": [2**70]}, "invalid", "communities"),
    ],
)
def test_register_refused_changes_nothing(member, community, other_community, street, payload, code, field):
    third = CommunityFactory(street=street, name="风度社区", lat=24.81, lng=113.59)
    far_street = StreetFactory(
        district=DistrictFactory(code="440282", name="南雄市", kind="county_city", lat=25.117, lng=114.309)
    )
    far = CommunityFactory(street=far_street, name="永康社区", lat=25.12, lng=114.31)
    by = {"c": community.pk, "o": other_community.pk, "t": third.pk, "x": far.pk}
    if isinstance(payload.get("communities"), list):
        payload = {
            "communities": [by.get(v, v) if isinstance(v, str) and v in by else v for v in payload["communities"]]
        }
    before = snapshot()
    resp = client_for(member.user).post(f"{V1}/registrations/", payload, format="json")
    assert_error(resp, 400, code, field)
    assert snapshot() == before


def test_register_twice_is_409(member, pending, other_community):
    before = snapshot()
    resp = client_for(member.user).post(f"{V1}/registrations/", {"communities": [other_community.pk]}, format="json")
    assert_error(resp, 409, "already_registered")
    assert snapshot() == before


def test_register_without_member_profile(resident, community):
    resp = client_for(resident).post(f"{V1}/registrations/", {"communities": [community.pk]}, format="json")
    assert_error(resp, 400, "no_member_profile")
    assert not Registration.objects.exists()


def test_registration_lists(member, pending, placed, secretary, outsider, resident, other_community):
    theirs = RegistrationFactory(community=other_community)
    assert [r["id"] for r in results(client_for(member.user).get(f"{V1}/registrations/"))] == [pending.pk]
    staff = {r["id"] for r in results(client_for(secretary).get(f"{V1}/registrations/"))}
    assert staff == {pending.pk, placed.registrations.get().pk}
    assert {r["id"] for r in results(client_for(secretary).get(f"{V1}/registrations/", {"status": "pending"}))} == {
        pending.pk
    }
    assert [r["id"] for r in results(client_for(outsider).get(f"{V1}/registrations/"))] == [theirs.pk]
    assert results(client_for(resident).get(f"{V1}/registrations/")) == []
    assert results(client_for(secretary).get(f"{V1}/registrations/", {"source": "adjusted"})) == []
    assert_error(client_for(secretary).get(f"{V1}/registrations/", {"status": "lost"}), 400, field="status")


def test_registration_detail_scoped(member, pending, secretary, outsider, resident):
    body = client_for(secretary).get(f"{V1}/registrations/{pending.pk}/").json()
    assert [c["community_name"] for c in body["choices"]] == ["工业中社区", "东堤社区"]
    assert body["member_phone"] == "13800000002"
    # the outsider is the second choice, but the registration is not theirs until the first declines
    assert_error(client_for(outsider).get(f"{V1}/registrations/{pending.pk}/"), 404)
    assert_error(client_for(resident).get(f"{V1}/registrations/{pending.pk}/"), 404)
    assert_error(client_for(secretary).get(f"{V1}/registrations/999999/"), 404)


def test_place(member, pending, grid, secretary, community):
    resp = client_for(secretary).post(f"{V1}/registrations/{pending.pk}/place/", {"grid": grid.pk}, format="json")
    assert resp.status_code == 200, resp.content
    assert resp.json()["status"] == "placed" and resp.json()["grid_name"] == "第三网格"
    member.refresh_from_db()
    assert member.community == community and member.grid == grid
    # placing a withdrawn registration is an illegal transition
    client_for(member.user).post(f"{V1}/registrations/{pending.pk}/withdraw/")
    before = snapshot()
    resp = client_for(secretary).post(f"{V1}/registrations/{pending.pk}/place/", {"grid": grid.pk}, format="json")
    assert_error(resp, 409, "illegal_transition")
    assert snapshot() == before


@pytest.mark.parametrize("who", ["outsider", "resident", "member"])
def test_place_refused_outside_scope(request, pending, grid, who):
    user = request.getfixturevalue(who)
    user = user.user if who == "member" else user
    before = snapshot()
    resp = client_for(user).post(f"{V1}/registrations/{pending.pk}/place/", {"grid": grid.pk}, format="json")
    assert_error(resp, 403, "permission_denied")
    assert snapshot() == before


def test_place_into_another_communitys_grid_changes_nothing(pending, secretary, other_community):
    foreign = Level2GridFactory(community=other_community)
    before = snapshot()
    resp = client_for(secretary).post(f"{V1}/registrations/{pending.pk}/place/", {"grid": foreign.pk}, format="json")
    body = assert_error(resp, 400, "grid_of_other_community", "grid")
    assert "不属于" in body["fields"]["grid"][0]
    assert snapshot() == before


@pytest.mark.parametrize("grid", [None, "abc", 0, -1, 999999, 2**70, [1], {"id": 1}, True])
def test_place_bad_grid(pending, secretary, grid):
    before = snapshot()
    resp = client_for(secretary).post(f"{V1}/registrations/{pending.pk}/place/", {"grid": grid}, format="json")
    assert_error(resp, 400, field="grid")
    assert snapshot() == before


def test_decline_passes_on_then_unplaced(member, pending, secretary, outsider, other_community):
    resp = client_for(secretary).post(f"{V1}/registrations/{pending.pk}/decline/", {"reason": "已满"}, format="json")
    assert resp.status_code == 200 and resp.json()["community_id"] == other_community.pk
    assert resp.json()["choices"][0]["declined_at"] is not None
    resp = client_for(outsider).post(f"{V1}/registrations/{pending.pk}/decline/", {}, format="json")
    assert resp.status_code == 200 and resp.json()["status"] == "unplaced" and resp.json()["community_id"] is None


def test_decline_refused_for_outsider(pending, outsider):
    before = snapshot()
    assert_error(client_for(outsider).post(f"{V1}/registrations/{pending.pk}/decline/", {}, format="json"), 403)
    assert_error(
        client_for(outsider).post(f"{V1}/registrations/{pending.pk}/decline/", {"reason": "x" * 201}, format="json"),
        400,
        field="reason",
    )
    assert snapshot() == before


def test_withdraw(member, pending, secretary, outsider):
    before = snapshot()
    assert_error(client_for(secretary).post(f"{V1}/registrations/{pending.pk}/withdraw/"), 403)
    assert_error(client_for(outsider).post(f"{V1}/registrations/{pending.pk}/withdraw/"), 404)
    assert snapshot() == before
    resp = client_for(member.user).post(f"{V1}/registrations/{pending.pk}/withdraw/")
    assert resp.status_code == 200 and resp.json()["status"] == "withdrawn"
    assert_error(client_for(member.user).post(f"{V1}/registrations/{pending.pk}/withdraw/"), 409, "illegal_transition")


def test_adjust(member, pending, district_officer, other_community):
    resp = client_for(district_officer).post(
        f"{V1}/registrations/adjust/",
        {"member": member.pk, "community": other_community.pk, "note": "就近"},
        format="json",
    )
    assert resp.status_code == 201, resp.content
    body = resp.json()
    assert body["source"] == "adjusted" and body["source_label"] == "调剂"
    assert body["decided_by_id"] == district_officer.pk and body["community_id"] == other_community.pk
    pending.refresh_from_db()
    assert pending.status == "ended"


@pytest.mark.parametrize("who", ["secretary", "outsider", "street_officer", "resident", "member"])
def test_adjust_refused(request, member, pending, other_community, who):
    user = request.getfixturevalue(who)
    user = user.user if who == "member" else user
    before = snapshot()
    resp = client_for(user).post(
        f"{V1}/registrations/adjust/", {"member": member.pk, "community": other_community.pk}, format="json"
    )
    assert_error(resp, 403)
    assert snapshot() == before


@pytest.mark.parametrize(
    "payload,field",
    [({"community": 1}, "member"), ({"member": 999999, "community": 1}, "member"), ({"member": 1}, "community")],
)
def test_adjust_bad_input(district_officer, member, community, payload, field):
    payload = {
        k: (member.pk if k == "member" and v == 1 else community.pk if v == 1 else v) for k, v in payload.items()
    }
    assert_error(
        client_for(district_officer).post(f"{V1}/registrations/adjust/", payload, format="json"), 400, field=field
    )


def test_options(member, community, other_community, settings):
    settings.REGISTRATION_REACH_KM = 5
    far_street = StreetFactory(
        district=DistrictFactory(code="440282", name="南雄市", kind="county_city", lat=25.117, lng=114.309)
    )
    far = CommunityFactory(street=far_street, name="永康社区", lat=25.12, lng=114.31)
    paired = CommunityFactory(street=far_street, name="结对社区", lat=25.13, lng=114.32)
    PairingFactory(unit=member.unit, community=paired)
    rows = results(client_for(member.user).get(f"{V1}/registrations/options/"))
    names = [r["name"] for r in rows]
    assert names[0] == "结对社区" and rows[0]["paired"] is True and rows[0]["distance_m"] is None
    assert set(names) == {"结对社区", "工业中社区", "东堤社区"} and far.name not in names
    here = next(r for r in rows if r["name"] == "工业中社区")
    assert here["still_needed"] == 200 and here["distance_m"] is not None


def test_options_without_profile(resident):
    assert_error(client_for(resident).get(f"{V1}/registrations/options/"), 404, "no_member_profile")


# --- junk ---------------------------------------------------------------------------------------

JUNK_VALUES = [
    None,
    "",
    "abc",
    -1,
    0,
    2**63,
    2**80,
    1.5,
    "1e999",
    [],
    {},
    [1, 2],
    {"a": 1},
    True,
    "𝔘𝔫𝔦",
    "\x00",
    "1;DROP",
]
JUNK_POSTS = [
    ("/registrations/", "communities"),
    ("/registrations/1/place/", "grid"),
    ("/registrations/1/decline/", "reason"),
    ("/registrations/adjust/", "member"),
    ("/registrations/adjust/", "community"),
    ("/members/me/", "kind"),
    ("/members/me/", "unit"),
    ("/members/me/", "lat"),
    ("/members/me/", "skills"),
    ("/members/me/", "coord_system"),
]
JUNK_GETS = [
    "/communities/?near={}",
    "/communities/?near=24.8,113.6&coord_system={}",
    "/communities/?near=24.8,113.6&radius_m={}",
    "/communities/?street={}",
    "/communities/?district={}",
    "/communities/?kind={}",
    "/communities/?search={}",
    "/streets/?district={}",
    "/grids/?community={}&level={}",
    "/grids/?parent={}",
    "/units/?district={}",
    "/members/?grid={}",
    "/members/?unit={}",
    "/members/?kind={}",
    "/members/?skill={}",
    "/members/?search={}",
    "/registrations/?community={}&status={}",
    "/registrations/?source={}",
    "/registrations/{}/",
    "/members/{}/",
    "/grids/{}/members/",
    "/units/{}/members/",
    "/districts/?page={}",
    "/communities/?page_size={}",
]


@pytest.fixture
def everyone(member, secretary, district_officer, resident, community, grid):
    return {"member": member.user, "secretary": secretary, "district": district_officer, "resident": resident}


@pytest.mark.parametrize("path,field", JUNK_POSTS)
@pytest.mark.parametrize("method", ["post", "patch"])
def test_junk_posts_never_500(everyone, pending, path, field, method):
    path = path.replace("/1/", f"/{pending.pk}/")
    for user in everyone.values():
        client = client_for(user)
        for value in JUNK_VALUES:
            resp = getattr(client, method)(V1 + path, {field: value}, format="json")
            assert resp.status_code < 500, (user, path, field, value, resp.content)
            if resp.status_code >= 400:
                assert resp.json()["detail"], resp.content
        resp = client.post(V1 + path, b"{not json", content_type="application/json")
        assert resp.status_code in (400, 405), resp.content
        resp = client.post(V1 + path, b"[1, 2]", content_type="application/json")
        assert resp.status_code < 500
        resp = client.post(V1 + path, "a=1", content_type="text/plain")
        assert resp.status_code < 500


@pytest.mark.parametrize("template", JUNK_GETS)
def test_junk_queries_never_500(everyone, pending, template):
    for user in everyone.values():
        client = client_for(user)
        for value in JUNK_VALUES:
            value = json.dumps(value) if not isinstance(value, str) else value
            url = V1 + template.replace("{}", value.replace("\x00", "%00").replace("#", "%23"))
            resp = client.get(url)
            assert resp.status_code < 500, (url, resp.content)
            if resp.status_code >= 400 and resp["Content-Type"].startswith("application/json"):
                assert resp.json()["detail"]
            elif resp.status_code >= 400:
                # A path segment that no route matches ("/members//") never reaches the API.
                assert resp.status_code == 404 and "{}/" in template, url


def test_unknown_method_is_405_in_chinese(secretary, pending):
    assert_error(client_for(secretary).delete(f"{V1}/registrations/{pending.pk}/"), 405, "method_not_allowed")
    assert_error(client_for(secretary).put(f"{V1}/communities/1/", {}), 405)


# --- query counts: independent of the number of rows ----------------------------------------------


def queries(user_pk, url):
    client = client_for(User.objects.get(pk=user_pk))  # a fresh user object: no cached scope
    with CaptureQueriesContext(connection) as ctx:
        resp = client.get(url)
    assert resp.status_code == 200, resp.content
    return len(ctx.captured_queries), resp.json()


def add_rows(n, community, grid, unit, street):
    for _ in range(n):
        c = CommunityFactory(street=street, lat=24.80, lng=113.59)
        g = Level2GridFactory(community=c)
        BuildingFactory(parent=g)
        StreetFactory(district=street.district)
        DistrictFactory(code=f"44{DistrictFactory._meta.model.objects.count() + 100:04d}", name=f"测试区{c.pk}")
        u = UnitFactory()
        PairingFactory(unit=unit, community=c)
        m = MemberFactory(community=community, grid=grid, unit=unit, skills=["teacher", "doctor"])
        RegistrationFactory(member=m, community=community, grid=grid, status="placed", placed_at=timezone.now())
        pend = MemberFactory(unit=u)
        reg = RegistrationFactory(member=pend, community=community)
        RegistrationChoice.objects.create(registration=reg, community=community, rank=1)
        RegistrationChoice.objects.create(registration=reg, community=c, rank=2)


LIST_URLS = [
    ("resident", "/districts/"),
    ("resident", "/streets/"),
    ("resident", "/communities/"),
    ("resident", "/communities/?near=24.8,113.59"),
    ("resident", "/grids/"),
    ("resident", "/units/"),
    ("secretary", "/members/"),
    ("secretary", "/members/?skill=teacher&search=1"),
    ("secretary", "/registrations/"),
    ("district", "/registrations/"),
    ("secretary", "/grids/{grid}/members/"),
    ("secretary", "/units/{unit}/members/"),
    ("member", "/registrations/options/"),
    ("member", "/registrations/"),
    ("member", "/me/"),
    ("secretary", "/me/"),
]


@pytest.mark.parametrize("who,url", LIST_URLS)
def test_list_query_counts_do_not_grow_with_rows(everyone, member, community, grid, street, who, url):
    unit = member.unit
    url = V1 + url.format(grid=grid.pk, unit=unit.pk)
    user = everyone[who]
    add_rows(3, community, grid, unit, street)
    few, body_few = queries(user.pk, url)
    add_rows(10, community, grid, unit, street)
    many, body_many = queries(user.pk, url)
    assert few == many, (url, few, many)
    if "results" in body_few and who != "member":
        assert len(body_many["results"]) > len(body_few["results"]) or len(body_many["results"]) == 20, url


def test_schema_documents_the_grids_api(resident):
    resp = client_for(resident).get("/api/schema/", {"format": "json"})
    assert resp.status_code == 200
    paths = resp.json()["paths"]
    for p in [
        "/api/v1/me/",
        "/api/v1/communities/",
        "/api/v1/members/me/",
        "/api/v1/registrations/",
        "/api/v1/registrations/{id}/place/",
        "/api/v1/registrations/{id}/decline/",
        "/api/v1/registrations/{id}/withdraw/",
        "/api/v1/registrations/adjust/",
        "/api/v1/registrations/options/",
    ]:
        assert p in paths, p


# --- the outsider, across every endpoint ------------------------------------------------------------

OUTSIDER_CALLS = [
    ("get", "/me/", None),
    ("get", "/districts/", None),
    ("get", "/streets/", None),
    ("get", "/communities/", None),
    ("get", "/communities/{community}/", None),
    ("get", "/communities/?near=24.8035,113.5905", None),
    ("get", "/grids/", None),
    ("get", "/grids/{grid}/", None),
    ("get", "/grids/{grid}/members/", None),
    ("get", "/units/", None),
    ("get", "/units/{unit}/", None),
    ("get", "/units/{unit}/members/", None),
    ("get", "/members/", None),
    ("get", "/members/?search=钱在册", None),
    ("get", "/members/?community={community}", None),
    ("get", "/members/{placed}/", None),
    ("get", "/members/{member}/", None),
    ("get", "/members/me/", None),
    ("patch", "/members/me/", {"name": "改名"}),
    ("get", "/registrations/", None),
    ("get", "/registrations/?community={community}", None),
    ("get", "/registrations/{pending}/", None),
    ("get", "/registrations/{placed_reg}/", None),
    ("post", "/registrations/{pending}/place/", {"grid": "{grid}"}),
    ("post", "/registrations/{placed_reg}/place/", {"grid": "{grid}"}),
    ("post", "/registrations/{pending}/decline/", {"reason": "不要"}),
    ("post", "/registrations/{pending}/withdraw/", None),
    ("post", "/registrations/{placed_reg}/withdraw/", None),
    ("post", "/registrations/adjust/", {"member": "{member}", "community": "{other_community}"}),
    ("post", "/registrations/adjust/", {"member": "{placed}", "community": "{other_community}"}),
    ("post", "/registrations/", {"communities": ["{community}"]}),
    ("get", "/registrations/options/", None),
]


def _fill(value, ids):
    """Replace "{name}" placeholders (alone or in a list) with the id they name."""
    if isinstance(value, list):
        return [_fill(v, ids) for v in value]
    if isinstance(value, str) and value.startswith("{") and value.endswith("}"):
        return ids[value[1:-1]]
    return value


@pytest.mark.parametrize("method,path,payload", OUTSIDER_CALLS)
def test_outsider_neither_sees_nor_changes_this_community(
    outsider, member, pending, placed, community, other_community, grid, method, path, payload
):
    ids = {
        "community": community.pk,
        "other_community": other_community.pk,
        "grid": grid.pk,
        "unit": placed.unit_id,
        "placed": placed.pk,
        "member": member.pk,
        "pending": pending.pk,
        "placed_reg": placed.registrations.get().pk,
    }
    path = path.format(**ids)
    if payload:
        payload = {k: _fill(v, ids) for k, v in payload.items()}
    before = snapshot()
    resp = getattr(client_for(outsider), method)(V1 + path, payload or {}, format="json")
    assert resp.status_code < 500
    assert snapshot() == before, (path, resp.content)
    text = resp.content.decode()
    # Neither this community's members' numbers nor their names reach the outsider.
    for secret in ("13700000011", "13800000002", "钱在册", "王党员"):
        assert secret not in text, (path, text)
    if method != "get":
        assert resp.status_code in (400, 403, 404), (path, resp.status_code, text)


def test_session_signed_in_user_creates_profile_and_registers(resident, community):
    """The H5 pages call the API with the session, whose user is a lazy object."""
    from rest_framework.test import APIClient

    c = APIClient()
    c.force_login(resident)
    resp = c.post(f"{V1}/members/me/", {"kind": "resident", "lat": 24.8035, "lng": 113.5905}, format="json")
    assert resp.status_code == 201, resp.content
    resp = c.post(f"{V1}/registrations/", {"communities": [community.pk]}, format="json")
    assert resp.status_code == 201, resp.content
    assert c.get(f"{V1}/me/").json()["active_registration"]["community_id"] == community.pk
