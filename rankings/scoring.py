"""How a board scores and orders its subjects — the one definition the rebuild, the pages and
the tests share.

Components (over the board's period, see below):

- **minutes** — minutes of CONFIRMED service records whose ``started_at`` falls in the period
  (pending and rejected records never count);
- **services** — the number of those records;
- **outcomes** (成效) — distinct requests the member served (a completed acceptance on the
  request's task) that the resident confirmed or rated, confirmed within the period
  (``closed_at``); a request closed automatically without the resident's word does not count;
- **likes** — likes given to the member within the period.

Score::

    score = w_hours × (minutes / 60) + w_services × services + w_outcomes × outcomes + w_likes × likes

with the weights from ``settings.RANKING_WEIGHTS`` (default hours 1, services 2, outcomes 5,
likes 1; each can be overridden by an environment variable).

Periods: the units, members, communities and teams boards cover the calendar year up to the end
of the board day (Asia/Shanghai); 本月报到之星 (stars) covers the board day's calendar month up to
the end of that day.

Subjects:

- **members** and **stars** — every member, each scored as above; a member belongs to the
  district of the community they report to (or else of their unit).
- **units** — every unit; its components are the sums of its members' components, so its score
  is the sum of its members' scores; headcount = its members, ranked by per-member score
  (score ÷ headcount), so that a unit of 20 can beat one of 2,000. Both figures are shown.
- **teams** (先锋队) — the same over the team's members.
- **communities** — minutes and services of the confirmed records served *in* the community,
  outcomes = its residents' requests confirmed or rated + the joint-meeting cases of the
  community resolved in the period, likes = likes on its requests; per-capita over the members
  registered with it.

Every subject is ranked, those with a zero score too (they come after everyone who scored,
in id order) — except on the stars board, which lists the members who served, solved or were
liked this month: a member with nothing this month has no row there, and their page says
未上榜 (early in a month most members have nothing yet, and 60,000 rows of zeros would say
nothing). A subject with no members has no per-capita figure and comes after those that have
one.

Ties (the rule every board page states, ``TIE_RULE``): per-capita score (where the board has
one) high to low, then total score high to low, then service minutes high to low, then the
subject's id, lower first. Ranks are therefore unique: 1, 2, 3 … with no shared places.

The pure-Python ``score()`` and the SQL from ``score_sql()`` perform the same floating-point
operations in the same order, so both give bit-identical scores and the same order.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from django.conf import settings

from rankings.models import Board

DEFAULT_WEIGHTS = {"hours": 1.0, "services": 2.0, "outcomes": 5.0, "likes": 1.0}

# Boards ranked by per-capita score first (they have a headcount).
PER_CAPITA_BOARDS = frozenset({Board.UNITS, Board.TEAMS, Board.COMMUNITIES})

TIE_RULE = "排名规则：先比人均分（单位、社区、先锋队榜），再比总分，再比服务时长，仍相同时编号小者在前。"

SCORE_RULE = (
    "总分 = 服务时长（小时）× {hours:g} + 服务次数 × {services:g} + 成效（办结件数）× {outcomes:g} + 群众点赞 × {likes:g}；"
    "只计已确认的服务时长。"
)


@dataclass(frozen=True)
class Weights:
    hours: float
    services: float
    outcomes: float
    likes: float


def weights() -> Weights:
    """The weights in force, from ``settings.RANKING_WEIGHTS`` (missing keys take the defaults)."""
    configured = {**DEFAULT_WEIGHTS, **getattr(settings, "RANKING_WEIGHTS", {})}
    return Weights(**{k: float(configured[k]) for k in DEFAULT_WEIGHTS})


def score_rule_text(w: Weights | None = None) -> str:
    """The formula in words, for board pages."""
    w = w or weights()
    return SCORE_RULE.format(hours=w.hours, services=w.services, outcomes=w.outcomes, likes=w.likes)


def score(minutes: int, services: int, outcomes: int, likes: int, w: Weights | None = None) -> float:
    """The score of one subject from its components (see the module docstring)."""
    w = w or weights()
    # Same operations, same order as score_sql(): keeps the two bit-identical.
    return w.hours * (minutes / 60.0) + w.services * services + w.outcomes * outcomes + w.likes * likes


def per_capita(total: float, headcount: int) -> float | None:
    return total / headcount if headcount else None


def sort_key(*, subject_id: int, score: float, minutes: int, per_capita: float | None = None, board: str = ""):
    """The tie rule as a Python sort key (ascending sort puts first place first)."""
    if board in PER_CAPITA_BOARDS:
        return (per_capita is None, -(per_capita or 0.0), -score, -minutes, subject_id)
    return (-score, -minutes, subject_id)


def score_sql(minutes: str, services: str, outcomes: str, likes: str, w: Weights | None = None) -> tuple[str, list]:
    """The score as an SQL expression over four integer column expressions, with its params.

    Works on PostgreSQL and SQLite alike: DOUBLE PRECISION is float8 on PostgreSQL and has REAL
    affinity on SQLite, so both compute in IEEE doubles like Python does.
    """
    w = w or weights()
    f = "CAST(%s AS DOUBLE PRECISION)"
    sql = (
        f"((({f} * (CAST({minutes} AS DOUBLE PRECISION) / {f}))"
        f" + {f} * CAST({services} AS DOUBLE PRECISION))"
        f" + {f} * CAST({outcomes} AS DOUBLE PRECISION))"
        f" + {f} * CAST({likes} AS DOUBLE PRECISION)"
    )
    return sql, [w.hours, 60.0, w.services, w.outcomes, w.likes]


def order_sql(board: str, *, per_capita: str, score: str, minutes: str, subject: str) -> str:
    """The tie rule as an SQL ORDER BY list (for ROW_NUMBER() OVER (...))."""
    keys = [f"{score} DESC", f"{minutes} DESC", f"{subject} ASC"]
    if board in PER_CAPITA_BOARDS:
        # Per-capita is never negative; no members (NULL) goes last without NULLS LAST syntax.
        keys.insert(0, f"COALESCE({per_capita}, -1.0) DESC")
    return ", ".join(keys)


# --- periods -------------------------------------------------------------------------------


def local_tz() -> ZoneInfo:
    return ZoneInfo(settings.TIME_ZONE)


def _midnight(d: date) -> datetime:
    return datetime.combine(d, time.min, tzinfo=local_tz())


def period(board: str, day: date) -> tuple[datetime, datetime]:
    """``[start, end)`` of the data a board built for ``day`` covers, as aware datetimes."""
    end = _midnight(day + timedelta(days=1))
    if board == Board.STARS:
        return _midnight(day.replace(day=1)), end
    return _midnight(day.replace(month=1, day=1)), end
