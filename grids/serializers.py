"""Input and output serializers for the grids API.

Output serializers only read rows the selectors fetched (with their joins); input
serializers only check shapes and types. Rules live in ``grids.services``.
"""

from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from accounts.phone import mask_phone
from grids.filters import MAX_ID
from grids.geo import GCJ02, WGS84
from grids.models import Community, District, Grid, Member, Post, Registration, RegistrationChoice, Skill, Street, Unit
from grids.permissions import sees_member_phone, sees_registration_phone
from grids.selectors import scope_for

COORD_CHOICES = [(WGS84, "WGS-84（浏览器）"), (GCJ02, "GCJ-02（微信）")]


def _id_field(**kwargs) -> serializers.IntegerField:
    return serializers.IntegerField(min_value=1, max_value=MAX_ID, **kwargs)


def _viewer_and_scope(serializer):
    request = serializer.context.get("request")
    user = getattr(request, "user", None)
    return user, scope_for(user)


# --- the organisation ---------------------------------------------------------------------


class DistrictOut(serializers.ModelSerializer):
    kind_label = serializers.CharField(source="get_kind_display")

    class Meta:
        model = District
        fields = ["id", "code", "name", "kind", "kind_label", "lat", "lng"]


class StreetOut(serializers.ModelSerializer):
    kind_label = serializers.CharField(source="get_kind_display")
    district_name = serializers.CharField(source="district.name")

    class Meta:
        model = Street
        fields = ["id", "name", "kind", "kind_label", "district_id", "district_name"]


class CommunityOut(serializers.ModelSerializer):
    kind_label = serializers.CharField(source="get_kind_display")
    street_name = serializers.CharField(source="street.name")
    district_id = serializers.IntegerField(source="street.district_id")
    district_name = serializers.CharField(source="street.district.name")
    registered = serializers.IntegerField(help_text="已报到（含待编入）人数")
    still_needed = serializers.IntegerField(help_text="尚需报到人数（可为负，表示已超额）")
    distance_m = serializers.SerializerMethodField(help_text="与所给位置的距离（米）；未给位置时为空")

    class Meta:
        model = Community
        fields = [
            "id",
            "name",
            "kind",
            "kind_label",
            "street_id",
            "street_name",
            "district_id",
            "district_name",
            "address",
            "lat",
            "lng",
            "geofence_radius_m",
            "households",
            "members_needed",
            "registered",
            "still_needed",
            "distance_m",
        ]

    @extend_schema_field(OpenApiTypes.INT)
    def get_distance_m(self, obj) -> int | None:
        d = getattr(obj, "distance_m", None)
        return None if d is None else round(d)


class ReachableCommunityOut(CommunityOut):
    paired = serializers.BooleanField(help_text="是否为本人单位的结对社区")

    class Meta(CommunityOut.Meta):
        fields = [*CommunityOut.Meta.fields, "paired"]


class GridOut(serializers.ModelSerializer):
    level_label = serializers.CharField(source="get_level_display")
    kind_label = serializers.CharField(source="get_kind_display")
    community_name = serializers.CharField(source="community.name")
    parent_name = serializers.CharField(source="parent.name", default=None)

    class Meta:
        model = Grid
        fields = [
            "id",
            "name",
            "level",
            "level_label",
            "kind",
            "kind_label",
            "community_id",
            "community_name",
            "parent_id",
            "parent_name",
        ]


class UnitOut(serializers.ModelSerializer):
    kind_label = serializers.CharField(source="get_kind_display")
    district_name = serializers.CharField(source="district.name", default=None)

    class Meta:
        model = Unit
        fields = [
            "id",
            "name",
            "kind",
            "kind_label",
            "district_id",
            "district_name",
            "party_org_name",
            "address",
            "lat",
            "lng",
        ]


class CommunitiesNearQuery(serializers.Serializer):
    near = serializers.RegexField(
        r"^\s*-?\d{1,3}(\.\d+)?\s*,\s*-?\d{1,3}(\.\d+)?\s*$",
        max_length=60,
        error_messages={"invalid": "位置格式应为“纬度,经度”，例如 24.80,113.59。"},
    )
    coord_system = serializers.ChoiceField(choices=COORD_CHOICES, default=WGS84)
    radius_m = serializers.IntegerField(min_value=100, max_value=50_000, required=False)

    def validate_near(self, value: str) -> tuple[float, float]:
        lat, lng = (float(v) for v in value.split(","))
        return lat, lng


# --- members --------------------------------------------------------------------------------


class MemberOut(serializers.ModelSerializer):
    name = serializers.CharField(source="user.name")
    phone = serializers.SerializerMethodField(help_text="本人及其所属社区、网格的工作人员可见完整号码，其余为掩码")
    kind_label = serializers.CharField(source="get_kind_display")
    unit_name = serializers.CharField(source="unit.name", default=None)
    skill_labels = serializers.ListField(child=serializers.CharField())
    community_name = serializers.CharField(source="community.name", default=None)
    grid_name = serializers.CharField(source="grid.name", default=None)

    class Meta:
        model = Member
        fields = [
            "id",
            "name",
            "phone",
            "kind",
            "kind_label",
            "unit_id",
            "unit_name",
            "skills",
            "skill_labels",
            "community_id",
            "community_name",
            "grid_id",
            "grid_name",
            "created_at",
        ]

    def get_phone(self, obj: Member) -> str:
        viewer, scope = _viewer_and_scope(self)
        if viewer is not None and sees_member_phone(viewer, scope, obj):
            return obj.user.phone
        return mask_phone(obj.user.phone)


class MemberProfileOut(MemberOut):
    """The signed-in member's own profile: adds the home address and location (WGS-84)."""

    lat = serializers.FloatField(source="home_lat", allow_null=True)
    lng = serializers.FloatField(source="home_lng", allow_null=True)
    coord_system = serializers.SerializerMethodField()

    class Meta(MemberOut.Meta):
        fields = [*MemberOut.Meta.fields, "home_address", "lat", "lng", "coord_system"]

    def get_coord_system(self, obj) -> str:
        return WGS84


class _ProfileFields(serializers.Serializer):
    name = serializers.CharField(max_length=50, required=False)
    skills = serializers.ListField(child=serializers.ChoiceField(choices=Skill.choices), max_length=20, required=False)
    home_address = serializers.CharField(max_length=200, allow_blank=True, required=False)
    lat = serializers.FloatField(required=False, help_text="居住地纬度")
    lng = serializers.FloatField(required=False, help_text="居住地经度")
    coord_system = serializers.ChoiceField(choices=COORD_CHOICES, default=WGS84)

    def validate(self, attrs):
        if ("lat" in attrs) != ("lng" in attrs):
            raise serializers.ValidationError({"lat": ["请同时提供纬度和经度。"]})
        return attrs


class MemberProfileUpdateIn(_ProfileFields):
    """PATCH members/me/: the type and unit are fixed once created."""


class MemberCreateIn(_ProfileFields):
    kind = serializers.ChoiceField(choices=Member.Kind.choices)
    unit = _id_field(required=False, allow_null=True, help_text="所在单位 id（在职党员必填）")


# --- registration ----------------------------------------------------------------------


class RegistrationChoiceOut(serializers.ModelSerializer):
    community_name = serializers.CharField(source="community.name")

    class Meta:
        model = RegistrationChoice
        fields = ["rank", "community_id", "community_name", "declined_at"]


class RegistrationOut(serializers.ModelSerializer):
    member_name = serializers.CharField(source="member.user.name")
    member_phone = serializers.SerializerMethodField()
    member_kind = serializers.CharField(source="member.kind")
    member_kind_label = serializers.CharField(source="member.get_kind_display")
    unit_name = serializers.CharField(source="member.unit.name", default=None)
    community_name = serializers.CharField(source="community.name", default=None)
    grid_name = serializers.CharField(source="grid.name", default=None)
    status_label = serializers.CharField(source="get_status_display")
    source_label = serializers.CharField(source="get_source_display")
    decided_by_name = serializers.CharField(source="decided_by.name", default=None)
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
        viewer, scope = _viewer_and_scope(self)
        if viewer is not None and sees_registration_phone(viewer, scope, obj):
            return obj.member.user.phone
        return mask_phone(obj.member.user.phone)


class RegistrationCreateIn(serializers.Serializer):
    communities = serializers.ListField(
        child=_id_field(),
        allow_empty=True,
        max_length=50,
        help_text="志愿社区 id，按志愿顺序排列，1–3 个",
    )


class RegistrationPlaceIn(serializers.Serializer):
    grid = _id_field(help_text="编入的网格 id（须属于该报到社区）")


class RegistrationDeclineIn(serializers.Serializer):
    reason = serializers.CharField(max_length=200, allow_blank=True, required=False, default="")


class RegistrationAdjustIn(serializers.Serializer):
    member = _id_field(help_text="党员 id")
    community = _id_field(help_text="调剂到的社区 id")
    note = serializers.CharField(max_length=200, allow_blank=True, required=False, default="")


# --- posts ---------------------------------------------------------------------------------------


class PostOut(serializers.ModelSerializer):
    role_label = serializers.CharField(source="get_role_display")
    node_kind = serializers.SerializerMethodField()
    node_id = serializers.SerializerMethodField()
    node_name = serializers.CharField()

    class Meta:
        model = Post
        fields = ["id", "role", "role_label", "node_kind", "node_id", "node_name"]

    def get_node_kind(self, obj: Post) -> str:
        for kind in ("grid", "community", "street", "district"):
            if getattr(obj, f"{kind}_id") is not None:
                return kind
        return "city"

    @extend_schema_field(OpenApiTypes.INT)
    def get_node_id(self, obj: Post) -> int | None:
        node = obj.node
        return node.pk if node is not None else None
