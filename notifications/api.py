"""The inbox API: list, mark one read, mark all read."""

from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema, extend_schema_view
from rest_framework import mixins, viewsets
from rest_framework.decorators import action
from rest_framework.response import Response

from notifications import selectors, services
from notifications import serializers as s

UNREAD = OpenApiParameter("unread", OpenApiTypes.BOOL, description="只看未读")


@extend_schema_view(
    list=extend_schema(summary="我的消息", parameters=[UNREAD], tags=["消息"]),
    retrieve=extend_schema(summary="消息详情", tags=["消息"]),
)
class NotificationViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet):
    serializer_class = s.NotificationOut
    lookup_value_regex = r"[1-9][0-9]{0,17}"

    def get_queryset(self):
        unread = self.action == "list" and self.request.query_params.get("unread") in ("1", "true", "True")
        return selectors.inbox_for(self.request.user, unread_only=unread).order_by("-created_at", "-pk")

    @extend_schema(summary="标为已读", request=None, responses=s.NotificationOut, tags=["消息"])
    @action(detail=True, methods=["post"])
    def read(self, request, pk=None):
        row = services.notification_mark_read(notification=self.get_object(), actor=request.user)
        return Response(s.NotificationOut(row).data)

    @extend_schema(summary="全部标为已读", request=None, responses=s.ReadAllOut, tags=["消息"])
    @action(detail=False, methods=["post"], url_path="read-all")
    def read_all(self, request):
        updated = services.notifications_mark_all_read(user=request.user)
        return Response(s.ReadAllOut({"updated": updated, "unread_count": selectors.unread_count(request.user)}).data)
