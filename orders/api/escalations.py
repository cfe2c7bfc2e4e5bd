"""联席会议 in the API: the escalations a user's posts reach, assigning departments with a
deadline, recording their responses, resolving; and the member departments."""

from drf_spectacular.utils import extend_schema, extend_schema_view
from rest_framework import mixins, viewsets
from rest_framework.decorators import action
from rest_framework.response import Response

from grids.permissions import HoldsPost
from orders import filters
from orders.api.common import ID_PATTERN
from orders.models import Escalation
from orders.selectors import escalations as escalation_selectors
from orders.serializers.escalations import (
    AssignIn,
    DepartmentOut,
    EscalationDetailOut,
    EscalationOut,
    ResolveIn,
    RespondIn,
)
from orders.services import cascades
from orders.services import escalations as escalation_services


@extend_schema_view(
    list=extend_schema(summary="联席会议事项（街道及以上、本社区）", tags=["联席会议"]),
    retrieve=extend_schema(
        summary="事项详情（含部门办理意见与进度）", responses=EscalationDetailOut, tags=["联席会议"]
    ),
)
class EscalationViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet):
    lookup_value_regex = ID_PATTERN
    serializer_class = EscalationOut
    filterset_class = filters.EscalationFilter
    permission_classes = [HoldsPost]

    def get_queryset(self):
        return escalation_selectors.escalations_for(self.request.user)

    def get_serializer_class(self):
        return EscalationOut if self.action == "list" else EscalationDetailOut

    def _render(self, escalation: Escalation) -> Response:
        row = self.get_queryset().get(pk=escalation.pk)
        return Response(EscalationDetailOut(row, context=self.get_serializer_context()).data)

    @extend_schema(summary="分派部门并定办理期限", request=AssignIn, responses=EscalationDetailOut, tags=["联席会议"])
    @action(detail=True, methods=["post"])
    def assign(self, request, pk=None):
        data = AssignIn(data=request.data)
        data.is_valid(raise_exception=True)
        v = data.validated_data
        row = escalation_services.escalation_assign(
            escalation=self.get_object(),
            actor=request.user,
            department_ids=v["departments"],
            deadline=v.get("deadline"),
        )
        return self._render(row)

    @extend_schema(summary="记录部门办理意见", request=RespondIn, responses=EscalationDetailOut, tags=["联席会议"])
    @action(detail=True, methods=["post"])
    def respond(self, request, pk=None):
        data = RespondIn(data=request.data)
        data.is_valid(raise_exception=True)
        v = data.validated_data
        escalation = self.get_object()
        escalation_services.escalation_respond(
            escalation=escalation, actor=request.user, department_id=v["department"], response=v["response"]
        )
        return self._render(escalation)

    @extend_schema(summary="办结（填写会商结果）", request=ResolveIn, responses=EscalationDetailOut, tags=["联席会议"])
    @action(detail=True, methods=["post"])
    def resolve(self, request, pk=None):
        data = ResolveIn(data=request.data)
        data.is_valid(raise_exception=True)
        row = cascades.escalation_resolve(
            escalation=self.get_object(), actor=request.user, outcome=data.validated_data["outcome"]
        )
        return self._render(row)


@extend_schema_view(
    list=extend_schema(summary="联席会议成员单位", tags=["联席会议"]),
    retrieve=extend_schema(summary="成员单位详情", tags=["联席会议"]),
)
class DepartmentViewSet(viewsets.ReadOnlyModelViewSet):
    lookup_value_regex = ID_PATTERN
    serializer_class = DepartmentOut
    pagination_class = None

    def get_queryset(self):
        return escalation_selectors.active_departments()
