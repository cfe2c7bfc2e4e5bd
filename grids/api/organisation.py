"""The organisation (read by every signed-in user): districts, streets, communities, grids, units."""

from django.db.models import Q
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema, extend_schema_view
from rest_framework import viewsets
from rest_framework.decorators import action

from core.errors import PermissionDenied
from core.schema import errors
from grids import filters
from grids.geo import location_to_wgs84
from grids.permissions import HoldsPostOrLeadsUnit
from grids.selectors.organisation import (
    communities_near,
    communities_with_need,
    organisation_districts,
    organisation_grids,
    organisation_streets,
    organisation_units,
)
from grids.selectors.scope import members_for, scope_for, unit_members
from grids.selectors.units import UNIT_DENIED
from grids.serializers.organisation import (
    CommunitiesNearQuery,
    CommunityOut,
    DistrictOut,
    GridOut,
    StreetOut,
    UnitOut,
)
from grids.serializers.people import MemberOut


@extend_schema_view(
    list=extend_schema(summary="区/县(市)列表", tags=["组织"]),
    retrieve=extend_schema(summary="区/县(市)详情", tags=["组织"]),
)
class DistrictViewSet(viewsets.ReadOnlyModelViewSet):
    serializer_class = DistrictOut

    def get_queryset(self):
        return organisation_districts()


@extend_schema_view(
    list=extend_schema(summary="街道/镇列表", tags=["组织"]),
    retrieve=extend_schema(summary="街道/镇详情", tags=["组织"]),
)
class StreetViewSet(viewsets.ReadOnlyModelViewSet):
    serializer_class = StreetOut
    filterset_class = filters.StreetFilter

    def get_queryset(self):
        return organisation_streets()


@extend_schema_view(
    list=extend_schema(
        summary="社区列表（可按位置由近及远）",
        description="给出 `near=纬度,经度` 时只列出附近社区，由近及远，带 `distance_m`。"
        "`coord_system` 为 `wgs84`（浏览器）或 `gcj02`（微信 wx.getLocation）。",
        tags=["组织"],
        parameters=[
            OpenApiParameter("near", OpenApiTypes.STR, description="纬度,经度，例如 24.80,113.59"),
            OpenApiParameter("coord_system", OpenApiTypes.STR, enum=["wgs84", "gcj02"]),
            OpenApiParameter("radius_m", OpenApiTypes.INT, description="搜索半径（米），默认报到范围"),
        ],
    ),
    retrieve=extend_schema(summary="社区详情", tags=["组织"]),
)
class CommunityViewSet(viewsets.ReadOnlyModelViewSet):
    serializer_class = CommunityOut
    filterset_class = filters.CommunityFilter

    def get_queryset(self):
        return communities_with_need()

    def list(self, request, *args, **kwargs):
        if "near" not in request.query_params:
            return super().list(request, *args, **kwargs)
        query = CommunitiesNearQuery(data=request.query_params)
        query.is_valid(raise_exception=True)
        lat, lng = query.validated_data["near"]
        lat, lng = location_to_wgs84(lat=lat, lng=lng, coord_system=query.validated_data["coord_system"], field="near")
        rows = communities_near(
            lat,
            lng,
            radius_m=query.validated_data.get("radius_m"),
            limit=500,
            queryset=self.filter_queryset(self.get_queryset()),
        )
        page = self.paginate_queryset(rows)
        return self.get_paginated_response(self.get_serializer(page, many=True).data)


@extend_schema_view(
    list=extend_schema(summary="网格列表", tags=["组织"]),
    retrieve=extend_schema(summary="网格详情", tags=["组织"]),
)
class GridViewSet(viewsets.ReadOnlyModelViewSet):
    serializer_class = GridOut
    filterset_class = filters.GridFilter

    def get_queryset(self):
        return organisation_grids()

    @extend_schema(
        summary="网格内的党员（含其楼栋）",
        description="仅限管辖该网格的工作人员。",
        responses={200: MemberOut(many=True), **errors({403: "不是管辖该网格的工作人员"})},
        tags=["组织"],
    )
    @action(detail=True, methods=["get"], filterset_class=None)
    def members(self, request, pk=None):
        grid = self.get_object()
        if not scope_for(request.user).covers_grid(grid):
            raise PermissionDenied("您无权查看该网格的党员。")
        rows = members_for(request.user).filter(Q(grid=grid) | Q(grid__parent=grid))
        page = self.paginate_queryset(rows)
        return self.get_paginated_response(MemberOut(page, many=True, context=self.get_serializer_context()).data)


@extend_schema_view(
    list=extend_schema(summary="单位列表", tags=["组织"]),
    retrieve=extend_schema(summary="单位详情", tags=["组织"]),
)
class UnitViewSet(viewsets.ReadOnlyModelViewSet):
    serializer_class = UnitOut
    filterset_class = filters.UnitFilter

    def get_queryset(self):
        return organisation_units()

    @extend_schema(
        summary="单位的党员（单位党组织：本单位全部党员；社区、街道和组织部门：本人管辖范围内的）",
        responses={200: MemberOut(many=True), **errors({403: UNIT_DENIED})},
        tags=["组织"],
    )
    @action(detail=True, methods=["get"], filterset_class=None, permission_classes=[HoldsPostOrLeadsUnit])
    def members(self, request, pk=None):
        unit = self.get_object()
        scope = scope_for(request.user)
        # The unit's own party organisation sees all its members, wherever they serve; tree
        # posts see those registered in their subtree.
        if scope.covers_unit(unit):
            rows = unit_members(unit)
        elif scope.is_empty:  # only unit posts, and not this unit's
            raise PermissionDenied(UNIT_DENIED)
        else:
            rows = members_for(request.user).filter(unit=unit)
        page = self.paginate_queryset(rows)
        return self.get_paginated_response(MemberOut(page, many=True, context=self.get_serializer_context()).data)
