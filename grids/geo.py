"""Coordinates: distances, WGS-84 ↔ GCJ-02, and Shaoguan's bounds.

Everything is stored in WGS-84. WeChat's ``wx.getLocation`` reports GCJ-02 (the offset
"Mars" datum mandated in China), about 600 m off at Shaoguan; browsers report WGS-84.
Clients say which with ``coord_system``; ``to_wgs84`` converts before anything is stored
or compared (``location_to_wgs84`` also refuses points outside the city, with a domain
error a client can show). The conversion is the published GCJ-02 forward transform, inverted by
iteration to well under a metre.
"""

import json
import math
from dataclasses import dataclass
from functools import cache
from pathlib import Path

from core.errors import ValidationFailed

WGS84 = "wgs84"
GCJ02 = "gcj02"
COORD_SYSTEMS = [(WGS84, "WGS-84（浏览器）"), (GCJ02, "GCJ-02（微信）")]

_EARTH_RADIUS_M = 6_371_008.8
_A = 6378245.0
_EE = 0.00669342162296594323


@dataclass(frozen=True)
class Point:
    lat: float
    lng: float


def haversine_m(lat1: float, lng1: float, lat2: float, lng2: float) -> float:
    """Great-circle distance in metres."""
    p1, p2 = math.radians(lat1), math.radians(lat2)
    dp, dl = p2 - p1, math.radians(lng2 - lng1)
    h = math.sin(dp / 2) ** 2 + math.cos(p1) * math.cos(p2) * math.sin(dl / 2) ** 2
    return 2 * _EARTH_RADIUS_M * math.asin(math.sqrt(h))


def _transform_lat(x: float, y: float) -> float:
    ret = -100.0 + 2.0 * x + 3.0 * y + 0.2 * y * y + 0.1 * x * y + 0.2 * math.sqrt(abs(x))
    ret += (20.0 * math.sin(6.0 * x * math.pi) + 20.0 * math.sin(2.0 * x * math.pi)) * 2.0 / 3.0
    ret += (20.0 * math.sin(y * math.pi) + 40.0 * math.sin(y / 3.0 * math.pi)) * 2.0 / 3.0
    ret += (160.0 * math.sin(y / 12.0 * math.pi) + 320 * math.sin(y * math.pi / 30.0)) * 2.0 / 3.0
    return ret


def _transform_lng(x: float, y: float) -> float:
    ret = 300.0 + x + 2.0 * y + 0.1 * x * x + 0.1 * x * y + 0.1 * math.sqrt(abs(x))
    ret += (20.0 * math.sin(6.0 * x * math.pi) + 20.0 * math.sin(2.0 * x * math.pi)) * 2.0 / 3.0
    ret += (20.0 * math.sin(x * math.pi) + 40.0 * math.sin(x / 3.0 * math.pi)) * 2.0 / 3.0
    ret += (150.0 * math.sin(x / 12.0 * math.pi) + 300.0 * math.sin(x / 30.0 * math.pi)) * 2.0 / 3.0
    return ret


def wgs84_to_gcj02(lat: float, lng: float) -> tuple[float, float]:
    dlat = _transform_lat(lng - 105.0, lat - 35.0)
    dlng = _transform_lng(lng - 105.0, lat - 35.0)
    radlat = lat / 180.0 * math.pi
    magic = 1 - _EE * math.sin(radlat) ** 2
    sqrtmagic = math.sqrt(magic)
    dlat = (dlat * 180.0) / ((_A * (1 - _EE)) / (magic * sqrtmagic) * math.pi)
    dlng = (dlng * 180.0) / (_A / sqrtmagic * math.cos(radlat) * math.pi)
    return lat + dlat, lng + dlng


def gcj02_to_wgs84(lat: float, lng: float) -> tuple[float, float]:
    """Invert ``wgs84_to_gcj02`` by fixed-point iteration (converges to < 1e-7° in a few steps)."""
    wlat, wlng = lat, lng
    for _ in range(30):
        glat, glng = wgs84_to_gcj02(wlat, wlng)
        dlat, dlng = glat - lat, glng - lng
        wlat, wlng = wlat - dlat, wlng - dlng
        if abs(dlat) < 1e-9 and abs(dlng) < 1e-9:
            break
    return wlat, wlng


def to_wgs84(lat: float, lng: float, coord_system: str = WGS84) -> tuple[float, float]:
    if coord_system == GCJ02:
        return gcj02_to_wgs84(lat, lng)
    if coord_system == WGS84:
        return lat, lng
    raise ValueError(f"unknown coordinate system {coord_system!r}")


@cache
def geography() -> dict:
    return json.loads((Path(__file__).parent / "data" / "shaoguan-geography.json").read_text("utf-8"))


def city_bounds() -> dict:
    return geography()["city"]["bounds_wgs84"]


def in_city(lat: float, lng: float) -> bool:
    """Whether a WGS-84 point lies within Shaoguan's bounding box."""
    b = city_bounds()
    return b["lat_min"] <= lat <= b["lat_max"] and b["lng_min"] <= lng <= b["lng_max"]


def bbox_around(lat: float, lng: float, radius_m: float) -> tuple[float, float, float, float]:
    """(lat_min, lat_max, lng_min, lng_max) enclosing a circle: a cheap index prefilter."""
    dlat = math.degrees(radius_m / _EARTH_RADIUS_M)
    dlng = math.degrees(radius_m / (_EARTH_RADIUS_M * max(math.cos(math.radians(lat)), 1e-6)))
    return lat - dlat, lat + dlat, lng - dlng, lng + dlng


def location_to_wgs84(
    *, lat: float, lng: float, coord_system: str = WGS84, field: str = "location"
) -> tuple[float, float]:
    """Convert a client location to stored WGS-84, refusing points outside Shaoguan."""
    if coord_system not in (WGS84, GCJ02):
        raise ValidationFailed("坐标系只能是 wgs84 或 gcj02。", field="coord_system")
    if not (-90 <= lat <= 90 and -180 <= lng <= 180):
        raise ValidationFailed("经纬度超出范围。", field=field)
    wlat, wlng = to_wgs84(lat, lng, coord_system)
    if not in_city(wlat, wlng):
        raise ValidationFailed("该位置不在韶关市范围内。", code="outside_city", field=field)
    return wlat, wlng
