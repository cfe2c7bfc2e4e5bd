"""Serializers of 点单 and its review: a request as each viewer may see it (PIPL), and the inputs
of placing, approving, merging and rating one."""

from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from accounts.phone import mask_phone
from core.rows import CompiledRepresentation
from grids.vocab import Duty, Focus
from orders.models import RequestPhoto, ServiceRequest, Task
from orders.permissions import sees_contact
from orders.selectors.request_story import request_story
from orders.selectors.requests import members_who_served, request_timeline
from orders.serializers.common import EventOut, LocationIn, id_field, text_field


class RequestPhotoOut(CompiledRepresentation, serializers.ModelSerializer):
    url = serializers.ImageField(source="image", use_url=True)

    class Meta:
        model = RequestPhoto
        fields = ["id", "url", "width", "height"]


class RequestOut(CompiledRepresentation, serializers.ModelSerializer):
    """A request; the requester's phone, exact address and location only for those entitled (PIPL)."""

    duty_label = serializers.CharField(source="get_duty_display")
    status = serializers.CharField(read_only=True, help_text="状态代码（中文见 status_label）")
    status_label = serializers.CharField(source="get_status_display")
    requester_kind_label = serializers.CharField(source="get_requester_kind_display")
    community_name = serializers.CharField(source="community.name")
    grid_name = serializers.CharField(source="grid.name", default=None, allow_null=True)
    task_title = serializers.CharField(source="task.title", default=None, allow_null=True)
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
            "located",
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

    def get_lat(self, obj) -> float | None:
        return obj.lat if self._visible(obj) else None

    def get_lng(self, obj) -> float | None:
        return obj.lng if self._visible(obj) else None

    def get_distance_m(self, obj) -> int | None:
        d = getattr(obj, "distance_m", None)
        return None if d is None else round(d)


class NearbyOut(serializers.ModelSerializer):
    """A request found nearby ("是否是您的问题？"): enough to recognise the problem — what, what kind,
    how far, since when — and no more. The lookup needs no reason, so it shows what the order page
    shows; the description, photos and timeline open only to those with a reason to follow
    (``orders.selectors.requests.follow_reason``), through the join."""

    duty_label = serializers.CharField(source="get_duty_display")
    status_label = serializers.CharField(source="get_status_display")
    community_name = serializers.CharField(source="community.name")
    distance_m = serializers.SerializerMethodField(help_text="与所给位置的距离（米）")
    is_mine = serializers.SerializerMethodField(help_text="是否为我提交的点单")

    class Meta:
        model = ServiceRequest
        fields = [
            "id",
            "title",
            "duty",
            "duty_label",
            "status",
            "status_label",
            "community_id",
            "community_name",
            "distance_m",
            "is_mine",
            "created_at",
        ]

    def get_distance_m(self, obj) -> int:
        return round(obj.distance_m)

    def get_is_mine(self, obj) -> bool:
        user = getattr(self.context.get("request"), "user", None)
        return bool(user is not None and obj.requester_id == user.pk)


class FeedbackOut(serializers.Serializer):
    score = serializers.IntegerField()
    comment = serializers.CharField()
    created_at = serializers.DateTimeField()


class ServedMemberOut(serializers.Serializer):
    member_id = serializers.IntegerField()
    name = serializers.CharField(source="member.user.name")


class StoryOut(serializers.Serializer):
    created_at = serializers.DateTimeField()
    label = serializers.CharField(help_text="到达的状态，或发生的事（接单、到场签到、签退、点赞…）")
    note = serializers.CharField()
    who = serializers.CharField(
        help_text="谁做的：有权查看联系方式者可见全名，其余只显示姓（王**），本人为“您”；系统为空"
    )


class RequestDetailOut(RequestOut):
    events = serializers.SerializerMethodField(help_text="进度时间线（状态变化）")
    story = serializers.SerializerMethodField(help_text="办理经过：状态变化、接单、签到签退、点赞，带办理人")
    feedback = serializers.SerializerMethodField()
    liked_member_ids = serializers.SerializerMethodField()
    served_members = serializers.SerializerMethodField(
        help_text="完成服务的党员（评价时可点赞的人）；仅点单人可见，其他人为空"
    )

    class Meta(RequestOut.Meta):
        fields = [*RequestOut.Meta.fields, "events", "story", "feedback", "liked_member_ids", "served_members"]

    @extend_schema_field(ServedMemberOut(many=True))
    def get_served_members(self, obj):
        # Whom the requester may like when rating: the form needs their names, no one else does.
        if not self.get_is_mine(obj):
            return []
        return ServedMemberOut(members_who_served(obj), many=True).data

    @extend_schema_field(EventOut(many=True))
    def get_events(self, obj):
        return EventOut(request_timeline(obj), many=True).data

    @extend_schema_field(StoryOut(many=True))
    def get_story(self, obj):
        viewer = getattr(self.context.get("request"), "user", None)
        return StoryOut(request_story(obj, viewer), many=True).data

    @extend_schema_field(FeedbackOut(allow_null=True))
    def get_feedback(self, obj):
        feedback = getattr(obj, "feedback", None) if hasattr(obj, "feedback") else None
        return FeedbackOut(feedback).data if feedback is not None else None

    def get_liked_member_ids(self, obj) -> list[int]:
        return list(obj.likes.order_by("member_id").values_list("member_id", flat=True))


class RequestCreateIn(LocationIn):
    lat = serializers.FloatField(
        min_value=-90, max_value=90, required=False, allow_null=True, help_text="纬度；不定位时不填，须选社区"
    )
    lng = serializers.FloatField(
        min_value=-180, max_value=180, required=False, allow_null=True, help_text="经度；不定位时不填，须选社区"
    )
    community = id_field(
        required=False,
        help_text="社区 id（可用 communities/?search= 按名称或地址查找）；不填时按位置取最近的社区。"
        "不提供位置时必填，点单位置取该社区中心，具体地点写在 address",
    )
    grid = id_field(required=False, allow_null=True)
    duty = serializers.ChoiceField(choices=Duty.choices)
    title = text_field(80)
    description = text_field(2000)
    address = text_field(200)
    contact_phone = text_field(20, required=False, help_text="联系电话；不填时用账号手机号")
    preferred_time = serializers.DateTimeField(required=False, allow_null=True)
    requester_kind = serializers.ChoiceField(
        choices=ServiceRequest.RequesterKind.choices, default=ServiceRequest.RequesterKind.RESIDENT
    )
    unit = id_field(required=False, allow_null=True, help_text="以单位党组织身份点单时的单位 id")
    photos = serializers.ListField(
        child=serializers.FileField(allow_empty_file=True),
        required=False,
        max_length=10,
        help_text="照片，最多 3 张（multipart 提交）",
    )


class RequestPhotoIn(serializers.Serializer):
    photo = serializers.FileField(allow_empty_file=True, help_text="一张照片（JPEG 或 PNG）")


class NearbyQuery(LocationIn):
    duty = serializers.ChoiceField(choices=Duty.choices)


# Where the follower is: needed unless they are a member registered with the request's
# community or staff over it (the schema's text is the action's description).
class JoinIn(LocationIn):
    lat = serializers.FloatField(min_value=-90, max_value=90, required=False, help_text="纬度（在现场时必填）")
    lng = serializers.FloatField(min_value=-180, max_value=180, required=False, help_text="经度（在现场时必填）")


class ApproveIn(serializers.Serializer):
    task_id = id_field(required=False, help_text="并入已有任务时的任务 id")
    duty = serializers.ChoiceField(
        choices=Duty.choices, required=False, help_text="更正点单的服务类别（新任务沿用），记入办理记录"
    )
    title = text_field(80, required=False, help_text="更正点单的标题（新任务沿用），记入办理记录")
    focus = serializers.ChoiceField(choices=Focus.choices, required=False)
    description = text_field(4000, required=False, allow_blank=True)
    address = text_field(200, required=False)
    starts_at = serializers.DateTimeField(required=False)
    ends_at = serializers.DateTimeField(required=False)
    slots = serializers.IntegerField(min_value=1, max_value=500, required=False)
    geofence_radius_m = serializers.IntegerField(min_value=20, max_value=5000, required=False)
    skills_wanted = serializers.ListField(child=serializers.CharField(max_length=30), max_length=20, required=False)
    visibility = serializers.ChoiceField(choices=Task.PUBLIC_VISIBILITIES, required=False)


class MergeIn(serializers.Serializer):
    into = id_field(help_text="合并到的点单 id")


class RateIn(serializers.Serializer):
    score = serializers.IntegerField(min_value=1, max_value=5)
    comment = text_field(500, required=False, allow_blank=True, default="")
    liked_members = serializers.ListField(child=id_field(), max_length=100, required=False, default=list)
