"""The leaderboards on a 390 px phone: a member far outside the Top 50 sees the board with their
rank pinned above the tab bar, switches tabs and district, opens the rank history chart and
saves their 报到之星 card."""

import datetime as dt
import re

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from rankings.models import Board
from tests.browser.conftest import SCREENSHOTS, _context, assert_fits, screenshot, sign_in
from tests.grids.factories import (
    DistrictFactory,
    MemberFactory,
    TeamMembershipFactory,
    UnitFactory,
)
from tests.rankings.board_support import publish

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

WIDTH = 390


@pytest.fixture
def phone390(chromium, live_server):
    context = _context(
        chromium, live_server, {"width": WIDTH, "height": 844}, is_mobile=True, has_touch=True, device_scale_factor=2
    )
    page = context.new_page()
    yield page
    context.close()


def city(member, community, district):
    """Two districts, 60 members with long unit names, and all five boards for two days."""
    other = DistrictFactory(code="440204", name="浈江区")
    unit = member.unit
    people = [
        MemberFactory(unit=UnitFactory(name=f"韶关市第{i}人民医院党委办公室"), community=community) for i in range(60)
    ]
    team = TeamMembershipFactory(member=member, team__grid__community=community, team__name="工业中社区党群先锋队").team
    yesterday = timezone.localdate() - dt.timedelta(days=1)
    for day, shift in ((yesterday - dt.timedelta(days=1), 3), (yesterday, 0)):
        rows = [
            {
                "subject_id": p.pk,
                "district_id": (district if i % 3 else other).pk,
                "score": 900.0 - ((i + shift) % 60) * 7,
                "minutes": 6000 - i * 50,
                "services": 40 - i // 2,
                "outcomes": 5,
                "likes": 30 - i // 3,
            }
            for i, p in enumerate(people)
        ]
        rows.sort(key=lambda r: -r["score"])
        rows.append({"subject_id": member.pk, "district_id": district.pk, "score": 86.5, "rank": 1234})
        publish(day, Board.MEMBERS, rows)
        publish(
            day,
            Board.STARS,
            [{"subject_id": member.pk, "district_id": district.pk, "score": 40, "minutes": 750, "likes": 6}]
            + [{"subject_id": p.pk, "district_id": district.pk, "score": 30 - i} for i, p in enumerate(people[:5])],
        )
        publish(
            day,
            Board.UNITS,
            [
                {
                    "subject_id": u.pk,
                    "district_id": district.pk,
                    "score": 500 - i,
                    "per_capita": 25.0 - i,
                    "headcount": 20,
                }
                for i, u in enumerate(sorted({p.unit for p in people[:8]}, key=lambda u: u.pk))
            ]
            + [{"subject_id": unit.pk, "district_id": district.pk, "score": 90, "per_capita": 3.2, "headcount": 28}],
        )
        publish(
            day,
            Board.COMMUNITIES,
            [
                {
                    "subject_id": community.pk,
                    "district_id": district.pk,
                    "score": 3000,
                    "per_capita": 12.5,
                    "headcount": 240,
                }
            ],
        )
        publish(
            day,
            Board.TEAMS,
            [{"subject_id": team.pk, "district_id": district.pk, "score": 700, "per_capita": 35.0, "headcount": 20}],
        )
    return other


def test_member_outside_the_top_50_at_390(phone390, live_server, member, community, district):
    member.community = community
    member.save(update_fields=["community"])
    other = city(member, community, district)
    page = phone390
    sign_in(page, live_server, member.user)

    page.goto("/boards/")
    expect(page.get_by_test_id("board-day")).to_contain_text("数据截至")
    expect(page.locator(".board-tab_on")).to_have_text("全市党员Top50")
    expect(page.locator(".board-row")).to_have_count(50)
    expect(page.locator(".board-move_up").first).to_be_visible()
    mine = page.get_by_test_id("my-rank")
    expect(mine).to_contain_text("全市第 1,234 名")
    expect(mine).to_contain_text("距前 50 名还差")
    # Pinned: fixed above the tab bar, still there at the bottom of the list.
    assert page.evaluate("getComputedStyle(document.querySelector('.board-mine')).position") == "fixed"
    box, bar = mine.bounding_box(), page.locator(".app-tabbar").bounding_box()
    assert box["y"] + box["height"] <= bar["y"] + 1
    assert_fits(page, WIDTH)
    screenshot(page, "boards-members")
    # At the end of the list the last row clears the pinned bar (the page leaves room for it).
    page.evaluate("window.scrollTo(0, document.body.scrollHeight)")
    expect(mine).to_be_in_viewport()
    last = page.locator(".board-row").last.bounding_box()
    assert last["y"] + last["height"] <= mine.bounding_box()["y"] + 1
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SCREENSHOTS / "boards-my-rank.png"))  # the viewport, as the member sees it

    # Tabs: the units board ranks by per-member score and shows my unit's place.
    page.get_by_role("link", name="全市单位Top50").click()
    expect(page).to_have_url(re.compile(r"board=units"))
    expect(page.locator(".board-tab_on")).to_have_text("全市单位Top50")
    expect(page.locator(".board-meta")).to_contain_text("按人均分排名")
    expect(mine).to_contain_text("人均 3.2 分")
    assert_fits(page, WIDTH)

    # District: 浈江区 shows only its members; my rank falls back to the city board there.
    page.get_by_role("link", name="全市党员Top50").click()
    page.locator("#board-district").select_option(str(other.pk))
    expect(page).to_have_url(re.compile(rf"district={other.pk}"))
    expect(page.locator(".board-meta")).to_contain_text("浈江区")
    expect(page.locator(".board-row")).to_have_count(20)
    expect(page.locator(".board-tab_on")).to_have_text("全市党员Top50")
    page.get_by_role("link", name="先锋队Top50").click()
    expect(page).to_have_url(re.compile(rf"board=teams&district={other.pk}"))
    assert_fits(page, WIDTH)

    # History chart of my rank.
    page.goto("/boards/")
    page.get_by_role("link", name="排名走势 ›").click()
    expect(page).to_have_url(re.compile(r"/boards/members/history/\?subject=\d+"))
    expect(page.locator("#board-history canvas")).to_have_count(1)
    assert_fits(page, WIDTH)
    screenshot(page, "boards-history")

    # My 报到之星 card, drawn on a canvas and saved as a PNG.
    page.goto("/boards/?board=stars")
    expect(mine).to_contain_text("已进入前 50 名")
    page.get_by_role("link", name="我的卡片 ›").click()
    card = page.locator("#star-image")
    expect(card).to_be_visible()
    assert card.get_attribute("src").startswith("data:image/png;base64,")
    assert page.evaluate("document.getElementById('star-canvas').width") == 720
    with page.expect_download() as download:
        page.get_by_role("button", name="保存图片").click()
    assert download.value.suggested_filename.startswith("报到之星-") and download.value.suggested_filename.endswith(
        ".png"
    )
    assert_fits(page, WIDTH)
    screenshot(page, "star-card")
