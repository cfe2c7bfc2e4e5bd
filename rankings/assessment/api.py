"""The assessment API: lists of sheets for a level and a period, and one node's or unit's sheet.

Views parse the query and call ``access`` (which refuses with the Chinese errors) and
``selectors`` (one SQL statement per list).
"""

from __future__ import annotations

from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework.generics import GenericAPIView
from rest_framework.response import Response

from core.errors import ValidationFailed
from core.schema import errors
from rankings.assessment import access, selectors
from rankings.assessment.periods import parse_period
from rankings.assessment.serializers import SheetOut

TAGS = ["考核"]
PERIOD = OpenApiParameter(
    "period", OpenApiTypes.STR, description="考核期间：年度如 2026，季度如 2026Q1（北京时间）；默认今年"
)
PARENT_LEVEL = {"street": "district", "community": "street", "unit": "district"}
REFUSALS = {
    403: "不是社区及以上组织部门工作人员（assessment_staff_only），单位考核仅限区/县(市)和市级（units_outside_scope），"
    "或对象超出管辖（outside_scope）",
    404: "没有这个区/县(市)、街道/镇、社区或单位（unknown_node）",
}


class SheetListView(GenericAPIView):
    serializer_class = SheetOut
    filter_backends = []  # the rows are a selector's list, filtered by the query it parses

    @extend_schema(
        operation_id="assessments_list",
        summary="考核表列表（区/县(市)、街道/镇、社区或单位）",
        description=(
            "按季度或年度列出管辖范围内的考核表，按名次排列：党员数、报到数、时长与报到达标人数、服务时长、"
            "服务次数、成效、点赞、星级分布和在全市同类对象中的名次。parent 为上级编号：街道/镇和单位的上级是"
            "区/县(市)，社区的上级是街道/镇。单位考核仅向区/县(市)和市级组织部门开放。"
        ),
        parameters=[
            OpenApiParameter(
                "level",
                OpenApiTypes.STR,
                enum=list(access.LEVELS),
                description="考核对象类型；默认本人管辖的最高一级（市级为各区/县(市)）",
            ),
            OpenApiParameter("parent", OpenApiTypes.INT, description="上级编号（只看其下一级）"),
            PERIOD,
        ],
        responses={200: SheetOut(many=True), **errors(REFUSALS)},
        tags=TAGS,
    )
    def get(self, request):
        user, q = request.user, request.query_params
        period = parse_period(q.get("period"))
        parent = access.parse_id(q.get("parent"), "parent")
        level = (q.get("level") or "").strip()
        if not level:
            home = access.home_node(user)
            level = "district" if home.level == "city" else home.level
        access.check_level(level)
        if level == "unit":
            access.unit_for_list(user)
        if parent is not None:
            if level == "district":
                raise ValidationFailed("区/县(市)没有上级，请不要传 parent。", code="bad_parent", field="parent")
            access.node_for(user, PARENT_LEVEL[level], parent)
        if level == "unit":
            rows = selectors.unit_sheets(user, period, district_id=parent)
        else:
            rows = selectors.node_sheets(user, level, period, parent=parent)
        page = self.paginate_queryset(rows)
        return self.get_paginated_response(SheetOut(page, many=True).data)


class SheetView(GenericAPIView):
    """One sheet; the route names the level (``as_view(level=...)``) and the object."""

    serializer_class = SheetOut
    pagination_class = None
    level = "community"

    @extend_schema(
        summary="一个区/县(市)、街道/镇、社区或单位的考核表",
        parameters=[PERIOD],
        responses={200: SheetOut, **errors(REFUSALS)},
        tags=TAGS,
    )
    def get(self, request, **kwargs):
        (pk,) = kwargs.values()
        level = self.level
        period = parse_period(request.query_params.get("period"))
        if level == "unit":
            sheet = selectors.unit_sheet(access.unit_for(request.user, pk), period)
        else:
            access.node_for(request.user, level, pk)
            sheet = selectors.node_sheet(level, pk, period)
        return Response(SheetOut(sheet).data)


class CitySheetView(GenericAPIView):
    serializer_class = SheetOut
    pagination_class = None

    @extend_schema(
        operation_id="assessments_city",
        summary="全市考核汇总（各区/县(市)合计，市级组织部门）",
        parameters=[PERIOD],
        responses={200: SheetOut, **errors(REFUSALS)},
        tags=TAGS,
    )
    def get(self, request):
        node = access.node_for(request.user, "city", None)
        period = parse_period(request.query_params.get("period"))
        rows = selectors.child_sheets(request.user, node, period)
        return Response(SheetOut(selectors.total(rows, node, period)).data)
