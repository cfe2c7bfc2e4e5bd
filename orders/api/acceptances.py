"""接单 in the API: a member's acceptances, withdrawing, checking in on site and checking out."""

from drf_spectacular.utils import extend_schema, extend_schema_view
from rest_framework import mixins, viewsets
from rest_framework.decorators import action
from rest_framework.response import Response

from grids.selectors.people import member_of
from orders import filters
from orders.api.common import ID_PATTERN
from orders.models import Acceptance
from orders.selectors import tasks as task_selectors
from orders.serializers.acceptances import AcceptanceOut
from orders.serializers.common import LocationIn
from orders.services import acceptances as acceptance_services


@extend_schema_view(
    list=extend_schema(summary="我的接单", tags=["接单"]),
    retrieve=extend_schema(summary="接单详情", tags=["接单"]),
)
class AcceptanceViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet):
    lookup_value_regex = ID_PATTERN
    serializer_class = AcceptanceOut
    filterset_class = filters.AcceptanceFilter

    def get_queryset(self):
        member = member_of(self.request.user)
        if member is None:
            return Acceptance.objects.none()
        return task_selectors.acceptances_for_member(member)

    def _render(self, acceptance: Acceptance) -> Response:
        row = self.get_queryset().get(pk=acceptance.pk)
        return Response(AcceptanceOut(row, context=self.get_serializer_context()).data)

    @extend_schema(summary="退出接单", request=None, responses=AcceptanceOut, tags=["接单"])
    @action(detail=True, methods=["post"])
    def withdraw(self, request, pk=None):
        return self._render(acceptance_services.acceptance_withdraw(acceptance=self.get_object(), actor=request.user))

    @extend_schema(
        summary="签到打卡（须先同意位置信息告知书）",
        description="在任务地点签到范围内、任务时间窗口内有效。位置用 `lat`、`lng`、`coord_system`。",
        request=LocationIn,
        responses=AcceptanceOut,
        tags=["接单"],
    )
    @action(detail=True, methods=["post"], url_path="check-in")
    def check_in(self, request, pk=None):
        data = LocationIn(data=request.data)
        data.is_valid(raise_exception=True)
        v = data.validated_data
        acceptance = acceptance_services.acceptance_check_in(
            acceptance=self.get_object(), actor=request.user, lat=v["lat"], lng=v["lng"], coord_system=v["coord_system"]
        )
        return self._render(acceptance)

    @extend_schema(summary="签退（生成待确认的服务记录）", request=None, responses=AcceptanceOut, tags=["接单"])
    @action(detail=True, methods=["post"], url_path="check-out")
    def check_out(self, request, pk=None):
        return self._render(acceptance_services.acceptance_check_out(acceptance=self.get_object(), actor=request.user))
