"""Queueing Celery work after a commit, without letting a dead broker undo the request.

The action that queues the work has already committed when the message is published, so a
broker that refuses (Redis down, unreachable, timing out) must not turn it into a 500: the
refusal is logged and the caller carries on. The work itself must not be lost either: whoever
queues through here keeps what the job needs in the database, and a periodic sweep finds what
was never done and queues it again (for notifications: ``notifications.tasks.sweep_undelivered``).

Publishing is kept short while the broker is down by ``CELERY_TASK_PUBLISH_RETRY_POLICY`` and the
broker's connect timeout (settings). Run eagerly (no ``REDIS_URL``, the tests) the task runs
in-process, and its own errors propagate as before: only broker errors are caught here.
"""

from __future__ import annotations

import logging

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
