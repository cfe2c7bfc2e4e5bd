"""The cockpit's API: one read, the figures the page draws."""

from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework.response import Response
from rest_framework.views import APIView

from core.schema import errors
from rankings.cockpit import selectors
from rankings.cockpit.serializers import CockpitOut


class CockpitView(APIView):
    @extend_schema(
        summary="数据驾驶舱",
        description=(
            "街道、区/县(市)和市级组织部门工作人员查看管辖范围内的汇总数据：开展活动、参与人次、服务时长、"
            "解决群众问题、报到党员，近 26 周趋势，下一级分布，八大职责分布，点单响应时长，履职达标情况，"
            "社区活跃度地图。数据每日凌晨生成，返回所选日期当天或之前最近一次生成的数据。"
        ),
        parameters=[
            OpenApiParameter(
                "scope",
                OpenApiTypes.STR,
                description="查看范围：city、district:<编号> 或 street:<编号>；默认本人管辖的最大范围",
            ),
            OpenApiParameter("date", OpenApiTypes.DATE, description="数据日期（YYYY-MM-DD），默认今天；不能是未来日期"),
        ],
        responses={
            200: CockpitOut,
            **errors(
                {
                    403: "不是街道及以上组织部门工作人员（cockpit_staff_only），或范围超出管辖（outside_scope）",
                    404: "没有这个区/县(市)或街道/镇，或所选日期早于最早的数据（before_first_day）",
                }
            ),
        },
        tags=["数据驾驶舱"],
    )
    def get(self, request):
        scope = selectors.cockpit_scope_for(request.user, request.query_params.get("scope"))
        day = selectors.parse_day(request.query_params.get("date"))
        figures = selectors.cockpit_figures(scope, day=day)
        return Response(
            {
                "scope": scope.key,
                "day": figures.day.isoformat(),
                "built_at": figures.built_at.isoformat() if figures.built_at else None,
                "live": figures.live,
                "figures": figures.data,
            }
        )
