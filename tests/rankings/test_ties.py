"""Exact ties: equal scores made of different components compare equal, so the tie rule decides
(more minutes, then the lower id), on the city and the district ranks the rebuild writes and in
``scoring.sort_key`` alike. In floating point these scores came out a last digit apart."""

from datetime import date, datetime
from zoneinfo import ZoneInfo

import pytest

from rankings import scoring
from rankings.models import Board, BoardEntry
from rankings.services import board_rebuild
from tests.conftest import client_for
from tests.grids.factories import MemberFactory, UnitFactory
from tests.rankings.factories import ConfirmedRecordFactory, like, served_request

SHANGHAI = ZoneInfo("Asia/Shanghai")
DAY = date(2026, 6, 15)
WHEN = datetime(2026, 6, 15, 9, tzinfo=SHANGHAI)  # outcomes and likes


def served(member, minutes: int, services: int) -> None:
    """``services`` confirmed records this month (one a day, none over a day) adding up to ``minutes``."""
    for i in range(services):
        share = minutes // services + (minutes % services if i == 0 else 0)
        ConfirmedRecordFactory(member=member, started_at=datetime(2026, 6, 1 + i, 8, tzinfo=SHANGHAI), minutes=share)


def score_of_4625(member, way: str) -> None:
    """A score of 4,625/60 (77.083…), made four different ways: points = minutes + 120 × services
    + 300 × outcomes + 60 × likes."""
    if way == "minutes":  # 4,265 min in 3 services
        served(member, 4265, services=3)
    elif way == "outcome":  # 3,845 min (60 of them the request's) in 4 services, 1 outcome
        served_request([member], closed_at=WHEN)
        served(member, 3785, services=3)
    elif way == "likes":  # 3,785 min in 3 services, 8 likes
        served(member, 3785, services=3)
        for _ in range(8):
            like(member, at=WHEN)
    else:  # 3,785 min in 7 services
        served(member, 3785, services=7)


def board(board_name: str) -> list[BoardEntry]:
    return list(BoardEntry.objects.filter(day=DAY, board=board_name).order_by("rank"))


def python_order(rows: list[BoardEntry], board_name: str) -> list[int]:
    key = lambda e: scoring.sort_key(  # noqa: E731
        board=board_name, subject_id=e.subject_id, points=e.points, minutes=e.minutes, headcount=e.headcount
    )
    return [e.subject_id for e in sorted(rows, key=key)]


@pytest.mark.django_db
def test_equal_scores_from_different_components_tie_and_more_minutes_win(community):
    district = community.street.district
    unit = UnitFactory(district=district)
    # Created in this order, so the two with 3,785 minutes have ids likes < services.
    most, likes, services, outcome = (MemberFactory(community=community, unit=unit) for _ in range(4))
    for member, way in ((most, "minutes"), (likes, "likes"), (services, "services"), (outcome, "outcome")):
        score_of_4625(member, way)
    assert likes.pk < services.pk
    board_rebuild(day=DAY, triggered_by="测试")

    rows = board(Board.MEMBERS)
    ours = [e for e in rows if e.subject_id in {most.pk, likes.pk, services.pk, outcome.pk}]
    assert {e.points for e in ours} == {4625}
    assert {e.score for e in ours} == {4625 / 60}
    # The documented rule: score, then more minutes (4,265 > 3,845 > 3,785), then the lower id.
    # (In floating point 4,265/60 + 6 and 3,785/60 + 14 differ in the last digit.)
    want = [most.pk, outcome.pk, likes.pk, services.pk]
    assert [e.subject_id for e in rows[:4]] == want
    assert [e.rank for e in rows[:4]] == [1, 2, 3, 4]
    assert [e.district_rank for e in rows[:4]] == [1, 2, 3, 4]
    assert python_order(rows, Board.MEMBERS) == [e.subject_id for e in rows]
    stars = board(Board.STARS)  # the same month: the same order
    assert [e.subject_id for e in stars] == want


@pytest.mark.django_db
def test_equal_per_capita_from_different_headcounts_ties_and_the_total_decides(community):
    district = community.street.district
    three, six, six_fewer_minutes, three_again = (UnitFactory(district=district) for _ in range(4))

    def staff(unit, headcount, ways):
        people = [MemberFactory(community=community, unit=unit) for _ in range(headcount)]
        for member, way in zip(people, ways, strict=False):
            score_of_4625(member, way)

    staff(three, 3, ["minutes"])  # 4,625 / 3
    staff(six, 6, ["minutes", "services"])  # 9,250 / 6: the same per-capita, twice the total
    staff(six_fewer_minutes, 6, ["likes", "services"])  # the same again, with fewer minutes
    staff(three_again, 3, ["minutes"])  # identical to the first: the lower id first
    board_rebuild(day=DAY, triggered_by="测试")

    rows = board(Board.UNITS)
    assert [(e.points, e.headcount) for e in rows] == [(9250, 6), (9250, 6), (4625, 3), (4625, 3)]
    assert len({scoring.per_capita_key(e.points, e.headcount) for e in rows}) == 1
    assert len({e.per_capita for e in rows}) == 1  # and the figure shown is the same too
    want = [six.pk, six_fewer_minutes.pk, three.pk, three_again.pk]
    assert [e.subject_id for e in rows] == want
    assert [e.district_rank for e in rows] == [1, 2, 3, 4]
    assert python_order(rows, Board.UNITS) == want


@pytest.mark.django_db
def test_the_api_shows_the_score_as_a_number_and_the_history_agrees(community):
    unit = UnitFactory(district=community.street.district)
    most, fewer = (MemberFactory(community=community, unit=unit) for _ in range(2))
    score_of_4625(fewer, "services")
    score_of_4625(most, "minutes")
    board_rebuild(day=DAY, triggered_by="测试")
    api = client_for(fewer.user)

    top = api.get("/api/v1/boards/members/").json()
    assert [(r["subject_id"], r["rank"], r["score"]) for r in top["results"]] == [
        (most.pk, 1, 77.1),
        (fewer.pk, 2, 77.1),
    ]
    (unit_row,) = api.get("/api/v1/boards/units/").json()["results"]
    assert (unit_row["score"], unit_row["per_capita"], unit_row["headcount"]) == (154.2, 77.08, 2)
    (mine,) = api.get("/api/v1/boards/members/me/").json()["results"]
    assert (mine["rank"], mine["score"]) == (2, 77.1)
    history = api.get("/api/v1/boards/members/history/").json()["points"]
    assert [(p["day"], p["rank"], p["score"]) for p in history] == [(DAY.isoformat(), 2, 77.1)]
