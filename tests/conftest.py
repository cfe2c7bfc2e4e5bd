"""Shared fixtures: the people every test talks about, and the service markers.

Markers: ``postgres`` tests run only on PostgreSQL, ``redis`` only with ``REDIS_URL``,
``browser`` only with Debian's Chromium. Without the service they are skipped with a reason;
with ``REQUIRE_ALL_SERVICES=1`` (set by ``.ci/run``) a missing service fails the run instead.
"""

import os
import secrets
import shutil
from urllib.parse import urlsplit, urlunsplit

import pytest
from django.conf import settings
from rest_framework.test import APIClient

from grids.models import Post
from tests.accounts.factories import UserFactory
from tests.grids.factories import (
    BuildingFactory,
    CommunityFactory,
    DistrictFactory,
    Level2GridFactory,
    MemberFactory,
    PostFactory,
    StreetFactory,
)
from tests.sms_fakes import sms_provider  # noqa: F401 - the fake SMS providers, for every app's tests

CHROMIUM = "/usr/bin/chromium"


def pytest_configure(config):
    """Under pytest-xdist each worker gets a Redis database of its own (the ones after the configured
    one, which stays the developer's): every test starts by clearing the cache, and one worker's clear must not wipe
    another's throttle counters or take its Celery messages. PostgreSQL needs nothing: each
    worker already has its own test database."""
    _own_secret_key()
    _static_files_as_they_are()
    worker = os.environ.get("PYTEST_XDIST_WORKER")
    if not (worker and settings.REDIS_URL):
        return
    parts = urlsplit(settings.REDIS_URL)
    base = int(parts.path.strip("/") or 0)  # the configured database; the workers take the next ones
    url = urlunsplit(parts._replace(path=f"/{base + 1 + int(worker.removeprefix('gw'))}"))
    settings.REDIS_URL = settings.CELERY_BROKER_URL = settings.CELERY_RESULT_BACKEND = url
    settings.CACHES["default"]["LOCATION"] = url

    from shaoguan.celery import app

    app.conf.broker_url = app.conf.result_backend = url


def _static_files_as_they_are() -> None:
    """The suite runs without DEBUG, where STATIC_MANIFEST defaults on, but never runs
    collectstatic: pages link static/ as it is (tests/core/test_static_files.py runs collectstatic
    with the manifest and renders a page through it)."""
    settings.STORAGES = {
        **settings.STORAGES,
        "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
    }
    settings.STATIC_MANIFEST = False
    settings.WHITENOISE_USE_FINDERS = True


def _own_secret_key() -> None:
    """The suite runs on a key of its own, as a deployment does (``.ci/run`` exports one; a bare
    ``make test`` has none): a Celery worker started in a test refuses the development key
    published in the repository, as every serving process does without DEBUG."""
    if settings.SECRET_KEY in settings.PUBLISHED_SECRET_KEYS:
        settings.SECRET_KEY = "tests-" + secrets.token_urlsafe(50)


def _service_gaps() -> dict[str, str]:
    gaps = {}
    if settings.DATABASES["default"]["ENGINE"] != "django.db.backends.postgresql":
        gaps["postgres"] = "needs PostgreSQL: set DATABASE_URL=postgres://…"
    if not settings.REDIS_URL:
        gaps["redis"] = "needs Redis: set REDIS_URL=redis://…"
    if not (os.path.exists(CHROMIUM) or shutil.which("chromium")):
        gaps["browser"] = "needs Debian's chromium (make test installs it when run as root)"
    if not (shutil.which("node") and (settings.BASE_DIR / "miniprogram" / "node_modules").is_dir()):
        gaps["miniprogram"] = "needs node and the mini program's packages (make miniprogram)"
    return gaps


@pytest.hookimpl(trylast=True)
def pytest_collection_modifyitems(config, items):
    schemathesis_first(items)
    gaps = _service_gaps()
    if not gaps:
        return
    needed = {m for item in items for m in gaps if m in item.keywords}
    if os.environ.get("REQUIRE_ALL_SERVICES") == "1" and needed:
        raise pytest.UsageError("REQUIRE_ALL_SERVICES=1 but: " + "; ".join(gaps[m] for m in sorted(needed)))
    for item in items:
        for marker, reason in gaps.items():
            if marker in item.keywords:
                item.add_marker(pytest.mark.skip(reason=reason))


def schemathesis_first(items) -> None:
    """The Schemathesis callers (minutes each) go first, after pytest-django has ordered the rest.

    Under pytest-xdist they then start on fresh workers and overlap the thousands of short tests
    instead of trailing them two at a time at the end of the run; and each runs in a process that
    has not yet run thousands of other tests (one such run once saw every request of a caller fail
    after a long worker's history, which the callers alone never show).
    """
    items[:] = [i for i in items if "schemathesis" in i.keywords] + [
        i for i in items if "schemathesis" not in i.keywords
    ]


def pytest_terminal_summary(terminalreporter):
    """The figures of tests/test_schemathesis.py, one line per caller (from any xdist worker)."""
    rows = [
        value
        for reports in (terminalreporter.stats.get("passed", []), terminalreporter.stats.get("failed", []))
        for report in reports
        for name, value in getattr(report, "user_properties", ())
        if name == "schemathesis"
    ]
    if rows:
        terminalreporter.section("Schemathesis")
        for row in sorted(rows, key=lambda r: r["role"]):
            terminalreporter.line(
                f"{row['role']:<10} {row['operations']:>3} operations {row['cases']:>6} cases "
                f"{row['failures']:>3} failures  {row['cpu_s']:>6} s CPU {row['wall_s']:>6} s wall"
            )
            for label, n in row.get("broken", {}).items():
                terminalreporter.line(f"{'':<10} left the transaction unusable {n}×: {label}")


@pytest.fixture(autouse=True)
def _isolated_cache_and_eager_celery(settings):
    """Each test starts with an empty cache (throttle counters live there), eager Celery, and a
    fast password hasher (codes are hashed like passwords; factories give every user one)."""
    from django.core.cache import cache

    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]

    from shaoguan.celery import app

    cache.clear()
    app.conf.task_always_eager = True
    app.conf.task_eager_propagates = True
    yield
    cache.clear()


@pytest.fixture
def api():
    return APIClient()


def client_for(user) -> APIClient:
    c = APIClient()
    c.force_authenticate(user)
    return c


# --- the organisation ----------------------------------------------------------------


@pytest.fixture
def district(db):
    return DistrictFactory()


@pytest.fixture
def street(district):
    return StreetFactory(district=district, name="新华街道")


@pytest.fixture
def community(street):
    return CommunityFactory(street=street, name="工业中社区", lat=24.8035, lng=113.5905)


@pytest.fixture
def grid(community):
    return Level2GridFactory(community=community, name="第三网格")


@pytest.fixture
def building(grid):
    return BuildingFactory(parent=grid, name="1栋")


@pytest.fixture
def other_community(street):
    return CommunityFactory(street=street, name="东堤社区", lat=24.8080, lng=113.5960)


# --- the people ----------------------------------------------------------------------


@pytest.fixture
def resident(db):
    return UserFactory(phone="13800000001", name="李居民")


@pytest.fixture
def member(community):
    return MemberFactory(user=UserFactory(phone="13800000002", name="王党员"))


@pytest.fixture
def secretary(community):
    user = UserFactory(phone="13800000003", name="陈书记")
    PostFactory(user=user, role=Post.Role.SECRETARY, community=community)
    return user


@pytest.fixture
def outsider(other_community):
    """The secretary of another community: signed in, with a post, and no rights here."""
    user = UserFactory(phone="13800000004", name="赵书记")
    PostFactory(user=user, role=Post.Role.SECRETARY, community=other_community)
    return user


@pytest.fixture
def street_officer(street):
    user = UserFactory(phone="13800000005", name="周街道")
    PostFactory(user=user, role=Post.Role.STREET_STAFF, community=None, street=street)
    return user


@pytest.fixture
def district_officer(district):
    user = UserFactory(phone="13800000006", name="吴组织")
    PostFactory(user=user, role=Post.Role.DISTRICT_STAFF, community=None, district=district)
    return user


@pytest.fixture
def admin_user(db):
    return UserFactory(phone="13800000009", name="管理员", is_staff=True, is_superuser=True)


@pytest.fixture
def placed(community, grid, member):
    """The member, registered with the community and placed in its grid."""
    member.community, member.grid = community, grid
    member.save(update_fields=["community", "grid"])
    return member
