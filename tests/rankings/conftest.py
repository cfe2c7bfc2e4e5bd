"""The generated cities the boards and the cockpit are checked against."""

import datetime as dt
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.db import transaction
from django.test import override_settings
from django.utils import timezone

from tests.rankings.cockpit_support import build_city

FAST_HASHING = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture
def city(settings):
    """A city at scale 0.01 with a year of activity, made for one test."""
    settings.PASSWORD_HASHERS = FAST_HASHING
    build_city()


@pytest.fixture(scope="module")
def generated_city(django_db_setup, django_db_blocker):
    """The same city made once for a test module, inside a transaction rolled back at its end;
    each test runs in a savepoint inside it."""
    with django_db_blocker.unblock(), override_settings(PASSWORD_HASHERS=FAST_HASHING), transaction.atomic():
        build_city()
        yield
        transaction.set_rollback(True)


COLLECTED_ON = timezone.localdate()


@pytest.fixture
def on_the_collected_day():
    """Keeps the clock on the Beijing day the modules were collected on. Their DAY (yesterday) is
    reckoned at collection; a suite that runs past midnight would otherwise find it two days back."""
    if timezone.localdate() == COLLECTED_ON:
        yield
        return
    noon = dt.datetime(COLLECTED_ON.year, COLLECTED_ON.month, COLLECTED_ON.day, 12, tzinfo=ZoneInfo("Asia/Shanghai"))
    with time_machine.travel(noon, tick=True):
        yield
