"""What the grids API's serializers share: coordinate systems, id fields, the viewer's scope."""

from rest_framework import serializers

from grids.filters import MAX_ID
from grids.geo import GCJ02, WGS84
from grids.selectors.scope import scope_for

COORD_CHOICES = [(WGS84, "WGS-84（浏览器）"), (GCJ02, "GCJ-02（微信）")]


def id_field(**kwargs) -> serializers.IntegerField:
    return serializers.IntegerField(min_value=1, max_value=MAX_ID, **kwargs)


def viewer_id(serializer) -> int | None:
    """The signed-in viewer's user id, or None."""
    user = getattr(serializer.context.get("request"), "user", None)
    return user.pk if user is not None and user.is_authenticated else None


def viewer_and_scope(serializer):
    request = serializer.context.get("request")
    user = getattr(request, "user", None)
    return user, scope_for(user)
