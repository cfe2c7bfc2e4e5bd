"""Each role's 首页 and 我的: what each person sees first, what they do not see, and the switch
of a person with two roles (a secretary who also serves as a member)."""

import pytest

from grids.models import Post
from notifications.models import Notification
from tests.accounts.factories import UserFactory
from tests.grids.factories import MemberFactory, PostFactory, UnitFactory
from tests.pages import browser_for, html, page_queries

pytestmark = pytest.mark.django_db

MEMBER_THINGS = ("任务大厅", "我的接单", "每年不少于 20 小时")


@pytest.fixture(autouse=True)
def _fast_hashing(settings):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture
def two_roles(secretary, community, grid):
    """The community's secretary, who also serves as a member placed in its grid."""
    MemberFactory(user=secretary, community=community, grid=grid)
    return secretary


@pytest.fixture
def unit_secretary(db):
    user = UserFactory(phone="13800000010", name="张书记")
    PostFactory(user=user, role=Post.Role.UNIT_SECRETARY, community=None, unit=UnitFactory())
    return user


def _order(page: str, *words: str) -> list[int]:
    return [page.index(w) for w in words]


# --- the resident -------------------------------------------------------------------------


def test_resident_home_offers_ordering_and_none_of_the_members_work(resident):
    page = html(browser_for(resident).get("/"))
    for word in ("我要点单", "我的点单", "消息", "排行榜", "成为志愿者"):
        assert word in page
    for word in (*MEMBER_THINGS, "工作台", "当前身份"):
        assert word not in page
    # Their own work first: ordering comes before the invitation to volunteer.
    assert page.index("我要点单") < page.index("成为志愿者")


def test_resident_me_shows_inbox_with_unread_badge_and_requests(resident):
    Notification.objects.create(user=resident, kind="request", title="您的点单已受理")
    page = html(browser_for(resident).get("/me/"))
    assert 'data-testid="me-inbox"' in page and "1 条未读" in page
    assert 'data-testid="me-requests"' in page and 'href="/my/requests/"' in page
    assert 'data-testid="me-tasks"' not in page
    assert 'data-testid="become-volunteer"' in page


# --- the member ---------------------------------------------------------------------------


def test_member_home_shows_registration_then_tasks_and_hours(placed):
    page = html(browser_for(placed.user).get("/"))
    for word in MEMBER_THINGS:
        assert word in page
    assert "成为志愿者" not in page and "工作台" not in page and "当前身份" not in page
    a, b, c = _order(page, "我的报到", "任务大厅", "我要点单")
    assert a < b < c


def test_member_me_shows_quota_tasks_inbox_and_requests(placed):
    page = html(browser_for(placed.user).get("/me/"))
    for testid in ("me-inbox", "me-requests", "me-tasks", "year-quota"):
        assert f'data-testid="{testid}"' in page
    assert 'data-testid="become-volunteer"' not in page


# --- staff --------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("who", "title"),
    [("secretary", "社区工作台"), ("street_officer", "街道工作台"), ("district_officer", "区县工作台")],
)
def test_staff_home_shows_their_workbench_by_level_and_no_volunteering(request, who, title):
    user = request.getfixturevalue(who)
    page = html(browser_for(user).get("/"))
    assert title in page and 'data-testid="home-workbench"' in page
    assert "成为志愿者" not in page and "当前身份" not in page
    for word in MEMBER_THINGS:
        assert word not in page
    # Their work comes before what everyone has.
    assert page.index('data-testid="home-work"') < page.index('data-testid="home-common"')
    work = html(browser_for(user).get("/work/"))
    assert f"<title>{title}" in work and f'app-header__title">{title}' in work
    me = html(browser_for(user).get("/me/"))
    assert "成为志愿者" not in me and 'data-testid="me-inbox"' in me


def test_street_officer_sees_the_joint_meeting_first_and_the_cockpit(street_officer):
    work = html(browser_for(street_officer).get("/work/"))
    assert work.index('data-testid="work-escalations"') < work.index("待审核点单")
    assert "联席会议事项" in work
    assert "数据驾驶舱" in html(browser_for(street_officer).get("/"))


def test_secretary_workbench_reviews_first_and_sees_no_cockpit(secretary):
    work = html(browser_for(secretary).get("/work/"))
    assert work.index("待审核点单") < work.index('data-testid="work-escalations"')
    assert "数据驾驶舱" not in html(browser_for(secretary).get("/"))


def test_district_officer_sees_cockpit_and_adjustment_before_the_workbench(district_officer):
    page = html(browser_for(district_officer).get("/"))
    a, b, c = _order(page, "数据驾驶舱", 'data-testid="home-adjustments"', 'data-testid="home-workbench"')
    assert a < b < c


def test_unit_secretary_lands_on_the_unit_workbench_and_is_not_asked_to_volunteer(unit_secretary):
    c = browser_for(unit_secretary)
    assert c.get("/")["Location"] == "/unit/"
    page = html(c.get("/?personal=1"))
    assert 'data-testid="unit-link"' in page and "成为志愿者" not in page and "任务大厅" not in page
    me = html(c.get("/me/"))
    assert "成为志愿者" not in me and "网格管理" not in me


# --- two roles ----------------------------------------------------------------------------


def test_two_roles_switch_between_member_and_secretary_and_the_choice_is_kept(two_roles):
    c = browser_for(two_roles)
    page = html(c.get("/"))
    assert 'data-testid="view-switch"' in page and ">社区书记</button>" in page
    assert 'value="work" class="app-roleswitch__btn app-roleswitch__btn_on"' in page
    assert "社区工作台" in page and "任务大厅" not in page

    assert c.post("/view/", {"view": "member"})["Location"] == "/"
    page = html(c.get("/"))
    assert 'value="member" class="app-roleswitch__btn app-roleswitch__btn_on"' in page
    assert "任务大厅" in page and "我的报到" in page and "社区工作台" not in page
    assert "任务大厅" in html(c.get("/"))  # remembered

    c.post("/view/", {"view": "work"})
    assert "社区工作台" in html(c.get("/"))


def test_switch_ignores_unknown_views_and_needs_sign_in_and_post(two_roles, client):
    c = browser_for(two_roles)
    c.post("/view/", {"view": "admin"})
    assert "社区工作台" in html(c.get("/"))
    assert c.get("/view/").status_code == 405
    assert client.post("/view/", {"view": "member"})["Location"].startswith("/login/")


def test_a_single_role_has_no_switch_whatever_the_session_says(placed):
    c = browser_for(placed.user)
    c.post("/view/", {"view": "work"})
    page = html(c.get("/"))
    assert "当前身份" not in page and "任务大厅" in page


def test_home_and_me_query_counts(two_roles, resident):
    """Flat: the roles are read once per page (user, member, posts, scope), whatever the view."""
    assert page_queries(browser_for(resident), "/") == 5
    assert page_queries(browser_for(resident), "/me/") == 5
    c = browser_for(two_roles)
    assert page_queries(c, "/") == 5
    c.post("/view/", {"view": "member"})
    assert page_queries(c, "/") == 7  # and the registration, the teams
    assert page_queries(c, "/me/") == 8  # and the year's quota, the stars
