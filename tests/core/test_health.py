"""/healthz: the database, Redis and a worker's heartbeat; 503 naming what is down.

Each outage is real: a closed port (nothing listens on 127.0.0.1:1 or :6390) for the database and
Redis, and no heartbeat key for the worker. The worker cases need a live Redis (``redis``).
"""

from __future__ import annotations

import json
import time

import pytest
from django.db.utils import ConnectionHandler

from core import health, jobs

pytestmark = pytest.mark.django_db

CLOSED_REDIS = "redis://127.0.0.1:6390/0"
URL = "/healthz"


@pytest.fixture
def worker_expected():
    """Celery publishing to a broker for real (not eager): a worker is then needed."""
    from shaoguan.celery import app

    app.conf.task_always_eager = False
    yield app
    app.conf.task_always_eager = True


@pytest.fixture
def live_redis(settings):
    if not settings.REDIS_URL:
        pytest.skip("needs Redis: set REDIS_URL=redis://…")
    client = jobs.redis_client(settings.REDIS_URL)
    client.delete(jobs.HEARTBEAT_KEY)
    yield client
    client.delete(jobs.HEARTBEAT_KEY)


def test_embedded_setup_is_ok_with_redis_and_worker_not_configured(client, settings, django_assert_num_queries):
    settings.REDIS_URL = ""
    with django_assert_num_queries(1):  # SELECT 1, nothing else: no session, no user
        response = client.get(URL)
    assert response.status_code == 200
    body = response.json()
    assert body["status"] == "ok" and body["down"] == []
    assert body["checks"] == {"database": "ok", "redis": "not_configured", "worker": "not_configured"}
    assert "Set-Cookie" not in response.headers and not response.cookies
    assert "no-cache" in response["Cache-Control"]


def test_anyone_may_ask_and_only_read(client, settings):
    settings.REDIS_URL = ""
    assert client.head(URL).status_code == 200
    assert client.post(URL).status_code == 405


def test_database_down_is_503_named(client, settings, monkeypatch):
    settings.REDIS_URL = ""
    down = ConnectionHandler(
        {"default": {"ENGINE": "django.db.backends.postgresql", "HOST": "127.0.0.1", "PORT": "1", "NAME": "x"}}
    )["default"]
    monkeypatch.setattr(health, "connection", down)
    response = client.get(URL)
    assert response.status_code == 503
    body = response.json()
    assert body["status"] == "down" and body["down"] == ["database"]
    assert body["checks"]["database"] == "down"
    assert "数据库" in body["detail"]


def test_redis_down_is_503_named_and_quick(client, settings):
    settings.REDIS_URL = CLOSED_REDIS
    started = time.monotonic()
    response = client.get(URL)
    assert time.monotonic() - started < 3
    assert response.status_code == 503
    body = response.json()
    assert body["down"] == ["redis"]
    assert body["checks"] == {"database": "ok", "redis": "down", "worker": "unknown"}
    assert "Redis" in body["detail"] and body["detail"].startswith("不可用")


@pytest.mark.redis
def test_redis_with_eager_celery_needs_no_worker(client, live_redis):
    body = client.get(URL).json()
    assert body["checks"] == {"database": "ok", "redis": "ok", "worker": "not_configured"}


@pytest.mark.redis
def test_worker_without_a_heartbeat_is_down(client, live_redis, worker_expected):
    response = client.get(URL)
    assert response.status_code == 503
    body = response.json()
    assert body["down"] == ["worker"] and body["checks"]["redis"] == "ok"
    assert "后台任务进程" in body["detail"]


@pytest.mark.redis
def test_a_heartbeat_makes_the_worker_ok(client, live_redis, worker_expected, settings):
    assert jobs.heartbeat("celery@web-test") is True
    assert 0 < live_redis.ttl(jobs.HEARTBEAT_KEY) <= 3 * settings.WORKER_HEARTBEAT_SECONDS
    response = client.get(URL)
    assert response.status_code == 200, response.content
    body = response.json()
    assert body["status"] == "ok" and body["worker"]["hostname"] == "celery@web-test"
    assert 0 <= body["worker"]["age_seconds"] < 5


@pytest.mark.redis
@pytest.mark.django_db(transaction=True)
def test_a_running_worker_beats(live_redis, worker_expected):
    """A real worker: the bootstep writes the key as it starts."""
    from celery.contrib.testing.worker import start_worker

    with start_worker(worker_expected, pool="solo", perform_ping_check=False, shutdown_timeout=10):
        deadline = time.monotonic() + 10
        while live_redis.get(jobs.HEARTBEAT_KEY) is None and time.monotonic() < deadline:
            time.sleep(0.1)
        beat = live_redis.get(jobs.HEARTBEAT_KEY)
    assert beat is not None
    assert json.loads(beat)["hostname"]


def test_a_heartbeat_to_a_dead_redis_is_a_warning_not_a_crash(settings, caplog):
    settings.REDIS_URL = CLOSED_REDIS
    assert jobs.heartbeat("celery@x") is False
    assert any("heartbeat not written" in r.getMessage() for r in caplog.records)


def test_the_bootstep_beats_on_the_workers_timer(settings, monkeypatch):
    settings.REDIS_URL = CLOSED_REDIS
    beats = []
    monkeypatch.setattr(jobs, "heartbeat", lambda hostname: beats.append(hostname) or True)

    class Timer:
        def call_repeatedly(self, secs, fun, args=(), priority=0):
            self.every = (secs, fun, args)
            return self

        def cancel(self):
            self.cancelled = True

    class Worker:
        hostname = "celery@host"
        timer = Timer()

    step = jobs.WorkerHeartbeat(Worker())
    step.start(Worker)
    assert beats == ["celery@host"]
    assert Worker.timer.every == (settings.WORKER_HEARTBEAT_SECONDS, jobs.heartbeat, ("celery@host",))
    step.stop(Worker)
    assert Worker.timer.cancelled


def test_the_worker_has_the_heartbeat_step():
    from shaoguan.celery import app

    assert "core.jobs:WorkerHeartbeat" in app.steps["worker"]
