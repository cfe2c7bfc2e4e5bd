"""Output serializers of the organisation tree (read by every signed-in user) and the near-me query."""

from rest_framework import serializers

from grids.geo import WGS84
from grids.models import Community, District, Grid, Street, Unit
from grids.serializers.common import COORD_CHOICES


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
    parent_name = serializers.CharField(source="parent.name", default=None, allow_null=True)

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
    district_name = serializers.CharField(source="district.name", default=None, allow_null=True)

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
