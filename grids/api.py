"""The grids API: the organisation (read), members and 报到 (registration).

Viewsets are thin: ``get_queryset`` calls a selector, each POST action validates its input
with an input serializer and calls exactly one service, and the result is rendered by an
output serializer. Domain errors become ``{"detail", "code", "fields"}`` in
``core.api.exception_handler``.
"""

from django.db.models import Q
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema, extend_schema_view
from rest_framework import mixins, status, viewsets
from rest_framework.decorators import action
from rest_framework.permissions import IsAuthenticated
from rest_framework.response import Response

from core.errors import NotFound, PermissionDenied, ValidationFailed
from grids import filters, selectors, services
from grids import serializers as s
from grids.models import Community, Grid, Member, Unit
from grids.permissions import HoldsPost

NO_PROFILE = "您还没有党员/志愿者资料，请先在“我的资料”中填写。"


def _get_or_400(model, pk: int, field: str, message: str):
    obj = model.objects.filter(pk=pk).first()
    if obj is None:
        raise ValidationFailed(message, code="does_not_exist", field=field)
    return obj


def _own_member(user) -> Member:
    member = selectors.member_of(user)
    if member is None:
        raise NotFound(NO_PROFILE, code="no_member_profile")
    return member


# --- the organisation (public to signed-in users) --------------------------------------------


@extend_schema_view(
    list=extend_schema(summary="区/县(市)列表", tags=["组织"]),
    retrieve=extend_schema(summary="区/县(市)详情", tags=["组织"]),
)
class DistrictViewSet(viewsets.ReadOnlyModelViewSet):
    serializer_class = s.DistrictOut

    def get_queryset(self):
        return selectors.organisation_districts()


@extend_schema_view(
    list=extend_schema(summary="街道/镇列表", tags=["组织"]),
    retrieve=extend_schema(summary="街道/镇详情", tags=["组织"]),
)
class StreetViewSet(viewsets.ReadOnlyModelViewSet):
    serializer_class = s.StreetOut
    filterset_class = filters.StreetFilter

    def get_queryset(self):
        return selectors.organisation_streets()


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
    serializer_class = s.CommunityOut
    filterset_class = filters.CommunityFilter

    def get_queryset(self):
        return selectors.communities_with_need()

    def list(self, request, *args, **kwargs):
        if "near" not in request.query_params:
            return super().list(request, *args, **kwargs)
        query = s.CommunitiesNearQuery(data=request.query_params)
        query.is_valid(raise_exception=True)
        lat, lng = query.validated_data["near"]
        lat, lng = services.location_to_wgs84(
            lat=lat, lng=lng, coord_system=query.validated_data["coord_system"], field="near"
        )
        rows = selectors.communities_near(
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
    serializer_class = s.GridOut
    filterset_class = filters.GridFilter

    def get_queryset(self):
        return selectors.organisation_grids()

    @extend_schema(
        summary="网格内的党员（含其楼栋）",
        description="仅限管辖该网格的工作人员。",
        responses=s.MemberOut(many=True),
        tags=["组织"],
    )
    @action(detail=True, methods=["get"], filterset_class=None)
    def members(self, request, pk=None):
        grid = self.get_object()
        if not selectors.scope_for(request.user).covers_grid(grid):
            raise PermissionDenied("您无权查看该网格的党员。")
        rows = selectors.members_for(request.user).filter(Q(grid=grid) | Q(grid__parent=grid))
        page = self.paginate_queryset(rows)
        return self.get_paginated_response(s.MemberOut(page, many=True, context=self.get_serializer_context()).data)


@extend_schema_view(
    list=extend_schema(summary="单位列表", tags=["组织"]),
    retrieve=extend_schema(summary="单位详情", tags=["组织"]),
)
class UnitViewSet(viewsets.ReadOnlyModelViewSet):
    serializer_class = s.UnitOut
    filterset_class = filters.UnitFilter

    def get_queryset(self):
        return selectors.organisation_units()

    @extend_schema(
        summary="单位的党员（仅本人管辖范围内的）",
        responses=s.MemberOut(many=True),
        tags=["组织"],
    )
    @action(detail=True, methods=["get"], filterset_class=None, permission_classes=[HoldsPost])
    def members(self, request, pk=None):
        unit = self.get_object()
        rows = selectors.members_for(request.user).filter(unit=unit)
        page = self.paginate_queryset(rows)
        return self.get_paginated_response(s.MemberOut(page, many=True, context=self.get_serializer_context()).data)


# --- members -------------------------------------------------------------------------------


@extend_schema_view(
    list=extend_schema(summary="党员/志愿者列表（管辖范围内）", tags=["党员"]),
    retrieve=extend_schema(summary="党员/志愿者详情", tags=["党员"]),
)
class MemberViewSet(viewsets.ReadOnlyModelViewSet):
    serializer_class = s.MemberOut
    filterset_class = filters.MemberFilter
    permission_classes = [HoldsPost]

    def get_queryset(self):
        return selectors.members_for(self.request.user)

    @extend_schema(methods=["GET"], summary="我的党员资料", responses=s.MemberProfileOut, tags=["党员"])
    @extend_schema(
        methods=["PATCH"],
        summary="修改我的党员资料",
        description="类型与单位创建后不能自行修改。位置用 `lat`、`lng`、`coord_system` 三个字段。",
        request=s.MemberProfileUpdateIn,
        responses=s.MemberProfileOut,
        tags=["党员"],
    )
    @extend_schema(
        methods=["POST"],
        summary="填写党员/志愿者资料（首次）",
        request=s.MemberCreateIn,
        responses={201: s.MemberProfileOut},
        tags=["党员"],
    )
    @action(
        detail=False,
        methods=["get", "patch", "post"],
        permission_classes=[IsAuthenticated],
        filterset_class=None,
        pagination_class=None,
    )
    def me(self, request):
        user = request.user
        if request.method == "POST":
            data = s.MemberCreateIn(data=request.data)
            data.is_valid(raise_exception=True)
            v = data.validated_data
            unit = None
            if v.get("unit") is not None:
                unit = _get_or_400(Unit, v["unit"], "unit", "所选单位不存在。")
            member = services.member_create(
                user=user,
                kind=v["kind"],
                unit=unit,
                name=v.get("name"),
                skills=v.get("skills", ()),
                home_address=v.get("home_address", ""),
                home_lat=v.get("lat"),
                home_lng=v.get("lng"),
                coord_system=v["coord_system"],
            )
            out = s.MemberProfileOut(selectors.member_of(member.user), context=self.get_serializer_context())
            return Response(out.data, status=status.HTTP_201_CREATED)
        member = _own_member(user)
        if request.method == "PATCH":
            data = s.MemberProfileUpdateIn(data=request.data, partial=True)
            data.is_valid(raise_exception=True)
            v = data.validated_data
            services.member_profile_update(
                member=member,
                name=v.get("name"),
                skills=v.get("skills"),
                home_address=v.get("home_address"),
                home_lat=v.get("lat"),
                home_lng=v.get("lng"),
                coord_system=v.get("coord_system", "wgs84"),
            )
            member = selectors.member_of(user)
        return Response(s.MemberProfileOut(member, context=self.get_serializer_context()).data)


# --- registration (报到) ----------------------------------------------------------------------


@extend_schema_view(
    list=extend_schema(summary="报到列表（本人的，及管辖范围内的）", tags=["报到"]),
    retrieve=extend_schema(summary="报到详情（含志愿顺序）", tags=["报到"]),
)
class RegistrationViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet):
    serializer_class = s.RegistrationOut
    filterset_class = filters.RegistrationFilter

    def get_queryset(self):
        return selectors.registrations_visible_to(self.request.user)

    def _render(self, registration, status_code=status.HTTP_200_OK) -> Response:
        row = selectors.registration_detail(registration.pk)
        return Response(self.get_serializer(row).data, status=status_code)

    @extend_schema(
        summary="报到（自选 1–3 个社区，按志愿排序）",
        request=s.RegistrationCreateIn,
        responses={201: s.RegistrationOut},
        tags=["报到"],
    )
    def create(self, request):
        data = s.RegistrationCreateIn(data=request.data)
        data.is_valid(raise_exception=True)
        member = selectors.member_of(request.user)
        if member is None:
            raise ValidationFailed(NO_PROFILE, code="no_member_profile")
        registration = services.registration_create(
            member=member, community_ids=data.validated_data["communities"], actor=request.user
        )
        return self._render(registration, status.HTTP_201_CREATED)

    @extend_schema(
        summary="编入网格（社区工作人员）",
        request=s.RegistrationPlaceIn,
        responses=s.RegistrationOut,
        tags=["报到"],
    )
    @action(detail=True, methods=["post"])
    def place(self, request, pk=None):
        data = s.RegistrationPlaceIn(data=request.data)
        data.is_valid(raise_exception=True)
        registration = self._for_staff(pk)
        grid = _get_or_400(Grid, data.validated_data["grid"], "grid", "所选网格不存在。")
        return self._render(services.registration_place(registration=registration, grid=grid, actor=request.user))

    @extend_schema(
        summary="婉拒（转下一志愿，或待调剂）",
        request=s.RegistrationDeclineIn,
        responses=s.RegistrationOut,
        tags=["报到"],
    )
    @action(detail=True, methods=["post"])
    def decline(self, request, pk=None):
        data = s.RegistrationDeclineIn(data=request.data)
        data.is_valid(raise_exception=True)
        registration = self._for_staff(pk)
        return self._render(
            services.registration_decline(
                registration=registration, actor=request.user, reason=data.validated_data["reason"]
            )
        )

    @extend_schema(summary="撤回报到（本人）", request=None, responses=s.RegistrationOut, tags=["报到"])
    @action(detail=True, methods=["post"])
    def withdraw(self, request, pk=None):
        registration = self.get_object()
        return self._render(services.registration_withdraw(registration=registration, actor=request.user))

    @extend_schema(
        summary="调剂（区/县组织部门）",
        description="结束该党员进行中的报到，在所选社区新建一条“调剂”报到，记录决定人。",
        request=s.RegistrationAdjustIn,
        responses={201: s.RegistrationOut},
        tags=["报到"],
    )
    @action(detail=False, methods=["post"])
    def adjust(self, request):
        data = s.RegistrationAdjustIn(data=request.data)
        data.is_valid(raise_exception=True)
        v = data.validated_data
        member = _get_or_400(Member, v["member"], "member", "所选党员不存在。")
        community = _get_or_400(Community, v["community"], "community", "所选社区不存在。")
        registration = services.registration_adjust(
            member=member, community=community, actor=request.user, note=v["note"]
        )
        return self._render(registration, status.HTTP_201_CREATED)

    @extend_schema(
        summary="可报到的社区（居住地、单位附近或单位结对社区）",
        responses=s.ReachableCommunityOut(many=True),
        tags=["报到"],
    )
    @action(detail=False, methods=["get"], filterset_class=None)
    def options(self, request):
        member = selectors.member_of(request.user)
        if member is None:
            raise NotFound(NO_PROFILE, code="no_member_profile")
        rows = selectors.communities_in_reach(member)
        page = self.paginate_queryset(rows)
        out = s.ReachableCommunityOut(page, many=True, context=self.get_serializer_context())
        return self.get_paginated_response(out.data)

    def _for_staff(self, pk):
        try:
            registration_id = int(pk)
        except (TypeError, ValueError):
            raise NotFound("报到记录不存在。")
        if not 0 < registration_id <= filters.MAX_ID:
            raise NotFound("报到记录不存在。")
        return services.registration_get_for_staff(registration_id=registration_id, actor=self.request.user)
