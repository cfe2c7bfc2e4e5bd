"""The unit party organisation's API: its members' year (roster), who is behind, and the
registrations still waiting. Reads only: a unit's secretary and organiser review, dispatch and
confirm nothing. A unit outside the caller's posts answers 403 (no such unit: 404), in Chinese.
"""

from __future__ import annotations

from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework.generics import GenericAPIView

from core.schema import errors
from grids.selectors.units import UNIT_DENIED, UNIT_NOT_FOUND, unit_get_for_viewer, unit_waiting_registrations
from rankings.units import selectors
from rankings.units import serializers as s
from reporting.quotas import unit_members_behind

TAGS = ["单位党组织"]
REFUSALS = errors({403: UNIT_DENIED, 404: UNIT_NOT_FOUND})
UNIT_ID = OpenApiParameter("unit_id", OpenApiTypes.INT, OpenApiParameter.PATH, description="单位 ID")


class _UnitView(GenericAPIView):
    filter_backends = []  # the lists take no filters: one unit, paged

    def unit(self, unit_id: int):
        return unit_get_for_viewer(unit_id=unit_id, viewer=self.request.user)

    def page_of(self, rows):
        return self.get_paginated_response(self.get_serializer(self.paginate_queryset(rows), many=True).data)


class UnitRosterView(_UnitView):
    serializer_class = s.UnitRosterRowOut

    @extend_schema(
        operation_id="units_roster",
        summary="本单位党员名册：报到、时长、到社区报到、完成情况和星级",
        description="仅限该单位党组织的书记、组织委员（及市委组织部）。党员在哪个社区服务都列出。",
        responses={200: s.UnitRosterRowOut(many=True), **REFUSALS},
        parameters=[UNIT_ID],
        tags=TAGS,
    )
    def get(self, request, unit_id: int):
        unit = self.unit(unit_id)
        page = self.paginate_queryset(selectors.unit_roster(unit))
        rows = selectors.roster_rows(page)
        return self.get_paginated_response(self.get_serializer(rows, many=True).data)


class UnitBehindView(_UnitView):
    serializer_class = s.UnitBehindOut

    @extend_schema(
        operation_id="units_behind",
        summary="本单位进度落后的党员（时长落后于全年进度，或本季度未到社区报到）",
        responses={200: s.UnitBehindOut(many=True), **REFUSALS},
        parameters=[UNIT_ID],
        tags=TAGS,
    )
    def get(self, request, unit_id: int):
        return self.page_of(unit_members_behind(self.unit(unit_id)))


class UnitWaitingView(_UnitView):
    serializer_class = s.UnitWaitingOut

    @extend_schema(
        operation_id="units_waiting_registrations",
        summary="本单位党员待办的报到（待社区编入、待区里调剂）",
        responses={200: s.UnitWaitingOut(many=True), **REFUSALS},
        parameters=[UNIT_ID],
        tags=TAGS,
    )
    def get(self, request, unit_id: int):
        return self.page_of(unit_waiting_registrations(self.unit(unit_id)))
