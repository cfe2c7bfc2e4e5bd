"""Serializers of 接单: an acceptance as its member sees it, and one slot of a task as the task's
staff see it."""

from rest_framework import serializers

from orders.models import Acceptance
from orders.serializers.tasks import TaskOut


class AcceptanceOut(serializers.ModelSerializer):
    status = serializers.CharField(read_only=True, help_text="状态代码（中文见 status_label）")
    status_label = serializers.CharField(source="get_status_display")
    task = TaskOut()
    checked_in_at = serializers.DateTimeField(source="checkin.checked_in_at", default=None, allow_null=True)
    checked_out_at = serializers.DateTimeField(source="checkin.checked_out_at", default=None, allow_null=True)
    record_id = serializers.IntegerField(allow_null=True)
    record_status = serializers.CharField(source="record.status", default=None, allow_null=True)
    record_minutes = serializers.IntegerField(source="record.minutes", default=None, allow_null=True)

    class Meta:
        model = Acceptance
        fields = [
            "id",
            "status",
            "status_label",
            "task",
            "starts_at",
            "ends_at",
            "accepted_at",
            "withdrawn_at",
            "late_withdrawal",
            "checked_in_at",
            "checked_out_at",
            "record_id",
            "record_status",
            "record_minutes",
        ]


class TaskAcceptanceOut(serializers.ModelSerializer):
    """One slot of a task, as its staff see it (only staff over the task reach this list)."""

    status = serializers.CharField(read_only=True, help_text="状态代码（中文见 status_label）")
    status_label = serializers.CharField(source="get_status_display")
    member_name = serializers.CharField(source="member.user.name")
    member_phone = serializers.CharField(source="member.user.phone")
    member_kind_label = serializers.CharField(source="member.get_kind_display")
    unit_name = serializers.CharField(source="member.unit.name", default=None, allow_null=True)
    checked_in_at = serializers.DateTimeField(source="checkin.checked_in_at", default=None, allow_null=True)
    checked_out_at = serializers.DateTimeField(source="checkin.checked_out_at", default=None, allow_null=True)
    record_id = serializers.IntegerField(allow_null=True)
    record_status = serializers.CharField(source="record.status", default=None, allow_null=True)
    record_minutes = serializers.IntegerField(source="record.minutes", default=None, allow_null=True)

    class Meta:
        model = Acceptance
        fields = [
            "id",
            "status",
            "status_label",
            "member_id",
            "member_name",
            "member_phone",
            "member_kind_label",
            "unit_name",
            "accepted_at",
            "withdrawn_at",
            "late_withdrawal",
            "checked_in_at",
            "checked_out_at",
            "record_id",
            "record_status",
            "record_minutes",
        ]
