"""A Redis cache that an unreachable Redis turns into an empty cache instead of a 500.

Everything the cache holds can be recomputed or lost: the boards and the cockpit are read from
the database again, the WeChat access token is fetched again, and DRF's throttle counters start
from nothing (the limits that matter — sending codes, tries per code, requests, accepting,
withdrawing, likes — are counted in the database). So while Redis is down (refused, timed out,
a DNS failure) every operation answers as a cache that holds nothing: reads miss, writes and
deletes do nothing, ``incr`` says the key is missing. A warning goes to the log at most once
per ``WARN_EVERY_SECONDS`` per process, not once per call, so an outage does not flood the log.

Only connection and timeout errors are swallowed: a bug (a value that cannot be pickled, a
wrong argument) still raises. The socket timeouts in ``CACHES["default"]["OPTIONS"]`` keep what
a dead Redis costs each request small.
"""

from __future__ import annotations

import functools
import logging
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from django.core.cache.backends.redis import RedisCache
from redis.exceptions import ConnectionError as RedisConnectionError
from redis.exceptions import TimeoutError as RedisTimeoutError

logger = logging.getLogger("core.cache")

WARN_EVERY_SECONDS = 60.0
UNREACHABLE = (RedisConnectionError, RedisTimeoutError, ConnectionError, TimeoutError)

_warned_at: float | None = None
_warn_lock = threading.Lock()


def _warn(operation: str, exc: Exception) -> None:
    global _warned_at
    now = time.monotonic()
    with _warn_lock:
        if _warned_at is not None and now - _warned_at < WARN_EVERY_SECONDS:
            return
        _warned_at = now
    logger.warning(
        "Redis cache unreachable (%s: %s); serving without the cache (next warning in %d s at the earliest)",
        operation,
        exc,
        WARN_EVERY_SECONDS,
    )


def _degrading(fallback):
    """Run the cache operation; on an unreachable Redis log (rarely) and return ``fallback(*args, **kwargs)``."""

    def decorate(method):
        @functools.wraps(method)
        def wrapper(self, *args, **kwargs):
            try:
                return method(self, *args, **kwargs)
            except UNREACHABLE as exc:
                _warn(method.__name__, exc)
                return fallback(*args, **kwargs)

        return wrapper

    return decorate


def _default(key, default=None, *args, **kwargs):
    return default


def _none(*args, **kwargs):
    return None


def _false(*args, **kwargs):
    return False


def _empty(*args, **kwargs):
    return {}


def _all_failed(data, *args, **kwargs):
    # set_many's contract: the keys that could not be stored.
    return list(data)


def _missing(key, *args, **kwargs):
    # What RedisCache.incr says of a key it does not hold: the cache holds nothing now.
    raise ValueError(f"Key '{key}' not found (cache unreachable)")


class ResilientRedisCache(RedisCache):
    """Django's Redis cache, degraded to an empty cache while Redis cannot be reached."""

    get = _degrading(_default)(RedisCache.get)
    add = _degrading(_false)(RedisCache.add)
    set = _degrading(_none)(RedisCache.set)
    touch = _degrading(_false)(RedisCache.touch)
    delete = _degrading(_false)(RedisCache.delete)
    get_many = _degrading(_empty)(RedisCache.get_many)
    has_key = _degrading(_false)(RedisCache.has_key)
    incr = _degrading(_missing)(RedisCache.incr)
    set_many = _degrading(_all_failed)(RedisCache.set_many)
    delete_many = _degrading(_none)(RedisCache.delete_many)
    clear = _degrading(_false)(RedisCache.clear)


# --- read-through lists ------------------------------------------------------------------------


@dataclass(frozen=True)
class Cached:
    """A value kept in the default cache under ``key`` for ``ttl`` seconds, ``load()``-ed on a miss.

    The owner of the data deletes the key whenever it changes (``forget``), so the TTL is only a
    safety net for rows written around the services (bulk loads).
    """

    key: str
    load: Callable[[], Any]
    ttl: int


def read_through(*entries: Cached) -> list:
    """Each entry's value, read from the cache in one round trip (one MGET however many entries),
    the misses loaded and stored together."""
    from django.core.cache import cache

    if len(entries) == 1:  # GET, not MGET: the same round trip, less work in the client
        found = cache.get(entries[0].key)
        found = {} if found is None else {entries[0].key: found}
    else:
        found = cache.get_many([entry.key for entry in entries])
    missing: dict[int, dict[str, Any]] = {}  # by TTL: set_many takes one
    for entry in entries:
        if entry.key not in found:
            found[entry.key] = missing.setdefault(entry.ttl, {})[entry.key] = entry.load()
    for ttl, values in missing.items():
        cache.set_many(values, ttl)
    return [found[entry.key] for entry in entries]


def forget(*keys: str) -> None:
    from django.core.cache import cache

    if keys:
        cache.delete_many(list(keys))
