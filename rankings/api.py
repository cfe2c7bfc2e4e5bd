"""The boards API: the five boards, a board's Top 50, my places on a board and a rank history.

Everything requires sign-in (the boards are public figures inside the platform, not outside it).
Views only parse the query and call the selectors, which raise the Chinese errors.
"""

import json

from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework.response import Response
from rest_framework.utils.encoders import JSONEncoder
from rest_framework.views import APIView

from core.errors import NotFound
from core.schema import errors
from grids.selectors.people import member_of
from grids.selectors.scope import scope_for
from rankings import serializers as s
from rankings.models import Board
from rankings.selectors import boards, history, published
from rankings.services import board_first_build_queue

TAGS = ["排行榜"]
DISTRICT = OpenApiParameter("district", OpenApiTypes.INT, description="区/县(市) ID；不填为全市榜")
DATE = OpenApiParameter(
    "date", OpenApiTypes.DATE, description="查看某日的榜单（取该日或之前最近一次生成的榜单）；不填为最新"
)
BOARD = OpenApiParameter(
    "board", OpenApiTypes.STR, OpenApiParameter.PATH, enum=Board.values, description="榜单：" + "、".join(Board.values)
)


def _day(request):
    requested = published.parse_date(request.query_params.get("date"))
    day = published.published_day(requested)
    if day is None and requested is None and board_first_build_queue():
        # No board yet: the first is queued (once, whoever asks); run in-process it is built now.
        published.forget_published_days()
        day = published.published_day()
    return day


def _ranked_by(board: str) -> str:
    return "per_capita" if published.ranked_by_per_capita(board) else "score"


class BoardListView(APIView):
    @extend_schema(
        operation_id="boards_list",
        summary="五个榜单及数据日期、排名规则",
        parameters=[DATE],
        responses={200: s.BoardListOut, **errors({404: "该日期尚无榜单（no_board_for_date）"})},
        tags=TAGS,
    )
    def get(self, request):
        day = _day(request)
        boards = [
            {
                "board": board.value,
                "name": board.label,
                "period": published.period_label(board, day.day) if day else "",
                "ranked_by": _ranked_by(board),
            }
            for board in Board
        ]
        body = {
            "day": day.day if day else None,
            "update_note": published.UPDATE_NOTE,
            "tie_rule": published.TIE_RULE,
            "score_rule": published.score_rule(),
            "count": len(boards),
            "results": boards,
            "districts": published.districts(),
        }
        return Response(s.BoardListOut(body).data)


class BoardView(APIView):
    @extend_schema(
        operation_id="boards_top",
        summary="榜单前 50 名（全市或某区/县(市)）",
        parameters=[BOARD, DISTRICT, DATE],
        responses=s.BoardOut,
        tags=TAGS,
    )
    def get(self, request, board):
        board = published.board_of(board)
        district = published.district_of(request.query_params.get("district"))
        day = _day(request)
        # The answer is the same for everyone who asks for this board, day and district: it is
        # kept serialised beside the rows, under the same build-stamped key.
        key = boards.top_key(board, day, district and district["id"]) + ":body" if day else None
        data = published.cache_get(key) if key else None
        if data is None:
            data = self._body(board, district, day)
            if key:
                published.cache_set(key, data, published.TOP_TTL)
        return Response(data)

    def _body(self, board, district, day) -> dict:
        rows = boards.board_top(board, day, district_id=district and district["id"]) if day else []
        body = {
            "board": board.value,
            "name": board.label,
            "day": day.day if day else None,
            "period": published.period_label(board, day.day) if day else None,
            "district": district,
            "ranked_by": _ranked_by(board),
            "tie_rule": published.TIE_RULE,
            "count": len(rows),
            "results": rows,
        }
        return json.loads(json.dumps(s.BoardOut(body).data, cls=JSONEncoder))


class MyBoardView(APIView):
    @extend_schema(
        operation_id="boards_me",
        summary="我在榜单上的名次（即使在前 50 名之外）及进入前 50 名的差距",
        description="先锋队榜上，所在的每支先锋队各一条。不是党员/志愿者时返回 404。",
        parameters=[BOARD, DISTRICT, DATE],
        responses=s.MyBoardOut,
        tags=TAGS,
    )
    def get(self, request, board):
        board = published.board_of(board)
        district = published.district_of(request.query_params.get("district"))
        member = member_of(request.user)
        if member is None:
            raise NotFound(published.NO_MEMBER, code="no_member_profile")
        day = _day(request)
        rows = boards.my_entries(member, board, day, district_id=district and district["id"]) if day else []
        note = "" if rows else (boards.not_on_board_note(board) if day else "榜单尚未生成。")
        body = {
            "board": board.value,
            "name": board.label,
            "day": day.day if day else None,
            "district": district,
            "note": note,
            "results": rows,
        }
        return Response(s.MyBoardOut(body).data)


class HistoryView(APIView):
    @extend_schema(
        operation_id="boards_history",
        summary="排名走势（最近 30 或 90 天）",
        description="不填 subject 时为本人（单位榜为本人单位，社区榜为本人社区，先锋队榜为所在的第一支先锋队）。"
        "可查看本人的、当日全市前 50 名的；工作人员可查看任何对象。",
        parameters=[
            BOARD,
            OpenApiParameter("subject", OpenApiTypes.INT, description="党员、单位、社区或先锋队的 ID"),
            OpenApiParameter("days", OpenApiTypes.INT, enum=list(published.HISTORY_DAYS), description="天数，默认 30"),
            DATE,
        ],
        responses=s.HistoryOut,
        tags=TAGS,
    )
    def get(self, request, board):
        board = published.board_of(board)
        days = history.parse_days(request.query_params.get("days"))
        member = member_of(request.user)
        subject = history.parse_subject(request.query_params.get("subject"))
        if subject is None:
            subject = history.default_subject(member, board)
        day = _day(request)
        if day is None:
            body = {"subject_id": subject, "name": "", "detail": "", "days": days, "points": []}
        else:
            staff = not scope_for(request.user).is_empty
            history.check_history_access(member, board, subject, day, staff=staff)
            body = history.history(board, subject, day, days)
        body.update(board=board.value, day=day.day if day else None)
        return Response(s.HistoryOut(body).data)
