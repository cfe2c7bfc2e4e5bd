"""The API's ``me/``: one answer that gathers the account, grids and the inbox; ``me/quota/``
(the year against the rules, with its stars) and ``me/stars/``."""

from datetime import date

from django.conf import settings
from django.utils import timezone
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework.response import Response
from rest_framework.views import APIView

from core.errors import NotFound, ValidationFailed
from core.schema import errors
from grids.selectors.people import member_of, posts_of
from grids.selectors.registration import active_registration
from notifications.selectors import unread_count
from portal.serializers import MeOut, MeQuotaOut, MeStarsOut
from rankings.selectors.stars import stars_of
from rankings.stars import rule_text
from reporting.selectors import QUARTERS, quota_year
from reporting.worktime import quarter_of


class MeView(APIView):
    @extend_schema(
        summary="当前用户：资料、党员资料、职务、进行中的报到、未读消息数和小程序订阅消息模板",
        responses=MeOut,
        tags=["我的"],
    )
    def get(self, request):
        user = request.user
        member = member_of(user)
        body = {
            "user": user,
            "member": member,
            "posts": list(posts_of(user)),
            "active_registration": active_registration(member) if member else None,
            "unread_count": unread_count(user),
            # The mini program asks consent for these before a request is placed: a subscribe
            # message needs the user's one-off consent per template, and the ids are the server's.
            "subscribe_template_ids": [t for t in [settings.WECHAT_SUBSCRIBE_TEMPLATE_ID] if t],
        }
        return Response(MeOut(body, context={"request": request}).data)


def _year(request) -> int:
    raw = request.query_params.get("year")
    if raw is None:
        return timezone.localdate().year
    try:
        year = int(raw)
    except ValueError:
        year = 0
    if not 2000 <= year <= 2100:
        raise ValidationFailed("年度应为 2000–2100 之间的整数。", field="year")
    return year


def _member(request):
    member = member_of(request.user)
    if member is None:
        raise NotFound("您还不是志愿者，没有年度服务要求和星级。", code="not_a_member")
    return member


def quota_body(member, year: int, today: date) -> dict:
    """``me/quota/``'s body: the year against the rules (reporting) and its stars (rankings)."""
    q = quota_year(member, year, today=today)
    over = {c for c in QUARTERS if f"{year}{c}" < quarter_of(today)}
    return {
        "year": year,
        "quota_hours": q.quota_hours,
        "confirmed_hours": q.confirmed_hours,
        "counted_hours": q.counted_hours,
        "pending_hours": round(q.pending_minutes / 60, 1),
        "remaining_hours": q.remaining_hours,
        "percent": q.percent,
        "expected_hours": q.expected_hours,
        "hours_on_pace": q.hours_on_pace,
        "quarters": [
            {"quarter": c, "visited": q.visits[c], "over": c in over, "current": c == q.current_quarter}
            for c in QUARTERS
        ],
        "quarters_behind": q.quarters_behind,
        "visits_on_pace": q.visits_on_pace,
        "on_pace": q.on_pace,
        "stars": stars_of(member, year),
    }


YEAR_PARAM = OpenApiParameter("year", int, description="年度（默认今年，Asia/Shanghai）")
# Both answer 404 to a caller who is not a volunteer (no member profile).
NOT_A_MEMBER_404 = errors({404: "还不是志愿者，没有年度服务要求和星级（not_a_member）"})


class MeQuotaView(APIView):
    @extend_schema(
        summary="我的年度履职：工作时间以外服务时长（年满 20 小时）、每季度报到、进度和星级",
        parameters=[YEAR_PARAM],
        responses={200: MeQuotaOut, **NOT_A_MEMBER_404},
        tags=["我的"],
    )
    def get(self, request):
        member = _member(request)
        body = quota_body(member, _year(request), timezone.localdate())
        return Response(MeQuotaOut(body).data)


class MeStarsView(APIView):
    @extend_schema(
        summary="我的星级（评星定级，每晚更新）和下一星还需",
        parameters=[YEAR_PARAM],
        responses={200: MeStarsOut, **NOT_A_MEMBER_404},
        tags=["我的"],
    )
    def get(self, request):
        member = _member(request)
        body = {"stars": stars_of(member, _year(request)), "rules": rule_text()}
        return Response(MeStarsOut(body).data)
