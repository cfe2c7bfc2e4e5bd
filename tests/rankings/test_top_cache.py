"""The Top 50 is served from the cache, and a rebuild of the same day shows: at once when the
rebuild's commit reaches the cache, within the days list's lifetime (DAYS_TTL) otherwise."""

import datetime as dt
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.utils import timezone

from rankings.selectors import published
from rankings.services import board_rebuild
from tests.conftest import client_for
from tests.grids.factories import MemberFactory, UnitFactory
from tests.rankings.factories import ConfirmedRecordFactory

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("on_the_collected_day")]
DAY = timezone.localdate() - dt.timedelta(days=1)


def evening() -> dt.datetime:
    return dt.datetime(DAY.year, DAY.month, DAY.day, 19, tzinfo=ZoneInfo("Asia/Shanghai"))


@pytest.fixture
def pair(community):
    unit = UnitFactory(district=community.street.district)
    return MemberFactory(community=community, unit=unit), MemberFactory(community=community, unit=unit)


def first(client) -> int:
    r = client.get("/api/v1/boards/members/")
    assert r.status_code == 200
    return r.json()["results"][0]["subject_id"]


def test_the_top_50_is_one_query_once_cached(pair, django_assert_max_num_queries):
    a, _ = pair
    ConfirmedRecordFactory(member=a, started_at=evening(), minutes=60)
    board_rebuild(day=DAY, triggered_by="测试")
    client = client_for(a.user)
    body = client.get("/api/v1/boards/members/").json()
    with django_assert_max_num_queries(0):  # forced authentication: no token query either
        assert client.get("/api/v1/boards/members/").json() == body


def test_a_rebuild_of_the_same_day_shows_at_once_after_its_commit(pair, django_capture_on_commit_callbacks):
    a, b = pair
    ConfirmedRecordFactory(member=a, started_at=evening(), minutes=60)
    board_rebuild(day=DAY, triggered_by="测试")
    client = client_for(a.user)
    assert first(client) == a.pk
    ConfirmedRecordFactory(member=b, started_at=evening(), minutes=600)
    with django_capture_on_commit_callbacks(execute=True):
        board_rebuild(day=DAY, triggered_by="测试")
    assert first(client) == b.pk


def test_a_rebuild_whose_commit_missed_the_cache_shows_within_the_days_lifetime(pair, settings):
    # Redis expires keys on its own clock, and time-machine moves only this process's: the
    # lifetime is checked on the local-memory cache, whose expiry reads the moved clock.
    settings.CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache", "LOCATION": "top-ttl"}}
    a, b = pair
    ConfirmedRecordFactory(member=a, started_at=evening(), minutes=60)
    with time_machine.travel(timezone.now(), tick=False) as clock:
        board_rebuild(day=DAY, triggered_by="测试")
        client = client_for(a.user)
        assert first(client) == a.pk
        ConfirmedRecordFactory(member=b, started_at=evening(), minutes=600)
        clock.shift(1)
        board_rebuild(day=DAY, triggered_by="测试")  # its on-commit forgetting never runs here
        assert first(client) == a.pk  # the cached list of days still names the old build
        clock.shift(published.DAYS_TTL + 1)
        assert first(client) == b.pk
