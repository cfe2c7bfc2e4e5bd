"""The leaderboard pages (排行榜): five board tabs with a district filter and "my rank" pinned at the
bottom, a rank history chart, and the shareable 报到之星 card. Thin: the selectors resolve the
day, read the boards and raise the Chinese messages shown here.
"""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.shortcuts import render
from django.views.decorators.http import require_GET

from core.errors import DomainError
from grids.selectors.people import member_of
from grids.selectors.scope import scope_for
from rankings.models import Board
from rankings.selectors import boards as board_reads
from rankings.selectors import history as history_reads
from rankings.selectors import published
from rankings.services import board_first_build_queue

DEFAULT_BOARD = Board.MEMBERS


def _tabs(board: str, district: dict | None) -> list[dict]:
    suffix = f"&district={district['id']}" if district else ""
    return [
        {"board": b.value, "label": b.label, "url": f"?board={b.value}{suffix}", "active": b == board} for b in Board
    ]


def _published_or_first_build(context: dict) -> published.PublishedDay | None:
    """The latest board day; with none built yet, queue the first build (once, whoever asks)
    and tell the page it is being prepared. Run in-process (no broker) the build is done on
    return, so the day is read again."""
    day = published.published_day()
    if day is None and board_first_build_queue():
        context["preparing"] = True
        published.forget_published_days()  # the empty list just cached, and a build may have run
        day = published.published_day()
    return day


def _error(request, template: str, exc: DomainError, context: dict):
    context.update(error=exc.message)
    return render(request, template, context, status=exc.status)


@login_required
@require_GET
def boards(request):
    """全市单位Top50 · 全市党员Top50 · 全市社区Top50 · 先锋队Top50 · 本月报到之星."""
    context = {"tab": "home", "districts": [], "board": DEFAULT_BOARD, "tabs": _tabs(DEFAULT_BOARD, None)}
    try:
        board = published.board_of(request.GET.get("board") or DEFAULT_BOARD)
        context.update(board=board, tabs=_tabs(board, None), districts=published.districts())
        district = published.district_of(request.GET.get("district"))
        requested = published.parse_date(request.GET.get("date"))
        day = published.published_day(requested) if requested else _published_or_first_build(context)
    except DomainError as exc:
        return _error(request, "rankings/board.html", exc, context)
    district_id = district["id"] if district else None
    member = member_of(request.user)
    context.update(
        tabs=_tabs(board, district),
        district=district,
        day=day,
        tie_rule=published.TIE_RULE,
        score_rule=published.score_rule(),
        update_note=published.UPDATE_NOTE,
        per_capita=published.ranked_by_per_capita(board),
        member=member,
    )
    if day is not None:
        context.update(
            period=published.period_label(board, day.day),
            rows=board_reads.board_top(board, day, district_id=district_id),
            mine=board_reads.my_entries(member, board, day, district_id=district_id) if member else [],
            not_on_board=board_reads.not_on_board_note(board),
        )
    return render(request, "rankings/board.html", context)


@login_required
@require_GET
def board_history(request, board: str):
    """A subject's rank and score over the last 30 or 90 board days, charted with ECharts."""
    context = {"tab": "home", "board": None, "days_options": published.HISTORY_DAYS}
    try:
        board = published.board_of(board)
        context["board"] = board
        days = history_reads.parse_days(request.GET.get("days"))
        context["days"] = days
        member = member_of(request.user)
        subject = history_reads.parse_subject(request.GET.get("subject"))
        if subject is None:
            subject = history_reads.default_subject(member, board)
        day = _published_or_first_build(context)
        if day is not None:
            history_reads.check_history_access(member, board, subject, day, staff=not scope_for(request.user).is_empty)
    except DomainError as exc:
        return _error(request, "rankings/board_history.html", exc, context)
    context.update(day=day, subject=subject, per_capita=published.ranked_by_per_capita(board))
    if day is not None:
        context["history"] = history_reads.history(board, subject, day, days)
    return render(request, "rankings/board_history.html", context)


@login_required
@require_GET
def star_card(request):
    """A 报到之星 card drawn on a canvas in the page, saved as a PNG by the member."""
    context = {"tab": "home"}
    try:
        member_id = history_reads.parse_subject(request.GET.get("member"))
        day = _published_or_first_build(context)
        if day is None:
            context["error"] = (
                "榜单正在准备中，几分钟后刷新即可查看报到之星卡片。"
                if context.get("preparing")
                else "榜单将在每日凌晨生成，生成后即可查看报到之星卡片。"
            )
            return render(request, "rankings/star_card.html", context)
        context["card"] = history_reads.star_card(member_of(request.user), day, member_id=member_id)
    except DomainError as exc:
        return _error(request, "rankings/star_card.html", exc, context)
    return render(request, "rankings/star_card.html", context)
