"""Limits on how often one person may do something where fairness is at stake.

Services count what the person did in the window from the database itself (the rows the action
writes), under a lock on that person's row, so a burst cannot slip past the count and the limit
holds when Redis is down. Over the limit the service raises ``Throttled``, which the API answers
with 429 and ``Retry-After`` and the pages show as a message.
"""

from __future__ import annotations

import math
from datetime import datetime, timedelta

from django.db.models import QuerySet
from django.utils import timezone

from core.errors import Throttled


def refuse_over_limit(
    *, times: list[datetime], limit: int, window: timedelta, now: datetime, message: str, adding: int = 1
) -> None:
    """``times``: when the person did it within ``window`` before ``now`` (at least the latest
    ``limit``). Refuse ``adding`` more when they would pass ``limit``, saying how long until enough
    of the old ones have left the window."""
    if limit <= 0 or len(times) + adding <= limit:
        return
    if adding > limit:
        raise Throttled(message)
    recent = sorted(times, reverse=True)
    # The one that must leave last before ``adding`` more fit under the limit.
    leaves = recent[limit - adding]
    raise Throttled(message, wait=max(1, math.ceil((leaves + window - now).total_seconds())))


def refuse_over(
    rows: QuerySet,
    *,
    at: str,
    limit: int,
    window: timedelta,
    message: str,
    adding: int = 1,
    now: datetime | None = None,
) -> None:
    """Refuse ``adding`` more when ``rows`` (what the person did, timed by the field ``at``) already
    hold ``limit`` within ``window``. The caller holds the person's row lock."""
    now = now or timezone.now()
    recent = rows.filter(**{f"{at}__gt": now - window}).order_by(f"-{at}").values_list(at, flat=True)[: max(limit, 0)]
    refuse_over_limit(times=list(recent), limit=limit, window=window, now=now, message=message, adding=adding)
