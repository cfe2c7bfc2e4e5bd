"""Members (the staff's scoped list, one's own profile) and ``me/``."""

from drf_spectacular.utils import extend_schema, extend_schema_view
from rest_framework import status, viewsets
from rest_framework.decorators import action
from rest_framework.permissions import IsAuthenticated
from rest_framework.response import Response

from grids import filters
from grids.api.common import NO_PROFILE_404, get_or_400, own_member
from grids.models import Unit
from grids.permissions import HoldsPost
from grids.selectors.people import member_of
from grids.selectors.scope import members_for
from grids.serializers.people import MemberCreateIn, MemberOut, MemberProfileOut, MemberProfileUpdateIn
from grids.services.people import member_create, member_profile_update


@extend_schema_view(
    list=extend_schema(summary="党员/志愿者列表（管辖范围内）", tags=["党员"]),
    retrieve=extend_schema(summary="党员/志愿者详情", tags=["党员"]),
)
class MemberViewSet(viewsets.ReadOnlyModelViewSet):
    serializer_class = MemberOut
    filterset_class = filters.MemberFilter
    permission_classes = [HoldsPost]

    def get_queryset(self):
        return members_for(self.request.user)

    @extend_schema(
        methods=["GET"], summary="我的党员资料", responses={200: MemberProfileOut, **NO_PROFILE_404}, tags=["党员"]
    )
    @extend_schema(
        methods=["PATCH"],
        summary="修改我的党员资料",
        description="类型与单位创建后不能自行修改。位置用 `lat`、`lng`、`coord_system` 三个字段。",
        request=MemberProfileUpdateIn,
        responses={200: MemberProfileOut, **NO_PROFILE_404},
        tags=["党员"],
    )
    @extend_schema(
        methods=["POST"],
        summary="填写党员/志愿者资料（首次）",
        request=MemberCreateIn,
        responses={201: MemberProfileOut},
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
            data = MemberCreateIn(data=request.data)
            data.is_valid(raise_exception=True)
            v = data.validated_data
            unit = None
            if v.get("unit") is not None:
                unit = get_or_400(Unit, v["unit"], "unit", "所选单位不存在。")
            member = member_create(
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
            out = MemberProfileOut(member_of(member.user), context=self.get_serializer_context())
            return Response(out.data, status=status.HTTP_201_CREATED)
        member = own_member(user)
        if request.method == "PATCH":
            data = MemberProfileUpdateIn(data=request.data, partial=True)
            data.is_valid(raise_exception=True)
            v = data.validated_data
            member_profile_update(
                member=member,
                name=v.get("name"),
                skills=v.get("skills"),
                home_address=v.get("home_address"),
                home_lat=v.get("lat"),
                home_lng=v.get("lng"),
                coord_system=v.get("coord_system", "wgs84"),
            )
            member = member_of(user)
        return Response(MemberProfileOut(member, context=self.get_serializer_context()).data)
