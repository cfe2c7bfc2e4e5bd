"""调剂 rounds: run (district or city), the proposal and its moves, accept all or some, cancel."""

from drf_spectacular.utils import extend_schema, extend_schema_view
from rest_framework import mixins, status, viewsets
from rest_framework.decorators import action
from rest_framework.response import Response
from rest_framework.reverse import reverse

from core.errors import NotFound
from grids import filters
from grids.api.common import get_or_400
from grids.models import District
from grids.selectors.adjustment import adjustment_moves, adjustment_round_get, adjustment_rounds_for
from grids.serializers.adjustment import (
    AdjustmentAcceptIn,
    AdjustmentMoveOut,
    AdjustmentRoundListOut,
    AdjustmentRoundOut,
    AdjustmentRunIn,
)
from grids.services.adjustment import adjustment_accept, adjustment_cancel, adjustment_run


@extend_schema_view(
    list=extend_schema(summary="调剂方案列表（本区或全市）", tags=["调剂"]),
    retrieve=extend_schema(summary="调剂方案（各社区调整前后人数与需求）", tags=["调剂"]),
)
class AdjustmentViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet):
    serializer_class = AdjustmentRoundOut

    def get_queryset(self):
        return adjustment_rounds_for(self.request.user)

    def get_serializer_class(self):
        return AdjustmentRoundListOut if self.action == "list" else AdjustmentRoundOut

    def _round(self, pk):
        try:
            round_id = int(pk)
        except (TypeError, ValueError):
            raise NotFound("调剂方案不存在。")
        if not 0 < round_id <= filters.MAX_ID:
            raise NotFound("调剂方案不存在。")
        return adjustment_round_get(round_id=round_id, actor=self.request.user)

    def _render(self, round_, status_code=status.HTTP_200_OK) -> Response:
        round_ = adjustment_round_get(round_id=round_.pk, actor=self.request.user)
        return Response(AdjustmentRoundOut(round_, context=self.get_serializer_context()).data, status=status_code)

    @extend_schema(
        summary="发起调剂（区/县组织部门本区，市委组织部全市）",
        description=(
            "创建“求解中”的调剂方案并在后台求解，返回 202 与方案地址（Location）；轮询该地址，"
            "status 变为 open 即可审核，failed 时 failure 给出原因。不改变任何报到；"
            "同一区与全市的方案互斥，已有求解中或待确认的方案时返回 409。"
        ),
        request=AdjustmentRunIn,
        responses={202: AdjustmentRoundOut},
        tags=["调剂"],
    )
    def create(self, request):
        data = AdjustmentRunIn(data=request.data)
        data.is_valid(raise_exception=True)
        district_id = data.validated_data.get("district")
        district = get_or_400(District, district_id, "district", "所选区/县不存在。") if district_id else None
        round_ = adjustment_run(actor=request.user, district=district)
        response = self._render(round_, status.HTTP_202_ACCEPTED)
        response["Location"] = reverse("adjustment-detail", args=[round_.pk], request=request)
        return response

    @extend_schema(summary="方案中的调整（每人原因与距离）", responses=AdjustmentMoveOut(many=True), tags=["调剂"])
    @action(detail=True, methods=["get"])
    def moves(self, request, pk=None):
        round_ = self._round(pk)
        rows = adjustment_moves(round_).order_by("pk")
        page = self.paginate_queryset(rows)
        return self.get_paginated_response(AdjustmentMoveOut(page, many=True).data)

    @extend_schema(
        summary="确认方案（全部、部分或修改后）",
        description="报到在方案生成后有变化时返回 409 stale_proposal，且不做任何改动。",
        request=AdjustmentAcceptIn,
        responses=AdjustmentRoundOut,
        tags=["调剂"],
    )
    @action(detail=True, methods=["post"])
    def accept(self, request, pk=None):
        data = AdjustmentAcceptIn(data=request.data)
        data.is_valid(raise_exception=True)
        round_ = self._round(pk)
        picks = data.validated_data.get("moves")
        selections = None if picks is None else [(p["id"], p.get("community")) for p in picks]
        return self._render(adjustment_accept(round_=round_, actor=request.user, selections=selections))

    @extend_schema(summary="取消方案", request=None, responses=AdjustmentRoundOut, tags=["调剂"])
    @action(detail=True, methods=["post"])
    def cancel(self, request, pk=None):
        return self._render(adjustment_cancel(round_=self._round(pk), actor=request.user))
