"""What the serializers of several subdomains share: ids, text, a location, a reason, an event."""

from rest_framework import serializers

from grids.filters import MAX_ID
from grids.geo import WGS84
from grids.serializers.common import COORD_CHOICES


def id_field(**kwargs) -> serializers.IntegerField:
    return serializers.IntegerField(min_value=1, max_value=MAX_ID, **kwargs)


def text_field(max_length: int, **kwargs) -> serializers.CharField:
    return serializers.CharField(max_length=max_length, **kwargs)


class LocationIn(serializers.Serializer):
    lat = serializers.FloatField(min_value=-90, max_value=90, help_text="纬度")
    lng = serializers.FloatField(min_value=-180, max_value=180, help_text="经度")
    coord_system = serializers.ChoiceField(
        choices=COORD_CHOICES, default=WGS84, help_text="wgs84（浏览器）或 gcj02（微信 wx.getLocation）"
    )


class ReasonIn(serializers.Serializer):
    reason = text_field(500, allow_blank=True)


class EventOut(serializers.Serializer):
    from_status = serializers.CharField()
    to_status = serializers.CharField()
    actor_name = serializers.CharField(source="actor.name", default=None, allow_null=True)
    note = serializers.CharField()
    created_at = serializers.DateTimeField()
