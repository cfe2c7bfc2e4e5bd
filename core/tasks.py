"""Queueing Celery work after a commit, without letting a dead broker undo the request.

The action that queues the work has already committed when the message is published, so a
broker that refuses (Redis down, unreachable, timing out) must not turn it into a 500: the
refusal is logged and the caller carries on. The work itself must not be lost either: whoever
queues through here keeps what the job needs in the database, and a periodic sweep finds what
was never done and queues it again (for notifications: ``notifications.tasks.sweep_undelivered``).

Publishing is kept short while the broker is down by ``CELERY_TASK_PUBLISH_RETRY_POLICY`` and the
broker's connect timeout (settings). Run eagerly (no ``REDIS_URL``, the tests) the task runs
in-process, and its own errors propagate as before: only broker errors are caught here.

Also core's own jobs: building an XLSX download and the sweep of downloads (``core.downloads``).
"""

from __future__ import annotations

import logging

from celery import shared_task
from django.db import transaction
from kombu.exceptions import OperationalError as KombuOperationalError
from redis.exceptions import ConnectionError as RedisConnectionError
from redis.exceptions import TimeoutError as RedisTimeoutError

logger = logging.getLogger("core.tasks")

BROKER_ERRORS = (KombuOperationalError, RedisConnectionError, RedisTimeoutError, ConnectionError, TimeoutError)


def enqueue(task, *args, **kwargs) -> bool:
    """Publish ``task(*args, **kwargs)``; False (and a log line) when the broker refuses.

    No result is kept: nobody waits on these, and subscribing to the result store would be a
    second connection to Redis that can fail."""
    try:
        task.apply_async(args=args, kwargs=kwargs, ignore_result=True)
    except BROKER_ERRORS as exc:
        logger.error(
            "could not queue %s (%s: %s); a periodic sweep will pick it up", task.name, type(exc).__name__, exc
        )
        return False
    return True


def enqueue_on_commit(task, *args, **kwargs) -> None:
    """``enqueue`` once the surrounding transaction commits (at once outside one); nothing if it rolls back."""
    transaction.on_commit(lambda: enqueue(task, *args, **kwargs))


# --- XLSX downloads (queue ``exports``: the route ``*.export_*``) ------------------------------

# A city's 60,000-row member sheet takes well under a minute (bench_exports); a year of service
# records (550,000 rows) a few. Ten minutes before the job is told to stop, under the broker's
# visibility timeout (an hour), so a long build is never handed to a second worker meanwhile.
EXPORT_SOFT_TIME_LIMIT = 10 * 60
EXPORT_TIME_LIMIT = EXPORT_SOFT_TIME_LIMIT + 60
EXPORT_MAX_RETRIES = 3
EXPORT_TIMED_OUT = (
    f"生成超过 {EXPORT_SOFT_TIME_LIMIT // 60} 分钟仍未完成，已停止；请缩小范围或时间段后重试，或改为下载 CSV。"
)
EXPORT_DATABASE_DOWN = "生成时数据库暂时不可用，请稍后重新生成。"


@shared_task(
    bind=True,
    # Acknowledged only when done: a worker killed midway leaves the message queued and another
    # worker builds the file again from the start (the job is still running; nothing was kept).
    acks_late=True,
    reject_on_worker_lost=True,
    soft_time_limit=EXPORT_SOFT_TIME_LIMIT,
    time_limit=EXPORT_TIME_LIMIT,
    max_retries=EXPORT_MAX_RETRIES,
)
def export_xlsx(self, job_id: str) -> dict:
    """Build the XLSX of download job ``job_id`` (``core.downloads``); safe to run twice."""
    from celery.exceptions import SoftTimeLimitExceeded
    from django.db import DatabaseError

    from core.downloads.services import BROKEN, export_job_fail, export_job_run

    try:
        job = export_job_run(job_id=job_id, resume=self.request.retries > 0)
    except SoftTimeLimitExceeded:
        job = export_job_fail(job_id=job_id, reason=EXPORT_TIMED_OUT)
    except DatabaseError as exc:
        if self.request.retries < EXPORT_MAX_RETRIES:
            raise self.retry(exc=exc, countdown=5 * 2**self.request.retries) from exc
        logger.exception("export job %s: database error", job_id)
        job = export_job_fail(job_id=job_id, reason=EXPORT_DATABASE_DOWN)
    except Exception:
        logger.exception("export job %s could not be built", job_id)
        job = export_job_fail(job_id=job_id, reason=BROKEN)
    if job is None:
        return {"job": job_id, "status": None}
    return {"job": job_id, "status": job.status, "rows": job.rows_done}


@shared_task(autoretry_for=(Exception,), retry_backoff=True, max_retries=5)
def sweep_export_jobs() -> dict:
    """Every ten minutes: downloads past their day deleted and their jobs marked expired; jobs
    whose message was lost (the broker was down when they were started) queued again."""
    from core.downloads.services import export_jobs_expire, export_jobs_requeue

    return {"expired": export_jobs_expire(), "requeued": export_jobs_requeue()}
