"""Members' profiles, posts and ``me/``: input serializers check shapes only; rules live in services."""

from rest_framework import serializers

from accounts.phone import mask_phone
from core.rows import CompiledRepresentation
from grids.geo import WGS84
from grids.models import Member, Post, Skill
from grids.permissions import sees_member_phone
from grids.serializers.common import COORD_CHOICES, id_field, viewer_and_scope, viewer_id


class MemberOut(CompiledRepresentation, serializers.ModelSerializer):
    name = serializers.CharField(source="user.name")
    phone = serializers.SerializerMethodField(help_text="本人及其所属社区、网格的工作人员可见完整号码，其余为掩码")
    kind_label = serializers.CharField(source="get_kind_display")
    unit_name = serializers.CharField(source="unit.name", default=None, allow_null=True)
    skill_labels = serializers.ListField(child=serializers.CharField())
    community_name = serializers.CharField(source="community.name", default=None, allow_null=True)
    grid_name = serializers.CharField(source="grid.name", default=None, allow_null=True)

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
        if obj.user_id == viewer_id(self):  # one's own: no need to work out the scope
            return obj.user.phone
        viewer, scope = viewer_and_scope(self)
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
    unit = id_field(required=False, allow_null=True, help_text="所在单位 id（在职党员必填）")


class PostOut(CompiledRepresentation, serializers.ModelSerializer):
    role_label = serializers.CharField(source="get_role_display")
    node_kind = serializers.SerializerMethodField()
    node_id = serializers.SerializerMethodField()
    node_name = serializers.CharField()

    class Meta:
        model = Post
        fields = ["id", "role", "role_label", "node_kind", "node_id", "node_name"]

    def get_node_kind(self, obj: Post) -> str:
        for kind in ("unit", "grid", "community", "street", "district"):
            if getattr(obj, f"{kind}_id") is not None:
                return kind
        return "city"

    def get_node_id(self, obj: Post) -> int | None:
        node = obj.node
        return node.pk if node is not None else None
