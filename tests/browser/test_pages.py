"""The H5 pages in a real browser: sign-in by code, 报到, placement by the secretary, layout."""

import re

import pytest
from playwright.sync_api import expect

from accounts.models import User
from grids.models import Registration
from tests.browser.conftest import DESKTOP, PHONE, assert_fits, screenshot, sign_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_resident_signs_in_with_phone_and_code(phone, live_server, settings, community):
    settings.SIGNIN_SHOW_CODE = True  # the page shows the code, as in the demo
    page = phone
    page.goto("/")
    expect(page.locator(".weui-tabbar")).to_be_visible()
    page.get_by_role("link", name="手机号登录").click()
    expect(page).to_have_url(re.compile(r"/login/"))

    page.get_by_label("手机号").fill("13900001234")
    page.get_by_role("button", name="获取验证码").click()
    demo = page.get_by_test_id("debug-code")
    expect(demo).to_contain_text("验证码（演示环境）：")
    code = demo.locator("strong").inner_text().strip()
    assert re.fullmatch(r"\d{6}", code)
    expect(page.get_by_text("验证码已发送至 139****1234")).to_be_visible()
    assert_fits(page, PHONE["width"])
    screenshot(page, "login-code-375")

    page.get_by_label("验证码").fill(code)
    page.get_by_role("button", name="登录", exact=True).click()

    expect(page).to_have_url(live_server.url + "/")
    expect(page.locator(".app-header__title")).to_contain_text("您好")
    home_tab = page.locator(".weui-tabbar__item.weui-bar__item_on")
    expect(home_tab).to_have_count(1)
    expect(home_tab).to_contain_text("首页")
    for label in ("首页", "点单", "接单", "我的"):
        expect(page.locator(".weui-tabbar__label", has_text=label)).to_be_visible()
    # The tab bar sits at the bottom of the phone's screen.
    box = page.locator(".weui-tabbar").bounding_box()
    assert abs(box["y"] + box["height"] - PHONE["height"]) <= 1
    assert box["width"] == PHONE["width"]
    assert_fits(page, PHONE["width"])
    screenshot(page, "home-resident-375")
    assert User.objects.filter(phone="13900001234").exists()


def test_member_registers_and_the_secretary_places_them(
    phone, desktop, live_server, member, secretary, grid, building, other_community
):
    # The member sets home by "使用当前位置", then registers with two ranked communities.
    sign_in(phone, live_server, member.user)
    phone.goto("/me/edit/")
    phone.get_by_role("button", name="使用当前位置").click()
    expect(phone.locator("[data-geo-status]")).to_contain_text("已获取当前位置")
    assert phone.locator("input[name=lat]").input_value() == "24.803100"
    assert_fits(phone, PHONE["width"])
    screenshot(phone, "member-edit-375")
    phone.get_by_role("button", name="保存").click()
    expect(phone).to_have_url(live_server.url + "/me/")
    expect(phone.get_by_text("资料已保存。")).to_be_visible()
    screenshot(phone, "profile-375")
    member.refresh_from_db()
    assert (member.home_lat, member.home_lng) == pytest.approx((24.8031, 113.5901))

    phone.goto("/register/")
    expect(phone.get_by_text("还需 200 人").first).to_be_visible()
    first, second = phone.get_by_label("第一志愿"), phone.get_by_label("第二志愿")
    first.select_option(first.locator("option", has_text="工业中社区").get_attribute("value"))
    second.select_option(second.locator("option", has_text="东堤社区").get_attribute("value"))
    assert_fits(phone, PHONE["width"])
    screenshot(phone, "register-choose-375")
    phone.get_by_role("button", name="提交报到").click()
    expect(phone.get_by_test_id("registration-status")).to_have_text("待社区编入")
    expect(phone.get_by_text("第2志愿：东堤社区")).to_be_visible()
    screenshot(phone, "register-pending-375")
    reg = Registration.objects.get(member=member)
    assert reg.status == Registration.Status.PENDING and reg.community.name == "工业中社区"

    # The secretary, at a desk, places the member into a building of 第三网格.
    sign_in(desktop, live_server, secretary)
    desktop.goto("/grids/")
    expect(desktop).to_have_url(re.compile(r"/grids/community/\d+/$"))
    row = desktop.locator(f"tr[data-registration='{reg.pk}']")
    expect(row).to_contain_text("王党员")
    table_box = desktop.locator("table[data-testid=pending]").bounding_box()
    assert table_box["width"] > 900  # the wide layout on a desktop
    screenshot(desktop, "grid-browser-pending-1280")
    row.locator("select[name=grid]").select_option(label="第三网格 / 1栋")
    row.get_by_role("button", name="编入网格").click()
    expect(desktop.get_by_text("已将王党员编入第三网格 / 1栋。")).to_be_visible()
    expect(desktop.locator("table[data-testid=pending]")).to_have_count(0)
    desktop.get_by_role("link", name="第三网格").click()
    expect(desktop.locator("table[data-testid=members]")).to_contain_text("13800000002")
    screenshot(desktop, "grid-detail-1280")

    # The member now sees the placement.
    phone.goto("/register/")
    expect(phone.get_by_test_id("registration-status")).to_have_text("已编入网格")
    phone.goto("/")
    expect(phone.get_by_test_id("registration-status")).to_contain_text("已编入网格")
    expect(phone.get_by_test_id("registration-status")).to_contain_text("1栋")
    screenshot(phone, "home-member-placed-375")
    reg.refresh_from_db()
    assert reg.status == Registration.Status.PLACED and reg.grid == building


@pytest.mark.parametrize("path", ["/", "/order/", "/tasks/", "/login/"])
def test_member_pages_fit_a_phone_and_centre_on_a_desktop(phone, desktop, live_server, member, path):
    sign_in(phone, live_server, member.user)
    phone.goto(path)
    assert_fits(phone, PHONE["width"])
    desktop.goto(path)
    box = desktop.locator(".app").bounding_box()
    assert box["width"] == 640
    assert abs(box["x"] - (DESKTOP["width"] - 640) / 2) <= 1
    tabbar = desktop.locator(".app-tabbar").bounding_box()
    assert tabbar["width"] == 640 and abs(tabbar["x"] - box["x"]) <= 1
    if path == "/order/":
        screenshot(phone, "order-375")
