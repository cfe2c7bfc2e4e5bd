"""A unit's party secretary on a phone (390 px): signs in, lands on the unit's workbench, sees
who of the unit's members is behind on the quota and opens the roster."""

import re

import pytest
from playwright.sync_api import expect

from tests.browser.conftest import DESKTOP, assert_fits, screenshot, sign_in
from tests.unit_support import build_unit_world

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]
WIDTH = {"width": 390, "height": 844}


@pytest.fixture
def phone390(chromium, live_server):
    context = chromium.new_context(
        viewport=WIDTH,
        locale="zh-CN",
        timezone_id="Asia/Shanghai",
        base_url=live_server.url,
        is_mobile=True,
        has_touch=True,
        device_scale_factor=2,
    )
    context.set_default_timeout(10_000)
    page = context.new_page()
    yield page
    context.close()


def test_unit_secretary_signs_in_and_sees_who_is_behind(phone390, live_server, settings, community):
    settings.SIGNIN_SHOW_CODE = True
    w = build_unit_world(community)
    w.secretary.phone = "13900005678"
    w.secretary.save(update_fields=["phone"])
    page = phone390

    page.goto("/login/")
    page.get_by_label("手机号").fill("13900005678")
    page.get_by_role("button", name="获取验证码").click()
    code = page.get_by_test_id("debug-code").locator("strong").inner_text().strip()
    page.get_by_label("验证码").fill(code)
    page.get_by_role("button", name="登录", exact=True).click()

    # Signed in, the unit secretary lands on the unit's workbench.
    expect(page).to_have_url(re.compile(rf"/units/{w.unit.pk}/$"))
    expect(page.locator(".app-header__title")).to_contain_text("韶关市教育局")
    behind = page.get_by_test_id("unit-behind")
    expect(behind.locator(f'[data-member="{w.far.pk}"]')).to_contain_text("王远")
    expect(behind.locator(f'[data-member="{w.far.pk}"]')).to_contain_text("时长落后")
    expect(behind.locator(f'[data-member="{w.waiting.pk}"]')).to_contain_text("陈候")
    expect(behind).not_to_contain_text("李近")  # on track
    expect(behind).not_to_contain_text("赵外")  # another unit's member
    expect(page.get_by_test_id("unit-waiting")).to_contain_text("待社区编入")
    assert_fits(page, WIDTH["width"])
    screenshot(page, "unit-workbench-390")

    page.get_by_test_id("unit-roster-link").click()
    expect(page).to_have_url(re.compile(rf"/units/{w.unit.pk}/members/$"))
    roster = page.get_by_test_id("unit-roster")
    expect(roster.locator(f'[data-member="{w.near.pk}"]')).to_contain_text("已满 20 小时")
    expect(roster.locator(f'[data-member="{w.far.pk}"]')).to_contain_text("十里亭社区")
    assert_fits(page, WIDTH["width"])
    screenshot(page, "unit-roster-390")


def test_unit_roster_on_a_desktop(desktop, live_server, community):
    w = build_unit_world(community)
    sign_in(desktop, live_server, w.organiser)
    desktop.goto(f"/units/{w.unit.pk}/members/")
    roster = desktop.get_by_test_id("unit-roster")
    expect(roster.locator("thead")).to_be_visible()  # a real table on a wide screen
    expect(roster.locator(f'[data-member="{w.far.pk}"]')).to_contain_text("时长落后")
    assert_fits(desktop, DESKTOP["width"])
    screenshot(desktop, "unit-roster-1280")
