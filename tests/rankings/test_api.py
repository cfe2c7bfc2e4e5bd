"""The boards API: sign-in required, the five boards, a Top 50, my places, history, bad input in
the shared error shape, and flat query counts."""

import datetime as dt

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from rankings.models import Board
from rankings.scoring import TIE_RULE
from tests.conftest import client_for
from tests.grids.factories import DistrictFactory, MemberFactory, TeamMembershipFactory
from tests.rankings.board_support import publish, ranked

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("on_the_collected_day")]

TODAY = timezone.localdate()
DAY = TODAY - dt.timedelta(days=1)


@pytest.fixture
def placed(member, community, district):
    member.community = community
    member.save(update_fields=["community"])
    return member


def test_everything_needs_sign_in(api):
    for url in (
        "/api/v1/boards/",
        "/api/v1/boards/members/",
        "/api/v1/boards/members/me/",
        "/api/v1/boards/members/history/",
    ):
        r = api.get(url)
        assert r.status_code == 401, url
        assert r.json() == {"detail": "请先登录。", "code": "not_authenticated"}


def test_the_five_boards_with_day_and_tie_rule(resident, district):
    publish(DAY, Board.MEMBERS, ranked([1]))
    body = client_for(resident).get("/api/v1/boards/").json()
    assert [b["board"] for b in body["results"]] == ["units", "members", "communities", "teams", "stars"]
    assert body["results"][0]["name"] == "全市单位Top50"
    assert body["results"][0]["ranked_by"] == "per_capita" and body["results"][1]["ranked_by"] == "score"
    assert body["day"] == DAY.isoformat()
    assert body["tie_rule"] == TIE_RULE and body["tie_rule"].startswith("排名规则")
    assert body["score_rule"].startswith("总分 = 服务时长（小时）× 1")
    assert body["districts"] == [{"id": district.pk, "name": "武江区"}]


def test_no_board_yet_is_empty_not_an_error(resident, monkeypatch):
    # Nothing queued here (the first build a visit queues: tests/rankings/test_first_build.py).
    monkeypatch.setattr("rankings.api.board_first_build_queue", lambda: False)
    c = client_for(resident)
    assert c.get("/api/v1/boards/").json()["day"] is None
    body = c.get("/api/v1/boards/members/").json()
    assert (body["day"], body["results"]) == (None, [])


def test_a_top_50_city_and_district(resident, district):
    people = [MemberFactory() for _ in range(3)]
    publish(
        DAY,
        Board.MEMBERS,
        [{"subject_id": m.pk, "district_id": district.pk, "score": 9 - i} for i, m in enumerate(people)],
    )
    c = client_for(resident)
    body = c.get("/api/v1/boards/members/").json()
    assert [r["subject_id"] for r in body["results"]] == [m.pk for m in people]
    assert body["results"][0]["name"] == people[0].user.name
    assert body["results"][0]["movement"] == {"kind": "none", "change": 0, "label": ""}
    d = c.get(f"/api/v1/boards/members/?district={district.pk}&date={DAY}").json()
    assert d["district"] == {"id": district.pk, "name": "武江区"}
    assert [r["rank"] for r in d["results"]] == [1, 2, 3]


@pytest.mark.parametrize(
    "url, status, code, detail",
    [
        ("/api/v1/boards/heroes/", 404, "unknown_board", "没有这个榜单。"),
        ("/api/v1/boards/heroes/me/", 404, "unknown_board", "没有这个榜单。"),
        ("/api/v1/boards/members/?district=999999", 404, "unknown_district", "没有这个区/县(市)。"),
        ("/api/v1/boards/members/?district=abc", 400, "unknown_district", "没有这个区/县(市)。"),
        ("/api/v1/boards/members/?date=2026-02-30", 400, "invalid_date", None),
        ("/api/v1/boards/members/history/?days=365", 400, "invalid_days", "走势天数只能是 30 或 90。"),
        ("/api/v1/boards/members/history/?subject=abc", 400, "invalid_subject", "对象编号无效。"),
    ],
)
def test_bad_input(resident, url, status, code, detail):
    publish(DAY, Board.MEMBERS, ranked([1]))
    r = client_for(resident).get(url)
    assert r.status_code == status
    body = r.json()
    assert body["code"] == code
    if detail:
        assert body["detail"] == detail


def test_future_date_and_before_the_first_board(resident):
    publish(DAY, Board.MEMBERS, ranked([1]))
    c = client_for(resident)
    r = c.get(f"/api/v1/boards/members/?date={TODAY + dt.timedelta(days=1)}")
    assert (r.status_code, r.json()["detail"]) == (400, "不能查询未来日期的榜单。")
    assert r.json()["fields"] == {"date": ["不能查询未来日期的榜单。"]}
    r = c.get(f"/api/v1/boards/members/?date={DAY - dt.timedelta(days=1)}")
    assert r.status_code == 404 and r.json()["detail"].startswith("该日期尚无榜单")


def test_my_entry_with_the_gap(placed, district):
    rows = [{"subject_id": 10**6 + i, "district_id": district.pk, "score": 200 - i} for i in range(50)]
    rows.append({"subject_id": placed.pk, "district_id": district.pk, "score": 100, "rank": 59_000})
    publish(DAY, Board.MEMBERS, rows)
    body = client_for(placed.user).get("/api/v1/boards/members/me/").json()
    (mine,) = body["results"]
    assert (mine["rank"], mine["in_top"], mine["gap"], mine["scope"]) == (59_000, False, 51.0, "city")
    assert body["note"] == ""


def test_my_teams_and_no_team(placed):
    team = TeamMembershipFactory(member=placed).team
    publish(DAY, Board.TEAMS, ranked([team.pk]))
    c = client_for(placed.user)
    assert [r["name"] for r in c.get("/api/v1/boards/teams/me/").json()["results"]] == [team.name]
    team.memberships.all().delete()
    body = c.get("/api/v1/boards/teams/me/").json()
    assert (body["results"], body["note"]) == ([], "您还没有加入党群先锋队。")


def test_me_for_someone_who_is_not_a_member(resident):
    publish(DAY, Board.MEMBERS, ranked([1]))
    r = client_for(resident).get("/api/v1/boards/members/me/")
    assert r.status_code == 404
    assert r.json()["code"] == "no_member_profile" and "您还不是报到党员" in r.json()["detail"]


def test_history_own_by_default_others_only_in_the_top_50_or_for_staff(placed, resident, secretary):
    far = MemberFactory()
    publish(DAY - dt.timedelta(days=1), Board.MEMBERS, [{"subject_id": placed.pk, "rank": 80}])
    publish(DAY, Board.MEMBERS, [{"subject_id": placed.pk, "rank": 70}, {"subject_id": far.pk, "rank": 90}])
    own = client_for(placed.user).get("/api/v1/boards/members/history/").json()
    assert (own["subject_id"], [p["rank"] for p in own["points"]]) == (placed.pk, [80, 70])
    r = client_for(resident).get(f"/api/v1/boards/members/history/?subject={far.pk}")
    assert r.status_code == 403 and r.json()["code"] == "history_forbidden"
    r = client_for(resident).get("/api/v1/boards/members/history/")
    assert r.status_code == 404
    r = client_for(secretary).get(f"/api/v1/boards/members/history/?subject={far.pk}&days=90")
    assert r.status_code == 200 and r.json()["days"] == 90


def _count(client, url) -> int:
    client.get(url)
    with CaptureQueriesContext(connection) as ctx:
        r = client.get(url)
    assert r.status_code == 200
    return len(ctx.captured_queries)


@pytest.mark.parametrize("board", ["members", "units", "communities", "teams"])
def test_top_query_count_is_flat(board, resident):
    """3 rows or 13 rows, with names: the same queries (none beyond sign-in once cached)."""
    from django.core.cache import cache

    from tests.grids.factories import CommunityFactory, UnitFactory, VanguardTeamFactory

    make = {
        "members": MemberFactory,
        "units": UnitFactory,
        "communities": CommunityFactory,
        "teams": VanguardTeamFactory,
    }[board]
    c = client_for(resident)
    counts = []
    for n, day in ((3, DAY - dt.timedelta(days=1)), (13, DAY)):
        publish(day, board, ranked([make().pk for _ in range(n)]))
        cache.clear()
        with CaptureQueriesContext(connection) as ctx:
            body = c.get(f"/api/v1/boards/{board}/").json()
        assert body["count"] == n
        counts.append(len(ctx.captured_queries))
    assert counts[0] == counts[1] <= 4
    assert _count(c, f"/api/v1/boards/{board}/") == 0  # the cache answers the Top 50, days and districts


def test_my_entry_query_count_is_flat(placed):
    from django.core.cache import cache

    c = client_for(placed.user)
    counts = []
    for n, day in ((3, DAY - dt.timedelta(days=1)), (13, DAY)):
        publish(day, Board.MEMBERS, ranked([placed.pk] + [10**6 + i for i in range(n - 1)]))
        cache.clear()
        counts.append(_count(c, "/api/v1/boards/members/me/"))
    assert counts[0] == counts[1] <= 3  # the member, the rows (and nothing per row)


def test_schema_documents_the_boards(admin_user):
    r = client_for(admin_user).get("/api/schema/?format=json")
    paths = r.json()["paths"]
    for p in (
        "/api/v1/boards/",
        "/api/v1/boards/{board}/",
        "/api/v1/boards/{board}/me/",
        "/api/v1/boards/{board}/history/",
    ):
        assert p in paths


def test_staff_and_district_filter_for_district_officer(district_officer, district):
    """Staff read the same public boards; a second district stays out of the district view."""
    other = DistrictFactory(code="440204", name="浈江区")
    publish(
        DAY, Board.MEMBERS, [{"subject_id": 1, "district_id": district.pk}, {"subject_id": 2, "district_id": other.pk}]
    )
    body = client_for(district_officer).get(f"/api/v1/boards/members/?district={other.pk}").json()
    assert [r["subject_id"] for r in body["results"]] == [2]
