"""The scoring: the formula, the periods, the tie rule, and all five boards of a generated city
checked against a calculation written here in plain Python."""

import random
from collections import defaultdict
from datetime import date, datetime, timedelta
from fractions import Fraction
from zoneinfo import ZoneInfo

import pytest
from django.core.exceptions import ImproperlyConfigured
from django.db import connection
from django.utils import timezone

from grids.models import Community, Member, TeamMembership, Unit, VanguardTeam
from orders.models import Acceptance, Escalation, Like, ServiceRequest
from rankings import checks, scoring
from rankings.models import Board, BoardEntry
from rankings.services import board_rebuild
from reporting.models import ServiceRecord

SHANGHAI = ZoneInfo("Asia/Shanghai")


def test_points_with_the_default_weights():
    # 90 minutes = 1.5 h ×1, 3 services ×2, 2 outcomes ×5, 4 likes ×1: sixtieths of a point
    assert scoring.points(90, 3, 2, 4) == 90 + 60 * (6 + 10 + 4)
    assert scoring.score(scoring.points(90, 3, 2, 4)) == 1.5 + 6 + 10 + 4


def test_equal_scores_from_different_components_are_equal():
    # 4,265 minutes and 28 services, or 3,785 minutes and 32: 7,925/60 both ways. In floating
    # point the two came out a last digit apart.
    assert scoring.points(4265, 28, 1, 0) == scoring.points(3785, 32, 1, 0) == 7925
    assert 1.0 * (4265 / 60.0) + 2.0 * 28 + 5.0 != 1.0 * (3785 / 60.0) + 2.0 * 32 + 5.0


def test_weights_come_from_settings(settings):
    settings.RANKING_WEIGHTS = {"hours": "2", "services": 3, "outcomes": " 1 ", "likes": "10"}
    assert scoring.weights() == scoring.Weights(hours=2, services=3, outcomes=1, likes=10)
    assert scoring.points(60, 5, 1, 1) == 120 + 60 * (15 + 1 + 10)
    assert "× 10" in scoring.score_rule_text()


def test_missing_weights_take_the_defaults(settings):
    settings.RANKING_WEIGHTS = {"likes": "3"}
    assert scoring.weights() == scoring.Weights(hours=1, services=2, outcomes=5, likes=3)


@pytest.mark.parametrize("value", ["1.5", 1.5, 2.0, "0", 0, "-1", -2, "", "two", True, None])
def test_a_weight_that_is_not_a_positive_whole_number_is_refused(settings, value):
    settings.RANKING_WEIGHTS = {"services": value}
    with pytest.raises(ImproperlyConfigured, match="RANKING_WEIGHT_SERVICES.*须为正整数"):
        scoring.weights()
    errors = checks.ranking_weights()
    assert [e.id for e in errors] == ["rankings.E001"]
    assert "RANKING_WEIGHT_SERVICES" in errors[0].msg


def test_the_default_weights_pass_the_check():
    assert checks.ranking_weights() == []


def test_periods_are_the_year_or_the_month_up_to_the_end_of_the_day_in_shanghai():
    day = date(2026, 3, 15)
    start, end = scoring.period(Board.MEMBERS, day)
    assert start == datetime(2026, 1, 1, tzinfo=SHANGHAI)
    assert end == datetime(2026, 3, 16, tzinfo=SHANGHAI)
    start, end = scoring.period(Board.STARS, day)
    assert start == datetime(2026, 3, 1, tzinfo=SHANGHAI)
    assert end == datetime(2026, 3, 16, tzinfo=SHANGHAI)


def test_tie_rule_per_capita_then_total_then_minutes_then_id():
    rows = [
        {"subject_id": 5, "points": 600, "minutes": 60, "headcount": 2},
        {"subject_id": 3, "points": 600, "minutes": 60, "headcount": 2},
        {"subject_id": 4, "points": 600, "minutes": 90, "headcount": 2},
        {"subject_id": 2, "points": 1200, "minutes": 0, "headcount": 4},  # the same per-capita, a larger total
        {"subject_id": 1, "points": 6000, "minutes": 0, "headcount": 100},
        {"subject_id": 9, "points": 0, "minutes": 0, "headcount": 0},
    ]
    ordered = sorted(rows, key=lambda r: scoring.sort_key(board=Board.UNITS, **r))
    assert [r["subject_id"] for r in ordered] == [2, 4, 3, 5, 1, 9]
    # Without per-capita (members), the total decides first.
    ordered = sorted(rows, key=lambda r: scoring.sort_key(board=Board.MEMBERS, **r))
    assert [r["subject_id"] for r in ordered] == [1, 2, 4, 3, 5, 9]


def test_the_per_capita_key_orders_like_exact_fractions():
    assert scoring.per_capita_key(3, 2) == scoring.per_capita_key(6, 4) == (1, scoring.PER_CAPITA_SCALE // 2)
    assert scoring.per_capita_key(5, 0) is None
    # Fractions a hair apart with the largest headcounts allowed, and random ones.
    big = 10**6
    pairs = [(7 * big + 1, big), (7 * (big - 1) + 1, big - 1), (7, 1), (10**9, 999_983), (10**9 + 1, 999_983)]
    rng = random.Random(7)
    pairs += [(rng.randrange(0, 10**8), rng.randrange(1, 2000)) for _ in range(3000)]
    pairs += [(3 * k, 2 * k) for k in range(1, 50)]
    by_key = sorted(pairs, key=lambda p: (scoring.per_capita_key(*p), p))
    by_fraction = sorted(pairs, key=lambda p: (Fraction(*p), p))
    assert by_key == by_fraction
    for a, b in zip(by_key, by_key[1:], strict=False):
        assert (scoring.per_capita_key(*a) == scoring.per_capita_key(*b)) == (Fraction(*a) == Fraction(*b))


@pytest.mark.django_db
def test_sql_points_and_per_capita_are_identical_to_python():
    cases = [(0, 0, 0, 0, 0), (1, 0, 0, 0, 3), (7, 3, 1, 2, 7), (12345, 77, 9, 31, 999_983), (59, 1, 0, 0, 1)]
    cases += [(4265, 28, 1, 0, 6), (3785, 32, 1, 0, 12), (10**6, 10**4, 10**3, 10**4, 10**6)]
    points, params = scoring.points_sql("%s", "%s", "%s", "%s")
    whole, rest = scoring.per_capita_key_sql("%s", "%s")
    for minutes, services, outcomes, likes, headcount in cases:
        # points_sql takes column expressions; here they are parameters, interleaved in order.
        values = [params[0], minutes, params[1], services, params[2], outcomes, params[3], likes]
        with connection.cursor() as cursor:
            cursor.execute(f"SELECT {points}", values)
            (got,) = cursor.fetchone()
            expected = scoring.points(minutes, services, outcomes, likes)
            assert got == expected and isinstance(got, int)
            display = scoring.per_capita_sql("%s", "%s")
            cursor.execute(
                f"SELECT {whole}, {rest}, {display}",
                [headcount, got, headcount]
                + [headcount, got, got, headcount, headcount, headcount]
                + [headcount, got, headcount],
            )
            got_whole, got_rest, got_display = cursor.fetchone()
        key = scoring.per_capita_key(expected, headcount)
        assert (got_whole, got_rest) == (key or (None, None))
        assert got_display == scoring.per_capita(expected, headcount)


# --- a generated city, checked board by board ---------------------------------------------


def _within(start, end):
    return lambda t: t is not None and start <= t < end


def expected_boards(day: date) -> dict[str, list[dict]]:
    """Every board of ``day`` computed in Python from the rows, independently of the SQL."""
    member_district = {}
    community_district = {c.pk: c.street.district_id for c in Community.objects.select_related("street")}
    unit_district = dict(Unit.objects.values_list("pk", "district_id"))
    members = list(Member.objects.values("pk", "community_id", "unit_id"))
    for m in members:
        member_district[m["pk"]] = community_district.get(m["community_id"]) or unit_district.get(m["unit_id"])

    def member_components(board):
        start, end = scoring.period(board, day)
        inside = _within(start, end)
        comp = defaultdict(lambda: [0, 0, 0, 0])
        for member_id, minutes, started, status in ServiceRecord.objects.values_list(
            "member_id", "minutes", "started_at", "status"
        ):
            if status == "confirmed" and inside(started):
                comp[member_id][0] += minutes
                comp[member_id][1] += 1
        served = defaultdict(set)
        completed = defaultdict(set)
        for task_id, member_id in Acceptance.objects.filter(status="completed").values_list("task_id", "member_id"):
            completed[task_id].add(member_id)
        for request_id, task_id, status, closed in ServiceRequest.objects.values_list(
            "pk", "task_id", "status", "closed_at"
        ):
            if status in ("confirmed", "rated") and inside(closed):
                for member_id in completed.get(task_id, ()):
                    served[member_id].add(request_id)
        for member_id, requests in served.items():
            comp[member_id][2] = len(requests)
        for member_id, created in Like.objects.values_list("member_id", "created_at"):
            if inside(created):
                comp[member_id][3] += 1
        return comp

    def rank(board, rows, per_capita):
        def key(r):
            # Exact fractions, independent of scoring.per_capita_key.
            first = (not r["headcount"], -Fraction(r["points"], r["headcount"] or 1)) if per_capita else ()
            return (*first, -r["points"], -r["minutes"], r["subject_id"])

        rows.sort(key=key)
        by_district = defaultdict(int)
        for i, r in enumerate(rows, 1):
            r["rank"] = i
            if r["district_id"] is None:
                r["district_rank"] = None
            else:
                by_district[r["district_id"]] += 1
                r["district_rank"] = by_district[r["district_id"]]
        return rows

    def row(subject_id, district_id, c, headcount=None):
        total = scoring.points(*c)
        return {
            "subject_id": subject_id,
            "district_id": district_id,
            "minutes": c[0],
            "services": c[1],
            "outcomes": c[2],
            "likes": c[3],
            "points": total,
            "headcount": headcount,
            "per_capita": scoring.per_capita(total, headcount),
        }

    boards = {}
    year = member_components(Board.MEMBERS)
    month = member_components(Board.STARS)
    boards[Board.MEMBERS] = rank(
        Board.MEMBERS, [row(m["pk"], member_district[m["pk"]], year[m["pk"]]) for m in members], False
    )
    # Stars: only members who did something this month.
    boards[Board.STARS] = rank(
        Board.STARS,
        [row(m["pk"], member_district[m["pk"]], month[m["pk"]]) for m in members if any(month[m["pk"]])],
        False,
    )

    def group(pairs):
        sums, heads = defaultdict(lambda: [0, 0, 0, 0]), defaultdict(int)
        for key, member_id in pairs:
            heads[key] += 1
            for i in range(4):
                sums[key][i] += year[member_id][i]
        return sums, heads

    sums, heads = group((m["unit_id"], m["pk"]) for m in members if m["unit_id"])
    boards[Board.UNITS] = rank(
        Board.UNITS,
        [row(u, d, sums[u], heads[u]) for u, d in unit_district.items()],
        True,
    )
    sums, heads = group(TeamMembership.objects.values_list("team_id", "member_id"))
    teams = VanguardTeam.objects.values_list("pk", "grid__community__street__district_id")
    boards[Board.TEAMS] = rank(Board.TEAMS, [row(t, d, sums[t], heads[t]) for t, d in teams], True)

    start, end = scoring.period(Board.COMMUNITIES, day)
    inside = _within(start, end)
    comp = defaultdict(lambda: [0, 0, 0, 0])
    for community_id, minutes, started, status in ServiceRecord.objects.values_list(
        "community_id", "minutes", "started_at", "status"
    ):
        if status == "confirmed" and inside(started):
            comp[community_id][0] += minutes
            comp[community_id][1] += 1
    for community_id, status, closed in ServiceRequest.objects.values_list("community_id", "status", "closed_at"):
        if status in ("confirmed", "rated") and inside(closed):
            comp[community_id][2] += 1
    for community_id, status, resolved in Escalation.objects.values_list("community_id", "status", "resolved_at"):
        if status == "resolved" and inside(resolved):
            comp[community_id][2] += 1
    for community_id, created in Like.objects.values_list("request__community_id", "created_at"):
        if inside(created):
            comp[community_id][3] += 1
    heads = defaultdict(int)
    for m in members:
        if m["community_id"]:
            heads[m["community_id"]] += 1
    boards[Board.COMMUNITIES] = rank(
        Board.COMMUNITIES, [row(c, d, comp[c], heads[c]) for c, d in community_district.items()], True
    )
    return boards


FIELDS = [
    "subject_id",
    "district_id",
    "rank",
    "district_rank",
    "minutes",
    "services",
    "outcomes",
    "likes",
    "points",
    "headcount",
    "per_capita",
]


@pytest.mark.slow
@pytest.mark.django_db
def test_all_five_boards_match_an_independent_calculation(city):
    day = timezone.localdate() - timedelta(days=1)
    # A unit directly under the city (市直单位) has no district and no district rank.
    Unit.objects.filter(pk=Unit.objects.order_by("pk").values("pk")[:1]).update(district=None)
    built = board_rebuild(day=day, triggered_by="测试")
    expected = expected_boards(day)

    assert built.entry_count == sum(len(rows) for rows in expected.values())
    assert expected[Board.MEMBERS][0]["points"] > 0  # the city did serve
    assert 0 < len(expected[Board.STARS]) < len(expected[Board.MEMBERS])
    assert any(r["outcomes"] for r in expected[Board.MEMBERS])
    assert any(r["likes"] for r in expected[Board.MEMBERS])
    assert any(r["district_id"] is None for r in expected[Board.UNITS])  # 市直单位
    for board, rows in expected.items():
        got = list(BoardEntry.objects.filter(day=day, board=board).order_by("rank").values(*FIELDS))
        want = [{k: r[k] for k in FIELDS} for r in rows]
        assert got == want, board
