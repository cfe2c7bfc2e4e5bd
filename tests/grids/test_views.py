"""The organisation's pages through the Django test client: volunteer profile, 报到,
and the secretaries' grid browser, each for the right user, an anonymous
visitor and an outsider."""

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from grids.models import Member, Post, Registration, RegistrationChoice
from tests.accounts.factories import UserFactory
from tests.grids.factories import (
    BuildingFactory,
    CommunityFactory,
    Level2GridFactory,
    MemberFactory,
    PostFactory,
    RegistrationFactory,
    TeamMembershipFactory,
    UnitFactory,
    VanguardTeamFactory,
    place,
)
from tests.pages import browser_for

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _fast_hashing(settings):
    # Every factory user gets a password; the production hasher would make these tests slow.
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


def count_queries(client: Client, url: str) -> int:
    with CaptureQueriesContext(connection) as ctx:
        r = client.get(url)
    assert r.status_code == 200, r.status_code
    return len(ctx.captured_queries)


def test_url_names():
    assert reverse("order") == "/order/"
    assert reverse("tasks") == "/tasks/"
    assert reverse("grids:registration") == "/register/"
    assert reverse("grids:browser") == "/grids/"
    assert reverse("grids:community", args=[7]) == "/grids/community/7/"
    assert reverse("grids:grid", args=[7]) == "/grids/7/"
    assert reverse("grids:member_edit") == "/me/edit/"
    assert reverse("grids:member_create") == "/me/join/"


# --- pages that need sign-in ---------------------------------------------------------------


@pytest.mark.parametrize("url", ["/me/join/", "/me/edit/", "/register/", "/grids/", "/grids/community/1/", "/grids/1/"])
def test_anonymous_is_sent_to_sign_in(client, url):
    r = client.get(url)
    assert r.status_code == 302
    assert r["Location"] == f"/login/?next={url}"


@pytest.mark.parametrize(
    "url", ["/grids/registrations/1/place/", "/grids/registrations/1/decline/", "/register/withdraw/"]
)
def test_anonymous_posts_are_sent_to_sign_in(client, url):
    r = client.post(url, {"grid": 1})
    assert r.status_code == 302
    assert r["Location"].startswith("/login/")


# --- 我的：志愿者资料 ----------------------------------------------------------------------


def test_resident_becomes_a_volunteer(resident):
    c = browser_for(resident)
    assert c.get("/me/join/").status_code == 200
    r = c.post(
        "/me/join/",
        {
            "name": "李居民",
            "kind": "resident",
            "skills": ["doctor", "it"],
            "home_address": "工业中路 8 号",
            "lat": "24.8030",
            "lng": "113.5900",
            "coord_system": "wgs84",
        },
    )
    assert r.status_code == 302 and r["Location"] == "/register/"
    m = Member.objects.get(user=resident)
    assert m.kind == "resident" and m.unit is None
    assert m.skills == ["doctor", "it"]
    assert m.home_lat == pytest.approx(24.803)


def test_in_service_member_must_name_a_unit(resident):
    r = browser_for(resident).post("/me/join/", {"name": "李居民", "kind": "in_service", "home_address": ""})
    assert r.status_code == 200
    assert "在职党员请选择所在单位。" in r.content.decode()
    assert not Member.objects.filter(user=resident).exists()


def test_in_service_member_with_unit(resident):
    unit = UnitFactory(name="韶关市武江区教育局")
    browser_for(resident).post("/me/join/", {"name": "李居民", "kind": "in_service", "unit": unit.pk})
    assert Member.objects.get(user=resident).unit == unit


def test_member_is_sent_from_join_to_edit(member):
    r = browser_for(member.user).get("/me/join/")
    assert r.status_code == 302 and r["Location"] == "/me/edit/"


def test_member_edits_profile_with_current_location(member):
    c = browser_for(member.user)
    html = c.get("/me/edit/").content.decode()
    assert "使用当前位置" in html and 'data-geo="lat"' in html
    r = c.post(
        "/me/edit/",
        {
            "name": "王建国",
            "skills": ["lawyer"],
            "home_address": "东堤北路 3 号",
            "lat": "24.8080",
            "lng": "113.5960",
            "coord_system": "wgs84",
        },
    )
    assert r.status_code == 302 and r["Location"] == "/me/"
    member.refresh_from_db()
    member.user.refresh_from_db()
    assert member.user.name == "王建国"
    assert member.skills == ["lawyer"]
    assert (member.home_lat, member.home_lng) == pytest.approx((24.808, 113.596))


def test_location_outside_the_city_changes_nothing(member):
    before = (member.user.name, member.skills, member.home_address, member.home_lat, member.home_lng)
    r = browser_for(member.user).post(
        "/me/edit/", {"name": "王建国", "skills": ["lawyer"], "home_address": "北京", "lat": "39.9", "lng": "116.4"}
    )
    assert r.status_code == 200
    assert "该位置不在韶关市范围内。" in r.content.decode()
    member.refresh_from_db()
    member.user.refresh_from_db()
    assert (member.user.name, member.skills, member.home_address, member.home_lat, member.home_lng) == before


def test_resident_edit_goes_to_join(resident):
    r = browser_for(resident).get("/me/edit/")
    assert r.status_code == 302 and r["Location"] == "/me/join/"


# --- 报到 ---------------------------------------------------------------------------------


def test_registration_page_lists_communities_in_reach(member, community, other_community):
    html = browser_for(member.user).get("/register/").content.decode()
    assert "工业中社区" in html and "东堤社区" in html
    assert "还需 200 人" in html
    assert "公里" in html


def test_member_registers_through_the_page(member, community, other_community):
    c = browser_for(member.user)
    r = c.post("/register/", {"choice_1": other_community.pk, "choice_2": community.pk, "choice_3": ""})
    assert r.status_code == 302 and r["Location"] == "/register/"
    reg = Registration.objects.get(member=member)
    assert reg.status == Registration.Status.PENDING
    assert reg.community == other_community
    assert list(reg.choices.values_list("community__name", "rank")) == [("东堤社区", 1), ("工业中社区", 2)]
    html = c.get("/register/").content.decode()
    assert "待社区编入" in html
    assert "第1志愿：东堤社区" in html and "第2志愿：工业中社区" in html
    assert "撤回报到" in html


def test_same_community_twice_is_refused(member, community):
    r = browser_for(member.user).post("/register/", {"choice_1": community.pk, "choice_2": community.pk})
    assert "同一个社区不能重复选择。" in r.content.decode()
    assert not Registration.objects.filter(member=member).exists()


def test_community_out_of_reach_is_refused(member, community):
    far = CommunityFactory(name="乐昌某社区", lat=25.13, lng=113.35)
    r = browser_for(member.user).post("/register/", {"choice_1": far.pk})
    assert r.status_code == 200
    assert "所选社区不在可报到范围内。" in r.content.decode()
    assert not Registration.objects.exists()


def test_no_home_location_asks_for_it(resident, community):
    m = MemberFactory(user=resident, kind=Member.Kind.RESIDENT, unit=None, home_lat=None, home_lng=None)
    c = browser_for(resident)
    html = c.get("/register/").content.decode()
    assert "请先在“我的”中填写居住地位置" in html
    c.post("/register/", {"choice_1": community.pk})
    assert not Registration.objects.filter(member=m).exists()


def test_registration_page_for_non_member_offers_to_volunteer(resident):
    html = browser_for(resident).get("/register/").content.decode()
    assert "请先登记为志愿者" in html


def test_member_withdraws(member, community):
    reg = RegistrationFactory(member=member, community=community)
    c = browser_for(member.user)
    r = c.post("/register/withdraw/")
    assert r.status_code == 302
    reg.refresh_from_db()
    assert reg.status == Registration.Status.WITHDRAWN
    assert "可报到的社区" in c.get("/register/").content.decode()


def test_withdraw_only_touches_ones_own_registration(member, resident, community):
    reg = RegistrationFactory(member=member, community=community)
    MemberFactory(user=resident)
    browser_for(resident).post("/register/withdraw/")
    reg.refresh_from_db()
    assert reg.status == Registration.Status.PENDING


def test_registration_page_query_count_does_not_grow_with_communities(member, street):
    c = browser_for(member.user)
    CommunityFactory(street=street, lat=24.801, lng=113.591)
    few = count_queries(c, "/register/")
    for i in range(8):
        CommunityFactory(street=street, lat=24.80 + i / 1000, lng=113.59)
    assert count_queries(c, "/register/") == few


# --- 网格管理 -------------------------------------------------------------------------------


def test_non_staff_cannot_open_the_grid_browser(member, grid):
    c = browser_for(member.user)
    assert c.get("/grids/").status_code == 403
    assert c.get(f"/grids/{grid.pk}/").status_code == 403
    assert "您没有网格管理职务" in c.get("/grids/").content.decode()


def test_secretary_goes_straight_to_the_community(secretary, community):
    r = browser_for(secretary).get("/grids/")
    assert r.status_code == 302 and r["Location"] == f"/grids/community/{community.pk}/"


def test_street_officer_picks_a_community(street_officer, community, other_community):
    html = browser_for(street_officer).get("/grids/").content.decode()
    assert "工业中社区" in html and "东堤社区" in html
    assert f"/grids/community/{other_community.pk}/" in html


def test_community_page_shows_grids_counts_and_pending(secretary, community, grid, building, member):
    BuildingFactory(parent=grid, name="2栋")
    placed = MemberFactory()
    place(placed, building)
    reg = RegistrationFactory(member=member, community=community)
    html = browser_for(secretary).get(f"/grids/community/{community.pk}/").content.decode()
    assert "第三网格" in html
    assert '<td class="num" data-label="楼栋">2</td>' in html
    assert '<td class="num" data-label="党员">1</td>' in html
    assert f'data-registration="{reg.pk}"' in html
    assert "编入网格" in html and "婉拒" in html
    assert member.user.phone in html


def test_secretary_places_a_registration(secretary, community, grid, member):
    reg = RegistrationFactory(member=member, community=community)
    r = browser_for(secretary).post(f"/grids/registrations/{reg.pk}/place/", {"grid": grid.pk}, follow=True)
    assert "已将王党员编入第三网格。" in r.content.decode()
    reg.refresh_from_db()
    member.refresh_from_db()
    assert reg.status == Registration.Status.PLACED and reg.grid == grid
    assert member.grid == grid
    assert "已编入网格" in browser_for(member.user).get("/register/").content.decode()


def test_placing_into_another_communitys_grid_is_refused(secretary, community, other_community, member):
    reg = RegistrationFactory(member=member, community=community)
    foreign = Level2GridFactory(community=other_community)
    r = browser_for(secretary).post(f"/grids/registrations/{reg.pk}/place/", {"grid": foreign.pk}, follow=True)
    assert "所选网格不属于该社区。" in r.content.decode()
    reg.refresh_from_db()
    assert reg.status == Registration.Status.PENDING and reg.grid is None


def test_secretary_declines_and_the_next_choice_is_asked(secretary, community, other_community, member):
    reg = RegistrationFactory(member=member, community=community)
    RegistrationChoice.objects.create(registration=reg, community=community, rank=1)
    RegistrationChoice.objects.create(registration=reg, community=other_community, rank=2)
    r = browser_for(secretary).post(f"/grids/registrations/{reg.pk}/decline/", {"reason": "网格已满"}, follow=True)
    assert "已婉拒王党员的报到" in r.content.decode()
    reg.refresh_from_db()
    assert reg.community == other_community and reg.status == Registration.Status.PENDING


def test_grid_page_shows_buildings_and_members_with_whole_phones(secretary, grid, building, member):
    place(member, building)
    html = browser_for(secretary).get(f"/grids/{grid.pk}/").content.decode()
    assert "1栋" in html
    assert "王党员" in html and "13800000002" in html
    assert "教师" in html


def test_grid_secretary_sees_masked_phones_and_only_their_grid(community, grid, building, member):
    gs = UserFactory(phone="13800000010", name="网格书记")
    PostFactory(user=gs, role=Post.Role.GRID_SECRETARY, community=None, grid=grid)
    place(member, building)
    other_grid = Level2GridFactory(community=community, name="第四网格")
    c = browser_for(gs)
    html = c.get(f"/grids/{grid.pk}/").content.decode()
    assert "138****0002" in html and "13800000002" not in html
    assert c.get(f"/grids/{other_grid.pk}/").status_code == 404
    html = c.get(f"/grids/community/{community.pk}/").content.decode()
    assert "第三网格" in html and "第四网格" not in html
    assert "待编入网格的报到" not in html


# --- outsiders -----------------------------------------------------------------------------


def test_outsider_cannot_see_another_communitys_grids(outsider, community, grid, building, member):
    place(member, grid)
    c = browser_for(outsider)
    assert c.get(f"/grids/community/{community.pk}/").status_code == 404
    assert c.get(f"/grids/{grid.pk}/").status_code == 404
    assert c.get(f"/grids/{building.pk}/").status_code == 404
    r = c.get("/grids/", follow=True)
    assert "工业中社区" not in r.content.decode()
    assert "13800000002" not in r.content.decode()


def test_outsider_cannot_place_or_decline_another_communitys_registration(
    outsider, community, other_community, grid, member
):
    reg = RegistrationFactory(member=member, community=community)
    RegistrationChoice.objects.create(registration=reg, community=community, rank=1)
    own_grid = Level2GridFactory(community=other_community)
    c = browser_for(outsider)
    assert c.post(f"/grids/registrations/{reg.pk}/place/", {"grid": grid.pk}).status_code == 404
    assert c.post(f"/grids/registrations/{reg.pk}/place/", {"grid": own_grid.pk}).status_code == 404
    assert c.post(f"/grids/registrations/{reg.pk}/decline/", {"reason": "x"}).status_code == 404
    reg.refresh_from_db()
    member.refresh_from_db()
    assert (reg.status, reg.community_id, reg.grid_id, reg.note) == (
        Registration.Status.PENDING,
        community.pk,
        None,
        "",
    )
    assert member.grid_id is None
    assert not RegistrationChoice.objects.filter(declined_at__isnull=False).exists()


def test_member_cannot_place_themselves(member, community, grid):
    reg = RegistrationFactory(member=member, community=community)
    assert browser_for(member.user).post(f"/grids/registrations/{reg.pk}/place/", {"grid": grid.pk}).status_code == 403
    reg.refresh_from_db()
    assert reg.status == Registration.Status.PENDING


# --- query counts --------------------------------------------------------------------------


def test_browser_query_count_does_not_grow_with_communities(street_officer, street):
    c = browser_for(street_officer)
    CommunityFactory(street=street)
    few = count_queries(c, "/grids/")
    for _ in range(6):
        comm = CommunityFactory(street=street)
        g = Level2GridFactory(community=comm)
        RegistrationFactory(community=comm)
        place(MemberFactory(), g)
    assert count_queries(c, "/grids/") == few


def test_community_page_query_count_does_not_grow_with_grids_or_registrations(secretary, community, grid):
    c = browser_for(secretary)
    url = f"/grids/community/{community.pk}/"
    RegistrationFactory(community=community)
    few = count_queries(c, url)
    for _ in range(5):
        g = Level2GridFactory(community=community)
        for _ in range(2):
            place(MemberFactory(), BuildingFactory(parent=g))
        reg = RegistrationFactory(community=community)
        RegistrationChoice.objects.create(registration=reg, community=community, rank=1)
    assert count_queries(c, url) == few


def test_grid_page_query_count_does_not_grow_with_members(secretary, community, grid):
    c = browser_for(secretary)
    url = f"/grids/{grid.pk}/"
    place(MemberFactory(), grid)
    VanguardTeamFactory(grid=grid)
    few = count_queries(c, url)
    for _ in range(4):
        b = BuildingFactory(parent=grid)
        place(MemberFactory(), b)
        place(MemberFactory(unit=None, kind=Member.Kind.RESIDENT), grid)
    VanguardTeamFactory(grid=grid)
    assert count_queries(c, url) == few


def test_home_query_count_does_not_grow_with_teams(member, secretary, grid):
    place(member, grid)
    c = browser_for(member.user)
    team = VanguardTeamFactory(grid=grid)
    TeamMembershipFactory(team=team, member=member)
    few = count_queries(c, "/")
    for _ in range(4):
        team = VanguardTeamFactory(grid=grid)
        TeamMembershipFactory(team=team, member=member)
        TeamMembershipFactory(team=team)
    assert count_queries(c, "/") == few
