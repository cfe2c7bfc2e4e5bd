"""Each role's 首页 and 我的 at 390 px (a phone) and 1366 px (a desk), with screenshots in
``test-output/screenshots/roles/``: a resident, a member, a community secretary, a street and a
district officer, a unit's secretary, and a secretary who also serves as a member (switching)."""

import re

import pytest
from playwright.sync_api import expect

from grids.models import Post
from notifications.models import Notification
from tests.accounts.factories import UserFactory
from tests.browser.conftest import SCREENSHOTS, _context, assert_fits, sign_in
from tests.grids.factories import MemberFactory, PostFactory, UnitFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

WIDTHS = {390: {"width": 390, "height": 844}, 1366: {"width": 1366, "height": 768}}
SHOTS = SCREENSHOTS / "roles"


def shot(page, name: str) -> None:
    SHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SHOTS / f"{name}.png"), full_page=True)


@pytest.fixture(params=sorted(WIDTHS))
def page(request, chromium, live_server):
    width = request.param
    extra = {"is_mobile": True, "has_touch": True, "device_scale_factor": 2} if width < 800 else {}
    context = _context(chromium, live_server, WIDTHS[width], **extra)
    p = context.new_page()
    p.width = width
    yield p
    context.close()


def _visit(page, live_server, user, role: str) -> None:
    """首页 and 我的 of ``user``: screenshots, nothing wider than the screen."""
    sign_in(page, live_server, user)
    page.goto("/")
    assert_fits(page, page.width)
    shot(page, f"{role}-home-{page.width}")


def _me(page, role: str) -> None:
    page.goto("/me/")
    assert_fits(page, page.width)
    shot(page, f"{role}-me-{page.width}")


def test_resident(page, live_server, resident):
    Notification.objects.create(user=resident, kind="request", title="您的点单已受理")
    _visit(page, live_server, resident, "resident")
    expect(page.get_by_role("link", name="我要点单")).to_be_visible()
    expect(page.get_by_text("任务大厅")).to_have_count(0)
    expect(page.get_by_text("我的接单")).to_have_count(0)
    expect(page.get_by_text("每年不少于 20 小时")).to_have_count(0)
    _me(page, "resident")
    expect(page.get_by_test_id("me-inbox")).to_contain_text("消息")
    expect(page.get_by_test_id("me-inbox").locator(".weui-badge")).to_have_text("1")
    expect(page.get_by_test_id("me-requests")).to_be_visible()


def test_member(page, live_server, placed):
    _visit(page, live_server, placed.user, "member")
    expect(page.get_by_test_id("home-member")).to_contain_text("任务大厅")
    expect(page.get_by_text("成为志愿者")).to_have_count(0)
    _me(page, "member")
    expect(page.get_by_test_id("year-quota")).to_be_visible()
    expect(page.get_by_test_id("me-tasks")).to_be_visible()


@pytest.mark.parametrize(
    ("who", "title"),
    [("secretary", "社区工作台"), ("street_officer", "街道工作台"), ("district_officer", "区县工作台")],
)
def test_staff(request, page, live_server, who, title):
    user = request.getfixturevalue(who)
    _visit(page, live_server, user, who)
    expect(page.get_by_test_id("home-workbench")).to_contain_text(title)
    expect(page.get_by_text("成为志愿者")).to_have_count(0)
    expect(page.get_by_text("任务大厅")).to_have_count(0)
    page.get_by_test_id("home-workbench").click()
    expect(page.locator(".app-header__title")).to_have_text(title)
    shot(page, f"{who}-work-{page.width}")
    _me(page, who)
    expect(page.get_by_text("成为志愿者")).to_have_count(0)


def test_unit_secretary(page, live_server, db):
    user = UserFactory(phone="13800000010", name="张书记")
    PostFactory(user=user, role=Post.Role.UNIT_SECRETARY, community=None, unit=UnitFactory(name="韶关市教育局"))
    _visit(page, live_server, user, "unit-secretary")
    expect(page).to_have_url(re.compile(r"/units/\d+/$"))
    _me(page, "unit-secretary")
    expect(page.get_by_text("成为志愿者")).to_have_count(0)


def test_two_roles_switch(page, live_server, secretary, community, grid):
    MemberFactory(user=secretary, community=community, grid=grid)
    _visit(page, live_server, secretary, "two-roles-work")
    switch = page.get_by_test_id("view-switch")
    expect(switch.get_by_role("button", name="社区书记")).to_have_attribute("aria-pressed", "true")
    expect(page.get_by_test_id("home-workbench")).to_be_visible()
    switch.get_by_role("button", name="党员").click()
    expect(switch.get_by_role("button", name="党员")).to_have_attribute("aria-pressed", "true")
    expect(page.get_by_test_id("home-member")).to_contain_text("任务大厅")
    expect(page.get_by_test_id("home-workbench")).to_have_count(0)
    shot(page, f"two-roles-member-home-{page.width}")
    _me(page, "two-roles")
    page.goto("/")  # remembered
    expect(page.get_by_test_id("home-member")).to_be_visible()
