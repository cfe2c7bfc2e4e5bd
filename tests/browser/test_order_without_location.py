"""Ordering at 390 px with location refused: the resident searches the community, describes the
place, and the request is created."""

import re

import pytest
from playwright.sync_api import expect

from grids.vocab import Duty
from orders.models import ServiceRequest
from tests.browser.conftest import _context, assert_fits, screenshot, sign_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

WIDTH = 390


@pytest.fixture
def denied(chromium, live_server):
    """A phone at 390 px that was never granted the location permission."""
    context = _context(
        chromium, live_server, {"width": WIDTH, "height": 844}, is_mobile=True, has_touch=True, device_scale_factor=2
    )
    page = context.new_page()
    yield page
    context.close()


def test_order_without_location_at_390(denied, live_server, resident, community, other_community):
    sign_in(denied, live_server, resident)
    denied.goto("/order/")
    denied.locator("#id_duty").select_option(Duty.CONVENIENCE)
    denied.get_by_role("button", name="使用当前位置").click()
    status = denied.locator("[data-geo-status]")
    expect(status).to_contain_text("请在下方搜索社区")
    denied.locator("#id_title").fill("楼道灯坏了")
    denied.locator("#id_description").fill("3 栋 2 单元楼道灯不亮，老人上下楼不安全。")
    denied.locator("#id_address").fill("工业中路 12 号 3 栋 2 单元")
    denied.locator("[data-community-search]").fill("东堤")
    expect(denied.locator("[data-community-search-status]")).to_contain_text("找到 1 个社区")
    expect(denied.locator("#id_community option:checked")).to_contain_text("东堤社区")
    # The location error is said once on the page.
    assert denied.get_by_text("未获得定位权限").count() == 1
    assert_fits(denied, WIDTH)
    screenshot(denied, "order-without-location-390")
    denied.get_by_role("button", name="提交点单").click()
    expect(denied).to_have_url(re.compile(r"/my/requests/\d+/$"))
    row = ServiceRequest.objects.get()
    assert (row.community, row.located, row.address) == (other_community, False, "工业中路 12 号 3 栋 2 单元")
