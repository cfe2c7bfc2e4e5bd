"""Reads of the published boards: which day to show, a board's Top 50, a member's own places,
a subject's rank history and the 报到之星 card.

Every read starts from one ``PublishedDay`` (resolved once per request and passed on), so a page
never mixes two board days. Top-50 payloads are cached keyed by (day, board, district): a new
build publishes a new day and so new keys, and nothing needs invalidating. The cache is an
optimisation only — any cache failure is logged and the database answers instead.
"""

from __future__ import annotations

import bisect
import datetime as dt
import logging
from dataclasses import dataclass

from django.core.cache import cache
from django.db.models import Q
from django.utils import timezone

from grids.models import Community, District, Member, TeamMembership, Unit, VanguardTeam
from rankings.models import Board, BoardDay, BoardEntry
from shaoguan.errors import NotFound, PermissionDenied, ValidationFailed

logger = logging.getLogger(__name__)

TOP = 50
PER_CAPITA_BOARDS = frozenset({Board.UNITS, Board.COMMUNITIES, Board.TEAMS})
TIE_RULE = "排名规则：按人均分（单位、社区、先锋队）或总分（党员、报到之星）从高到低；同分时依次比较人均分、总分、服务时长，仍相同的按编号从小到大。"
UPDATE_NOTE = "每日凌晨更新"
PLATFORM_NAME = "韶关社区吹哨报到平台"
HISTORY_DAYS = (30, 90)

DAYS_KEY = "rankings:board-days"
DISTRICTS_KEY = "rankings:districts"
DAYS_TTL = 60  # a fresh build shows within a minute; readers never see a half-built day either way
DISTRICTS_TTL = 600
TOP_TTL = 6 * 3600  # the day is in the key, so a new build never reads an old payload

NO_MEMBER = "您还不是报到党员，登记为党员/志愿者后即可查看自己的排名。"


# --- cache that may fail -------------------------------------------------------------------


def _cache_get(key: str):
    try:
        return cache.get(key)
    except Exception as exc:  # Redis down or misconfigured: the database answers instead
        logger.warning("board cache read failed for %s: %s", key, exc)
        return None


def _cache_set(key: str, value, timeout: int) -> None:
    try:
        cache.set(key, value, timeout)
    except Exception as exc:
        logger.warning("board cache write failed for %s: %s", key, exc)


# --- the day, the board, the district ------------------------------------------------------


@dataclass(frozen=True)
class PublishedDay:
    day: dt.date
    previous: dt.date | None  # the board day before, from which movement is measured

    @property
    def label(self) -> str:
        return f"{self.day.year}年{self.day.month}月{self.day.day}日"


def _board_days() -> list[dt.date]:
    cached = _cache_get(DAYS_KEY)
    if cached is not None:
        return [dt.date.fromisoformat(d) for d in cached]
    days = list(BoardDay.objects.order_by("day").values_list("day", flat=True))
    _cache_set(DAYS_KEY, [d.isoformat() for d in days], DAYS_TTL)
    return days


def forget_published_days() -> None:
    """Make a just-committed board day visible at once instead of within ``DAYS_TTL``."""
    try:
        cache.delete(DAYS_KEY)
    except Exception as exc:
        logger.warning("board cache delete failed for %s: %s", DAYS_KEY, exc)


def parse_date(value: str | None) -> dt.date | None:
    if not value:
        return None
    try:
        return dt.date.fromisoformat(value)
    except ValueError:
        raise ValidationFailed("日期格式应为 YYYY-MM-DD，例如 2026-11-24。", code="invalid_date", field="date")


def published_day(requested: dt.date | None = None, *, today: dt.date | None = None) -> PublishedDay | None:
    """The latest built day on or before ``requested`` (default: today); None when nothing is built yet."""
    today = today or timezone.localdate()
    if requested is not None and requested > today:
        raise ValidationFailed("不能查询未来日期的榜单。", code="future_date", field="date")
    days = _board_days()
    if not days:
        return None
    wanted = requested or today
    i = bisect.bisect_right(days, wanted)
    if i == 0:
        raise NotFound("该日期尚无榜单，最早的榜单是" + f"{days[0]:%Y年%m月%d日}。", code="no_board_for_date")
    return PublishedDay(day=days[i - 1], previous=days[i - 2] if i >= 2 else None)


def board_of(value: str) -> Board:
    try:
        return Board(value)
    except ValueError:
        raise NotFound("没有这个榜单。", code="unknown_board")


def districts() -> list[dict]:
    """The districts for the filter, in code order: ``[{"id", "name"}]``."""
    cached = _cache_get(DISTRICTS_KEY)
    if cached is not None:
        return cached
    rows = [{"id": pk, "name": name} for pk, name in District.objects.order_by("code").values_list("pk", "name")]
    _cache_set(DISTRICTS_KEY, rows, DISTRICTS_TTL)
    return rows


def district_of(value) -> dict | None:
    """The district asked for by ``?district=`` (None for the whole city)."""
    if value in (None, ""):
        return None
    try:
        pk = int(value)
    except (TypeError, ValueError):
        raise ValidationFailed("没有这个区/县(市)。", code="unknown_district", field="district")
    for d in districts():
        if d["id"] == pk:
            return d
    raise NotFound("没有这个区/县(市)。", code="unknown_district")


def period_label(board: str, day: dt.date) -> str:
    start = day.replace(day=1) if board == Board.STARS else day.replace(month=1, day=1)
    return f"{start.year}年{start.month}月{start.day}日至{day.month}月{day.day}日"


def ranked_by_per_capita(board: str) -> bool:
    return board in PER_CAPITA_BOARDS


# --- names ---------------------------------------------------------------------------------


def _names(board: str, ids) -> dict[int, tuple[str, str]]:
    """``{subject_id: (name, detail)}`` for a board's subjects, in one query."""
    ids = list(ids)
    if not ids:
        return {}
    if board in (Board.MEMBERS, Board.STARS):
        rows = Member.objects.filter(pk__in=ids).select_related("user", "unit", "community")
        return {m.pk: (m.user.name, _member_detail(m)) for m in rows}
    if board == Board.UNITS:
        return {u.pk: (u.name, _district_name(u.district_id)) for u in Unit.objects.filter(pk__in=ids)}
    if board == Board.COMMUNITIES:
        rows = Community.objects.filter(pk__in=ids).select_related("street")
        return {c.pk: (c.name, c.street.name) for c in rows}
    rows = VanguardTeam.objects.filter(pk__in=ids).select_related("grid__community")
    return {t.pk: (t.name, t.grid.community.name) for t in rows}


def _district_name(district_id: int | None) -> str:
    if district_id is None:
        return "市直单位"
    return next((d["name"] for d in districts() if d["id"] == district_id), "")


def _member_detail(member: Member) -> str:
    if member.unit_id:
        return member.unit.name
    return member.community.name if member.community_id else ""


# --- rows ----------------------------------------------------------------------------------


def _movement(rank: int, previous: int | None, day: PublishedDay) -> dict:
    if day.previous is None:
        return {"kind": "none", "change": 0, "label": ""}
    if previous is None:
        return {"kind": "new", "change": 0, "label": "新上榜"}
    if previous > rank:
        return {"kind": "up", "change": previous - rank, "label": f"↑{previous - rank}"}
    if previous < rank:
        return {"kind": "down", "change": rank - previous, "label": f"↓{rank - previous}"}
    return {"kind": "same", "change": 0, "label": "—"}


def _row(e: BoardEntry, day: PublishedDay, names: dict, *, in_district: bool) -> dict:
    rank, previous = (e.district_rank, e.previous_district_rank) if in_district else (e.rank, e.previous_rank)
    name, detail = names.get(e.subject_id, ("（已注销）", ""))
    return {
        "rank": rank,
        "city_rank": e.rank,
        "district_rank": e.district_rank,
        "subject_id": e.subject_id,
        "district_id": e.district_id,
        "name": name,
        "detail": detail,
        "score": round(e.score, 1),
        "per_capita": round(e.per_capita, 2) if e.per_capita is not None else None,
        "headcount": e.headcount,
        "hours": round(e.minutes / 60, 1),
        "minutes": e.minutes,
        "services": e.services,
        "outcomes": e.outcomes,
        "likes": e.likes,
        "movement": _movement(rank, previous, day),
    }


def board_top(board: str, day: PublishedDay, *, district_id: int | None = None) -> list[dict]:
    """The Top 50 of a board, city-wide or within a district, with names: two queries, or none when cached."""
    key = f"rankings:top:{day.day.isoformat()}:{day.previous}:{board}:{district_id or 'city'}"
    rows = _cache_get(key)
    if rows is not None:
        return rows
    qs = BoardEntry.objects.filter(day=day.day, board=board)
    if district_id:
        qs = qs.filter(district_id=district_id, district_rank__lte=TOP).order_by("district_rank")
    else:
        qs = qs.filter(rank__lte=TOP).order_by("rank")
    entries = list(qs)
    names = _names(board, (e.subject_id for e in entries))
    rows = [_row(e, day, names, in_district=bool(district_id)) for e in entries]
    _cache_set(key, rows, TOP_TTL)
    return rows


# --- a member's own places -----------------------------------------------------------------


def _own_subjects(member: Member, board: str) -> dict[int, tuple[str, str]]:
    """The subjects standing for ``member`` on ``board``, with their names (a query for teams only)."""
    if board in (Board.MEMBERS, Board.STARS):
        return {member.pk: (member.user.name, _member_detail(member))}
    if board == Board.UNITS:
        if not member.unit_id:
            return {}
        return {member.unit_id: (member.unit.name, _district_name(member.unit.district_id))}
    if board == Board.COMMUNITIES:
        return (
            {member.community_id: (member.community.name, member.community.street.name)} if member.community_id else {}
        )
    rows = TeamMembership.objects.filter(member=member).select_related("team__grid__community").order_by("team_id")
    return {m.team_id: (m.team.name, m.team.grid.community.name) for m in rows}


def not_on_board_note(board: str) -> str:
    return {
        Board.UNITS: "您没有所在单位，不参加单位榜。",
        Board.COMMUNITIES: "您还没有编入社区，报到后即可参加社区榜。",
        Board.TEAMS: "您还没有加入党群先锋队。",
    }.get(board, "您还没有上榜，参加一次服务即可上榜。")


def my_entries(member: Member, board: str, day: PublishedDay, *, district_id: int | None = None) -> list[dict]:
    """``member``'s place on ``board`` (each of their teams on the teams board), however far down,
    with the gap to the Top 50: one indexed query for the rows and the two #50 rows."""
    subjects = _own_subjects(member, board)
    if not subjects:
        return []
    cut = Q(rank=TOP)
    if district_id:
        cut |= Q(district_id=district_id, district_rank=TOP)
    rows = list(BoardEntry.objects.filter(day=day.day, board=board).filter(Q(subject_id__in=list(subjects)) | cut))
    city_cut = next((e for e in rows if e.rank == TOP), None)
    district_cut = next(
        (e for e in rows if district_id and e.district_id == district_id and e.district_rank == TOP), None
    )
    own = {e.subject_id: e for e in rows if e.subject_id in subjects}
    result = []
    for subject_id, (name, detail) in subjects.items():
        e = own.get(subject_id)
        in_district = bool(district_id and e is not None and e.district_id == district_id)
        cut_row = district_cut if in_district else city_cut
        if e is None:
            result.append(_unranked(board, subject_id, name, detail, cut_row))
            continue
        row = _row(e, day, {subject_id: (name, detail)}, in_district=in_district)
        row["rank_display"] = f"{row['rank']:,}"  # 59,000 reads better than 59000 on a phone
        row["scope"] = "district" if in_district else "city"
        row["in_top"] = row["rank"] <= TOP
        row["gap"] = None if row["in_top"] else _gap(board, e, cut_row)
        result.append(row)
    return result


def _value(board: str, e: BoardEntry) -> float:
    return (e.per_capita or 0.0) if ranked_by_per_capita(board) else e.score


def _gap(board: str, own: BoardEntry, cut: BoardEntry | None) -> float | None:
    """Points (or per-member points) still needed to pass #50; at least 0.1, as shown."""
    if cut is None:
        return None
    return max(round(_value(board, cut) - _value(board, own), 1), 0.1)


def _unranked(board: str, subject_id: int, name: str, detail: str, cut: BoardEntry | None) -> dict:
    return {
        "rank": None,
        "city_rank": None,
        "district_rank": None,
        "subject_id": subject_id,
        "district_id": None,
        "name": name,
        "detail": detail,
        "score": 0.0,
        "per_capita": None,
        "headcount": None,
        "hours": 0.0,
        "minutes": 0,
        "services": 0,
        "outcomes": 0,
        "likes": 0,
        "movement": {"kind": "none", "change": 0, "label": ""},
        "scope": "city",
        "in_top": False,
        "gap": max(round(_value(board, cut), 1), 0.1) if cut is not None else None,
    }


# --- history -------------------------------------------------------------------------------


def default_subject(member: Member | None, board: str) -> int:
    subjects = _own_subjects(member, board) if member is not None else {}
    if not subjects:
        raise NotFound(NO_MEMBER if member is None else not_on_board_note(board), code="not_on_board")
    return next(iter(subjects))


def check_history_access(member: Member | None, board: str, subject_id: int, day: PublishedDay, *, staff: bool) -> None:
    """Own subjects and staff: any subject; everyone else: subjects in today's city Top 50 (public)."""
    if staff or (member is not None and subject_id in _own_subjects(member, board)):
        return
    if BoardEntry.objects.filter(day=day.day, board=board, subject_id=subject_id, rank__lte=TOP).exists():
        return
    raise PermissionDenied("只能查看本人的排名走势，或榜单前 50 名的走势。", code="history_forbidden")


def parse_subject(value) -> int | None:
    if value in (None, ""):
        return None
    try:
        subject = int(value)
    except (TypeError, ValueError):
        subject = 0
    if not 0 < subject < 2**63:
        raise ValidationFailed("对象编号无效。", code="invalid_subject", field="subject")
    return subject


def parse_days(value) -> int:
    if value in (None, ""):
        return HISTORY_DAYS[0]
    try:
        days = int(value)
    except (TypeError, ValueError):
        days = 0
    if days not in HISTORY_DAYS:
        raise ValidationFailed("走势天数只能是 30 或 90。", code="invalid_days", field="days")
    return days


def history(board: str, subject_id: int, day: PublishedDay, days: int) -> dict:
    """A subject's rank and score on each board day of the last ``days`` days: two queries."""
    start = day.day - dt.timedelta(days=days - 1)
    points = [
        {
            "day": e["day"].isoformat(),
            "rank": e["rank"],
            "district_rank": e["district_rank"],
            "score": round(e["score"], 1),
            "per_capita": round(e["per_capita"], 2) if e["per_capita"] is not None else None,
            "hours": round(e["minutes"] / 60, 1),
        }
        for e in BoardEntry.objects.filter(board=board, subject_id=subject_id, day__gte=start, day__lte=day.day)
        .order_by("day")
        .values("day", "rank", "district_rank", "score", "per_capita", "minutes")
    ]
    name, detail = _names(board, [subject_id]).get(subject_id, ("", ""))
    return {"subject_id": subject_id, "name": name, "detail": detail, "days": days, "points": points}


# --- 报到之星 card ----------------------------------------------------------------------------


def star_card(member: Member | None, day: PublishedDay, *, member_id: int | None = None) -> dict:
    """What a 报到之星 card shows: the signed-in member's own card, or one of the stars Top 50."""
    target = member_id or (member.pk if member is not None else None)
    if target is None:
        raise NotFound(NO_MEMBER, code="no_member_profile")
    own = member is not None and target == member.pk
    e = BoardEntry.objects.filter(day=day.day, board=Board.STARS, subject_id=target).first()
    if e is None or (not own and e.rank > TOP):
        raise NotFound(
            "本月还没有您的报到之星排名，参加一次服务即可上榜。" if own else "该党员不在本月报到之星前 50 名。",
            code="not_a_star",
        )
    star = member if own else Member.objects.select_related("user", "unit", "community").filter(pk=target).first()
    if star is None:
        raise NotFound("该党员不在本月报到之星前 50 名。", code="not_a_star")
    return {
        "member_id": star.pk,
        "name": star.user.name,
        "unit": star.unit.name if star.unit_id else "",
        "community": star.community.name if star.community_id else "",
        "month": f"{day.day.year}年{day.day.month}月",
        "rank": e.rank,
        "score": round(e.score, 1),
        "hours": round(e.minutes / 60, 1),
        "services": e.services,
        "likes": e.likes,
        "platform": PLATFORM_NAME,
        "day": day.label,
    }
