"""Serializers of 联席会议: the departments, an escalation with its responses and timeline, and
the inputs of assigning, responding and resolving."""

from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from orders.models import Department, Escalation, EscalationResponse
from orders.selectors.escalations import escalation_responses, escalation_timeline
from orders.serializers.common import EventOut, id_field, text_field


class DepartmentOut(serializers.ModelSerializer):
    class Meta:
        model = Department
        fields = ["id", "name"]


class EscalationResponseOut(serializers.ModelSerializer):
    department_name = serializers.CharField(source="department.name")
    recorded_by_name = serializers.CharField(source="recorded_by.name", default=None, allow_null=True)

    class Meta:
        model = EscalationResponse
        fields = ["id", "department_id", "department_name", "response", "recorded_by_name", "created_at"]


class EscalationOut(serializers.ModelSerializer):
    status = serializers.CharField(read_only=True, help_text="状态代码（中文见 status_label）")
    status_label = serializers.CharField(source="get_status_display")
    street_name = serializers.CharField(source="street.name")
    community_name = serializers.CharField(source="community.name")
    request_title = serializers.CharField(source="request.title", default=None, allow_null=True)
    task_title = serializers.CharField(source="task.title", default=None, allow_null=True)
    departments = DepartmentOut(many=True, read_only=True)
    created_by_name = serializers.CharField(source="created_by.name", default=None, allow_null=True)

    class Meta:
        model = Escalation
        fields = [
            "id",
            "status",
            "status_label",
            "street_id",
            "street_name",
            "community_id",
            "community_name",
            "request_id",
            "request_title",
            "task_id",
            "task_title",
            "reason",
            "departments",
            "deadline",
            "overdue",
            "outcome",
            "created_by_name",
            "created_at",
            "assigned_at",
            "resolved_at",
        ]


class EscalationDetailOut(EscalationOut):
    responses = serializers.SerializerMethodField()
    events = serializers.SerializerMethodField()

    class Meta(EscalationOut.Meta):
        fields = [*EscalationOut.Meta.fields, "responses", "events"]

    @extend_schema_field(EscalationResponseOut(many=True))
    def get_responses(self, obj):
        return EscalationResponseOut(escalation_responses(obj), many=True).data

    @extend_schema_field(EventOut(many=True))
    def get_events(self, obj):
        return EventOut(escalation_timeline(obj), many=True).data


class AssignIn(serializers.Serializer):
    departments = serializers.ListField(child=id_field(), min_length=1, max_length=20, help_text="部门 id")
    deadline = serializers.DateTimeField(required=False, allow_null=True, help_text="办理期限，默认 7 天")


class RespondIn(serializers.Serializer):
    department = id_field(help_text="部门 id")
    response = text_field(2000)


class ResolveIn(serializers.Serializer):
    outcome = text_field(2000)
