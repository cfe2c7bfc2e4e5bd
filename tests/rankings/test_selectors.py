"""Board reads: the published day, Top 50 (city and district), names, movement, my rank and the
gap to the Top 50, history, the 报到之星 card, and the cache (including Redis being down)."""

import datetime as dt
import logging

import pytest
import redis
from django.utils import timezone

from core.errors import NotFound, PermissionDenied, ValidationFailed
from grids.models import Member
from rankings.models import Board
from rankings.selectors import boards, history, published
from tests.grids.factories import (
    CommunityFactory,
    DistrictFactory,
    MemberFactory,
    StreetFactory,
    TeamMembershipFactory,
    UnitFactory,
    VanguardTeamFactory,
)
from tests.rankings.board_support import DAY, publish, ranked

pytestmark = pytest.mark.django_db
TODAY = DAY + dt.timedelta(days=1)


def day_of(requested=None):
    return published.published_day(requested, today=TODAY)


def members(n: int, community=None, unit=None) -> list[Member]:
    return [MemberFactory(community=community, unit=unit or UnitFactory()) for _ in range(n)]


# --- the day, the board, the district ------------------------------------------------------


def test_no_board_yet_is_none_not_an_error():
    assert published.published_day(today=TODAY) is None


def test_published_day_is_the_latest_on_or_before_the_date():
    for d in (DAY - dt.timedelta(days=5), DAY - dt.timedelta(days=1), DAY):
        publish(d, Board.MEMBERS, ranked([1, 2]))
    assert day_of().day == DAY
    assert day_of().previous == DAY - dt.timedelta(days=1)
    picked = day_of(DAY - dt.timedelta(days=2))
    assert picked.day == DAY - dt.timedelta(days=5) and picked.previous is None
    assert day_of().label == "2026年11月24日"


def test_future_date_and_date_before_the_first_board_are_refused():
    publish(DAY, Board.MEMBERS, ranked([1]))
    with pytest.raises(ValidationFailed, match="不能查询未来日期的榜单"):
        day_of(TODAY + dt.timedelta(days=1))
    with pytest.raises(NotFound, match="该日期尚无榜单"):
        day_of(DAY - dt.timedelta(days=1))
    with pytest.raises(ValidationFailed, match="日期格式"):
        published.parse_date("2026-13-01")


def test_unknown_board_and_district():
    with pytest.raises(NotFound, match="没有这个榜单"):
        published.board_of("heroes")
    DistrictFactory()
    with pytest.raises(ValidationFailed, match="没有这个区/县\\(市\\)"):
        published.district_of("wujiang")
    with pytest.raises(NotFound, match="没有这个区/县\\(市\\)"):
        published.district_of("999999")
    assert published.district_of("") is None


# --- Top 50 ---------------------------------------------------------------------------------


def test_top_50_in_rank_order_with_names_and_components():
    unit = UnitFactory(name="韶关市税务局")
    people = members(55, unit=unit)
    rows = ranked([m.pk for m in people])
    rows[0].update(minutes=125, services=4, outcomes=2, likes=7)
    publish(DAY, Board.MEMBERS, rows)
    top = boards.board_top(Board.MEMBERS, day_of())
    assert [r["rank"] for r in top] == list(range(1, 51))
    assert [r["subject_id"] for r in top] == [m.pk for m in people[:50]]
    first = top[0]
    assert first["name"] == people[0].user.name and first["detail"] == "韶关市税务局"
    assert (first["hours"], first["services"], first["outcomes"], first["likes"]) == (2.1, 4, 2, 7)
    assert first["score"] == 100.0


def test_names_of_units_communities_and_teams():
    district = DistrictFactory()
    unit = UnitFactory(name="浈江区教育局", district=district)
    street = StreetFactory(district=district, name="东河街道")
    community = CommunityFactory(street=street, name="五里亭社区")
    team = VanguardTeamFactory(name="五里亭先锋队", grid__community=community)
    publish(DAY, Board.UNITS, [{"subject_id": unit.pk, "score": 40, "per_capita": 20.0, "headcount": 2}])
    publish(DAY, Board.COMMUNITIES, [{"subject_id": community.pk, "score": 10}])
    publish(DAY, Board.TEAMS, [{"subject_id": team.pk, "score": 8}])
    day = day_of()
    unit_row = boards.board_top(Board.UNITS, day)[0]
    assert (unit_row["name"], unit_row["detail"], unit_row["per_capita"], unit_row["headcount"]) == (
        "浈江区教育局",
        "武江区",
        20.0,
        2,
    )
    assert boards.board_top(Board.COMMUNITIES, day)[0]["detail"] == "东河街道"
    assert boards.board_top(Board.TEAMS, day)[0]["detail"] == "五里亭社区"


def test_district_view_ranks_within_the_district():
    a, b = DistrictFactory(), DistrictFactory(code="440204", name="浈江区")
    people = members(6)
    rows = [{"subject_id": m.pk, "district_id": (a if i % 2 else b).pk, "score": 60 - i} for i, m in enumerate(people)]
    publish(DAY, Board.MEMBERS, rows)
    top = boards.board_top(Board.MEMBERS, day_of(), district_id=a.pk)
    assert [r["subject_id"] for r in top] == [people[1].pk, people[3].pk, people[5].pk]
    assert [r["rank"] for r in top] == [1, 2, 3]
    assert [r["city_rank"] for r in top] == [2, 4, 6]


def test_movement_up_down_new_and_same():
    people = members(4)
    p = [m.pk for m in people]
    publish(DAY - dt.timedelta(days=1), Board.MEMBERS, ranked([p[0], p[1], p[2]]))
    publish(DAY, Board.MEMBERS, ranked([p[2], p[1], p[0], p[3]]))
    labels = {r["subject_id"]: r["movement"]["label"] for r in boards.board_top(Board.MEMBERS, day_of())}
    assert labels == {p[2]: "↑2", p[1]: "—", p[0]: "↓2", p[3]: "新上榜"}


def test_first_board_day_shows_no_movement():
    publish(DAY, Board.MEMBERS, ranked([m.pk for m in members(2)]))
    assert {r["movement"]["kind"] for r in boards.board_top(Board.MEMBERS, day_of())} == {"none"}


def test_top_is_two_queries_then_served_from_the_cache(django_assert_num_queries):
    publish(DAY, Board.MEMBERS, ranked([m.pk for m in members(13)]))
    day = day_of()
    with django_assert_num_queries(2):
        first = boards.board_top(Board.MEMBERS, day)
    with django_assert_num_queries(0):
        assert boards.board_top(Board.MEMBERS, day) == first


def test_a_new_day_is_a_new_cache_key():
    people = members(2)
    publish(DAY - dt.timedelta(days=1), Board.MEMBERS, ranked([people[0].pk, people[1].pk]))
    boards.board_top(Board.MEMBERS, published.published_day(today=DAY))
    publish(DAY, Board.MEMBERS, ranked([people[1].pk, people[0].pk]))
    fresh = published.PublishedDay(day=DAY, previous=DAY - dt.timedelta(days=1))
    assert boards.board_top(Board.MEMBERS, fresh)[0]["subject_id"] == people[1].pk


class BrokenCache:
    """A cache whose Redis has gone away."""

    def get(self, *args, **kwargs):
        raise redis.exceptions.ConnectionError("Error 111 connecting to 127.0.0.1:6379. Connection refused.")

    set = get


def test_redis_down_reads_the_database_and_only_logs(monkeypatch, caplog):
    people = members(3)
    publish(DAY, Board.MEMBERS, ranked([m.pk for m in people]))
    monkeypatch.setattr(published, "cache", BrokenCache())
    with caplog.at_level(logging.WARNING, logger="rankings.selectors"):
        day = day_of()
        top = boards.board_top(Board.MEMBERS, day)
        assert published.district_of("") is None and published.districts() == []
    assert day.day == DAY
    assert [r["subject_id"] for r in top] == [m.pk for m in people]
    assert "board cache read failed" in caplog.text


# --- my rank ----------------------------------------------------------------------------------


def member_with_places():
    district = DistrictFactory()
    community = CommunityFactory(street=StreetFactory(district=district))
    me = MemberFactory(community=community, unit=UnitFactory(district=district))
    return profile(me), district


def profile(member):
    from grids.selectors.people import member_of

    return member_of(member.user)


def test_my_rank_at_1_is_in_the_top():
    me, _ = member_with_places()
    publish(DAY, Board.MEMBERS, ranked([me.pk, 10**6]))
    (mine,) = boards.my_entries(me, Board.MEMBERS, day_of())
    assert (mine["rank"], mine["in_top"], mine["gap"]) == (1, True, None)


def test_my_rank_at_51_with_the_gap_to_50():
    me, _ = member_with_places()
    ids = [10**6 + i for i in range(50)] + [me.pk]
    publish(DAY, Board.MEMBERS, ranked(ids, top=200, step=2))  # #50 has 102, #51 has 100
    (mine,) = boards.my_entries(me, Board.MEMBERS, day_of())
    assert (mine["rank"], mine["in_top"], mine["gap"], mine["score"]) == (51, False, 2.0, 100.0)


def test_my_rank_far_down_in_one_query(django_assert_num_queries):
    me, _ = member_with_places()
    rows = ranked([10**6 + i for i in range(50)], top=300)
    rows.append({"subject_id": me.pk, "score": 3.25, "rank": 59_000})
    publish(DAY, Board.MEMBERS, rows)
    day = day_of()
    with django_assert_num_queries(1):
        (mine,) = boards.my_entries(me, Board.MEMBERS, day)
    assert mine["rank"] == 59_000
    assert mine["gap"] == round(251.0 - 3.25, 1)


def test_my_rank_in_a_district_counts_the_district_top_50():
    me, district = member_with_places()
    other = DistrictFactory(code="440204", name="浈江区")
    rows = [{"subject_id": 10**6 + i, "district_id": other.pk, "score": 500 - i} for i in range(60)]
    rows += [{"subject_id": 2 * 10**6 + i, "district_id": district.pk, "score": 300 - i} for i in range(50)]
    rows.append({"subject_id": me.pk, "district_id": district.pk, "score": 100})
    publish(DAY, Board.MEMBERS, rows)
    (mine,) = boards.my_entries(me, Board.MEMBERS, day_of(), district_id=district.pk)
    assert (mine["scope"], mine["rank"], mine["city_rank"]) == ("district", 51, 111)
    assert mine["gap"] == 151.0  # the district's #50 has 251
    (city,) = boards.my_entries(me, Board.MEMBERS, day_of(), district_id=other.pk)
    assert (city["scope"], city["rank"], city["gap"]) == ("city", 111, 351.0)  # city #50 has 451


def test_units_board_gap_is_per_capita():
    me, _ = member_with_places()
    rows = [
        {"subject_id": 10**6 + i, "score": 1000, "per_capita": 60.0 - i, "headcount": 20} for i in range(50)
    ]  # #50: 11.0 per member
    rows.append({"subject_id": me.unit_id, "score": 5000, "per_capita": 2.5, "headcount": 2000})
    publish(DAY, Board.UNITS, rows)
    (mine,) = boards.my_entries(me, Board.UNITS, day_of())
    assert (mine["rank"], mine["gap"], mine["per_capita"]) == (51, 8.5, 2.5)


def test_teams_board_gives_each_of_my_teams(django_assert_num_queries):
    me, _ = member_with_places()
    t1, t2 = VanguardTeamFactory(name="一队"), VanguardTeamFactory(name="二队")
    TeamMembershipFactory(team=t1, member=me)
    TeamMembershipFactory(team=t2, member=me)
    publish(DAY, Board.TEAMS, ranked([t2.pk, 10**6, t1.pk]))
    day = day_of()
    with django_assert_num_queries(2):
        mine = boards.my_entries(me, Board.TEAMS, day)
    assert {(m["name"], m["rank"]) for m in mine} == {("一队", 3), ("二队", 1)}


def test_no_unit_means_not_on_the_units_board_and_no_row_means_unranked():
    me = profile(MemberFactory(kind=Member.Kind.RESIDENT, unit=None))
    publish(DAY, Board.UNITS, ranked([10**6]))
    publish(DAY, Board.MEMBERS, ranked([10**6 + i for i in range(50)], top=80))
    day = day_of()
    assert boards.my_entries(me, Board.UNITS, day) == []
    (mine,) = boards.my_entries(me, Board.MEMBERS, day)
    assert (mine["rank"], mine["in_top"], mine["gap"]) == (None, False, 31.0)


# --- history ---------------------------------------------------------------------------------


def test_history_of_the_last_30_days_in_day_order(django_assert_num_queries):
    me, _ = member_with_places()
    for back in (40, 29, 3, 0):
        publish(
            DAY - dt.timedelta(days=back), Board.MEMBERS, [{"subject_id": me.pk, "score": 50 - back, "rank": 9 + back}]
        )
    day = day_of()
    with django_assert_num_queries(2):
        h = history.history(Board.MEMBERS, me.pk, day, 30)
    assert [p["day"] for p in h["points"]] == ["2026-10-26", "2026-11-21", "2026-11-24"]
    assert [p["rank"] for p in h["points"]] == [38, 12, 9]
    assert h["name"] == me.user.name
    assert len(history.history(Board.MEMBERS, me.pk, day, 90)["points"]) == 4


def test_history_access_own_top_50_or_staff():
    me, _ = member_with_places()
    star, nobody = members(2)
    publish(
        DAY,
        Board.MEMBERS,
        [{"subject_id": star.pk}, {"subject_id": me.pk, "rank": 70}, {"subject_id": nobody.pk, "rank": 90}],
    )
    day = day_of()
    history.check_history_access(me, Board.MEMBERS, me.pk, day, staff=False)
    history.check_history_access(me, Board.MEMBERS, star.pk, day, staff=False)
    history.check_history_access(None, Board.MEMBERS, nobody.pk, day, staff=True)
    with pytest.raises(PermissionDenied):
        history.check_history_access(me, Board.MEMBERS, nobody.pk, day, staff=False)
    with pytest.raises(ValidationFailed, match="30 或 90"):
        history.parse_days("7")


# --- 报到之星 card -----------------------------------------------------------------------------


def test_star_card_for_myself_and_for_a_top_50_star():
    me, _ = member_with_places()
    star, far = members(2)
    publish(
        DAY,
        Board.STARS,
        [
            {"subject_id": star.pk, "minutes": 600, "services": 5, "likes": 9},
            {"subject_id": me.pk, "rank": 1234},
            {"subject_id": far.pk, "rank": 1235},
        ],
    )
    day = day_of()
    mine = history.star_card(me, day)
    assert (mine["rank"], mine["month"], mine["platform"]) == (1234, "2026年11月", "韶关社区吹哨报到平台")
    theirs = history.star_card(me, day, member_id=star.pk)
    assert (theirs["name"], theirs["hours"], theirs["services"], theirs["likes"]) == (star.user.name, 10.0, 5, 9)
    with pytest.raises(NotFound, match="前 50 名"):
        history.star_card(me, day, member_id=far.pk)
    with pytest.raises(NotFound):
        history.star_card(None, day)


def test_a_redis_that_refuses_connections_falls_back_to_the_database(monkeypatch, caplog):
    """A real Redis client against a closed port, as when Redis is down in production."""
    from django.core.cache.backends.redis import RedisCache

    people = members(2)
    publish(DAY, Board.MEMBERS, ranked([m.pk for m in people]))
    dead = RedisCache("redis://127.0.0.1:1/0", {"OPTIONS": {"socket_connect_timeout": 0.2}})
    monkeypatch.setattr(published, "cache", dead)
    with caplog.at_level(logging.WARNING, logger="rankings.selectors"):
        top = boards.board_top(Board.MEMBERS, day_of())
    assert [r["subject_id"] for r in top] == [m.pk for m in people]
    assert "board cache write failed" in caplog.text


@pytest.mark.redis
def test_the_top_50_payload_is_kept_in_redis():
    from django.core.cache import cache

    publish(DAY, Board.MEMBERS, ranked([m.pk for m in members(2)]))
    day = day_of()
    rows = boards.board_top(Board.MEMBERS, day)
    assert cache.get(f"rankings:top:{DAY.isoformat()}:None:{day.built}:members:city") == rows
    assert cache.get(published.DAYS_KEY) == [[DAY.isoformat(), day.built]]


# --- reading what the nightly rebuild writes -----------------------------------------------


def test_reads_the_rebuilt_boards_of_a_generated_city(settings):
    """Names resolve on every board, district views hold only their district, and every member's
    own place matches the row the rebuild wrote, however far down."""
    from io import StringIO

    from django.core.management import call_command

    from grids.models import District
    from rankings.models import BoardEntry
    from rankings.services import board_rebuild

    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    call_command("generate_city", "--scale", "0.01", "--seed", "1", "--quiet", stdout=StringIO())
    call_command("generate_activity", "--scale", "0.01", stdout=StringIO())
    today = timezone.localdate()
    yesterday = today - dt.timedelta(days=1)
    board_rebuild(day=yesterday - dt.timedelta(days=1), triggered_by="test")
    board_rebuild(day=yesterday, triggered_by="test")
    published.forget_published_days()
    day = published.published_day()
    assert day.day == yesterday and day.previous == yesterday - dt.timedelta(days=1)

    district = District.objects.order_by("code").first()
    for board in Board:
        top = boards.board_top(board, day)
        assert [r["rank"] for r in top] == list(range(1, len(top) + 1))
        assert all(r["name"] and r["name"] != "（已注销）" for r in top), board
        assert {r["movement"]["kind"] for r in top} <= {"up", "down", "same", "new"}
        local = boards.board_top(board, day, district_id=district.pk)
        assert {r["district_id"] for r in local} <= {district.pk}
        assert [r["rank"] for r in local] == list(range(1, len(local) + 1))

    rows = {
        (e.board, e.subject_id): e for e in BoardEntry.objects.filter(day=yesterday, board__in=["members", "units"])
    }
    for m in Member.objects.select_related("user", "unit", "community__street").order_by("pk")[
        :: max(1, Member.objects.count() // 25)
    ]:
        (mine,) = boards.my_entries(m, Board.MEMBERS, day)
        assert mine["rank"] == rows[("members", m.pk)].rank
        if m.unit_id:
            (unit,) = boards.my_entries(m, Board.UNITS, day)
            assert unit["rank"] == rows[("units", m.unit_id)].rank
