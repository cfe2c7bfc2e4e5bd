"""Assessment sheets (考核表) per unit, community, street and district for a quarter or a year.

All the sheets of one level for one period come from one SQL statement
(``rankings.assessment.sql``), whatever the number of subjects, ranked among all of them; they
are kept in the cache for ``CACHE_SECONDS`` (the boards change once a day, the ledger a few
times an hour), and each read picks its rows from them: one sheet, a node's children, or what
the viewer's posts reach.
"""

from __future__ import annotations

from datetime import date

from django.conf import settings
from django.core.cache import cache

from grids.models import Unit
from rankings import scoring
from rankings.assessment import sql
from rankings.assessment.access import BELOW, Node, node_filter, unit_scope
from rankings.assessment.periods import Period

CACHE_SECONDS = 300
# Figures that add up from children to their parent (each member is registered in one place).
ADDITIVE = (
    "members",
    "members_registered",
    "met_hours",
    "met_visits",
    "met_both",
    "minutes",
    "quota_minutes",
    "services",
    "outcomes",
    "likes",
)


def _share(part: int, whole: int) -> float | None:
    return round(part * 100 / whole, 1) if whole else None


def shape(level: str, row: dict, period: Period, visit_quarters: list[str]) -> dict:
    """One sheet as the pages and the API show it."""
    quota, per = period.quota_minutes()
    stars = {str(n): row[f"stars_{n}"] for n in range(1, 6)}
    points = row.get("points")
    return {
        "level": level,
        "id": row["id"],
        "name": row["name"],
        "parent_id": row["parent_id"],
        "parent_name": row["parent_name"] or "",
        "district_id": row.get("district_id"),
        "period": period.key,
        "period_label": period.label,
        "members": row["members"],
        "members_registered": row["members_registered"],
        "members_served": row["members_served"],
        "met_hours": row["met_hours"],
        "met_hours_share": _share(row["met_hours"], row["members"]),
        "met_visits": row["met_visits"],
        "met_visits_share": _share(row["met_visits"], row["members"]),
        "met_both": row["met_both"],
        "hours_required": quota / per / 60,
        "visit_quarters": visit_quarters,
        "minutes": row["minutes"],
        "hours": round(row["minutes"] / 60, 1),
        "quota_minutes": row["quota_minutes"],
        "quota_hours": round(row["quota_minutes"] / 60, 1),
        "services": row["services"],
        "outcomes": row["outcomes"],
        "likes": row["likes"],
        "stars": {**stars, "unrated": row["members"] - sum(stars.values())},
        "points": points,
        "score": None if points is None else scoring.score(points),
        "per_capita": None if points is None else scoring.per_capita(points, row["members"]),
        "rank": row.get("rank"),
        "rank_of": row.get("rank_of"),
        "parent_rank": row.get("parent_rank"),
        "parent_rank_of": row.get("parent_rank_of"),
    }


def level_sheets(level: str, period: Period, *, today: date | None = None, fresh: bool = False) -> list[dict]:
    """Every sheet of ``level`` for ``period`` in rank order: one query, then the cache
    (``fresh``: the query whatever the cache holds)."""
    quarters = period.visit_quarters(today)
    w = scoring.weights()
    key = (
        f"assessment:v1:{level}:{period.key}:{','.join(quarters)}:"
        f"{w.hours}.{w.services}.{w.outcomes}.{w.likes}:{settings.QUOTA_HOURS_PER_YEAR}"
    )
    rows = None if fresh else cache.get(key)
    if rows is None:
        rows = [shape(level, r, period, quarters) for r in sql.fetch(level, period, quarters)]
        cache.set(key, rows, CACHE_SECONDS)
    return rows


def _one(level: str, pk: int, period: Period, today: date | None) -> dict:
    for fresh in (False, True):
        # A subject added since the cached rows were counted is counted afresh.
        for row in level_sheets(level, period, today=today, fresh=fresh):
            if row["id"] == pk:
                return row
    raise LookupError(f"no {level} {pk}")


def unit_sheet(unit: Unit | int, period: Period, *, today: date | None = None) -> dict:
    """The sheet of one unit; its rank is among all the city's units."""
    return _one("unit", unit if isinstance(unit, int) else unit.pk, period, today)


def unit_sheets(user, period: Period, *, district_id: int | None = None, today: date | None = None) -> list[dict]:
    """The sheets of the units ``user`` may assess (of one district if given), in rank order."""
    units = unit_scope(user)
    return [
        r
        for r in level_sheets("unit", period, today=today)
        if units.covers(r["id"], r["parent_id"]) and (district_id is None or r["parent_id"] == district_id)
    ]


def node_sheet(level: str, pk: int, period: Period, *, today: date | None = None) -> dict:
    """The sheet of one district, street or community."""
    return _one(level, pk, period, today)


def node_sheets(user, level: str, period: Period, *, parent: int | None = None, today: date | None = None):
    """The sheets of ``level`` that ``user`` may read (children of ``parent`` if given), in rank order."""
    visible = node_filter(user, level)
    return [
        r
        for r in level_sheets(level, period, today=today)
        if visible(r) and (parent is None or r["parent_id"] == parent)
    ]


def child_sheets(user, node: Node, period: Period, *, today: date | None = None) -> list[dict]:
    """The sheets one level below ``node`` that ``user`` may read, in rank order."""
    parent = None if node.level == "city" else node.pk
    return node_sheets(user, BELOW[node.level], period, parent=parent, today=today)


def total(rows: list[dict], node: Node, period: Period) -> dict:
    """A sheet summed from its children's (the city's from its districts'): no rank of its own."""
    quarters = rows[0]["visit_quarters"] if rows else period.visit_quarters()
    summed = {k: sum(r[k] for r in rows) for k in ADDITIVE}
    summed.update({f"stars_{n}": sum(r["stars"][str(n)] for r in rows) for n in range(1, 6)})
    base = {"id": node.pk, "name": node.name, "parent_id": None, "parent_name": "", "members_served": None}
    return shape(node.level, {**base, **summed}, period, quarters)
