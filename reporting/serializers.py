"""Input and output serializers for the reporting API. Rules live in ``reporting.services``."""

from rest_framework import serializers

from accounts.phone import mask_phone
from grids.filters import MAX_ID
from grids.geo import WGS84
from grids.selectors.scope import scope_for
from grids.serializers.common import COORD_CHOICES
from reporting.models import ServiceRecord, ServiceRecordEvent, Visit


class CorrectionOut(serializers.ModelSerializer):
    """One change of a record's minutes: at confirming (from the punched minutes) or later."""

    at = serializers.DateTimeField(source="created_at")
    actor_name = serializers.CharField(source="actor.name", default=None, allow_null=True)
    reason = serializers.CharField(source="note", help_text="更正理由")

    class Meta:
        model = ServiceRecordEvent
        fields = ["at", "actor_name", "minutes_before", "minutes_after", "reason"]


class ServiceRecordOut(serializers.ModelSerializer):
    member_name = serializers.CharField(source="member.user.name")
    member_phone = serializers.SerializerMethodField(help_text="本人及管辖该社区的工作人员可见完整号码")
    community_name = serializers.CharField(source="community.name")
    duty_label = serializers.CharField(source="get_duty_display")
    source_label = serializers.CharField(source="get_source_display")
    status = serializers.CharField(read_only=True, help_text="状态代码（中文见 status_label）")
    status_label = serializers.CharField(source="get_status_display")
    confirmed_by_name = serializers.CharField(source="confirmed_by.name", default=None, allow_null=True)
    corrections = CorrectionOut(many=True, read_only=True, help_text="时长的每次更正（确认时更正的也在内），最早的在前")

    class Meta:
        model = ServiceRecord
        fields = [
            "id",
            "member_id",
            "member_name",
            "member_phone",
            "community_id",
            "community_name",
            "duty",
            "duty_label",
            "source",
            "source_label",
            "started_at",
            "ended_at",
            "minutes",
            "reported_minutes",
            "outside_working_hours",
            "auto_checked_out",
            "status",
            "status_label",
            "confirmed_via",
            "confirmed_by_name",
            "confirmed_at",
            "correction_reason",
            "corrections",
            "reject_reason",
            "created_at",
        ]

    def get_member_phone(self, obj) -> str:
        user = getattr(self.context.get("request"), "user", None)
        phone = obj.member.user.phone
        if user is not None and (obj.member.user_id == user.pk or scope_for(user).covers_community(obj.community)):
            return phone
        return mask_phone(phone)


class ConfirmIn(serializers.Serializer):
    minutes = serializers.IntegerField(
        min_value=0, max_value=24 * 60, required=False, allow_null=True, help_text="认定时长；不填则按打卡时长"
    )
    reason = serializers.CharField(max_length=200, required=False, allow_blank=True, default="")


class CorrectIn(serializers.Serializer):
    minutes = serializers.IntegerField(min_value=0, max_value=24 * 60, help_text="更正后的认定时长（分钟）")
    reason = serializers.CharField(max_length=200, allow_blank=True, help_text="更正理由（必填）")


class RejectIn(serializers.Serializer):
    reason = serializers.CharField(max_length=200, allow_blank=True)


class VisitOut(serializers.ModelSerializer):
    member_name = serializers.CharField(source="member.user.name")
    community_name = serializers.CharField(source="community.name")
    method_label = serializers.CharField(source="get_method_display")

    class Meta:
        model = Visit
        fields = [
            "id",
            "member_id",
            "member_name",
            "community_id",
            "community_name",
            "method",
            "method_label",
            "visited_at",
            "visited_on",
            "quarter",
        ]


class VisitCreateIn(serializers.Serializer):
    community = serializers.IntegerField(min_value=1, max_value=MAX_ID, required=False, help_text="默认本人编入的社区")
    method = serializers.ChoiceField(choices=Visit.Method.choices)
    token = serializers.CharField(max_length=100, required=False, allow_blank=True, help_text="扫码报到时的二维码令牌")
    lat = serializers.FloatField(min_value=-90, max_value=90, required=False)
    lng = serializers.FloatField(min_value=-180, max_value=180, required=False)
    coord_system = serializers.ChoiceField(choices=COORD_CHOICES, default=WGS84)


class LocationConsentOut(serializers.Serializer):
    active = serializers.BooleanField(help_text="是否已单独同意处理位置信息")
    version = serializers.CharField(allow_null=True, help_text="所同意的告知书版本")
    current_version = serializers.CharField(help_text="现行告知书版本")
    granted_at = serializers.DateTimeField(allow_null=True)
    revoked_at = serializers.DateTimeField(allow_null=True)
