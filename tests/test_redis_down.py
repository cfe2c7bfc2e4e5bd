"""Redis unreachable: signing in, ordering, accepting and confirming still answer, and nothing
queued after a commit is lost.

The outage is a closed port (nothing listens on 127.0.0.1:6390) for the cache and for Celery's
broker and result store, with Celery really publishing (not eager). These tests need no Redis;
the ones marked ``redis`` also check the same cache against the real one.
"""

from __future__ import annotations

import importlib
import logging
import time
from collections import Counter
from datetime import timedelta

import pytest
from django.db import transaction
from django.test import Client
from django.utils import timezone
from rest_framework.test import APIClient

from accounts.models import DeviceToken, SignInAttempt, User
from accounts.services import signin_codes_purge
from accounts.throttles import TokenIPThrottle
from core import cache as resilient
from core.tasks import enqueue, enqueue_on_commit
from notifications.models import Delivery, Notification
from notifications.services import notify
from notifications.tasks import deliver, sweep_undelivered
from reporting.models import ServiceRecord
from tests.accounts.factories import UserFactory
from tests.accounts.together import run_together
from tests.orders.factories import TaskFactory
from tests.reporting.factories import ServiceRecordFactory

CLOSED = "redis://127.0.0.1:6390/0"
V1 = "/api/v1"
PHONE = "13900000777"
BURST = 50  # each attempt holds a connection of its own: keep well under max_connections
DOWN_CACHE = {
    "default": {
        "BACKEND": "core.cache.ResilientRedisCache",
        "LOCATION": CLOSED,
        "OPTIONS": {"socket_connect_timeout": 0.5, "socket_timeout": 0.5},
    }
}


def _reset_pools(app) -> None:
    """Celery keeps its broker connections in pools made for the URL it first saw."""
    app._pool = None
    if "amqp" in app.__dict__:
        app.amqp._producer_pool = None


@pytest.fixture
def cache_down(settings):
    settings.CACHES = DOWN_CACHE
    resilient._warned_at = None


@pytest.fixture
def broker_down():
    """Celery publishing for real, to a broker (and result store) nobody answers at."""
    from shaoguan.celery import app

    keys = ("broker_url", "result_backend", "task_always_eager")
    saved = {k: app.conf[k] for k in keys}
    app.conf.update(broker_url=CLOSED, result_backend=CLOSED, task_always_eager=False)
    _reset_pools(app)
    yield app
    app.conf.update(saved)
    _reset_pools(app)


@pytest.fixture
def redis_down(cache_down, broker_down):
    return broker_down


def _ok(resp, *statuses):
    assert resp.status_code in statuses, (resp.status_code, resp.content.decode()[:500])
    return resp


# --- the settings ---------------------------------------------------------------------------


def test_settings_configure_the_resilient_cache_with_short_timeouts(monkeypatch):
    import shaoguan.settings as module

    monkeypatch.setenv("REDIS_URL", "redis://127.0.0.1:6379/5")
    try:
        configured = importlib.reload(module)
        cache = configured.CACHES["default"]
        assert cache["BACKEND"] == "core.cache.ResilientRedisCache"
        assert cache["OPTIONS"]["socket_connect_timeout"] <= 1 and cache["OPTIONS"]["socket_timeout"] <= 1
        assert configured.CELERY_TASK_PUBLISH_RETRY_POLICY["max_retries"] <= 1
        assert configured.SESSION_ENGINE == "django.contrib.sessions.backends.db"
        assert "sweep-undelivered-notifications" in configured.CELERY_BEAT_SCHEDULE
    finally:
        monkeypatch.delenv("REDIS_URL")
        importlib.reload(module)


# --- the cache itself -----------------------------------------------------------------------


def test_an_unreachable_cache_answers_as_an_empty_one_and_warns_once(cache_down, caplog):
    from django.core.cache import cache

    caplog.set_level(logging.WARNING, logger="core.cache")
    assert cache.get("k") is None and cache.get("k", 7) == 7
    assert cache.set("k", 1) is None and cache.add("k", 1) is False
    assert cache.delete("k") is False and cache.has_key("k") is False
    assert cache.get_many(["a", "b"]) == {} and cache.set_many({"a": 1}) == ["a"]
    assert cache.get_or_set("k", 3) == 3
    with pytest.raises(ValueError):
        cache.incr("k")
    cache.delete_many(["a"])
    cache.clear()
    warnings = [r for r in caplog.records if r.name == "core.cache"]
    assert len(warnings) == 1, [r.getMessage() for r in warnings]  # not one per call


def test_a_dead_cache_costs_little(cache_down):
    from django.core.cache import cache

    started = time.monotonic()
    for _ in range(5):
        cache.get("k")
    assert time.monotonic() - started < 2


def test_errors_that_are_not_the_connection_still_raise(cache_down):
    from django.core.cache import cache

    with pytest.raises(Exception) as info:
        cache.set("k", lambda: None)  # cannot be pickled: a bug, not an outage
    assert not isinstance(info.value, resilient.UNREACHABLE)


# --- signing in ------------------------------------------------------------------------------


@pytest.mark.django_db
def test_code_sign_in_through_the_api(redis_down, settings):
    api = APIClient()
    settings.SIGNIN_SHOW_CODE = True
    code = _ok(api.post(f"{V1}/auth/code/", {"phone": PHONE}, format="json"), 200).json()["debug_code"]
    body = _ok(api.post(f"{V1}/auth/token/", {"phone": PHONE, "code": code}, format="json"), 200).json()
    user = User.objects.get(phone=PHONE)
    assert DeviceToken.objects.filter(user=user).count() == 1
    me = APIClient(HTTP_AUTHORIZATION=f"Token {body['token']}")
    _ok(me.get(f"{V1}/me/"), 200)


@pytest.mark.django_db
def test_code_sign_in_through_the_pages(redis_down, settings):
    import re

    client = Client()
    settings.SIGNIN_SHOW_CODE = True
    html = _ok(client.post("/login/code/", {"phone": PHONE}), 200).content.decode()
    code = re.search(r"验证码（演示环境）：<strong>(\d{6})</strong>", html).group(1)
    resp = _ok(client.post("/login/", {"phone": PHONE, "code": code}), 302)
    assert resp["Location"] == "/"
    assert client.session["_auth_user_id"] == str(User.objects.get(phone=PHONE).pk)
    _ok(client.get("/"), 200)


@pytest.mark.django_db
def test_staff_password_sign_in_through_the_api_and_the_page(redis_down, admin_user):
    body = {"phone": admin_user.phone, "password": "pass-word-123"}
    _ok(APIClient().post(f"{V1}/auth/token/", body, format="json"), 200)
    client = Client()
    _ok(client.post("/login/", {"mode": "password", **body}), 302)
    assert client.session["_auth_user_id"] == str(admin_user.pk)


@pytest.mark.django_db
def test_the_per_address_sign_in_limit_holds_without_redis(redis_down, admin_user):
    """Counted in the database: an outage (or an attacker who knocks Redis over) does not open
    the door to guessing staff passwords."""
    api = APIClient()
    limit = TokenIPThrottle().num_requests
    wrong = {"phone": admin_user.phone, "password": "guess"}
    for _ in range(limit):
        _ok(api.post(f"{V1}/auth/token/", wrong, format="json", REMOTE_ADDR="10.6.0.1"), 400)
    resp = api.post(f"{V1}/auth/token/", wrong, format="json", REMOTE_ADDR="10.6.0.1")
    assert resp.status_code == 429 and resp.json()["code"] == "throttled"
    assert int(resp["Retry-After"]) > 0
    # the page shares the count
    html = Client(REMOTE_ADDR="10.6.0.1").post("/login/", {"mode": "password", **wrong}).content.decode()
    assert "登录尝试过于频繁" in html
    # another address is not affected
    _ok(api.post(f"{V1}/auth/token/", wrong, format="json", REMOTE_ADDR="10.6.0.2"), 400)
    assert SignInAttempt.objects.filter(ip="10.6.0.1").count() == limit


@pytest.mark.django_db
def test_the_sign_in_limit_survives_an_emptied_cache(admin_user):
    from django.core.cache import cache

    api = APIClient()
    wrong = {"phone": admin_user.phone, "password": "guess"}
    for _ in range(TokenIPThrottle().num_requests):
        api.post(f"{V1}/auth/token/", wrong, format="json", REMOTE_ADDR="10.6.1.1")
    cache.clear()
    assert api.post(f"{V1}/auth/token/", wrong, format="json", REMOTE_ADDR="10.6.1.1").status_code == 429


@pytest.mark.django_db
def test_old_sign_in_attempts_are_purged(admin_user):
    now = timezone.now()
    SignInAttempt.objects.create(ip="10.6.2.1", at=now - timedelta(days=8))
    SignInAttempt.objects.create(ip="10.6.2.2", at=now - timedelta(days=1))
    signin_codes_purge()
    assert list(SignInAttempt.objects.values_list("ip", flat=True)) == ["10.6.2.2"]


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_a_burst_of_sign_ins_from_one_address_gets_exactly_the_limit(admin_user):
    # Ten attempts left in this hour's window for the address, then fifty at once.
    limit = TokenIPThrottle().num_requests
    assert limit > 10
    SignInAttempt.objects.bulk_create([SignInAttempt(ip="10.6.3.1") for _ in range(limit - 10)])
    wrong = {"phone": admin_user.phone, "password": "guess"}

    def attempt(i):
        return APIClient().post(f"{V1}/auth/token/", wrong, format="json", REMOTE_ADDR="10.6.3.1").status_code

    statuses = run_together(BURST, attempt)
    assert all(isinstance(s, int) for s in statuses), statuses
    assert Counter(statuses) == {400: 10, 429: BURST - 10}
    assert SignInAttempt.objects.filter(ip="10.6.3.1").count() == limit


@pytest.mark.django_db
def test_the_per_code_limits_still_hold(redis_down, settings):
    """The tries per code and the codes per number are counted in the database too."""
    api = APIClient()
    settings.SIGNIN_SHOW_CODE = True
    _ok(api.post(f"{V1}/auth/code/", {"phone": PHONE}, format="json"), 200)
    for _ in range(settings.SIGNIN_CODE_MAX_ATTEMPTS):
        _ok(api.post(f"{V1}/auth/token/", {"phone": PHONE, "code": "000000"}, format="json"), 400)
    resp = api.post(f"{V1}/auth/token/", {"phone": PHONE, "code": "000000"}, format="json")
    assert resp.json()["code"] == "code_locked"
    resp = api.post(f"{V1}/auth/code/", {"phone": PHONE}, format="json")
    assert resp.status_code == 429  # one code a minute per number, from the database


# --- ordering, accepting, confirming (work queued after the commit) ----------------------------


def _request_body(community):
    return {
        "community": community.pk,
        "duty": "sanitation",
        "title": "楼道堆放杂物",
        "description": "三楼楼道堆满杂物，存在消防隐患。",
        "address": "工业中社区 3 栋 2 单元",
        "lat": community.lat + 0.0005,
        "lng": community.lng + 0.0005,
        "coord_system": "wgs84",
    }


@pytest.mark.django_db(transaction=True)
def test_ordering_answers_201_and_keeps_the_notification(redis_down, community, resident, secretary):
    api = APIClient()
    api.force_login(resident)
    started = time.monotonic()
    resp = _ok(api.post(f"{V1}/requests/", _request_body(community), format="json"), 201)
    assert time.monotonic() - started < 5  # a dead broker does not hold the request long
    assert resp.json()["status"] == "submitted"
    told = Notification.objects.filter(user=secretary)
    assert told.exists()  # written in the database, though its delivery could not be queued
    assert not Delivery.objects.filter(notification__in=told).exists()


@pytest.mark.django_db(transaction=True)
def test_accepting_a_task(redis_down, community, secretary, placed):
    task = TaskFactory(community=community, created_by=secretary, slots=3)
    api = APIClient()
    api.force_login(placed.user)
    resp = _ok(api.post(f"{V1}/tasks/{task.pk}/accept/"), 201)
    assert resp.json()["status"] == "accepted"


@pytest.mark.django_db(transaction=True)
def test_confirming_hours(redis_down, community, secretary, placed):
    record = ServiceRecordFactory(member=placed, community=community)
    api = APIClient()
    api.force_login(secretary)
    _ok(api.post(f"{V1}/service-records/{record.pk}/confirm/", {}, format="json"), 200)
    record.refresh_from_db()
    assert record.status == ServiceRecord.Status.CONFIRMED


# --- nothing lost: the sweep ----------------------------------------------------------------


@pytest.mark.django_db(transaction=True)
def test_a_refused_publish_is_logged_not_raised(broker_down, caplog):
    user = UserFactory()
    caplog.set_level(logging.ERROR, logger="core.tasks")
    assert enqueue(deliver, [1]) is False
    with transaction.atomic():
        enqueue_on_commit(deliver, [2])  # runs after the commit, and does not raise
    assert sum("could not queue" in r.getMessage() for r in caplog.records) == 2
    (n,) = notify(users=[user], kind="test", title="通知")
    assert not n.deliveries.exists()


@pytest.mark.django_db(transaction=True)
def test_the_sweep_delivers_what_the_dead_broker_lost(broker_down, time_machine, settings):
    user, late = UserFactory(), UserFactory()
    time_machine.move_to(timezone.now(), tick=False)
    (lost,) = notify(users=[user], kind="test", title="任务提醒")
    (old,) = notify(users=[late], kind="test", title="很久以前")
    Notification.objects.filter(pk=old.pk).update(
        created_at=timezone.now() - timedelta(hours=settings.NOTIFICATION_SWEEP_HORIZON_HOURS + 1)
    )
    assert not Delivery.objects.exists()

    # Still down: the sweep queues nothing and fails nothing.
    time_machine.shift(timedelta(minutes=settings.NOTIFICATION_SWEEP_AFTER_MINUTES + 1))
    assert sweep_undelivered() == 0

    # The broker is back (here: Celery runs the task in-process).
    broker_down.conf.task_always_eager = True
    assert sweep_undelivered() == 1
    delivery = Delivery.objects.get(notification=lost)
    assert delivery.status == Delivery.Status.SENT
    assert not Delivery.objects.filter(notification=old).exists()  # past the horizon: left alone
    assert sweep_undelivered() == 0  # delivered once, not again


@pytest.mark.django_db
def test_the_sweep_leaves_fresh_notifications_to_the_normal_path(time_machine):
    user = UserFactory()
    time_machine.move_to(timezone.now(), tick=False)
    Notification.objects.create(user=user, kind="test", title="刚发的")
    assert sweep_undelivered() == 0
    assert not Delivery.objects.exists()


# --- against the real Redis -----------------------------------------------------------------


@pytest.mark.redis
def test_the_resilient_cache_works_against_a_live_redis(settings):
    config = {
        "BACKEND": "core.cache.ResilientRedisCache",
        "LOCATION": settings.REDIS_URL,
        "KEY_PREFIX": "redis-down-test",
        "OPTIONS": {"socket_connect_timeout": 0.5, "socket_timeout": 0.5},
    }
    cache = resilient.ResilientRedisCache(config["LOCATION"], config)
    try:
        cache.set("k", {"a": 1}, 30)
        assert cache.get("k") == {"a": 1}
        assert cache.add("k", 2) is False
        cache.delete("n")
        with pytest.raises(ValueError):
            cache.incr("n")  # a missing key, as Django's own Redis cache says
        cache.set("n", 1, 30)
        assert cache.incr("n") == 2
        assert cache.delete("k") is True and cache.get("k") is None
        cache.delete_many(["n"])
    finally:
        cache.close()


@pytest.mark.redis
@pytest.mark.django_db(transaction=True)
def test_a_live_broker_takes_the_message(settings):
    import redis

    from shaoguan.celery import app

    saved = app.conf.task_always_eager
    app.conf.task_always_eager = False
    _reset_pools(app)
    raw = redis.Redis.from_url(app.conf.broker_url)
    before = raw.llen("notifications")  # the sweep's queue (CELERY_TASK_ROUTES)
    try:
        assert enqueue(sweep_undelivered) is True
        assert raw.llen("notifications") == before + 1
    finally:
        raw.lpop("notifications")  # no worker here: take the message back
        app.conf.task_always_eager = saved
        _reset_pools(app)
