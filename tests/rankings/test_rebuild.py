"""board_rebuild: what counts, ties, per-capita, movement, refusals, idempotence and atomicity."""

from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from core.errors import ValidationFailed
from rankings.models import Board, BoardDay, BoardEntry
from rankings.services import board_rebuild
from rankings.services import boards as services
from reporting.models import ServiceRecord
from tests.grids.factories import MemberFactory, TeamMembershipFactory, UnitFactory, VanguardTeamFactory
from tests.rankings.factories import ConfirmedRecordFactory, like, served_request
from tests.reporting.factories import ServiceRecordFactory

SHANGHAI = ZoneInfo("Asia/Shanghai")
DAY = date(2026, 6, 15)


def at(d: date, hour: int = 19) -> datetime:
    return datetime(d.year, d.month, d.day, hour, tzinfo=SHANGHAI)


def entry(board, subject, day=DAY) -> BoardEntry:
    return BoardEntry.objects.get(day=day, board=board, subject_id=subject.pk)


def all_rows(day=DAY) -> list[tuple]:
    return list(
        BoardEntry.objects.filter(day=day)
        .order_by("board", "rank")
        .values_list(
            "board",
            "subject_id",
            "district_id",
            "rank",
            "district_rank",
            "previous_rank",
            "previous_district_rank",
            "points",
            "per_capita",
            "headcount",
            "minutes",
            "services",
            "outcomes",
            "likes",
        )
    )


@pytest.fixture
def members(community):
    unit = UnitFactory(district=community.street.district)
    return [MemberFactory(community=community, unit=unit) for _ in range(3)]


@pytest.mark.django_db
def test_only_confirmed_records_in_the_period_count(members):
    a = members[0]
    ConfirmedRecordFactory(member=a, started_at=at(DAY), minutes=120)
    ConfirmedRecordFactory(member=a, started_at=at(date(2025, 12, 31)), minutes=600)  # last year
    ConfirmedRecordFactory(member=a, started_at=at(DAY + timedelta(days=1)), minutes=600)  # after the day
    ServiceRecordFactory(member=a, community=a.community, started_at=at(DAY, 8), minutes=60)  # pending
    ServiceRecordFactory(
        member=a,
        community=a.community,
        started_at=at(DAY, 10),
        minutes=60,
        status=ServiceRecord.Status.REJECTED,
        rejected_at=at(DAY, 12),
        reject_reason="未到场",
    )
    board_rebuild(day=DAY, triggered_by="测试")
    row = entry(Board.MEMBERS, a)
    assert (row.minutes, row.services, row.outcomes, row.likes) == (120, 1, 0, 0)
    assert row.score == 2.0 + 2 * 1


@pytest.mark.django_db
def test_outcomes_and_likes_count_in_the_period(members):
    a, b, _ = members
    served_request([a, b], closed_at=at(DAY, 12))
    served_request([a], closed_at=at(DAY, 15), status="confirmed")
    served_request([a], closed_at=at(DAY, 18), status="closed")  # closed without the resident: no outcome
    served_request([a], closed_at=at(DAY + timedelta(days=1)))  # after the day
    like(a, at=at(DAY))
    like(a, at=at(date(2025, 6, 1)))  # last year
    board_rebuild(day=DAY, triggered_by="测试")
    row = entry(Board.MEMBERS, a)
    assert row.outcomes == 2
    assert row.likes == 1
    assert row.services == 3  # the records of the three requests served within the period
    assert entry(Board.MEMBERS, b).outcomes == 1


@pytest.mark.django_db
def test_every_member_is_ranked_and_equal_scores_put_the_lower_id_first(members):
    a, b, idle = members
    ConfirmedRecordFactory(member=b, started_at=at(DAY), minutes=60)
    ConfirmedRecordFactory(member=a, started_at=at(DAY), minutes=60)
    board_rebuild(day=DAY, triggered_by="测试")
    first, second = sorted([a, b], key=lambda m: m.pk)
    assert entry(Board.MEMBERS, first).rank == 1
    assert entry(Board.MEMBERS, second).rank == 2
    zero = entry(Board.MEMBERS, idle)
    assert (zero.rank, zero.score) == (3, 0.0)
    assert zero.district_rank == 3 and zero.district_id == a.community.street.district_id


@pytest.mark.django_db
def test_more_minutes_win_a_tie_on_score(members):
    a, b, _ = members
    ConfirmedRecordFactory(member=a, started_at=at(DAY), minutes=120)  # 2 h + 2 = 4
    ConfirmedRecordFactory(member=b, started_at=at(DAY), minutes=60)  # 1 h + 2 + 1 like = 4
    like(b, at=at(DAY))
    board_rebuild(day=DAY, triggered_by="测试")
    assert entry(Board.MEMBERS, a).score == entry(Board.MEMBERS, b).score == 4.0
    assert entry(Board.MEMBERS, a).rank < entry(Board.MEMBERS, b).rank


@pytest.mark.django_db
def test_a_unit_of_two_beats_a_unit_of_twenty_per_capita(community):
    small, big = UnitFactory(district=community.street.district), UnitFactory(district=community.street.district)
    for m in [MemberFactory(community=community, unit=small) for _ in range(2)]:
        ConfirmedRecordFactory(member=m, started_at=at(DAY), minutes=600)
    bigs = [MemberFactory(community=community, unit=big) for _ in range(20)]
    for m in bigs[:5]:
        ConfirmedRecordFactory(member=m, started_at=at(DAY), minutes=600)
    board_rebuild(day=DAY, triggered_by="测试")
    s, b = entry(Board.UNITS, small), entry(Board.UNITS, big)
    assert (s.headcount, b.headcount) == (2, 20)
    assert b.score > s.score  # the big unit has the larger total …
    assert s.per_capita == 12.0 and b.per_capita == 60.0 / 20
    assert (s.rank, b.rank) == (1, 2)  # … and the small one the better place


@pytest.mark.django_db
def test_teams_sum_their_members_and_communities_count_their_registered_members(community, grid):
    team = VanguardTeamFactory(grid=grid)
    a, b = MemberFactory(community=community), MemberFactory(community=community)
    TeamMembershipFactory(team=team, member=a)
    TeamMembershipFactory(team=team, member=b)
    ConfirmedRecordFactory(member=a, started_at=at(DAY), minutes=60)
    ConfirmedRecordFactory(member=b, started_at=at(DAY), minutes=180)
    board_rebuild(day=DAY, triggered_by="测试")
    t = entry(Board.TEAMS, team)
    assert (t.minutes, t.services, t.headcount, t.score, t.per_capita) == (240, 2, 2, 8.0, 4.0)
    c = entry(Board.COMMUNITIES, community)
    assert (c.minutes, c.services, c.headcount) == (240, 2, 2)


@pytest.mark.django_db
def test_stars_count_only_this_month(members):
    a, b, _ = members
    ConfirmedRecordFactory(member=a, started_at=at(date(2026, 5, 31)), minutes=600)  # May
    ConfirmedRecordFactory(member=b, started_at=at(date(2026, 6, 1), 0), minutes=60)  # June
    board_rebuild(day=DAY, triggered_by="测试")
    assert entry(Board.MEMBERS, a).rank == 1
    assert entry(Board.STARS, b).rank == 1
    # Nothing this month: not on the stars board at all (未上榜).
    assert not BoardEntry.objects.filter(day=DAY, board=Board.STARS, subject_id=a.pk).exists()
    assert BoardEntry.objects.filter(day=DAY, board=Board.STARS).count() == 1


@pytest.mark.django_db
def test_previous_rank_comes_from_the_latest_earlier_day(members):
    a, b, _ = members
    ConfirmedRecordFactory(member=a, started_at=at(DAY - timedelta(days=3)), minutes=600)
    board_rebuild(day=DAY - timedelta(days=2), triggered_by="测试")
    ConfirmedRecordFactory(member=b, started_at=at(DAY), minutes=1200)
    board_rebuild(day=DAY, triggered_by="测试")
    ra, rb = entry(Board.MEMBERS, a), entry(Board.MEMBERS, b)
    assert (ra.previous_rank, ra.rank) == (1, 2)  # ↓1
    assert (rb.previous_rank, rb.rank) == (2, 1)  # ↑1
    assert (rb.previous_district_rank, rb.district_rank) == (2, 1)
    first = BoardEntry.objects.get(day=DAY - timedelta(days=2), board=Board.MEMBERS, subject_id=a.pk)
    assert first.previous_rank is None  # nothing before it: new


@pytest.mark.django_db
def test_a_future_day_is_refused():
    with pytest.raises(ValidationFailed, match="未来"):
        board_rebuild(day=timezone.localdate() + timedelta(days=1), triggered_by="测试")
    assert not BoardDay.objects.exists()


@pytest.mark.django_db
def test_the_board_day_records_the_build(members):
    built = board_rebuild(day=DAY, triggered_by="测试")
    assert built.day == DAY and built.triggered_by == "测试"
    assert built.entry_count == BoardEntry.objects.filter(day=DAY).count() > 0
    assert BoardDay.objects.count() == 1


@pytest.mark.django_db
def test_running_twice_gives_identical_rows(members, grid):
    a, b, c = members
    TeamMembershipFactory(team=VanguardTeamFactory(grid=grid), member=a)
    ConfirmedRecordFactory(member=a, started_at=at(DAY), minutes=90)
    ConfirmedRecordFactory(member=b, started_at=at(DAY), minutes=90)
    served_request([c], closed_at=at(DAY))
    like(b, at=at(DAY))
    board_rebuild(day=DAY - timedelta(days=1), triggered_by="测试")
    board_rebuild(day=DAY, triggered_by="测试")
    first = all_rows()
    board_rebuild(day=DAY, triggered_by="测试")
    assert all_rows() == first
    assert BoardDay.objects.filter(day=DAY).count() == 1


@pytest.mark.django_db
def test_a_failure_midway_leaves_the_previous_rows_and_day(members, monkeypatch):
    a, b, _ = members
    ConfirmedRecordFactory(member=a, started_at=at(DAY), minutes=60)
    old_day = board_rebuild(day=DAY, triggered_by="第一次")
    before = all_rows()
    ConfirmedRecordFactory(member=b, started_at=at(DAY), minutes=600)
    real_insert = services._insert_entries

    def insert_then_die(day, previous):
        real_insert(day, previous)  # the old rows are deleted and the new ones written …
        raise RuntimeError("worker killed")  # … and then the rebuild dies

    monkeypatch.setattr(services, "_insert_entries", insert_then_die)
    with pytest.raises(RuntimeError):
        board_rebuild(day=DAY, triggered_by="第二次")
    assert all_rows() == before
    kept = BoardDay.objects.get(day=DAY)
    assert (kept.built_at, kept.triggered_by, kept.entry_count) == (
        old_day.built_at,
        "第一次",
        old_day.entry_count,
    )
    monkeypatch.undo()
    board_rebuild(day=DAY, triggered_by="重试")  # the retried run completes it
    assert entry(Board.MEMBERS, b).rank == 1


@pytest.mark.django_db
def test_query_count_does_not_grow_with_the_city(community):
    def build(n):
        for _ in range(n):
            m = MemberFactory(community=community)
            ConfirmedRecordFactory(member=m, started_at=at(DAY), minutes=60)

    build(3)
    board_rebuild(day=DAY, triggered_by="测试")  # warm-up: the advisory lock and session settings
    counts = []
    for n in (3, 13):
        build(n)
        with CaptureQueriesContext(connection) as q:
            board_rebuild(day=DAY, triggered_by="测试")
        counts.append(len(q.captured_queries))
    assert counts[0] == counts[1] <= 16
