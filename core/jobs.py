"""What every Celery job gets, whatever its app: the request id, a failure log, the worker's heartbeat.

- The request id (``core.request_id``) travels with each message: ``before_task_publish`` writes the
  current one (or a new one, e.g. for what beat publishes) into the message's headers, and
  ``task_prerun`` binds it while the task runs, so the task's log lines carry the id of the
  request that queued it. Run eagerly (no broker) the task runs inside the request and keeps its id.
- A task that fails for good (its retries spent, or none) is logged at ERROR by ``task_failure``
  with its name, id, arguments and the exception: the log is where a failed job is found and
  replayed from (jobs take ids, so the arguments say exactly what to run again).
- ``WorkerHeartbeat``, a worker bootstep (added to the worker in ``shaoguan.celery``), writes a key
  in Redis every ``WORKER_HEARTBEAT_SECONDS`` with a lifetime of three periods; ``/healthz``
  (``core.health``) reads it with one GET. A bootstep on the worker's own timer, not a beat task:
  it says that a worker is running and consuming, whether or not beat is.

The handlers are connected when this module is imported, by ``CoreConfig.ready()``, so every
process that sets Django up (web, worker, beat, commands) has them.
"""

from __future__ import annotations

import contextlib
import json
import logging
import socket
import time

from celery import bootsteps, signals
from django.conf import settings

from core import request_id

logger = logging.getLogger("core.jobs")

REQUEST_ID_HEADER = "request_id"
HEARTBEAT_KEY = "shaoguan:celery:worker-heartbeat"

_tokens: dict[str, object] = {}


# --- the request id --------------------------------------------------------------------------


@signals.before_task_publish.connect(dispatch_uid="core.jobs.request_id_out")
def _send_request_id(headers=None, **kwargs) -> None:
    if headers is not None and not headers.get(REQUEST_ID_HEADER):
        headers[REQUEST_ID_HEADER] = request_id.current() or request_id.new_id()


@signals.task_prerun.connect(dispatch_uid="core.jobs.request_id_in")
def _bind_request_id(task_id=None, task=None, **kwargs) -> None:
    sent = request_id.accepted(getattr(task.request, REQUEST_ID_HEADER, None)) if task else None
    # Eager: no message, and the caller's id is already bound; on a worker a task without one
    # (published by a process that had none) gets its own.
    _tokens[task_id] = request_id.bind(sent or request_id.current() or request_id.new_id())


@signals.task_postrun.connect(dispatch_uid="core.jobs.request_id_done")
def _unbind_request_id(task_id=None, **kwargs) -> None:
    token = _tokens.pop(task_id, None)
    if token is not None:
        with contextlib.suppress(ValueError):  # bound in another context (should not happen)
            request_id.unbind(token)


# --- failures --------------------------------------------------------------------------------


@signals.task_failure.connect(dispatch_uid="core.jobs.failure_log")
def _log_failure(sender=None, task_id=None, exception=None, args=None, kwargs=None, einfo=None, **extra) -> None:
    name = getattr(sender, "name", str(sender))
    logger.error(
        "task %s [%s] failed: %s: %s; args=%r kwargs=%r",
        name,
        task_id,
        type(exception).__name__,
        exception,
        args,
        kwargs,
        exc_info=(type(exception), exception, einfo.tb) if einfo is not None and exception is not None else None,
        extra={
            "task_name": name,
            "task_id": task_id,
            "task_args": repr(args),
            "task_kwargs": repr(kwargs),
            "exception": f"{type(exception).__name__}: {exception}",
        },
    )


# --- the worker's heartbeat --------------------------------------------------------------------


def redis_client(url: str):
    """A Redis client that gives up as fast as the cache does (``REDIS_CACHE_TIMEOUT_SECONDS``)."""
    import redis

    timeout = settings.REDIS_CACHE_TIMEOUT_SECONDS
    return redis.Redis.from_url(url, socket_connect_timeout=timeout, socket_timeout=timeout)


def heartbeat(hostname: str) -> bool:
    """Write the heartbeat key; False (and a warning) when Redis does not take it."""
    period = settings.WORKER_HEARTBEAT_SECONDS
    value = json.dumps({"hostname": hostname, "at": time.time()})
    try:
        redis_client(settings.REDIS_URL).set(HEARTBEAT_KEY, value, ex=3 * period)
    except Exception as exc:  # the worker must outlive a Redis hiccup; the next beat tries again
        logger.warning("worker heartbeat not written (%s: %s)", type(exc).__name__, exc)
        return False
    return True


class WorkerHeartbeat(bootsteps.StartStopStep):
    """Beats at start and then every ``WORKER_HEARTBEAT_SECONDS`` on the worker's timer."""

    requires = {"celery.worker.components:Timer"}

    def __init__(self, worker, **kwargs):
        super().__init__(worker, **kwargs)
        self.tref = None

    def start(self, worker):
        if not settings.REDIS_URL:
            return
        hostname = getattr(worker, "hostname", None) or socket.gethostname()
        heartbeat(hostname)
        self.tref = worker.timer.call_repeatedly(settings.WORKER_HEARTBEAT_SECONDS, heartbeat, (hostname,), priority=10)

    def stop(self, worker):
        # The key is left to expire: another worker may be beating on it too.
        if self.tref is not None:
            self.tref.cancel()
            self.tref = None
