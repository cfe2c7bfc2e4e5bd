"""The scoring: the formula, the periods, the tie rule, and all five boards of a generated city
checked against a calculation written here in plain Python."""

from collections import defaultdict
from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from django.db import connection
from django.utils import timezone

from grids.models import Community, Member, TeamMembership, Unit, VanguardTeam
from orders.models import Acceptance, Escalation, Like, ServiceRequest
from rankings import scoring
from rankings.models import Board, BoardEntry
from rankings.services import board_rebuild
from reporting.models import ServiceRecord

SHANGHAI = ZoneInfo("Asia/Shanghai")


def test_score_formula_with_the_default_weights():
    # 90 minutes = 1.5 h ×1, 3 services ×2, 2 outcomes ×5, 4 likes ×1
    assert scoring.score(90, 3, 2, 4) == 1.5 + 6 + 10 + 4


def test_weights_come_from_settings(settings):
    settings.RANKING_WEIGHTS = {"hours": 2, "services": 0, "outcomes": 1, "likes": 10}
    assert scoring.score(60, 5, 1, 1) == 2 + 0 + 1 + 10
    assert "× 10" in scoring.score_rule_text()


def test_missing_weights_take_the_defaults(settings):
    settings.RANKING_WEIGHTS = {"likes": 3}
    assert scoring.weights() == scoring.Weights(hours=1.0, services=2.0, outcomes=5.0, likes=3.0)


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
        {"subject_id": 5, "score": 10.0, "minutes": 60, "per_capita": 5.0},
        {"subject_id": 3, "score": 10.0, "minutes": 60, "per_capita": 5.0},
        {"subject_id": 4, "score": 10.0, "minutes": 90, "per_capita": 5.0},
        {"subject_id": 2, "score": 20.0, "minutes": 0, "per_capita": 5.0},
        {"subject_id": 1, "score": 100.0, "minutes": 0, "per_capita": 1.0},
        {"subject_id": 9, "score": 0.0, "minutes": 0, "per_capita": None},
    ]
    ordered = sorted(rows, key=lambda r: scoring.sort_key(board=Board.UNITS, **r))
    assert [r["subject_id"] for r in ordered] == [2, 4, 3, 5, 1, 9]
    # Without per-capita (members), the total decides first.
    ordered = sorted(rows, key=lambda r: scoring.sort_key(board=Board.MEMBERS, **r))
    assert [r["subject_id"] for r in ordered] == [1, 2, 4, 3, 5, 9]


@pytest.mark.django_db
def test_sql_score_is_bit_identical_to_python():
    cases = [(0, 0, 0, 0), (1, 0, 0, 0), (7, 3, 1, 2), (12345, 77, 9, 31), (59, 1, 0, 0)]
    sql, params = scoring.score_sql("%s", "%s", "%s", "%s")
    # score_sql takes column expressions; here they are parameters, interleaved in order.
    for minutes, services, outcomes, likes in cases:
        values = [params[0], minutes, params[1], params[2], services, params[3], outcomes, params[4], likes]
        with connection.cursor() as cursor:
            cursor.execute(f"SELECT {sql}", values)
            (got,) = cursor.fetchone()
        assert got == scoring.score(minutes, services, outcomes, likes)


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
            first = (r["per_capita"] is None, -(r["per_capita"] or 0)) if per_capita else ()
            return (*first, -r["score"], -r["minutes"], r["subject_id"])

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
        total = scoring.score(*c)
        return {
            "subject_id": subject_id,
            "district_id": district_id,
            "minutes": c[0],
            "services": c[1],
            "outcomes": c[2],
            "likes": c[3],
            "score": total,
            "headcount": headcount,
            "per_capita": (total / headcount) if headcount else None,
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
    "score",
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
    assert expected[Board.MEMBERS][0]["score"] > 0  # the city did serve
    assert 0 < len(expected[Board.STARS]) < len(expected[Board.MEMBERS])
    assert any(r["outcomes"] for r in expected[Board.MEMBERS])
    assert any(r["likes"] for r in expected[Board.MEMBERS])
    assert any(r["district_id"] is None for r in expected[Board.UNITS])  # 市直单位
    for board, rows in expected.items():
        got = list(BoardEntry.objects.filter(day=day, board=board).order_by("rank").values(*FIELDS))
        want = [{k: r[k] for k in FIELDS} for r in rows]
        assert got == want, board
