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
likes 1; each can be overridden by an environment variable). Each weight is a whole number,
at least 1, of score per hour, per service, per outcome or per like (``weights()`` refuses
anything else, and so does the system check ``rankings.E001`` at start-up).

Exact arithmetic. A score is kept as an integer, **points**, in sixtieths of a point::

    points = w_hours × minutes + 60 × (w_services × services + w_outcomes × outcomes + w_likes × likes)

so a minute is worth ``w_hours`` points and score = points / 60. Two subjects with the same
score have the same points whatever their components (4,265 minutes and 28 services score
exactly what 3,785 minutes and 32 services do), and the tie rule below then really applies;
floating point would leave the two a last digit apart. ``BoardEntry.points`` stores them; the
score shown (and the API's ``score``) is points / 60.

Per-capita (points ÷ headcount) is compared exactly too, by the integer pair
``per_capita_key()``: the whole quotient, then the remainder scaled by ``PER_CAPITA_SCALE``
(10¹²) and divided again. Two different fractions a/b and c/d differ by at least 1/(b·d), so
with every headcount at most 10⁶ (the whole city has 60,000 members) the scaled remainders
differ whenever the fractions do, and equal fractions (3/2 and 6/4) give equal pairs. The pair
is plain BIGINT arithmetic (remainder × 10¹² < 10¹⁸), the same on PostgreSQL and SQLite and in
Python. ``BoardEntry.per_capita`` stores the per-capita score for display only:
points / (60 × headcount) as a float, never compared.

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
subject's id, lower first. Ranks are therefore unique: 1, 2, 3 … with no shared places. The
rebuild's SQL (``points_sql()``, ``per_capita_key_sql()``, ``order_sql()``) and the Python
``sort_key()`` compute the same integers, so both give the same order.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from django.conf import settings
from django.core.exceptions import ImproperlyConfigured

from rankings.models import POINTS_PER_SCORE, Board

DEFAULT_WEIGHTS = {"hours": 1, "services": 2, "outcomes": 5, "likes": 1}
WEIGHT_VARIABLES = {
    "hours": "RANKING_WEIGHT_HOURS",
    "services": "RANKING_WEIGHT_SERVICES",
    "outcomes": "RANKING_WEIGHT_OUTCOMES",
    "likes": "RANKING_WEIGHT_LIKES",
}

# Boards ranked by per-capita score first (they have a headcount).
PER_CAPITA_BOARDS = frozenset({Board.UNITS, Board.TEAMS, Board.COMMUNITIES})

# The remainder of points ÷ headcount is compared in units of 1/PER_CAPITA_SCALE: exact while
# every headcount is at most its square root, 10⁶ (see the module docstring).
PER_CAPITA_SCALE = 10**12

TIE_RULE = "排名规则：先比人均分（单位、社区、先锋队榜），再比总分，再比服务时长，仍相同时编号小者在前。"

SCORE_RULE = (
    "总分 = 服务时长（小时）× {hours} + 服务次数 × {services} + 成效（办结件数）× {outcomes} + 群众点赞 × {likes}；"
    "只计已确认的服务时长。"
)


@dataclass(frozen=True)
class Weights:
    """Whole score per hour, per service, per outcome and per like."""

    hours: int
    services: int
    outcomes: int
    likes: int


_WEIGHT_LABELS = {"hours": "每小时服务时长", "services": "每次服务", "outcomes": "每件成效", "likes": "每个点赞"}


def weight(name: str, value) -> int:
    """A configured weight as a positive integer, or ImproperlyConfigured naming its variable."""
    text = value.strip() if isinstance(value, str) else value
    if isinstance(text, str) and text.isascii() and text.isdigit():
        text = int(text)
    if isinstance(text, bool) or not isinstance(text, int) or text < 1:
        raise ImproperlyConfigured(
            f"{WEIGHT_VARIABLES[name]}（排行榜{_WEIGHT_LABELS[name]}权重）须为正整数，当前为 {value!r}。"
        )
    return text


def configured_weights() -> dict:
    """``settings.RANKING_WEIGHTS`` as configured (missing keys take the defaults), unchecked."""
    return {**DEFAULT_WEIGHTS, **getattr(settings, "RANKING_WEIGHTS", {})}


def weights() -> Weights:
    """The weights in force, from ``settings.RANKING_WEIGHTS`` (missing keys take the defaults).

    Raises ``ImproperlyConfigured`` for a weight that is not a whole number of at least 1.
    """
    configured = configured_weights()
    return Weights(**{k: weight(k, configured[k]) for k in DEFAULT_WEIGHTS})


def score_rule_text(w: Weights | None = None) -> str:
    """The formula in words, for board pages."""
    w = w or weights()
    return SCORE_RULE.format(hours=w.hours, services=w.services, outcomes=w.outcomes, likes=w.likes)


# --- points, per-capita and the tie rule, in Python ----------------------------------------


def points(minutes: int, services: int, outcomes: int, likes: int, w: Weights | None = None) -> int:
    """The score of one subject in sixtieths of a point (see the module docstring)."""
    w = w or weights()
    return w.hours * minutes + POINTS_PER_SCORE * (w.services * services + w.outcomes * outcomes + w.likes * likes)


def score(points: int) -> float:
    """The score shown for ``points``."""
    return points / POINTS_PER_SCORE


def per_capita(points: int, headcount: int | None) -> float | None:
    """The per-capita score shown (and stored) for display; ``per_capita_key`` orders."""
    # One division of two exact integers: correctly rounded, so bit-identical to the SQL's.
    return points / (POINTS_PER_SCORE * headcount) if headcount else None


def per_capita_key(points: int, headcount: int | None) -> tuple[int, int] | None:
    """points ÷ headcount as an exactly comparable integer pair; None without members."""
    if not headcount:
        return None
    whole, rest = divmod(points, headcount)
    return whole, rest * PER_CAPITA_SCALE // headcount


def sort_key(*, subject_id: int, points: int, minutes: int, headcount: int | None = None, board: str = ""):
    """The tie rule as a Python sort key (ascending sort puts first place first)."""
    if board in PER_CAPITA_BOARDS:
        key = per_capita_key(points, headcount)
        first = (1, 0, 0) if key is None else (0, -key[0], -key[1])
        return (*first, -points, -minutes, subject_id)
    return (-points, -minutes, subject_id)


# --- the same in SQL -----------------------------------------------------------------------


def points_sql(minutes: str, services: str, outcomes: str, likes: str, w: Weights | None = None) -> tuple[str, list]:
    """``points()`` as an SQL expression over four integer column expressions, with its params.

    BIGINT arithmetic on PostgreSQL and integer arithmetic on SQLite: exact, like Python's.
    """
    w = w or weights()
    b = "CAST(%s AS BIGINT)"
    sql = f"{b} * {minutes} + {b} * {services} + {b} * {outcomes} + {b} * {likes}"
    per = POINTS_PER_SCORE
    return sql, [w.hours, per * w.services, per * w.outcomes, per * w.likes]


def per_capita_sql(points: str, headcount: str) -> str:
    """``per_capita()`` (the figure shown) in SQL: NULL without members."""
    return (
        f"CASE WHEN {headcount} > 0 THEN CAST({points} AS DOUBLE PRECISION)"
        f" / CAST({POINTS_PER_SCORE} * {headcount} AS DOUBLE PRECISION) END"
    )


def per_capita_key_sql(points: str, headcount: str) -> tuple[str, str]:
    """``per_capita_key()`` in SQL: its two integers, each NULL without members."""
    # Integer division truncates on both databases (never negative here); the remainder is
    # spelled out, as "%" would be taken for a parameter placeholder.
    whole = f"CASE WHEN {headcount} > 0 THEN {points} / {headcount} END"
    rest = (
        f"CASE WHEN {headcount} > 0 THEN ({points} - {points} / {headcount} * {headcount})"
        f" * {PER_CAPITA_SCALE} / {headcount} END"
    )
    return whole, rest


def order_sql(board: str, *, per_capita_key: tuple[str, str], points: str, minutes: str, subject: str) -> str:
    """The tie rule as an SQL ORDER BY list (for ROW_NUMBER() OVER (...)); ``per_capita_key``
    names the two columns of ``per_capita_key_sql()``."""
    keys = [f"{points} DESC", f"{minutes} DESC", f"{subject} ASC"]
    if board in PER_CAPITA_BOARDS:
        whole, rest = per_capita_key
        # Both are never negative; no members (NULL) goes last without NULLS LAST syntax.
        keys[:0] = [f"COALESCE({whole}, -1) DESC", f"COALESCE({rest}, 0) DESC"]
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
