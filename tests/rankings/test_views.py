"""The leaderboard pages: who sees what, bad input as Chinese messages, the empty state, my rank
pinned, the history chart page, the 报到之星 card, and flat query counts."""

import datetime as dt

import pytest
from django.core.cache import cache
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from rankings.models import Board
from rankings.scoring import TIE_RULE
from tests.grids.factories import DistrictFactory, MemberFactory
from tests.pages import browser_for, html
from tests.rankings.board_support import publish, ranked

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("on_the_collected_day")]

TODAY = timezone.localdate()
DAY = TODAY - dt.timedelta(days=1)


@pytest.fixture
def placed(member, community):
    member.community = community
    member.save(update_fields=["community"])
    return member


@pytest.mark.parametrize(
    "url", ["/boards/", "/boards/members/history/", "/boards/stars/card/", "/boards/stars/card/?member=1"]
)
def test_anonymous_is_sent_to_sign_in(client, url):
    r = client.get(url)
    assert r.status_code == 302 and r["Location"].startswith("/login/")


def test_member_sees_the_board_with_their_rank_pinned(placed, district):
    rows = [{"subject_id": 10**6 + i, "score": 300 - i} for i in range(50)]
    rows.append({"subject_id": placed.pk, "score": 120.0, "rank": 1234})
    publish(DAY, Board.MEMBERS, rows)
    r = browser_for(placed.user).get("/boards/")
    page = html(r)
    assert r.status_code == 200
    assert f"数据截至 {DAY.year}年{DAY.month}月{DAY.day}日，每日凌晨更新" in page
    for label in ("全市单位Top50", "全市党员Top50", "全市社区Top50", "先锋队Top50", "本月报到之星"):
        assert label in page
    assert TIE_RULE in page and "总分 = 服务时长（小时）" in page
    assert 'data-testid="my-rank"' in page
    assert "第 <strong>1,234</strong> 名" in page
    assert "距前 50 名还差 131.0 分" in page
    assert f"/boards/members/history/?subject={placed.pk}" in page
    assert f'<option value="{district.pk}">武江区</option>' in page


def test_resident_sees_the_board_and_an_invitation_to_join(resident):
    publish(DAY, Board.UNITS, [{"subject_id": 1, "score": 40, "per_capita": 20.0, "headcount": 2}])
    page = html(browser_for(resident).get("/boards/?board=units"))
    assert "按人均分排名" in page and "人均分" in page
    assert "登记为党员/志愿者并到社区报到后" in page


def test_staff_sees_the_board(district_officer, district):
    publish(DAY, Board.COMMUNITIES, ranked([1, 2]))
    r = browser_for(district_officer).get(f"/boards/?board=communities&district={district.pk}")
    assert r.status_code == 200 and "武江区 · 统计区间" in html(r)


def test_empty_state_before_the_first_build(placed, monkeypatch):
    # The first build queued by the visit is covered in test_first_build; here nothing is queued.
    monkeypatch.setattr("rankings.views.board_first_build_queue", lambda: False)
    r = browser_for(placed.user).get("/boards/")
    assert r.status_code == 200
    assert "榜单正在准备中" in html(r)
    assert 'data-testid="my-rank"' not in html(r)


@pytest.mark.parametrize(
    "query, status, message",
    [
        ("?board=heroes", 404, "没有这个榜单。"),
        ("?district=999999", 404, "没有这个区/县(市)。"),
        ("?district=abc", 400, "没有这个区/县(市)。"),
        ("?date=2026-02-30", 400, "日期格式应为"),
    ],
)
def test_bad_input_is_a_chinese_message(resident, query, status, message):
    publish(DAY, Board.MEMBERS, ranked([1]))
    r = browser_for(resident).get("/boards/" + query)
    assert r.status_code == status
    assert message in html(r)


def test_future_date_and_date_before_the_first_board(resident):
    publish(DAY, Board.MEMBERS, ranked([1]))
    c = browser_for(resident)
    r = c.get(f"/boards/?date={TODAY + dt.timedelta(days=3)}")
    assert r.status_code == 400 and "不能查询未来日期的榜单" in html(r)
    r = c.get(f"/boards/?date={DAY - dt.timedelta(days=3)}")
    assert r.status_code == 404 and "该日期尚无榜单" in html(r)


def test_movement_arrows(resident):
    publish(DAY - dt.timedelta(days=1), Board.MEMBERS, ranked([1, 2, 3]))
    publish(DAY, Board.MEMBERS, ranked([3, 2, 1, 4]))
    page = html(browser_for(resident).get("/boards/"))
    assert 'board-move_up" aria-label="上升2名">↑2' in page
    assert 'board-move_down" aria-label="下降2名">↓2' in page
    assert 'board-move_new" aria-label="新上榜">新上榜' in page


@pytest.mark.parametrize("board", ["members", "units", "communities", "teams", "stars"])
def test_board_page_query_count_is_flat(placed, board):
    from tests.grids.factories import CommunityFactory, UnitFactory, VanguardTeamFactory

    make = {"units": UnitFactory, "communities": CommunityFactory, "teams": VanguardTeamFactory}.get(
        board, MemberFactory
    )
    c = browser_for(placed.user)
    counts = []
    for n, day in ((3, DAY - dt.timedelta(days=1)), (13, DAY)):
        publish(day, board, ranked([make().pk for _ in range(n)]))
        cache.clear()
        c.get(f"/boards/?board={board}")  # sign-in's session warm-up
        cache.clear()
        with CaptureQueriesContext(connection) as ctx:
            r = c.get(f"/boards/?board={board}")
        assert r.status_code == 200 and html(r).count('class="board-row') == n
        counts.append(len([q for q in ctx.captured_queries if "django_session" not in q["sql"]]))
    assert counts[0] == counts[1]


def test_history_page_has_the_chart_data(placed):
    for back in (2, 1, 0):
        publish(DAY - dt.timedelta(days=back), Board.MEMBERS, [{"subject_id": placed.pk, "rank": 10 + back}])
    r = browser_for(placed.user).get("/boards/members/history/?days=90")
    page = html(r)
    assert r.status_code == 200
    assert 'id="board-history"' in page and "board-history-data" in page and "echarts.custom.min.js" in page
    assert placed.user.name in page and "近 90 天" in page


def test_history_page_refuses_others_outside_the_top_50(resident):
    far = MemberFactory()
    publish(DAY, Board.MEMBERS, [{"subject_id": 10**6}, {"subject_id": far.pk, "rank": 99}])
    r = browser_for(resident).get(f"/boards/members/history/?subject={far.pk}")
    assert r.status_code == 403 and "只能查看本人的排名走势" in html(r)
    r = browser_for(resident).get("/boards/members/history/")
    assert r.status_code == 404 and "您还不是报到党员" in html(r)


def test_star_card_for_me_and_for_a_top_50_star(placed, resident):
    star = MemberFactory()
    publish(DAY, Board.STARS, [{"subject_id": star.pk, "minutes": 600}, {"subject_id": placed.pk, "rank": 88}])
    mine = browser_for(placed.user).get("/boards/stars/card/")
    assert mine.status_code == 200 and 'id="star-canvas"' in html(mine) and "保存图片" in html(mine)
    assert '"rank": 88' in html(mine)
    theirs = browser_for(resident).get(f"/boards/stars/card/?member={star.pk}")
    assert theirs.status_code == 200 and star.user.name in html(theirs)
    far = browser_for(resident).get(f"/boards/stars/card/?member={placed.pk}")
    assert far.status_code == 404 and "不在本月报到之星前 50 名" in html(far)


def test_stars_tab_links_to_each_card(resident):
    star = MemberFactory()
    publish(DAY, Board.STARS, [{"subject_id": star.pk}])
    assert f"/boards/stars/card/?member={star.pk}" in html(browser_for(resident).get("/boards/?board=stars"))


def test_district_filter_keeps_the_tab(resident, district):
    other = DistrictFactory(code="440204", name="浈江区")
    publish(
        DAY, Board.TEAMS, [{"subject_id": 1, "district_id": district.pk}, {"subject_id": 2, "district_id": other.pk}]
    )
    page = html(browser_for(resident).get(f"/boards/?board=teams&district={other.pk}"))
    assert page.count('class="board-row') == 1
    assert f'href="/boards/?board=stars&amp;district={other.pk}"' in page
