"""A board's Top 50 (city-wide or within a district) with names and movement, and a member's own
places on a board however far down, with the gap to the Top 50.

Top-50 payloads are cached keyed by (day, build time, board, district): a new build publishes a
new day, and rebuilding a day gives it a new build time, so either way readers move to new keys
(within ``DAYS_TTL`` at most, at once where the rebuild's commit reaches the cache) and nothing
needs deleting.
"""

from __future__ import annotations

from django.db.models import Q

from grids.models import Community, Member, TeamMembership, Unit, VanguardTeam
from rankings.models import Board, BoardEntry
from rankings.selectors.published import (
    TOP,
    TOP_TTL,
    PublishedDay,
    cache_get,
    cache_set,
    districts,
    ranked_by_per_capita,
)

# --- names ---------------------------------------------------------------------------------


def subject_names(board: str, ids) -> dict[int, tuple[str, str]]:
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


def top_key(board: str, day: PublishedDay, district_id: int | None) -> str:
    """The cache key of a board's Top 50 as built at ``day.built``."""
    return f"rankings:top:{day.day.isoformat()}:{day.previous}:{day.built}:{board}:{district_id or 'city'}"


def board_top(board: str, day: PublishedDay, *, district_id: int | None = None) -> list[dict]:
    """The Top 50 of a board, city-wide or within a district, with names: two queries, or none when cached."""
    key = top_key(board, day, district_id)
    rows = cache_get(key)
    if rows is not None:
        return rows
    qs = BoardEntry.objects.filter(day=day.day, board=board)
    if district_id:
        qs = qs.filter(district_id=district_id, district_rank__lte=TOP).order_by("district_rank")
    else:
        qs = qs.filter(rank__lte=TOP).order_by("rank")
    entries = list(qs)
    names = subject_names(board, (e.subject_id for e in entries))
    rows = [_row(e, day, names, in_district=bool(district_id)) for e in entries]
    cache_set(key, rows, TOP_TTL)
    return rows


# --- a member's own places -----------------------------------------------------------------


def own_subjects(member: Member, board: str) -> dict[int, tuple[str, str]]:
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
    return subject_entries(board, own_subjects(member, board), day, district_id=district_id)


def team_entry(team: VanguardTeam, day: PublishedDay) -> dict:
    """A vanguard team's place on the teams board (city rank, with its district rank beside it),
    however far down, with the gap to the Top 50: one query."""
    subjects = {team.pk: (team.name, team.grid.community.name)}
    return subject_entries(Board.TEAMS, subjects, day)[0]


def subject_entries(
    board: str, subjects: dict[int, tuple[str, str]], day: PublishedDay, *, district_id: int | None = None
) -> list[dict]:
    """These subjects' places on ``board`` (``{id: (name, detail)}``), each with its gap to the
    Top 50, in one query."""
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
