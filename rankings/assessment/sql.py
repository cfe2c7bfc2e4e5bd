"""The one SELECT behind every list of assessment sheets (考核表).

Each call is one statement, whatever the size of the city: the period's components are counted
per member in GROUP BY subqueries (the boards' own definitions, ``rankings.services.board_sql``),
summed per subject (unit, community, street or district), scored with ``rankings.scoring`` in
integer points and ranked with window functions over every subject of the level, so a unit's
rank is its place among all the city's units even when only one district's units are read.

Attribution (as the boards and the cockpit count):

- **units** — the unit's members and everything they did, wherever they served; headcount = the
  unit's members (the units board's per-capita);
- **communities, streets, districts** — members count where they are registered (报到社区):
  headcount, rules met and stars; minutes and services are those of the records *served in* the
  node's communities, outcomes its residents' requests confirmed or rated plus its joint-meeting
  cases resolved, likes those on its requests (the communities board's and the cockpit's way).

A member counts in a period when they had joined by its end. Quota minutes not yet stored
(``ServiceRecord.quota_minutes`` of rows written in bulk, filled by the nightly stars job)
count as none until then.
"""

from __future__ import annotations

from django.db import connection
from django.db.models import Count, F, IntegerField, QuerySet, Sum, Value
from django.db.models.functions import Coalesce

from orders.models import Acceptance, Escalation, Like, ServiceRequest
from rankings import scoring
from rankings.assessment.periods import Period
from rankings.models import Board, MemberStars
from reporting.models import ServiceRecord, Visit

RESIDENT_CONFIRMED = [ServiceRequest.Status.CONFIRMED, ServiceRequest.Status.RATED]
LEVELS = ("unit", "community", "street", "district")
COLUMNS = (
    "id",
    "name",
    "parent_id",
    "parent_name",
    "district_id",
    "members",
    "members_registered",
    "members_served",
    "met_hours",
    "met_visits",
    "met_both",
    "minutes",
    "quota_minutes",
    "services",
    "outcomes",
    "likes",
    "stars_1",
    "stars_2",
    "stars_3",
    "stars_4",
    "stars_5",
    "points",
    "rank",
    "rank_of",
    "parent_rank",
    "parent_rank_of",
)

# What each level's subjects are, with their parent (the district of a unit or a street, the
# street of a community) for the rank within it.
_SUBJECTS = {
    "unit": "SELECT u.id AS id, u.name AS name, u.district_id AS parent_id, d.name AS parent_name,"
    " u.district_id AS district_id FROM grids_unit u LEFT JOIN grids_district d ON d.id = u.district_id",
    "community": "SELECT c.id AS id, c.name AS name, c.street_id AS parent_id, s.name AS parent_name,"
    " s.district_id AS district_id FROM grids_community c JOIN grids_street s ON s.id = c.street_id",
    "street": "SELECT s.id AS id, s.name AS name, s.district_id AS parent_id, d.name AS parent_name,"
    " s.district_id AS district_id FROM grids_street s JOIN grids_district d ON d.id = s.district_id",
    "district": "SELECT d.id AS id, d.name AS name, CAST(NULL AS BIGINT) AS parent_id, '' AS parent_name,"
    " d.id AS district_id FROM grids_district d",
}
# A member's key for each level: their unit, or where they are registered.
_MEMBER_KEY = {"unit": "unit_id", "community": "community_id", "street": "street_id", "district": "district_id"}
# The path from a community-bound row to the level's node.
_NODE_PATH = {
    "community": "community_id",
    "street": "community__street_id",
    "district": "community__street__district_id",
}


def _sql(qs: QuerySet) -> tuple[str, list]:
    sql, params = qs.query.sql_with_params()
    return sql, list(params)


def _in(field: str, period: Period) -> dict:
    return {f"{field}__gte": period.start, f"{field}__lt": period.end}


def _confirmed(period: Period) -> QuerySet:
    return ServiceRecord.objects.filter(status=ServiceRecord.Status.CONFIRMED, **_in("started_at", period)).order_by()


def member_ctes(period: Period, visit_quarters: list[str]) -> list[tuple[str, str, list]]:
    """CTEs ending in ``mc``: one row per member who had joined by the period's end, with their
    unit, where they are registered, the period's components and whether they met each rule."""
    records = (
        _confirmed(period)
        .values("member_id")
        .annotate(
            minutes=Sum("minutes"),
            services=Count("id"),
            quota=Sum(Coalesce("quota_minutes", Value(0), output_field=IntegerField())),
        )
    )
    # One row per (request, member) pair: see rankings.services.board_sql.
    outcomes = (
        ServiceRequest.objects.filter(
            **_in("closed_at", period),
            status__in=RESIDENT_CONFIRMED,
            task__acceptances__status=Acceptance.Status.COMPLETED,
        )
        .order_by()
        .values(member_id=F("task__acceptances__member_id"))
        .annotate(n=Count("id"))
    )
    likes = Like.objects.filter(**_in("created_at", period)).order_by().values("member_id").annotate(n=Count("id"))
    visits = (
        Visit.objects.filter(quarter__in=visit_quarters)
        .order_by()
        .values("member_id")
        .annotate(n=Count("quarter", distinct=True))
    )
    stars = MemberStars.objects.filter(year=period.year).order_by().values("member_id", "stars")
    quota, per = period.quota_minutes()
    mc = (
        "SELECT m.id AS id, m.unit_id AS unit_id, m.community_id AS community_id,"
        " c.street_id AS street_id, s.district_id AS district_id,"
        " COALESCE(rec.minutes, 0) AS minutes, COALESCE(rec.services, 0) AS services,"
        " COALESCE(rec.quota, 0) AS quota_minutes,"
        " COALESCE(outc.n, 0) AS outcomes, COALESCE(lk.n, 0) AS likes,"
        " CASE WHEN COALESCE(rec.quota, 0) * %s >= %s THEN 1 ELSE 0 END AS met_hours,"
        " CASE WHEN COALESCE(vis.n, 0) >= %s THEN 1 ELSE 0 END AS met_visits,"
        " st.stars AS stars"
        " FROM grids_member m"
        " LEFT JOIN grids_community c ON c.id = m.community_id"
        " LEFT JOIN grids_street s ON s.id = c.street_id"
        " LEFT JOIN rec ON rec.member_id = m.id"
        " LEFT JOIN outc ON outc.member_id = m.id"
        " LEFT JOIN lk ON lk.member_id = m.id"
        " LEFT JOIN vis ON vis.member_id = m.id"
        " LEFT JOIN st ON st.member_id = m.id"
        " WHERE m.created_at < %s"
    )
    end = connection.ops.adapt_datetimefield_value(period.end)
    return [
        ("rec", *_sql(records)),
        ("outc", *_sql(outcomes)),
        ("lk", *_sql(likes)),
        ("vis", *_sql(visits)),
        ("st", *_sql(stars)),
        ("mc", mc, [per, quota, len(visit_quarters), end]),
    ]


def _member_sums(level: str) -> str:
    key = _MEMBER_KEY[level]
    stars = ", ".join(f"SUM(CASE WHEN stars = {n} THEN 1 ELSE 0 END) AS stars_{n}" for n in range(1, 6))
    own = (
        "CAST(SUM(minutes) AS BIGINT) AS minutes, CAST(SUM(services) AS BIGINT) AS services,"
        " CAST(SUM(outcomes) AS BIGINT) AS outcomes, CAST(SUM(likes) AS BIGINT) AS likes,"
        " SUM(CASE WHEN services > 0 THEN 1 ELSE 0 END) AS members_served,"
        if level == "unit"
        else ""
    )
    return (
        f"SELECT {key} AS key, COUNT(*) AS members, COUNT(community_id) AS members_registered,"
        f" {own} CAST(SUM(quota_minutes) AS BIGINT) AS quota_minutes,"
        " SUM(met_hours) AS met_hours, SUM(met_visits) AS met_visits,"
        f" SUM(met_hours * met_visits) AS met_both, {stars}"
        f" FROM mc WHERE {key} IS NOT NULL GROUP BY {key}"
    )


def node_ctes(level: str, period: Period) -> list[tuple[str, str, list]]:
    """CTEs ``nrec``, ``nreq``, ``nesc``, ``nlk``: what was done in each node of ``level``."""
    key = _NODE_PATH[level]
    records = (
        _confirmed(period)
        .values(key=F(key))
        .annotate(minutes=Sum("minutes"), services=Count("id"), members_served=Count("member_id", distinct=True))
    )
    requests = (
        ServiceRequest.objects.filter(**_in("closed_at", period), status__in=RESIDENT_CONFIRMED)
        .order_by()
        .values(key=F(key))
        .annotate(n=Count("id"))
    )
    escalations = (
        Escalation.objects.filter(**_in("resolved_at", period), status=Escalation.Status.RESOLVED)
        .order_by()
        .values(key=F(key))
        .annotate(n=Count("id"))
    )
    likes = (
        Like.objects.filter(**_in("created_at", period))
        .order_by()
        .values(key=F("request__" + key))
        .annotate(n=Count("id"))
    )
    return [("nrec", *_sql(records)), ("nreq", *_sql(requests)), ("nesc", *_sql(escalations)), ("nlk", *_sql(likes))]


def sheets_sql(level: str, period: Period, visit_quarters: list[str]) -> tuple[str, list]:
    """The SELECT of every sheet of ``level`` for ``period``, in rank order."""
    if level not in LEVELS:
        raise ValueError(level)
    ctes = [*member_ctes(period, visit_quarters), ("msum", _member_sums(level), [])]
    zero = "COALESCE({}, 0)"
    if level == "unit":
        done = {c: zero.format(f"ms.{c}") for c in ("minutes", "services", "outcomes", "likes", "members_served")}
        joins = ""
    else:
        ctes += node_ctes(level, period)
        done = {
            "minutes": zero.format("nrec.minutes"),
            "services": zero.format("nrec.services"),
            "members_served": zero.format("nrec.members_served"),
            "outcomes": f"{zero.format('nreq.n')} + {zero.format('nesc.n')}",
            "likes": zero.format("nlk.n"),
        }
        joins = (
            " LEFT JOIN nrec ON nrec.key = x.id LEFT JOIN nreq ON nreq.key = x.id"
            " LEFT JOIN nesc ON nesc.key = x.id LEFT JOIN nlk ON nlk.key = x.id"
        )
    counted = ", ".join(
        zero.format(f"ms.{c}") + f" AS {c}"
        for c in ("members", "members_registered", "met_hours", "met_visits", "met_both", "quota_minutes")
        + tuple(f"stars_{n}" for n in range(1, 6))
    )
    rows = (
        "SELECT x.id AS id, x.name AS name, x.parent_id AS parent_id, x.parent_name AS parent_name,"
        " x.district_id AS district_id,"
        f" {counted}, " + ", ".join(f"{sql} AS {c}" for c, sql in done.items()) + f" FROM ({_SUBJECTS[level]}) x"
        f" LEFT JOIN msum ms ON ms.key = x.id{joins}"
    )
    points, points_params = scoring.points_sql("minutes", "services", "outcomes", "likes")
    whole, rest = scoring.per_capita_key_sql("points", "members")
    board = Board.UNITS if level == "unit" else Board.COMMUNITIES
    order = scoring.order_sql(
        board, per_capita_key=("pc_whole", "pc_rest"), points="points", minutes="minutes", subject="id"
    )
    ctes += [
        ("sheet_rows", rows, []),
        ("scored", f"SELECT sheet_rows.*, {points} AS points FROM sheet_rows", points_params),
        ("capita", f"SELECT scored.*, {whole} AS pc_whole, {rest} AS pc_rest FROM scored", []),
        (
            "ranked",
            f"SELECT capita.*, ROW_NUMBER() OVER (ORDER BY {order}) AS rank, COUNT(*) OVER () AS rank_of,"
            f" ROW_NUMBER() OVER (PARTITION BY parent_id ORDER BY {order}) AS parent_rank,"
            " COUNT(*) OVER (PARTITION BY parent_id) AS parent_rank_of FROM capita",
            [],
        ),
    ]
    with_sql = ",\n".join(f"{name} AS ({sql})" for name, sql, _ in ctes)
    params = [p for _, _, ps in ctes for p in ps]
    return f"WITH {with_sql}\nSELECT {', '.join(COLUMNS)} FROM ranked ORDER BY rank", params


def fetch(level: str, period: Period, visit_quarters: list[str]) -> list[dict]:
    sql, params = sheets_sql(level, period, visit_quarters)
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        return [dict(zip(COLUMNS, row, strict=True)) for row in cursor.fetchall()]
