"""Input and output serializers for the orders API (点单, 下单/吹哨, 接单, 联席会议).

Output serializers only read rows the selectors fetched; input serializers only check shapes
and types. Rules (and every permission on an object) live in ``orders.services``.
"""

from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from accounts.phone import mask_phone
from grids.filters import MAX_ID
from grids.geo import WGS84
from grids.serializers.common import COORD_CHOICES
from grids.vocab import Duty, Focus
from orders.models import (
    Acceptance,
    Department,
    Escalation,
    EscalationResponse,
    RequestEvent,
    RequestPhoto,
    ServiceRequest,
    Task,
)
from orders.permissions import sees_contact
from orders.services.tasks import task_working_hours_warning


def _id_field(**kwargs) -> serializers.IntegerField:
    return serializers.IntegerField(min_value=1, max_value=MAX_ID, **kwargs)


def _text(max_length: int, **kwargs) -> serializers.CharField:
    return serializers.CharField(max_length=max_length, **kwargs)


class LocationIn(serializers.Serializer):
    lat = serializers.FloatField(min_value=-90, max_value=90, help_text="纬度")
    lng = serializers.FloatField(min_value=-180, max_value=180, help_text="经度")
    coord_system = serializers.ChoiceField(
        choices=COORD_CHOICES, default=WGS84, help_text="wgs84（浏览器）或 gcj02（微信 wx.getLocation）"
    )


# --- events ----------------------------------------------------------------------------------


class EventOut(serializers.Serializer):
    from_status = serializers.CharField()
    to_status = serializers.CharField()
    actor_name = serializers.CharField(source="actor.name", default=None)
    note = serializers.CharField()
    created_at = serializers.DateTimeField()


# --- requests (点单) ----------------------------------------------------------------------------


class RequestPhotoOut(serializers.ModelSerializer):
    url = serializers.ImageField(source="image", use_url=True)

    class Meta:
        model = RequestPhoto
        fields = ["id", "url", "width", "height"]


class RequestOut(serializers.ModelSerializer):
    """A request; the requester's phone, exact address and location only for those entitled (PIPL)."""

    duty_label = serializers.CharField(source="get_duty_display")
    status = serializers.CharField(read_only=True, help_text="状态代码（中文见 status_label）")
    status_label = serializers.CharField(source="get_status_display")
    requester_kind_label = serializers.CharField(source="get_requester_kind_display")
    community_name = serializers.CharField(source="community.name")
    grid_name = serializers.CharField(source="grid.name", default=None)
    task_title = serializers.CharField(source="task.title", default=None)
    requester_name = serializers.SerializerMethodField(help_text="有权查看联系方式者可见全名，其余只显示姓")
    contact_phone = serializers.SerializerMethodField(help_text="有权者可见完整号码，其余为掩码")
    address = serializers.SerializerMethodField(help_text="有权者可见详细地址，其余只显示社区")
    lat = serializers.SerializerMethodField(help_text="有权者可见（WGS-84），其余为空")
    lng = serializers.SerializerMethodField(help_text="有权者可见（WGS-84），其余为空")
    contact_visible = serializers.SerializerMethodField(help_text="当前用户是否可见联系方式与详细地址")
    is_mine = serializers.SerializerMethodField()
    photos = RequestPhotoOut(many=True, read_only=True)
    distance_m = serializers.SerializerMethodField(help_text="与所给位置的距离（米），仅附近查询时有值")

    class Meta:
        model = ServiceRequest
        fields = [
            "id",
            "title",
            "description",
            "duty",
            "duty_label",
            "status",
            "status_label",
            "requester_kind",
            "requester_kind_label",
            "requester_name",
            "contact_phone",
            "contact_visible",
            "is_mine",
            "community_id",
            "community_name",
            "grid_id",
            "grid_name",
            "address",
            "lat",
            "lng",
            "preferred_time",
            "task_id",
            "task_title",
            "merged_into_id",
            "reject_reason",
            "reopen_count",
            "photos",
            "distance_m",
            "created_at",
            "reviewed_at",
            "resolved_at",
            "closed_at",
        ]

    def _visible(self, obj) -> bool:
        return sees_contact(self, obj)

    def get_contact_visible(self, obj) -> bool:
        return self._visible(obj)

    def get_is_mine(self, obj) -> bool:
        user = getattr(self.context.get("request"), "user", None)
        return bool(user is not None and obj.requester_id == user.pk)

    def get_requester_name(self, obj) -> str:
        name = obj.requester.name or ""
        if self._visible(obj):
            return name
        return (name[:1] + "**") if name else "居民"

    def get_contact_phone(self, obj) -> str:
        return obj.contact_phone if self._visible(obj) else mask_phone(obj.contact_phone)

    def get_address(self, obj) -> str:
        return obj.address if self._visible(obj) else f"{obj.community.name}（详细地址已隐藏）"

    @extend_schema_field(OpenApiTypes.FLOAT)
    def get_lat(self, obj) -> float | None:
        return obj.lat if self._visible(obj) else None

    @extend_schema_field(OpenApiTypes.FLOAT)
    def get_lng(self, obj) -> float | None:
        return obj.lng if self._visible(obj) else None

    @extend_schema_field(OpenApiTypes.INT)
    def get_distance_m(self, obj) -> int | None:
        d = getattr(obj, "distance_m", None)
        return None if d is None else round(d)


class FeedbackOut(serializers.Serializer):
    score = serializers.IntegerField()
    comment = serializers.CharField()
    created_at = serializers.DateTimeField()


class RequestDetailOut(RequestOut):
    events = serializers.SerializerMethodField(help_text="进度时间线")
    feedback = serializers.SerializerMethodField()
    liked_member_ids = serializers.SerializerMethodField()

    class Meta(RequestOut.Meta):
        fields = [*RequestOut.Meta.fields, "events", "feedback", "liked_member_ids"]

    @extend_schema_field(EventOut(many=True))
    def get_events(self, obj):
        rows = RequestEvent.objects.filter(request=obj).select_related("actor").order_by("created_at", "pk")
        return EventOut(rows, many=True).data

    @extend_schema_field(FeedbackOut(allow_null=True))
    def get_feedback(self, obj):
        feedback = getattr(obj, "feedback", None) if hasattr(obj, "feedback") else None
        return FeedbackOut(feedback).data if feedback is not None else None

    def get_liked_member_ids(self, obj) -> list[int]:
        return list(obj.likes.order_by("member_id").values_list("member_id", flat=True))


class RequestCreateIn(LocationIn):
    community = _id_field(required=False, help_text="社区 id；不填时按位置取最近的社区")
    grid = _id_field(required=False, allow_null=True)
    duty = serializers.ChoiceField(choices=Duty.choices)
    title = _text(80)
    description = _text(2000)
    address = _text(200)
    contact_phone = _text(20, required=False, help_text="联系电话；不填时用账号手机号")
    preferred_time = serializers.DateTimeField(required=False, allow_null=True)
    requester_kind = serializers.ChoiceField(
        choices=ServiceRequest.RequesterKind.choices, default=ServiceRequest.RequesterKind.RESIDENT
    )
    unit = _id_field(required=False, allow_null=True, help_text="以单位党组织身份点单时的单位 id")
    photos = serializers.ListField(
        child=serializers.FileField(allow_empty_file=True),
        required=False,
        max_length=10,
        help_text="照片，最多 3 张（multipart 提交）",
    )


class NearbyQuery(LocationIn):
    duty = serializers.ChoiceField(choices=Duty.choices)


class ApproveIn(serializers.Serializer):
    task_id = _id_field(required=False, help_text="并入已有任务时的任务 id")
    focus = serializers.ChoiceField(choices=Focus.choices, required=False)
    title = _text(80, required=False)
    description = _text(4000, required=False, allow_blank=True)
    address = _text(200, required=False)
    starts_at = serializers.DateTimeField(required=False)
    ends_at = serializers.DateTimeField(required=False)
    slots = serializers.IntegerField(min_value=1, max_value=500, required=False)
    geofence_radius_m = serializers.IntegerField(min_value=20, max_value=5000, required=False)
    skills_wanted = serializers.ListField(child=serializers.CharField(max_length=30), max_length=20, required=False)
    visibility = serializers.ChoiceField(choices=Task.Visibility.choices, required=False)


class ReasonIn(serializers.Serializer):
    reason = _text(500, allow_blank=True)


class MergeIn(serializers.Serializer):
    into = _id_field(help_text="合并到的点单 id")


class RateIn(serializers.Serializer):
    score = serializers.IntegerField(min_value=1, max_value=5)
    comment = _text(500, required=False, allow_blank=True, default="")
    liked_members = serializers.ListField(child=_id_field(), max_length=100, required=False, default=list)


# --- tasks (下单/吹哨) --------------------------------------------------------------------------


class TaskOut(serializers.ModelSerializer):
    focus_label = serializers.CharField(source="get_focus_display")
    duty_label = serializers.CharField(source="get_duty_display")
    status = serializers.CharField(read_only=True, help_text="状态代码（中文见 status_label）")
    status_label = serializers.CharField(source="get_status_display")
    visibility_label = serializers.CharField(source="get_visibility_display")
    community_name = serializers.CharField(source="community.name")
    grid_name = serializers.CharField(source="grid.name", default=None)
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

    @extend_schema_field(OpenApiTypes.STR)
    def get_warning(self, obj) -> str | None:
        return task_working_hours_warning(obj)

    @extend_schema_field(OpenApiTypes.INT)
    def get_distance_m(self, obj) -> int | None:
        d = getattr(obj, "distance_m", None)
        return None if d is None else round(d)


class TaskCreateIn(LocationIn):
    community = _id_field()
    grid = _id_field(required=False, allow_null=True)
    focus = serializers.ChoiceField(choices=Focus.choices)
    duty = serializers.ChoiceField(choices=Duty.choices)
    title = _text(80)
    description = _text(4000, required=False, allow_blank=True, default="")
    address = _text(200)
    starts_at = serializers.DateTimeField()
    ends_at = serializers.DateTimeField()
    slots = serializers.IntegerField(min_value=1, max_value=500)
    geofence_radius_m = serializers.IntegerField(min_value=20, max_value=5000, default=300)
    skills_wanted = serializers.ListField(
        child=serializers.CharField(max_length=30), max_length=20, required=False, default=list
    )
    visibility = serializers.ChoiceField(choices=Task.Visibility.choices, default=Task.Visibility.COMMUNITY)


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
    unit_name = serializers.CharField(source="member.unit.name", default=None)
    matched_skills = serializers.ListField(child=serializers.CharField())
    distance_m = serializers.SerializerMethodField()
    remaining_minutes = serializers.IntegerField(help_text="本年度尚需服务的分钟数")
    score = serializers.FloatField()

    @extend_schema_field(OpenApiTypes.INT)
    def get_distance_m(self, obj) -> int | None:
        return None if obj.distance_m is None else round(obj.distance_m)


class TaskNotifiedOut(serializers.Serializer):
    task = TaskOut()
    notified = serializers.IntegerField(help_text="本次通知的党员人数")


# --- acceptances (接单) -------------------------------------------------------------------------


class AcceptanceOut(serializers.ModelSerializer):
    status = serializers.CharField(read_only=True, help_text="状态代码（中文见 status_label）")
    status_label = serializers.CharField(source="get_status_display")
    task = TaskOut()
    checked_in_at = serializers.DateTimeField(source="checkin.checked_in_at", default=None)
    checked_out_at = serializers.DateTimeField(source="checkin.checked_out_at", default=None)
    record_id = serializers.IntegerField(allow_null=True)
    record_status = serializers.CharField(source="record.status", default=None)
    record_minutes = serializers.IntegerField(source="record.minutes", default=None)

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


# --- escalations (联席会议) ---------------------------------------------------------------------


class DepartmentOut(serializers.ModelSerializer):
    class Meta:
        model = Department
        fields = ["id", "name"]


class EscalationResponseOut(serializers.ModelSerializer):
    department_name = serializers.CharField(source="department.name")
    recorded_by_name = serializers.CharField(source="recorded_by.name", default=None)

    class Meta:
        model = EscalationResponse
        fields = ["id", "department_id", "department_name", "response", "recorded_by_name", "created_at"]


class EscalationOut(serializers.ModelSerializer):
    status = serializers.CharField(read_only=True, help_text="状态代码（中文见 status_label）")
    status_label = serializers.CharField(source="get_status_display")
    street_name = serializers.CharField(source="street.name")
    community_name = serializers.CharField(source="community.name")
    request_title = serializers.CharField(source="request.title", default=None)
    task_title = serializers.CharField(source="task.title", default=None)
    departments = DepartmentOut(many=True, read_only=True)
    created_by_name = serializers.CharField(source="created_by.name", default=None)

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
        from orders.selectors.escalations import escalation_responses

        return EscalationResponseOut(escalation_responses(obj), many=True).data

    @extend_schema_field(EventOut(many=True))
    def get_events(self, obj):
        from orders.selectors.escalations import escalation_timeline

        return EventOut(escalation_timeline(obj), many=True).data


class AssignIn(serializers.Serializer):
    departments = serializers.ListField(child=_id_field(), min_length=1, max_length=20, help_text="部门 id")
    deadline = serializers.DateTimeField(required=False, allow_null=True, help_text="办理期限，默认 7 天")


class RespondIn(serializers.Serializer):
    department = _id_field(help_text="部门 id")
    response = _text(2000)


class ResolveIn(serializers.Serializer):
    outcome = _text(2000)


class TaskAcceptanceOut(serializers.ModelSerializer):
    """One slot of a task, as its staff see it (only staff over the task reach this list)."""

    status = serializers.CharField(read_only=True, help_text="状态代码（中文见 status_label）")
    status_label = serializers.CharField(source="get_status_display")
    member_name = serializers.CharField(source="member.user.name")
    member_phone = serializers.CharField(source="member.user.phone")
    member_kind_label = serializers.CharField(source="member.get_kind_display")
    unit_name = serializers.CharField(source="member.unit.name", default=None)
    checked_in_at = serializers.DateTimeField(source="checkin.checked_in_at", default=None)
    checked_out_at = serializers.DateTimeField(source="checkin.checked_out_at", default=None)
    record_id = serializers.IntegerField(allow_null=True)
    record_status = serializers.CharField(source="record.status", default=None)
    record_minutes = serializers.IntegerField(source="record.minutes", default=None)

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
