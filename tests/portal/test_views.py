"""The portal's pages through the Django test client: 首页 and 我的, each for a visitor,
a resident, a member, a secretary, street and district staff and an administrator."""

import pytest
from django.test import Client
from django.urls import reverse

from grids.models import Post
from tests.grids.factories import RegistrationFactory, TeamMembershipFactory, VanguardTeamFactory, place
from tests.pages import browser_for

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _fast_hashing(settings):
    # Every factory user gets a password; the production hasher would make these tests slow.
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


def test_url_names():
    assert reverse("portal:home") == "/"
    assert reverse("portal:profile") == "/me/"


# --- 首页 ---------------------------------------------------------------------------------


def test_home_for_anonymous_introduces_and_offers_sign_in(client):
    html = client.get("/").content.decode()
    assert "社区吹哨、党员报到" in html
    assert 'href="/login/"' in html
    assert 'aria-current="page"' in html


def test_home_for_a_member_shows_registration_status(member, community, grid):
    c = browser_for(member.user)
    assert "尚未到社区报到" in c.get("/").content.decode()
    RegistrationFactory(member=member, community=community)
    html = c.get("/").content.decode()
    assert "待社区编入" in html and "工业中社区" in html


def test_home_for_a_placed_member_shows_grid_and_team(member, secretary, grid):
    place(member, grid)
    team = VanguardTeamFactory(grid=grid, name="第三网格党群先锋队")
    TeamMembershipFactory(team=team, member=member)
    html = browser_for(member.user).get("/").content.decode()
    assert "已编入网格" in html
    assert "第三网格" in html
    assert "第三网格党群先锋队" in html


def test_home_for_a_secretary_links_to_the_grid_browser(secretary):
    html = browser_for(secretary).get("/").content.decode()
    assert 'href="/grids/"' in html
    assert "社区书记" in html
    assert "/admin/" not in html


def test_home_links_the_cockpit_for_street_staff_and_above_only(secretary, street_officer, district_officer, member):
    assert 'href="/cockpit/"' not in browser_for(secretary).get("/").content.decode()
    assert 'href="/cockpit/"' not in browser_for(member.user).get("/").content.decode()
    for officer in (street_officer, district_officer):
        html = browser_for(officer).get("/").content.decode()
        assert 'href="/cockpit/"' in html and 'href="/boards/"' in html


def test_home_for_admin_links_to_admin(admin_user):
    html = browser_for(admin_user).get("/").content.decode()
    assert 'href="/admin/"' in html


# --- 我的 ---------------------------------------------------------------------------------


def test_profile_needs_sign_in(client):
    r = client.get("/me/")
    assert r.status_code == 302
    assert r["Location"] == "/login/?next=/me/"


def test_profile_of_a_resident_offers_to_volunteer(client, resident):
    client.force_login(resident)
    html = client.get("/me/").content.decode()
    assert "李居民" in html
    assert "138****0001" in html
    assert "13800000001" not in html
    assert "成为志愿者" in html
    assert 'aria-current="page"' in html and "weui-bar__item_on" in html


def test_profile_of_a_member_shows_the_volunteer_profile(client, member):
    client.force_login(member.user)
    html = client.get("/me/").content.decode()
    assert "在职党员" in html
    assert member.unit.name in html
    assert "教师" in html
    assert "编辑资料" in html
    assert "成为志愿者" not in html


def test_profile_of_a_secretary_shows_the_post(client, secretary):
    client.force_login(secretary)
    html = client.get("/me/").content.decode()
    assert "社区书记" in html
    assert "工业中社区" in html
    assert "网格管理" in html


def test_profile_query_count_does_not_grow_with_posts(secretary, community, django_assert_max_num_queries):
    from tests.grids.factories import CommunityFactory, PostFactory

    c = Client()
    c.force_login(secretary)
    with django_assert_max_num_queries(8):
        c.get("/me/")
    for _ in range(5):
        PostFactory(
            user=secretary, role=Post.Role.PART_TIME_MEMBER, community=CommunityFactory(street=community.street)
        )
    with django_assert_max_num_queries(8):
        r = c.get("/me/")
    assert r.content.decode().count("兼职委员") == 5
