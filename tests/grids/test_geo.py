import math

import pytest

from grids.geo import (
    bbox_around,
    city_bounds,
    gcj02_to_wgs84,
    haversine_m,
    in_city,
    to_wgs84,
    wgs84_to_gcj02,
)

SHAOGUAN = (24.8108, 113.5975)  # city centre, WGS-84


@pytest.mark.parametrize(
    "point",
    [SHAOGUAN, (24.8035, 113.5905), (25.1, 113.3), (24.37, 114.07), (25.55, 114.75), (23.95, 112.85)],
)
def test_gcj02_round_trip_under_a_metre(point):
    g = wgs84_to_gcj02(*point)
    back = gcj02_to_wgs84(*g)
    assert haversine_m(*point, *back) < 1.0
    # and the other way round
    w = gcj02_to_wgs84(*point)
    assert haversine_m(*point, *wgs84_to_gcj02(*w)) < 1.0


def test_gcj02_offset_at_shaoguan_is_a_few_hundred_metres():
    offset = haversine_m(*SHAOGUAN, *wgs84_to_gcj02(*SHAOGUAN))
    assert 500 <= offset <= 700, offset
    # the offset goes east-north-east: GCJ-02 longitude is larger than WGS-84's here
    glat, glng = wgs84_to_gcj02(*SHAOGUAN)
    assert glng > SHAOGUAN[1]


def test_to_wgs84():
    assert to_wgs84(24.8, 113.6, "wgs84") == (24.8, 113.6)
    g = wgs84_to_gcj02(24.8, 113.6)
    lat, lng = to_wgs84(*g, "gcj02")
    assert haversine_m(lat, lng, 24.8, 113.6) < 1.0
    with pytest.raises(ValueError):
        to_wgs84(24.8, 113.6, "bd09")


def test_haversine_known_distances():
    # One degree of latitude along a meridian: 2πR/360 ≈ 111.195 km.
    assert haversine_m(24.0, 113.0, 25.0, 113.0) == pytest.approx(111_195, rel=1e-3)
    # Shaoguan to Guangzhou (Haizhu Square ~23.129, 113.264): about 190 km as the crow flies.
    assert haversine_m(*SHAOGUAN, 23.129, 113.264) == pytest.approx(189_000, rel=0.03)
    assert haversine_m(*SHAOGUAN, *SHAOGUAN) == 0
    # symmetric
    assert haversine_m(24.8, 113.6, 24.9, 113.7) == pytest.approx(haversine_m(24.9, 113.7, 24.8, 113.6))


def test_city_bounds_contain_every_district_centre():
    from grids.geo import geography

    for d in geography()["districts"]:
        lat, lng = d["centre"]
        assert in_city(lat, lng), d["name"]


@pytest.mark.parametrize(
    "lat,lng,inside",
    [
        (*SHAOGUAN, True),
        (23.129, 113.264, False),  # Guangzhou
        (39.9, 116.4, False),  # Beijing
        (0, 0, False),
        (24.8, 112.7, False),
        (25.7, 113.6, False),
    ],
)
def test_in_city(lat, lng, inside):
    assert in_city(lat, lng) is inside


def test_bounds_shape():
    b = city_bounds()
    assert b["lat_min"] < SHAOGUAN[0] < b["lat_max"]
    assert b["lng_min"] < SHAOGUAN[1] < b["lng_max"]


def test_bbox_around_encloses_the_circle():
    lat, lng = SHAOGUAN
    lat_min, lat_max, lng_min, lng_max = bbox_around(lat, lng, 1000)
    assert haversine_m(lat, lng, lat_max, lng) == pytest.approx(1000, rel=1e-3)
    assert haversine_m(lat, lng, lat, lng_max) == pytest.approx(1000, rel=1e-2)
    assert lat_min < lat < lat_max and lng_min < lng < lng_max
    assert not math.isclose(lng_max - lng, lat_max - lat)  # longitude degrees are shorter here
