"""我的 on a phone (390 px): a member with confirmed service and a report-for-duty visit sees the
year against the quota — the ring of hours toward 20, the four quarter boxes — and their stars
with what the next star needs."""

from datetime import timedelta

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from rankings.services import member_stars_recompute
from reporting.worktime import quarter_of
from tests.browser.conftest import assert_fits, screenshot, sign_in
from tests.rankings.factories import ConfirmedRecordFactory
from tests.reporting.factories import VisitFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

VIEWPORT = {"width": 390, "height": 844}


@pytest.fixture
def phone390(chromium, live_server):
    context = chromium.new_context(
        viewport=VIEWPORT,
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


def test_a_member_sees_quota_progress_and_stars_on_my_page(phone390, live_server, placed, community):
    now = timezone.now()
    started = now - timedelta(hours=8)
    if started.astimezone(timezone.get_current_timezone()).year != timezone.localdate().year:
        started = now  # the first hours of the year
    # 6 hours served, 5 of them outside working hours: 5 count toward the 20.
    ConfirmedRecordFactory(member=placed, started_at=started, minutes=360, quota_minutes=300)
    VisitFactory(member=placed, community=community, visited_at=now)
    member_stars_recompute(year=timezone.localdate().year)
    current = quarter_of(timezone.localdate())[4:]

    sign_in(phone390, live_server, placed.user)
    phone390.goto("/me/")

    quota = phone390.get_by_test_id("year-quota")
    expect(quota).to_be_visible()
    ring = quota.locator("svg.quota__ring")
    expect(ring).to_be_visible()
    expect(ring).to_have_attribute("aria-label", "年度服务时长完成 25%")
    expect(ring.locator(".quota__num")).to_have_text("5")
    expect(quota).to_contain_text("计入要求（工作时间以外）5 小时")
    expect(quota).to_contain_text("已确认服务合计 6 小时")
    boxes = quota.locator(".quota__quarter")
    expect(boxes).to_have_count(4)
    expect(quota.locator(f'.quota__quarter[data-quarter="{current}"]')).to_have_class(
        "quota__quarter quota__quarter_done"
    )
    expect(quota.locator(f'.quota__quarter[data-quarter="{current}"]')).to_contain_text("✓ 已报到")

    stars = phone390.get_by_test_id("stars")
    expect(stars).to_be_visible()
    expect(stars.locator(".quota-stars__star_on")).to_have_count(1)
    expect(stars).to_contain_text("1 星")
    expect(stars).to_contain_text("下一星还需 5 小时服务时长")

    assert_fits(phone390, VIEWPORT["width"])
    screenshot(phone390, "member-quota-390")
