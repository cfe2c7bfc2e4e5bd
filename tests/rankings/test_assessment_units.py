"""The unit's party organisation reads its own unit's assessment sheet, and no other."""

import pytest
from django.test import Client

from tests.conftest import client_for
from tests.unit_support import build_unit_world

pytestmark = pytest.mark.django_db


def signed_in(user) -> Client:
    c = Client()
    c.force_login(user)
    return c


@pytest.fixture
def w(community):
    return build_unit_world(community)


def test_the_unit_secretary_starts_at_their_units_sheet(w):
    for user in (w.secretary, w.organiser):
        resp = signed_in(user).get("/assessment/")
        assert resp.status_code == 302 and resp["Location"] == f"/assessment/unit/{w.unit.pk}/"
        page = signed_in(user).get(f"/assessment/unit/{w.unit.pk}/")
        assert page.status_code == 200 and "韶关市教育局" in page.content.decode()
        body = client_for(user).get(f"/api/v1/assessments/unit/{w.unit.pk}/").json()
        assert body["name"] == "韶关市教育局" and body["members"] == 3


def test_nobody_else_reads_the_units_sheet(w):
    url = f"/api/v1/assessments/unit/{w.unit.pk}/"
    for user in (w.neighbour, w.community_secretary, w.outsider, w.near.user):
        assert client_for(user).get(url).status_code == 403, user
        assert signed_in(user).get(f"/assessment/unit/{w.unit.pk}/").status_code == 403, user
    # Nor does the secretary read another unit's, or the communities' sheets as such.
    assert client_for(w.secretary).get(f"/api/v1/assessments/unit/{w.other_unit.pk}/").status_code == 403
    assert client_for(w.secretary).get(f"/api/v1/assessments/community/{w.community.pk}/").status_code == 403
    listed = client_for(w.secretary).get("/api/v1/assessments/?level=unit").json()["results"]
    assert [row["id"] for row in listed] == [w.unit.pk]
