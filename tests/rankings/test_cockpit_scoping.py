"""Who sees which scope of the cockpit, on a generated city: street, district and city staff."""

from __future__ import annotations

import pytest

from grids.models import Post, Street
from rankings.cockpit import services
from tests.conftest import client_for
from tests.pages import browser_for
from tests.rankings.cockpit_support import (
    busiest_street,
    communities_of,
    expected,
    first_district,
    staff,
    yesterday,
)

API = "/api/v1/cockpit/"
PAGE = "/cockpit/"


def other_district_street(district):
    return Street.objects.exclude(district=district).order_by("pk").first()


pytestmark = [pytest.mark.slow, pytest.mark.django_db, pytest.mark.usefixtures("generated_city")]


@pytest.fixture
def built():
    services.cockpit_rebuild(day=yesterday())


def test_a_street_officer_sees_their_street_only(built):
    street = busiest_street()
    officer = staff(Post.Role.STREET_STAFF, street=street)
    api = client_for(officer)
    body = api.get(API).json()
    assert body["scope"] == f"street:{street.pk}" and body["live"] is False
    want = expected(yesterday(), communities_of("street", street.pk))
    assert body["figures"]["totals"]["participations"] == want["participations"]
    assert body["figures"]["totals"]["hours"] == want["hours"]
    assert api.get(API, {"scope": f"street:{street.pk}"}).status_code == 200
    sibling = Street.objects.filter(district_id=street.district_id).exclude(pk=street.pk).first()
    assert sibling is not None
    outside = ["city", f"district:{street.district_id}", f"street:{sibling.pk}"]
    outside.append(f"street:{other_district_street(street.district).pk}")
    for scope in outside:
        r = api.get(API, {"scope": scope})
        assert r.status_code == 403, scope
        assert r.json()["detail"] == "您只能查看本人管辖范围内的数据。"
    page = browser_for(officer).get(PAGE)
    assert page.status_code == 200
    html = page.content.decode()
    assert f'value="street:{street.pk}"' in html
    assert f'value="street:{sibling.pk}"' not in html and 'value="city"' not in html
    assert browser_for(officer).get(PAGE, {"scope": "city"}).status_code == 403


def test_a_district_officer_sees_the_district_and_may_drill_to_its_streets(built):
    district = first_district()
    officer = staff(Post.Role.DISTRICT_STAFF, district=district)
    api = client_for(officer)
    body = api.get(API).json()
    assert body["scope"] == f"district:{district.pk}"
    want = expected(yesterday(), communities_of("district", district.pk))
    assert body["figures"]["totals"]["activities"] == want["activities"]
    rows = body["figures"]["areas"]["rows"]
    assert {r["scope"] for r in rows} == {f"street:{s.pk}" for s in district.streets.all()}
    for row in rows:
        assert api.get(API, {"scope": row["scope"]}).status_code == 200
    other = other_district_street(district)
    assert api.get(API, {"scope": "city"}).status_code == 403
    assert api.get(API, {"scope": f"district:{other.district_id}"}).status_code == 403
    assert api.get(API, {"scope": f"street:{other.pk}"}).status_code == 403
    html = browser_for(officer).get(PAGE).content.decode()
    for street in district.streets.all():
        assert f'value="street:{street.pk}"' in html  # the drill-down choices
    assert 'value="city"' not in html


def test_city_staff_and_superusers_see_the_city_and_every_district(built, admin_user):
    officer = staff(Post.Role.CITY_STAFF)
    for user in (officer, admin_user):
        api = client_for(user)
        body = api.get(API).json()
        assert body["scope"] == "city"
        assert (
            body["figures"]["totals"]["participations"]
            == expected(yesterday(), communities_of("city", None))["participations"]
        )
        assert len(body["figures"]["areas"]["rows"]) == 10
        district = first_district()
        assert api.get(API, {"scope": f"district:{district.pk}"}).status_code == 200
        assert api.get(API, {"scope": f"street:{busiest_street().pk}"}).status_code == 200
        page = browser_for(user).get(PAGE)
        assert page.status_code == 200
        assert "数据驾驶舱 · 韶关市" in page.content.decode()
