"""Registration (报到): self-selection, the community's place/decline, withdrawal, adjustment (调剂)."""

from drf_spectacular.utils import extend_schema, extend_schema_view
from rest_framework import mixins, status, viewsets
from rest_framework.decorators import action
from rest_framework.response import Response

from core.errors import NotFound, ValidationFailed
from grids import filters
from grids.api.common import NO_PROFILE, NO_PROFILE_OR_PAGE_404, get_or_400
from grids.models import Community, Grid, Member
from grids.selectors.people import member_of
from grids.selectors.registration import (
    communities_in_reach,
    registration_detail,
    registration_get_for_staff,
    registrations_visible_to,
)
from grids.serializers.organisation import ReachableCommunityOut
from grids.serializers.registration import (
    RegistrationAdjustIn,
    RegistrationCreateIn,
    RegistrationDeclineIn,
    RegistrationOut,
    RegistrationPlaceIn,
)
from grids.services.registration import (
    registration_adjust,
    registration_create,
    registration_decline,
    registration_place,
    registration_withdraw,
)


@extend_schema_view(
    list=extend_schema(summary="报到列表（本人的，及管辖范围内的）", tags=["报到"]),
    retrieve=extend_schema(summary="报到详情（含志愿顺序）", tags=["报到"]),
)
class RegistrationViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet):
    serializer_class = RegistrationOut
    filterset_class = filters.RegistrationFilter

    def get_queryset(self):
        return registrations_visible_to(self.request.user)

    def _render(self, registration, status_code=status.HTTP_200_OK) -> Response:
        row = registration_detail(registration.pk)
        return Response(self.get_serializer(row).data, status=status_code)

    @extend_schema(
        summary="报到（自选 1–3 个社区，按志愿排序）",
        request=RegistrationCreateIn,
        responses={201: RegistrationOut},
        tags=["报到"],
    )
    def create(self, request):
        data = RegistrationCreateIn(data=request.data)
        data.is_valid(raise_exception=True)
        member = member_of(request.user)
        if member is None:
            raise ValidationFailed(NO_PROFILE, code="no_member_profile")
        registration = registration_create(
            member=member, community_ids=data.validated_data["communities"], actor=request.user
        )
        return self._render(registration, status.HTTP_201_CREATED)

    @extend_schema(
        summary="编入网格（社区工作人员）",
        request=RegistrationPlaceIn,
        responses=RegistrationOut,
        tags=["报到"],
    )
    @action(detail=True, methods=["post"])
    def place(self, request, pk=None):
        data = RegistrationPlaceIn(data=request.data)
        data.is_valid(raise_exception=True)
        registration = self._for_staff(pk)
        grid = get_or_400(Grid, data.validated_data["grid"], "grid", "所选网格不存在。")
        return self._render(registration_place(registration=registration, grid=grid, actor=request.user))

    @extend_schema(
        summary="婉拒（转下一志愿，或待调剂）",
        request=RegistrationDeclineIn,
        responses=RegistrationOut,
        tags=["报到"],
    )
    @action(detail=True, methods=["post"])
    def decline(self, request, pk=None):
        data = RegistrationDeclineIn(data=request.data)
        data.is_valid(raise_exception=True)
        registration = self._for_staff(pk)
        return self._render(
            registration_decline(registration=registration, actor=request.user, reason=data.validated_data["reason"])
        )

    @extend_schema(summary="撤回报到（本人）", request=None, responses=RegistrationOut, tags=["报到"])
    @action(detail=True, methods=["post"])
    def withdraw(self, request, pk=None):
        registration = self.get_object()
        return self._render(registration_withdraw(registration=registration, actor=request.user))

    @extend_schema(
        summary="调剂（区/县组织部门）",
        description="结束该党员进行中的报到，在所选社区新建一条“调剂”报到，记录决定人。",
        request=RegistrationAdjustIn,
        responses={201: RegistrationOut},
        tags=["报到"],
    )
    @action(detail=False, methods=["post"])
    def adjust(self, request):
        data = RegistrationAdjustIn(data=request.data)
        data.is_valid(raise_exception=True)
        v = data.validated_data
        member = get_or_400(Member, v["member"], "member", "所选党员不存在。")
        community = get_or_400(Community, v["community"], "community", "所选社区不存在。")
        registration = registration_adjust(member=member, community=community, actor=request.user, note=v["note"])
        return self._render(registration, status.HTTP_201_CREATED)

    @extend_schema(
        summary="可报到的社区（居住地、单位附近或单位结对社区）",
        responses={200: ReachableCommunityOut(many=True), **NO_PROFILE_OR_PAGE_404},
        tags=["报到"],
    )
    # Named for what it answers: a method called ``options`` would replace DRF's OPTIONS handler.
    # The path and the URL name stay ``options`` (the API's paths are a contract).
    @action(detail=False, methods=["get"], url_path="options", url_name="options", filterset_class=None)
    def reachable_communities(self, request):
        member = member_of(request.user)
        if member is None:
            raise NotFound(NO_PROFILE, code="no_member_profile")
        rows = communities_in_reach(member)
        page = self.paginate_queryset(rows)
        out = ReachableCommunityOut(page, many=True, context=self.get_serializer_context())
        return self.get_paginated_response(out.data)

    def _for_staff(self, pk):
        try:
            registration_id = int(pk)
        except (TypeError, ValueError):
            raise NotFound("报到记录不存在。")
        if not 0 < registration_id <= filters.MAX_ID:
            raise NotFound("报到记录不存在。")
        return registration_get_for_staff(registration_id=registration_id, actor=self.request.user)
