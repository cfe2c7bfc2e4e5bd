"""The assessment pages in Chromium at 390 px and on a desktop: the sheet's tiles and the
children's table fit the phone (rows become cards), the table is a table on a desktop, the period
picker changes the period and a row drills down."""

from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo

import pytest

from grids.models import Post
from tests.accounts.factories import UserFactory
from tests.browser.conftest import assert_fits, screenshot, sign_in
from tests.grids.factories import (
    CommunityFactory,
    DistrictFactory,
    MemberFactory,
    PostFactory,
    StreetFactory,
    UnitFactory,
)
from tests.rankings.factories import ConfirmedRecordFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

BJ = ZoneInfo("Asia/Shanghai")


@pytest.fixture
def district_officer(db):
    district = DistrictFactory()
    street = StreetFactory(district=district, name="新华街道")
    community = CommunityFactory(street=street, name="工业中社区")
    CommunityFactory(street=street, name="东堤社区")
    unit = UnitFactory(district=district, name="韶关市测试局")
    for i in range(3):
        m = MemberFactory(unit=unit, community=community, created_at=datetime(2025, 1, 1, tzinfo=BJ))
        ConfirmedRecordFactory(member=m, started_at=datetime(2025, 2, 1 + i, 19, tzinfo=BJ), minutes=90 + i)
    user = UserFactory(name="吴组织")
    PostFactory(user=user, role=Post.Role.DISTRICT_STAFF, community=None, district=district)
    return user


def _context(chromium, live_server, width, height):
    context = chromium.new_context(
        viewport={"width": width, "height": height},
        locale="zh-CN",
        timezone_id="Asia/Shanghai",
        base_url=live_server.url,
    )
    context.set_default_timeout(10_000)
    return context


def test_a_district_officer_drills_down_on_a_390px_phone(chromium, live_server, district_officer):
    context = _context(chromium, live_server, 390, 844)
    page = context.new_page()
    try:
        sign_in(page, live_server, district_officer)
        page.goto("/assessment/?period=2025")
        assert "考核 · 武江区" in page.locator("h1").inner_text()
        assert (
            page.locator("[data-figure=hours]").inner_text().startswith("4.5")
        )  # 273 minutes, shown as the cockpit rounds
        assert_fits(page, 390)
        screenshot(page, "assessment-district-390")
        # The period picker: the first quarter of 2025 has the same services.
        page.select_option("#assessment-period", "2025Q1")
        page.get_by_role("button", name="查看").click()
        page.wait_for_url("**period=2025Q1**")
        assert page.locator("[data-figure=services]").inner_text() == "3"
        # Drill down: street, then community; the rows are cards at this width.
        page.get_by_role("link", name="新华街道").click()
        assert "考核 · 新华街道" in page.locator("h1").inner_text()
        row = page.locator("[data-testid=assessment-table] tbody tr").first
        assert row.evaluate("el => getComputedStyle(el).display") == "block"
        assert_fits(page, 390)
        page.get_by_role("link", name="工业中社区").click()
        assert "考核 · 工业中社区" in page.locator("h1").inner_text()
        assert page.locator("[data-testid=assessment-path]").inner_text().startswith("韶关市")
        assert_fits(page, 390)
        screenshot(page, "assessment-community-390")
        # Units of the district.
        page.goto("/assessment/units/?period=2025")
        assert page.get_by_role("link", name="韶关市测试局").is_visible()
        assert_fits(page, 390)
    finally:
        context.close()


def test_the_table_is_a_table_on_a_desktop(chromium, live_server, district_officer):
    context = _context(chromium, live_server, 1280, 800)
    page = context.new_page()
    try:
        sign_in(page, live_server, district_officer)
        page.goto("/assessment/?period=2025")
        assert page.locator("[data-testid=assessment-table] thead").is_visible()
        row = page.locator("[data-testid=assessment-table] tbody tr").first
        assert row.evaluate("el => getComputedStyle(el).display") == "table-row"
        assert_fits(page, 1280)
        screenshot(page, "assessment-district-desktop")
    finally:
        context.close()
