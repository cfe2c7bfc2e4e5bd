"""Which community a new request goes to: the one the requester chose, or else the one nearest
the location — decided once, in ``request_create``, for the order page and the API alike."""

import pytest

from core.errors import ValidationFailed
from grids.geo import wgs84_to_gcj02
from orders.models import ServiceRequest
from orders.services.requests import request_create
from tests.orders.support import order_fields

pytestmark = pytest.mark.django_db

FAR = {"lat": 25.30, "lng": 113.60}  # in Shaoguan, ~55 km north of the test communities


def placed_at(place, *, chosen=None, **overrides) -> dict:
    """What the requester sends from ``place`` (a community's centre), with ``chosen`` as their choice."""
    return {**order_fields(place, **overrides), "community": chosen}


def test_nearest_community_when_none_is_chosen(resident, community, other_community):
    near_other = placed_at(other_community, lat=other_community.lat + 0.0002)
    assert request_create(requester=resident, **near_other).community == other_community
    near_one = placed_at(community, lng=community.lng + 0.0002)
    assert request_create(requester=resident, **near_one).community == community


def test_nearest_is_found_from_the_location_converted_to_wgs84(resident, community, other_community):
    glat, glng = wgs84_to_gcj02(other_community.lat, other_community.lng)
    fields = placed_at(other_community, lat=glat, lng=glng, coord_system="gcj02")
    request = request_create(requester=resident, **fields)
    assert request.community == other_community
    assert abs(request.lat - other_community.lat) < 1e-6 and abs(request.lng - other_community.lng) < 1e-6


def test_the_chosen_community_is_kept_over_a_nearer_one(resident, community, other_community):
    # Placed right at 工业中社区, but the requester knows it belongs to 东堤社区.
    fields = placed_at(community, chosen=other_community)
    assert request_create(requester=resident, **fields).community == other_community


def test_refused_when_none_is_chosen_and_none_is_within_reach(resident, community, other_community):
    with pytest.raises(ValidationFailed) as exc:
        request_create(requester=resident, **placed_at(community, **FAR))
    assert exc.value.message == "您的位置附近没有找到社区，请确认位置在韶关市内。"
    assert (exc.value.code, exc.value.field) == ("required", "community")
    assert not ServiceRequest.objects.exists()


def test_a_chosen_community_with_a_location_out_of_the_city_is_refused(resident, community):
    with pytest.raises(ValidationFailed) as exc:
        request_create(requester=resident, **placed_at(community, chosen=community, lat=39.9, lng=116.4))
    assert exc.value.message == "该位置不在韶关市范围内。"
    assert (exc.value.code, exc.value.field) == ("outside_city", "location")
    assert not ServiceRequest.objects.exists()
