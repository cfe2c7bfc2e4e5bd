"""Registration (报到): its output with the ranked choices, and the inputs of its actions."""

from rest_framework import serializers

from accounts.phone import mask_phone
from core.rows import CompiledRepresentation
from grids.models import Registration, RegistrationChoice
from grids.permissions import sees_registration_phone
from grids.serializers.common import id_field, viewer_and_scope, viewer_id


class RegistrationChoiceOut(CompiledRepresentation, serializers.ModelSerializer):
    community_name = serializers.CharField(source="community.name")

    class Meta:
        model = RegistrationChoice
        fields = ["rank", "community_id", "community_name", "declined_at"]


class RegistrationOut(CompiledRepresentation, serializers.ModelSerializer):
    member_name = serializers.CharField(source="member.user.name")
    member_phone = serializers.SerializerMethodField()
    member_kind = serializers.CharField(source="member.kind")
    member_kind_label = serializers.CharField(source="member.get_kind_display")
    unit_name = serializers.CharField(source="member.unit.name", default=None, allow_null=True)
    community_name = serializers.CharField(source="community.name", default=None, allow_null=True)
    grid_name = serializers.CharField(source="grid.name", default=None, allow_null=True)
    status_label = serializers.CharField(source="get_status_display")
    source_label = serializers.CharField(source="get_source_display")
    decided_by_name = serializers.CharField(source="decided_by.name", default=None, allow_null=True)
    choices = RegistrationChoiceOut(many=True, read_only=True)

    class Meta:
        model = Registration
        fields = [
            "id",
            "member_id",
            "member_name",
            "member_phone",
            "member_kind",
            "member_kind_label",
            "unit_name",
            "community_id",
            "community_name",
            "grid_id",
            "grid_name",
            "status",
            "status_label",
            "source",
            "source_label",
            "decided_by_id",
            "decided_by_name",
            "note",
            "choices",
            "created_at",
            "placed_at",
            "ended_at",
        ]

    def get_member_phone(self, obj: Registration) -> str:
        if obj.member.user_id == viewer_id(self):  # one's own: no need to work out the scope
            return obj.member.user.phone
        viewer, scope = viewer_and_scope(self)
        if viewer is not None and sees_registration_phone(viewer, scope, obj):
            return obj.member.user.phone
        return mask_phone(obj.member.user.phone)


class RegistrationCreateIn(serializers.Serializer):
    communities = serializers.ListField(
        child=id_field(),
        allow_empty=True,
        max_length=50,
        help_text="志愿社区 id，按志愿顺序排列，1–3 个",
    )


class RegistrationPlaceIn(serializers.Serializer):
    grid = id_field(help_text="编入的网格 id（须属于该报到社区）")


class RegistrationDeclineIn(serializers.Serializer):
    reason = serializers.CharField(max_length=200, allow_blank=True, required=False, default="")


class RegistrationAdjustIn(serializers.Serializer):
    member = id_field(help_text="党员 id")
    community = id_field(help_text="调剂到的社区 id")
    note = serializers.CharField(max_length=200, allow_blank=True, required=False, default="")
