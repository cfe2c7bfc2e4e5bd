"""A subject's rank history for the chart, who may read it, and the 报到之星 card."""

from __future__ import annotations

import datetime as dt

from core.errors import NotFound, PermissionDenied, ValidationFailed
from grids.models import Member
from rankings import scoring
from rankings.models import Board, BoardEntry
from rankings.selectors.boards import not_on_board_note, own_subjects, subject_names
from rankings.selectors.published import HISTORY_DAYS, NO_MEMBER, PLATFORM_NAME, TOP, PublishedDay

# --- history -------------------------------------------------------------------------------


def default_subject(member: Member | None, board: str) -> int:
    subjects = own_subjects(member, board) if member is not None else {}
    if not subjects:
        raise NotFound(NO_MEMBER if member is None else not_on_board_note(board), code="not_on_board")
    return next(iter(subjects))


def check_history_access(member: Member | None, board: str, subject_id: int, day: PublishedDay, *, staff: bool) -> None:
    """Own subjects and staff: any subject; everyone else: subjects in today's city Top 50 (public)."""
    if staff or (member is not None and subject_id in own_subjects(member, board)):
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
            "score": round(scoring.score(e["points"]), 1),
            "per_capita": round(e["per_capita"], 2) if e["per_capita"] is not None else None,
            "hours": round(e["minutes"] / 60, 1),
        }
        for e in BoardEntry.objects.filter(board=board, subject_id=subject_id, day__gte=start, day__lte=day.day)
        .order_by("day")
        .values("day", "rank", "district_rank", "points", "per_capita", "minutes")
    ]
    name, detail = subject_names(board, [subject_id]).get(subject_id, ("", ""))
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
