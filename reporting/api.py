"""The reporting API: the hours ledger (service records) and report-for-duty visits (到社区报到).

Thin viewsets: ``get_queryset`` calls a selector, each POST calls exactly one service.
"""

from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema, extend_schema_view
from rest_framework import mixins, status, viewsets
from rest_framework.decorators import action
from rest_framework.response import Response
from rest_framework.views import APIView

from core.errors import NotFound, ValidationFailed
from grids.api.common import NO_PROFILE_404
from grids.models import Community
from grids.selectors.people import member_of
from grids.selectors.scope import scope_for
from reporting import filters, selectors
from reporting import serializers as s
from reporting.models import LocationConsent, ServiceRecord, Visit
from reporting.services import consent as consent_services
from reporting.services import records as record_services
from reporting.services import visits as visit_services

ID_PATTERN = r"[1-9][0-9]{0,17}"
NO_PROFILE = "您还没有党员/志愿者资料，请先在“我的资料”中填写。"
MINE = OpenApiParameter(
    "mine",
    OpenApiTypes.BOOL,
    description="只看本人的；工作人员默认看管辖范围内的，单位党组织默认看本单位党员的，其他人只能看本人的",
)


def _mine(request) -> bool:
    scope = scope_for(request.user)
    return request.query_params.get("mine") in ("1", "true", "True") or (scope.is_empty and not scope.leads_units)


@extend_schema_view(
    list=extend_schema(summary="服务记录（时长台账）", parameters=[MINE], tags=["服务时长"]),
    retrieve=extend_schema(summary="服务记录详情", tags=["服务时长"]),
)
class ServiceRecordViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet):
    serializer_class = s.ServiceRecordOut
    filterset_class = filters.ServiceRecordFilter
    lookup_value_regex = ID_PATTERN

    def get_queryset(self):
        user = self.request.user
        if self.action == "list" and _mine(self.request):
            member = member_of(user)
            return selectors.with_corrections(selectors.records_of(member)) if member else ServiceRecord.objects.none()
        if self.action in ("confirm", "reject", "correct"):
            return selectors.records_for(user)
        member = member_of(user)
        staff = selectors.records_visible_to(user)
        return selectors.with_corrections((staff | selectors.records_of(member)).distinct() if member else staff)

    def _render(self, record) -> Response:
        row = selectors.with_corrections(selectors.records_for(self.request.user)).get(pk=record.pk)
        return Response(s.ServiceRecordOut(row, context=self.get_serializer_context()).data)

    @extend_schema(
        summary="确认服务时长（社区工作人员，可更正时长并填写理由）",
        request=s.ConfirmIn,
        responses=s.ServiceRecordOut,
        tags=["服务时长"],
    )
    @action(detail=True, methods=["post"])
    def confirm(self, request, pk=None):
        data = s.ConfirmIn(data=request.data)
        data.is_valid(raise_exception=True)
        v = data.validated_data
        record = record_services.service_record_confirm(
            record=self.get_object(), actor=request.user, minutes=v.get("minutes"), reason=v["reason"]
        )
        return self._render(record)

    @extend_schema(
        summary="更正已确认的服务时长（确认人以外的工作人员，须填理由；不超过签到时段）",
        request=s.CorrectIn,
        responses=s.ServiceRecordOut,
        tags=["服务时长"],
    )
    @action(detail=True, methods=["post"])
    def correct(self, request, pk=None):
        data = s.CorrectIn(data=request.data)
        data.is_valid(raise_exception=True)
        v = data.validated_data
        record = record_services.service_record_correct(
            record=self.get_object(), actor=request.user, minutes=v["minutes"], reason=v["reason"]
        )
        return self._render(record)

    @extend_schema(summary="不予认定（须填理由）", request=s.RejectIn, responses=s.ServiceRecordOut, tags=["服务时长"])
    @action(detail=True, methods=["post"])
    def reject(self, request, pk=None):
        data = s.RejectIn(data=request.data)
        data.is_valid(raise_exception=True)
        record = record_services.service_record_reject(
            record=self.get_object(), actor=request.user, reason=data.validated_data["reason"]
        )
        return self._render(record)


@extend_schema_view(
    list=extend_schema(summary="到社区报到记录", parameters=[MINE], tags=["服务时长"]),
    retrieve=extend_schema(summary="报到记录详情", tags=["服务时长"]),
)
class VisitViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet):
    serializer_class = s.VisitOut
    filterset_class = filters.VisitFilter
    lookup_value_regex = ID_PATTERN

    def get_queryset(self):
        user = self.request.user
        member = member_of(user)
        own = (
            Visit.objects.select_related("member__user", "community").filter(member=member)
            if member
            else Visit.objects.none()
        )
        if self.action == "list" and _mine(self.request):
            return own.order_by("-visited_at", "-pk")
        return (selectors.visits_visible_to(user) | own).distinct().order_by("-visited_at", "-pk")

    @extend_schema(
        summary="到社区报到（扫码或定位）",
        description="扫码：`method=qr` 并带二维码 `token`；定位：`method=location` 并带 `lat`、`lng`、`coord_system`"
        "（须先同意位置信息告知书）。同一天重复报到只算一次。",
        request=s.VisitCreateIn,
        responses={201: s.VisitOut, **NO_PROFILE_404},
        tags=["服务时长"],
    )
    def create(self, request):
        data = s.VisitCreateIn(data=request.data)
        data.is_valid(raise_exception=True)
        v = data.validated_data
        member = member_of(request.user)
        if member is None:
            raise NotFound(NO_PROFILE, code="no_member_profile")
        community_id = v.get("community") or member.community_id
        community = Community.objects.filter(pk=community_id).first() if community_id else None
        if community is None:
            raise ValidationFailed("请选择报到的社区。", code="required", field="community")
        visit = visit_services.visit_create(
            member=member,
            community=community,
            method=v["method"],
            token=v.get("token") or None,
            lat=v.get("lat"),
            lng=v.get("lng"),
            coord_system=v["coord_system"],
        )
        row = Visit.objects.select_related("member__user", "community").get(pk=visit.pk)
        return Response(s.VisitOut(row, context=self.get_serializer_context()).data, status=status.HTTP_201_CREATED)


def _consent_body(member) -> dict:
    consent = LocationConsent.objects.filter(member=member).first()
    return {
        "active": bool(consent and consent.revoked_at is None),
        "version": consent.version if consent else None,
        "current_version": consent_services.CONSENT_VERSION,
        "granted_at": consent.granted_at if consent else None,
        "revoked_at": consent.revoked_at if consent else None,
    }


class LocationConsentView(APIView):
    """签到前的位置信息单独同意（个人信息保护法第十三、二十九条）。"""

    def _member(self, request):
        member = member_of(request.user)
        if member is None:
            raise NotFound(NO_PROFILE, code="no_member_profile")
        return member

    @extend_schema(
        summary="我的位置信息同意状态", responses={200: s.LocationConsentOut, **NO_PROFILE_404}, tags=["服务时长"]
    )
    def get(self, request):
        return Response(s.LocationConsentOut(_consent_body(self._member(request))).data)

    @extend_schema(
        summary="同意处理位置信息（签到前须同意）",
        request=None,
        responses={200: s.LocationConsentOut, **NO_PROFILE_404},
        tags=["服务时长"],
    )
    def post(self, request):
        member = self._member(request)
        consent_services.location_consent_grant(member=member)
        return Response(s.LocationConsentOut(_consent_body(member)).data)

    @extend_schema(
        summary="撤回位置信息同意",
        request=None,
        responses={200: s.LocationConsentOut, **NO_PROFILE_404},
        tags=["服务时长"],
    )
    def delete(self, request):
        member = self._member(request)
        consent_services.location_consent_revoke(member=member)
        return Response(s.LocationConsentOut(_consent_body(member)).data)
