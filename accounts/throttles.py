"""Rate limits on sign-in, and the client's address they are keyed on.

Rates are ``REST_FRAMEWORK["DEFAULT_THROTTLE_RATES"]``: ``token_ip`` for signing in (code,
password, WeChat, API and page), ``code_ip`` and ``code_phone`` for sending codes. None of them
lives in the cache: ``TokenIPThrottle`` counts ``SignInAttempt`` rows and ``accounts.send_limits``
counts the codes, each under a row lock in the database. So they hold under a burst, while Redis
is down and after Redis was emptied: a Redis outage never opens the door to guessing passwords,
and signing in does not depend on Redis at all.
"""

from __future__ import annotations

import math
from datetime import datetime, timedelta
from typing import NamedTuple

from django.db import transaction
from django.utils import timezone
from rest_framework.throttling import BaseThrottle, SimpleRateThrottle

from accounts.models import SignInAttempt, SignInCodeLock
from core.http import client_ip


class TokenIPThrottle(BaseThrottle):
    """Sign-in attempts (code, password, WeChat) from one address, ``token_ip`` per window.

    Counted from ``SignInAttempt`` rows under a row lock on the address (an upsert of its
    ``SignInCodeLock`` row, key ``signin:<address>``), and the attempt written in the same
    transaction: simultaneous attempts from one address queue on the lock and each counts the
    ones before it, so a burst gets exactly the limit through. Refused attempts are not
    recorded (as with DRF's throttles): waiting out the window always helps.
    """

    scope = "token_ip"

    def __init__(self):
        rate = configured_rate(self.scope)
        self.num_requests, self.duration = rate.count, rate.seconds
        self._wait: int | None = None

    def allow_request(self, request, view) -> bool:
        ip = client_ip(request)
        with transaction.atomic():
            SignInCodeLock.objects.bulk_create(
                [SignInCodeLock(key=f"signin:{ip or 'unknown'}", touched_at=timezone.now())],
                update_conflicts=True,
                unique_fields=["key"],
                update_fields=["touched_at"],
            )
            now = timezone.now()  # read after the lock was granted
            recent = list(
                SignInAttempt.objects.filter(ip=ip, at__gt=now - timedelta(seconds=self.duration))
                .order_by("-at")
                .values_list("at", flat=True)[: self.num_requests]
            )
            if len(recent) >= self.num_requests:
                # The oldest of the latest ``num_requests`` leaves the window first.
                leaves = recent[-1] + timedelta(seconds=self.duration)
                self._wait = max(math.ceil((leaves - now).total_seconds()), 1)
                return False
            SignInAttempt.objects.create(ip=ip, at=now)
        return True

    def wait(self) -> int | None:
        return self._wait


def signin_attempts_purge(*, older_than: datetime) -> int:
    """Delete attempts older than ``older_than`` (long past any window); they hold addresses."""
    deleted, _ = SignInAttempt.objects.filter(at__lt=older_than).delete()
    return deleted


class Rate(NamedTuple):
    count: int
    seconds: int


class _ConfiguredRate(SimpleRateThrottle):
    def __init__(self, scope: str):
        self.scope = scope
        super().__init__()


def configured_rate(scope: str) -> Rate:
    """The rate configured for ``scope`` ("5/hour"), read and parsed as DRF's throttles read theirs."""
    rate = _ConfiguredRate(scope)
    return Rate(rate.num_requests, rate.duration)
