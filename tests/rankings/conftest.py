"""The generated cities the boards and the cockpit are checked against."""

import pytest
from django.db import transaction
from django.test import override_settings

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
