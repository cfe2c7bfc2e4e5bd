"""The inbox API: list, mark one read, mark all read; which kinds reach me through WeChat and SMS."""

from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema, extend_schema_view
from rest_framework import mixins, viewsets
from rest_framework.decorators import action
from rest_framework.response import Response

from notifications import selectors, services
from notifications import serializers as s
from notifications.kinds import OPTIONAL_CHANNELS

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

    @extend_schema(methods=["GET"], summary="消息提醒设置", responses=s.ChannelSettingOut(many=True), tags=["消息"])
    @extend_schema(
        methods=["POST"],
        summary="修改消息提醒设置",
        request=s.ChannelPreferenceIn,
        responses=s.ChannelSettingOut(many=True),
        tags=["消息"],
    )
    @action(detail=False, methods=["get", "post"], url_path="preferences", pagination_class=None)
    def preferences(self, request):
        """Every kind with channel preferences and what I allow (the inbox gets every kind)."""
        if request.method == "POST":
            data = s.ChannelPreferenceIn(data=request.data)
            data.is_valid(raise_exception=True)
            v = data.validated_data
            allowed = {c: v[c] for c in OPTIONAL_CHANNELS if c in v}
            services.channel_preferences_set(user=request.user, kind=v["kind"], allowed=allowed)
        rows = selectors.channel_settings_of(request.user)
        body = [
            {
                "kind": r.kind,
                "label": r.label,
                "help": r.help,
                "channels": [{"channel": c, "label": label, "allowed": a} for c, label, a in r.channels],
            }
            for r in rows
        ]
        return Response(s.ChannelSettingOut(body, many=True).data)
