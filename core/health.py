"""Is the platform up? The database, Redis and a Celery worker, each checked once, quickly.

Read by ``/healthz`` (``portal.views.healthz``), for the load balancer, Docker's health checks and
monitoring. Nothing here writes or opens a session: the database answers ``SELECT 1``, Redis a
PING and one GET of the key the worker refreshes (``core.jobs.WorkerHeartbeat``), each with the
cache's short timeout (``REDIS_CACHE_TIMEOUT_SECONDS``).

Without ``REDIS_URL`` (the embedded set-up: local-memory cache, Celery eager), or with Celery
eager, there is no Redis or no worker to wait for: those count as ``not_configured``, not down.
"""

from __future__ import annotations

import functools
import json
import time

from django.conf import settings
from django.db import DatabaseError, connection

from core.jobs import HEARTBEAT_KEY, redis_client

OK, DOWN, NOT_CONFIGURED, UNKNOWN = "ok", "down", "not_configured", "unknown"

LABELS = {
    "database": "数据库",
    "redis": "Redis（缓存与任务队列）",
    "worker": "后台任务进程（Celery worker）",
}


@functools.lru_cache(maxsize=4)
def _client(url: str, timeout: float):
    # One client (and its small connection pool) per URL, not a new connection per check.
    return redis_client(url)


def _database() -> str:
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
            cursor.fetchone()
    except DatabaseError:
        return DOWN
    return OK


def _redis_and_worker() -> tuple[str, str, dict]:
    if not settings.REDIS_URL:
        return NOT_CONFIGURED, NOT_CONFIGURED, {}
    from celery import current_app

    client = _client(settings.REDIS_URL, settings.REDIS_CACHE_TIMEOUT_SECONDS)
    try:
        client.ping()
        eager = current_app.conf.task_always_eager
        beat = None if eager else client.get(HEARTBEAT_KEY)
    except Exception:  # refused, timed out, a DNS failure: Redis is down, and with it what we know of the worker
        return DOWN, UNKNOWN, {}
    if eager:
        return OK, NOT_CONFIGURED, {}
    if beat is None:
        return OK, DOWN, {}
    try:
        seen = json.loads(beat)
        return OK, OK, {"hostname": seen.get("hostname"), "age_seconds": round(time.time() - seen["at"], 1)}
    except (ValueError, KeyError, TypeError):
        return OK, OK, {}


def report() -> dict:
    """``{"status": "ok"|"down", "checks": {name: state}, "down": [...], "detail": "…"}``."""
    redis_state, worker_state, worker = _redis_and_worker()
    checks = {"database": _database(), "redis": redis_state, "worker": worker_state}
    down = [name for name, state in checks.items() if state == DOWN]
    result = {"status": DOWN if down else OK, "checks": checks, "down": down}
    if worker:
        result["worker"] = worker
    result["detail"] = ("不可用：" + "、".join(LABELS[name] for name in down)) if down else "运行正常"
    return result
