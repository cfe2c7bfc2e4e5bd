"""Limits on how often one person may do something where fairness is at stake.

Services count what the person did in the window from the database itself (the rows the action
writes), under a lock on that person's row, so a burst cannot slip past the count and the limit
holds when Redis is down. Over the limit the service raises ``Throttled``, which the API answers
with 429 and ``Retry-After`` and the pages show as a message.
"""

from __future__ import annotations

import math
from datetime import datetime, timedelta

from core.errors import Throttled


def refuse_over_limit(*, times: list[datetime], limit: int, window: timedelta, now: datetime, message: str) -> None:
    """``times``: when the person did it within ``window`` before ``now``. Refuse the next one at
    ``limit``, saying how long until the oldest leaves the window."""
    if limit <= 0 or len(times) < limit:
        return
    wait = max(1, math.ceil((min(times) + window - now).total_seconds()))
    raise Throttled(message, wait=wait)
