"""The one ``INSERT INTO rankings_boardentry … SELECT`` that scores and ranks all five boards.

No subject ever becomes a Python object: the aggregation and the ranking (window functions) run
in the database. The component subqueries (which records, outcomes and likes count) are built
with the ORM; ``rankings.scoring`` supplies the points, the per-capita key and the tie rule, all
in integer arithmetic. The SQL runs on PostgreSQL and SQLite alike.

Why one statement: the members, stars, units and teams boards all stand on the members'
components. Computed once in a CTE (one pass over the service records gives both the year and
the month, with ``FILTER``), they feed the four boards; PostgreSQL materialises a CTE used more
than once, so nothing is aggregated twice.
"""

from __future__ import annotations

from datetime import date

from django.db import connection
from django.db.models import Count, F, Q, QuerySet, Sum

from orders.models import Acceptance, Escalation, Like, ServiceRequest
from rankings import scoring
from rankings.models import Board, BoardEntry
from reporting.models import ServiceRecord

_RESIDENT_CONFIRMED = [ServiceRequest.Status.CONFIRMED, ServiceRequest.Status.RATED]

_COLUMNS = (
    "day, board, subject_id, district_id, rank, district_rank, previous_rank, previous_district_rank,"
    " points, per_capita, headcount, minutes, services, outcomes, likes"
)


def _sql(qs: QuerySet) -> tuple[str, list]:
    sql, params = qs.query.sql_with_params()
    return sql, list(params)


def _day_param(day: date | None):
    return None if day is None else connection.ops.adapt_datefield_value(day)


def _in(start, end, field: str) -> Q:
    return Q(**{f"{field}__gte": start, f"{field}__lt": end})


def member_components_ctes(day: date) -> list[tuple[str, str, list]]:
    """CTEs ending in ``mc``: one row per member with the year's and the month's components.

    Columns: id, district_id, unit_id, minutes, services, outcomes, likes and the same for the
    month prefixed ``m_``. A member belongs to the district of the community they report to,
    or else of their unit.
    """
    year_start, end = scoring.period(Board.MEMBERS, day)
    month_start, _ = scoring.period(Board.STARS, day)
    in_month = _in(month_start, end, "started_at")
    records = (
        ServiceRecord.objects.filter(_in(year_start, end, "started_at"), status=ServiceRecord.Status.CONFIRMED)
        .order_by()
        .values("member_id")
        .annotate(
            y_minutes=Sum("minutes"),
            y_services=Count("id"),
            m_minutes=Sum("minutes", filter=in_month),
            m_services=Count("id", filter=in_month),
        )
    )
    # A request served by a member: a completed acceptance on the request's task, counted when
    # the resident confirmed (or rated) it. A member holds at most one live acceptance per task
    # (constraint acceptance_one_live_per_member_and_task) and a request has one task, so each
    # (request, member) pair is one row: COUNT needs no DISTINCT (and no sort).
    outcomes = (
        ServiceRequest.objects.filter(
            _in(year_start, end, "closed_at"),
            status__in=_RESIDENT_CONFIRMED,
            task__acceptances__status=Acceptance.Status.COMPLETED,
        )
        .order_by()
        .values(member_id=F("task__acceptances__member_id"))
        .annotate(
            y_outcomes=Count("id"),
            m_outcomes=Count("id", filter=_in(month_start, end, "closed_at")),
        )
    )
    likes = (
        Like.objects.filter(_in(year_start, end, "created_at"))
        .order_by()
        .values("member_id")
        .annotate(y_likes=Count("id"), m_likes=Count("id", filter=_in(month_start, end, "created_at")))
    )
    components = ", ".join(
        f"COALESCE({src}.{p}{col}, 0) AS {'' if p == 'y_' else p}{col}"
        for p in ("y_", "m_")
        for src, col in (("rec", "minutes"), ("rec", "services"), ("outc", "outcomes"), ("lk", "likes"))
    )
    mc = (
        "SELECT m.id AS id, COALESCE(s.district_id, u.district_id) AS district_id, m.unit_id AS unit_id,"
        f" {components}"
        " FROM grids_member m"
        " LEFT JOIN grids_community c ON c.id = m.community_id"
        " LEFT JOIN grids_street s ON s.id = c.street_id"
        " LEFT JOIN grids_unit u ON u.id = m.unit_id"
        " LEFT JOIN rec ON rec.member_id = m.id"
        " LEFT JOIN outc ON outc.member_id = m.id"
        " LEFT JOIN lk ON lk.member_id = m.id"
    )
    return [("rec", *_sql(records)), ("outc", *_sql(outcomes)), ("lk", *_sql(likes)), ("mc", mc, [])]


def community_components_ctes(day: date) -> list[tuple[str, str, list]]:
    """CTEs ending in ``cc``: one row per community with its year's components and headcount.

    Minutes and services of the confirmed records served in the community; outcomes = its
    requests the residents confirmed or rated + its joint-meeting cases resolved; likes = likes
    on its requests; headcount = members who report to it.
    """
    start, end = scoring.period(Board.COMMUNITIES, day)
    records = (
        ServiceRecord.objects.filter(_in(start, end, "started_at"), status=ServiceRecord.Status.CONFIRMED)
        .order_by()
        .values("community_id")
        .annotate(minutes=Sum("minutes"), services=Count("id"))
    )
    requests = (
        ServiceRequest.objects.filter(_in(start, end, "closed_at"), status__in=_RESIDENT_CONFIRMED)
        .order_by()
        .values("community_id")
        .annotate(n=Count("id"))
    )
    escalations = (
        Escalation.objects.filter(_in(start, end, "resolved_at"), status=Escalation.Status.RESOLVED)
        .order_by()
        .values("community_id")
        .annotate(n=Count("id"))
    )
    likes = (
        Like.objects.filter(_in(start, end, "created_at"))
        .order_by()
        .values(community_id=F("request__community_id"))
        .annotate(n=Count("id"))
    )
    cc = (
        "SELECT c.id AS id, s.district_id AS district_id,"
        " COALESCE(crec.minutes, 0) AS minutes, COALESCE(crec.services, 0) AS services,"
        " COALESCE(creq.n, 0) + COALESCE(cesc.n, 0) AS outcomes, COALESCE(clk.n, 0) AS likes,"
        " (SELECT COUNT(*) FROM grids_member hm WHERE hm.community_id = c.id) AS headcount"
        " FROM grids_community c JOIN grids_street s ON s.id = c.street_id"
        " LEFT JOIN crec ON crec.community_id = c.id"
        " LEFT JOIN creq ON creq.community_id = c.id"
        " LEFT JOIN cesc ON cesc.community_id = c.id"
        " LEFT JOIN clk ON clk.community_id = c.id"
    )
    return [
        ("crec", *_sql(records)),
        ("creq", *_sql(requests)),
        ("cesc", *_sql(escalations)),
        ("clk", *_sql(likes)),
        ("cc", cc, []),
    ]


def _group_sums(member_key_sql: str) -> str:
    """Members' year components summed per group; ``member_key_sql`` yields (member_id, key)."""
    return (
        "SELECT g.key AS key, CAST(SUM(mc.minutes) AS BIGINT) AS minutes,"
        " CAST(SUM(mc.services) AS BIGINT) AS services, CAST(SUM(mc.outcomes) AS BIGINT) AS outcomes,"
        " CAST(SUM(mc.likes) AS BIGINT) AS likes, COUNT(*) AS headcount"
        f" FROM ({member_key_sql}) g JOIN mc ON mc.id = g.member_id GROUP BY g.key"
    )


def _group_rows(board: str, subjects_sql: str, sums: str) -> str:
    return (
        f"SELECT '{board}' AS board, x.id AS subject_id, x.district_id AS district_id,"
        " COALESCE(a.minutes, 0) AS minutes, COALESCE(a.services, 0) AS services,"
        " COALESCE(a.outcomes, 0) AS outcomes, COALESCE(a.likes, 0) AS likes,"
        " COALESCE(a.headcount, 0) AS headcount"
        f" FROM ({subjects_sql}) x LEFT JOIN {sums} a ON a.key = x.id"
    )


def board_entries_sql(day: date, previous: date | None) -> tuple[str, list]:
    """The one INSERT … SELECT that writes the five boards of ``day`` (see the module docstring)."""
    ctes = [*member_components_ctes(day), *community_components_ctes(day)]
    ctes += [
        ("unit_sums", _group_sums("SELECT id AS member_id, unit_id AS key FROM mc WHERE unit_id IS NOT NULL"), []),
        ("team_sums", _group_sums("SELECT member_id, team_id AS key FROM grids_teammembership"), []),
    ]
    no_headcount = "CAST(NULL AS BIGINT) AS headcount"
    comp = " UNION ALL ".join(
        [
            f"SELECT '{Board.MEMBERS.value}' AS board, id AS subject_id, district_id,"
            f" minutes, services, outcomes, likes, {no_headcount} FROM mc",
            f"SELECT '{Board.STARS.value}', id, district_id,"
            f" m_minutes, m_services, m_outcomes, m_likes, {no_headcount} FROM mc"
            # This month's stars are the members who did something this month (see scoring).
            " WHERE m_services > 0 OR m_outcomes > 0 OR m_likes > 0",
            _group_rows(Board.UNITS.value, "SELECT id, district_id FROM grids_unit", "unit_sums"),
            _group_rows(
                Board.TEAMS.value,
                "SELECT t.id AS id, s.district_id AS district_id FROM grids_vanguardteam t"
                " JOIN grids_grid g ON g.id = t.grid_id"
                " JOIN grids_community c ON c.id = g.community_id"
                " JOIN grids_street s ON s.id = c.street_id",
                "team_sums",
            ),
            f"SELECT '{Board.COMMUNITIES.value}', id, district_id,"
            " minutes, services, outcomes, likes, headcount FROM cc",
        ]
    )
    points, points_params = scoring.points_sql("minutes", "services", "outcomes", "likes")
    pc_whole, pc_rest = scoring.per_capita_key_sql("points", "headcount")
    # For members and stars the per-capita key is NULL on every row, so it is a constant there
    # and one ORDER BY serves all five boards.
    order = scoring.order_sql(
        Board.UNITS, per_capita_key=("pc_whole", "pc_rest"), points="points", minutes="minutes", subject="subject_id"
    )
    ctes += [
        ("comp", comp, []),
        ("scored", f"SELECT comp.*, {points} AS points FROM comp", points_params),
        (
            "capita",
            f"SELECT scored.*, {scoring.per_capita_sql('points', 'headcount')} AS per_capita,"
            f" {pc_whole} AS pc_whole, {pc_rest} AS pc_rest FROM scored",
            [],
        ),
        (
            "ranked",
            f"SELECT capita.*, ROW_NUMBER() OVER (PARTITION BY board ORDER BY {order}) AS city_rank,"
            f" ROW_NUMBER() OVER (PARTITION BY board, district_id ORDER BY {order}) AS in_district_rank"
            " FROM capita",
            [],
        ),
    ]
    with_sql = ",\n".join(f"{name} AS ({sql})" for name, sql, _ in ctes)
    params = [p for _, _, ps in ctes for p in ps]
    table = BoardEntry._meta.db_table
    sql = (
        f"WITH {with_sql}\n"
        f"INSERT INTO {table} ({_COLUMNS})\n"
        "SELECT %s, r.board, r.subject_id, r.district_id, r.city_rank,"
        " CASE WHEN r.district_id IS NULL THEN NULL ELSE r.in_district_rank END,"
        " p.rank, p.district_rank, r.points, r.per_capita, r.headcount,"
        " r.minutes, r.services, r.outcomes, r.likes\n"
        f"FROM ranked r LEFT JOIN {table} p"
        " ON p.day = %s AND p.board = r.board AND p.subject_id = r.subject_id"
    )
    return sql, [*params, _day_param(day), _day_param(previous)]
