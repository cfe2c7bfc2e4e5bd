"""How often one person may look for requests near a point and try to follow one: both reveal
requests, so a client cannot sweep locations with them. Each try is counted — the refused joins
too — per person, through the API and the order page alike; past the limit the answer is 429
with ``Retry-After`` (the page says why), and the person next door is not held back."""

import datetime as dt

import pytest
import time_machine

from core.errors import Throttled
from grids.vocab import Duty
from orders.models import RequestFollower, RequestLookup
from orders.services.requests import request_lookup_count
from tests.accounts.factories import UserFactory
from tests.conftest import client_for
from tests.orders.api_support import V1
from tests.orders.factories import ServiceRequestFactory
from tests.orders.support import burst
from tests.pages import browser_for, html

pytestmark = pytest.mark.django_db

NOW = dt.datetime(2026, 6, 1, 10, 0, tzinfo=dt.UTC)
# ~110 m north of the request (inside the duplicate radius); ~1.1 km (outside it).
NEAR, FAR = 0.001, 0.01


@pytest.fixture
def req(community, resident):
    return ServiceRequestFactory(community=community, requester=resident, duty=Duty.SANITATION)


def nearby_query(req) -> dict:
    return {"lat": req.lat, "lng": req.lng, "coord_system": "wgs84", "duty": req.duty}


def at(req, dlat=NEAR) -> dict:
    return {"lat": req.lat + dlat, "lng": req.lng, "coord_system": "wgs84"}


def test_the_defaults_are_in_settings(settings):
    assert (settings.NEARBY_LOOKUPS_PER_HOUR, settings.JOINS_PER_DAY) == (60, 10)


# --- the API ----------------------------------------------------------------------------------


def test_api_nearby_over_the_hourly_limit_is_429_and_the_neighbour_still_looks(settings, req):
    settings.NEARBY_LOOKUPS_PER_HOUR = 2
    sweeper, neighbour = UserFactory(), UserFactory()
    api = client_for(sweeper)
    url = f"{V1}/requests/nearby/"
    with time_machine.travel(NOW, tick=False) as t:
        for _ in range(2):
            assert api.get(url, nearby_query(req)).status_code == 200
            t.shift(dt.timedelta(minutes=10))
        refused = api.get(url, nearby_query(req))
        assert client_for(neighbour).get(url, nearby_query(req)).json()["results"][0]["id"] == req.pk
    assert refused.status_code == 429
    body = refused.json()
    assert body["code"] == "throttled" and "每小时最多查找附近点单 2 次" in body["detail"]
    assert "results" not in body
    assert refused["Retry-After"] == str(40 * 60)  # the first lookup leaves the hour in 40 minutes
    # Refused tries are not counted: the wait does not grow by asking again.
    assert RequestLookup.objects.filter(user=sweeper).count() == 2
    with time_machine.travel(NOW + dt.timedelta(hours=1, seconds=1), tick=False):
        assert api.get(url, nearby_query(req)).status_code == 200


def test_api_nearby_with_a_bad_query_counts_nothing(settings, req):
    settings.NEARBY_LOOKUPS_PER_HOUR = 1
    api = client_for(UserFactory())
    assert api.get(f"{V1}/requests/nearby/", {"lat": "x"}).status_code == 400
    assert api.get(f"{V1}/requests/nearby/", nearby_query(req)).status_code == 200


def test_api_joins_count_the_refused_ones_too(settings, req):
    settings.JOINS_PER_DAY = 3
    sweeper, neighbour = UserFactory(), UserFactory()
    api = client_for(sweeper)
    url = f"{V1}/requests/{req.pk}/join/"
    with time_machine.travel(NOW, tick=False):
        # Sweeping places until one is close enough: each miss is a 404, and each counts.
        for step in (5, 4, 3):
            assert api.post(url, at(req, FAR * step), format="json").status_code == 404
        refused = api.post(url, at(req), format="json")
        assert client_for(neighbour).post(url, at(req), format="json").status_code == 200
    assert refused.status_code == 429
    assert refused.json()["code"] == "throttled" and "每人每天最多关注点单 3 次" in refused.json()["detail"]
    assert refused["Retry-After"] == str(24 * 3600)
    assert not RequestFollower.objects.filter(request=req, user=sweeper).exists()
    assert RequestFollower.objects.filter(request=req, user=neighbour).exists()
    with time_machine.travel(NOW + dt.timedelta(days=1, seconds=1), tick=False):
        assert api.post(url, at(req), format="json").status_code == 200


# --- the order page ---------------------------------------------------------------------------


def test_page_nearby_over_the_limit_says_why_and_still_proposes_communities(settings, req):
    settings.NEARBY_LOOKUPS_PER_HOUR = 1
    sweeper = browser_for(UserFactory())
    query = nearby_query(req)
    with time_machine.travel(NOW, tick=False):
        assert sweeper.get("/order/nearby/", query).json()["requests"][0]["id"] == req.pk
        # Without a duty no request is looked for: nothing to count.
        assert sweeper.get("/order/nearby/", {**query, "duty": ""}).status_code == 200
        refused = sweeper.get("/order/nearby/", query)
        neighbour = browser_for(UserFactory()).get("/order/nearby/", query)
    assert refused.status_code == 429 and refused["Retry-After"] == "3600"
    data = refused.json()
    assert data["error"] == "每小时最多查找附近点单 1 次，请稍后再试。"
    assert data["requests"] == [] and data["communities"][0]["name"] == "工业中社区"
    assert neighbour.status_code == 200 and neighbour.json()["requests"][0]["id"] == req.pk


def test_page_and_api_share_one_count(settings, req):
    settings.NEARBY_LOOKUPS_PER_HOUR = 1
    user = UserFactory()
    assert browser_for(user).get("/order/nearby/", nearby_query(req)).status_code == 200
    assert client_for(user).get(f"{V1}/requests/nearby/", nearby_query(req)).status_code == 429


def test_the_page_script_shows_the_refusal():
    from pathlib import Path

    script = (Path(__file__).resolve().parents[2] / "static/js/app.js").read_text()
    assert "r.status === 429" in script and "dupes-refused" in script


def test_page_join_over_the_limit_shows_the_message(settings, req):
    settings.JOINS_PER_DAY = 1
    sweeper = UserFactory()
    browser = browser_for(sweeper)
    url = f"/requests/{req.pk}/join/"
    with time_machine.travel(NOW, tick=False):
        assert browser.post(url, at(req, FAR)).status_code == 404
        refused = browser.post(url, at(req), follow=True)
        neighbour = browser_for(UserFactory()).post(url, at(req))
    assert "每人每天最多关注点单 1 次，请稍后再试。" in html(refused)
    assert not RequestFollower.objects.filter(request=req, user=sweeper).exists()
    assert neighbour.status_code == 302 and neighbour["Location"] == f"/my/requests/{req.pk}/"


# --- the count itself -------------------------------------------------------------------------


def test_the_two_kinds_are_counted_apart(settings):
    settings.NEARBY_LOOKUPS_PER_HOUR, settings.JOINS_PER_DAY = 1, 1
    user = UserFactory()
    request_lookup_count(user=user, kind=RequestLookup.Kind.NEARBY)
    request_lookup_count(user=user, kind=RequestLookup.Kind.JOIN)
    for kind in RequestLookup.Kind.values:
        with pytest.raises(Throttled):
            request_lookup_count(user=user, kind=kind)


def test_tries_older_than_a_day_are_purged(settings):
    from orders.tasks import purge_request_lookups

    user = UserFactory()
    with time_machine.travel(NOW, tick=False) as t:
        request_lookup_count(user=user, kind=RequestLookup.Kind.JOIN)
        t.shift(dt.timedelta(hours=12))
        request_lookup_count(user=user, kind=RequestLookup.Kind.NEARBY)
        t.shift(dt.timedelta(hours=12, seconds=1))
        assert purge_request_lookups.delay().get() == 1
    assert list(RequestLookup.objects.values_list("kind", flat=True)) == ["nearby"]


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_a_burst_of_lookups_from_one_person_stops_at_the_limit(settings):
    settings.NEARBY_LOOKUPS_PER_HOUR = 3
    user = UserFactory()
    outcomes = burst(lambda: request_lookup_count(user=user, kind=RequestLookup.Kind.NEARBY), ok="counted")
    assert sorted(outcomes) == ["counted"] * 3 + ["throttled"] * 7, outcomes
    assert RequestLookup.objects.filter(user=user).count() == 3
