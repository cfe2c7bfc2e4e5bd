"""Serializers of 下单/吹哨: a task, publishing one, the task hall's query, notifying members and
the dispatch suggestions."""

from django.utils import timezone
from rest_framework import serializers

from core.rows import CompiledRepresentation, iso_datetime
from grids.geo import WGS84
from grids.serializers.common import COORD_CHOICES
from grids.vocab import Duty, Focus
from orders.models import Task
from orders.serializers.common import LocationIn, id_field, text_field
from orders.services.tasks import WORKING_HOURS_WARNING, task_working_hours_warning
from reporting.worktime import overlaps_working_hours


class TaskOut(CompiledRepresentation, serializers.ModelSerializer):
    focus_label = serializers.CharField(source="get_focus_display")
    duty_label = serializers.CharField(source="get_duty_display")
    status = serializers.CharField(read_only=True, help_text="状态代码（中文见 status_label）")
    status_label = serializers.CharField(source="get_status_display")
    visibility_label = serializers.CharField(source="get_visibility_display")
    community_name = serializers.CharField(source="community.name")
    grid_name = serializers.CharField(source="grid.name", default=None, allow_null=True)
    team_name = serializers.CharField(
        source="team.name", default=None, allow_null=True, help_text="仅本先锋队队员可见的任务所属的先锋队"
    )
    slots_left = serializers.IntegerField()
    warning = serializers.SerializerMethodField(help_text="安排在工作日 9:00–17:00 之间时的提醒，否则为空")
    distance_m = serializers.SerializerMethodField(help_text="与所给位置（或居住地）的距离（米），仅任务大厅有值")

    class Meta:
        model = Task
        fields = [
            "id",
            "title",
            "description",
            "focus",
            "focus_label",
            "duty",
            "duty_label",
            "status",
            "status_label",
            "visibility",
            "visibility_label",
            "community_id",
            "community_name",
            "grid_id",
            "grid_name",
            "team_id",
            "team_name",
            "address",
            "lat",
            "lng",
            "geofence_radius_m",
            "starts_at",
            "ends_at",
            "slots",
            "taken",
            "slots_left",
            "skills_wanted",
            "warning",
            "distance_m",
            "created_at",
            "completed_at",
            "cancel_reason",
        ]

    def get_warning(self, obj) -> str | None:
        return task_working_hours_warning(obj)

    def get_distance_m(self, obj) -> int | None:
        d = getattr(obj, "distance_m", None)
        return None if d is None else round(d)


_LABELS = {
    name: {k: str(v) for k, v in Task._meta.get_field(name).flatchoices}
    for name in ("focus", "duty", "status", "visibility")
}


def hall_rows_out(rows: list[dict]) -> list[dict]:
    """``TaskOut`` of the task hall's rows (``orders.selectors.tasks.HALL_COLUMNS``), written
    straight from the query's values: the busiest list of the API builds no Task and walks no
    serializer field per row. ``tests/orders/test_hall_rows.py`` holds it equal to ``TaskOut``."""
    tz = timezone.get_current_timezone()
    focus, duty, status, visibility = (_LABELS[n] for n in ("focus", "duty", "status", "visibility"))
    out = []
    for r in rows:
        distance = r["distance_m"]
        out.append(
            {
                "id": r["id"],
                "title": r["title"],
                "description": r["description"],
                "focus": r["focus"],
                "focus_label": focus.get(r["focus"], r["focus"]),
                "duty": r["duty"],
                "duty_label": duty.get(r["duty"], r["duty"]),
                "status": r["status"],
                "status_label": status.get(r["status"], r["status"]),
                "visibility": r["visibility"],
                "visibility_label": visibility.get(r["visibility"], r["visibility"]),
                "community_id": r["community_id"],
                "community_name": r["community__name"],
                "grid_id": r["grid_id"],
                "grid_name": r["grid__name"],
                "team_id": r["team_id"],
                "team_name": r["team__name"],
                "address": r["address"],
                "lat": r["lat"],
                "lng": r["lng"],
                "geofence_radius_m": r["geofence_radius_m"],
                "starts_at": iso_datetime(r["starts_at"], tz),
                "ends_at": iso_datetime(r["ends_at"], tz),
                "slots": r["slots"],
                "taken": r["taken"],
                "slots_left": r["slots"] - r["taken"],
                "skills_wanted": r["skills_wanted"],
                "warning": WORKING_HOURS_WARNING if overlaps_working_hours(r["starts_at"], r["ends_at"]) else None,
                "distance_m": None if distance is None else round(distance),
                "created_at": iso_datetime(r["created_at"], tz),
                "completed_at": iso_datetime(r["completed_at"], tz),
                "cancel_reason": r["cancel_reason"],
            }
        )
    return out


class TaskCreateIn(LocationIn):
    community = id_field()
    grid = id_field(required=False, allow_null=True)
    focus = serializers.ChoiceField(choices=Focus.choices)
    duty = serializers.ChoiceField(choices=Duty.choices)
    title = text_field(80)
    description = text_field(4000, required=False, allow_blank=True, default="")
    address = text_field(200)
    starts_at = serializers.DateTimeField()
    ends_at = serializers.DateTimeField()
    slots = serializers.IntegerField(min_value=1, max_value=500)
    geofence_radius_m = serializers.IntegerField(min_value=20, max_value=5000, default=300)
    skills_wanted = serializers.ListField(
        child=serializers.CharField(max_length=30), max_length=20, required=False, default=list
    )
    visibility = serializers.ChoiceField(choices=Task.Visibility.choices, default=Task.Visibility.COMMUNITY)
    team = id_field(required=False, allow_null=True, help_text="可见范围为 team（本先锋队队员）时必填：先锋队 id")


class HallQuery(serializers.Serializer):
    lat = serializers.FloatField(min_value=-90, max_value=90, required=False)
    lng = serializers.FloatField(min_value=-180, max_value=180, required=False)
    coord_system = serializers.ChoiceField(choices=COORD_CHOICES, default=WGS84)
    duty = serializers.ChoiceField(choices=Duty.choices, required=False)
    date = serializers.DateField(required=False)
    max_distance_m = serializers.IntegerField(min_value=1, max_value=100_000, required=False)

    def validate(self, attrs):
        if ("lat" in attrs) != ("lng" in attrs):
            raise serializers.ValidationError({"lat": ["请同时提供纬度和经度。"]})
        return attrs


class NotifyIn(serializers.Serializer):
    n = serializers.IntegerField(min_value=1, max_value=100, default=10, help_text="通知前 N 名推荐党员")


class SuggestionOut(serializers.Serializer):
    member_id = serializers.IntegerField(source="member.pk")
    name = serializers.CharField(source="member.user.name")
    kind = serializers.CharField(source="member.kind")
    unit_name = serializers.CharField(source="member.unit.name", default=None, allow_null=True)
    matched_skills = serializers.ListField(child=serializers.CharField())
    distance_m = serializers.SerializerMethodField()
    remaining_minutes = serializers.IntegerField(help_text="本年度尚需服务的分钟数")
    score = serializers.FloatField()

    def get_distance_m(self, obj) -> int | None:
        return None if obj.distance_m is None else round(obj.distance_m)


class TaskNotifiedOut(serializers.Serializer):
    task = TaskOut()
    notified = serializers.IntegerField(help_text="本次通知的党员人数")
