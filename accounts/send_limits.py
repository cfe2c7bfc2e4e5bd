"""The limits on sending sign-in codes, checked atomically per number and per address.

Three limits, all counted from the codes already issued (``SignInCode`` rows, which carry the
number, the time and the requesting address):

- one code per ``SIGNIN_CODE_RESEND_SECONDS`` (60 s) to a number;
- ``THROTTLE_CODE_PHONE`` (5/hour) codes to a number, however it is written and from wherever;
- ``THROTTLE_CODE_IP`` (20/hour) codes asked for from one address (``client_ip``; an address that
  cannot be read counts as one shared "unknown" address).

The mechanism is a PostgreSQL row lock: ``lock_and_check`` upserts and thereby locks one
``SignInCodeLock`` row for the address and one for the number (always in that order, so two
senders never wait on each other in a circle), then counts. The caller writes the new code in
the same transaction, so the next sender for that number or address waits for the commit and
counts the code just written: checking and writing cannot interleave, and a burst of requests
sends exactly what the limits allow. Why the database and not Redis ``SET NX``: the limits then
count the very rows the sign-in writes, in the transaction that writes them, and sending a code
keeps working (with its limits) when Redis is down, where a lock or counter in the cache would
either fail the request or let the limits lapse. On SQLite (``make run``) the upsert takes
SQLite's one write lock, which serialises senders the same way; it is harmless there.
"""

from __future__ import annotations

import math
from datetime import datetime, timedelta

from django.conf import settings
from django.db import transaction
from django.utils import timezone

from accounts.models import SignInCode, SignInCodeLock
from accounts.throttles import configured_rate
from core.errors import Throttled


class CodeRateLimited(Throttled):
    """Too many codes to this number or from this address within the rate's window."""


def _lock(key: str, now: datetime) -> None:
    # INSERT … ON CONFLICT DO UPDATE: creates the row on first use and, either way, holds its
    # row lock until the transaction ends; a concurrent sender for the same key waits here.
    SignInCodeLock.objects.bulk_create(
        [SignInCodeLock(key=key, touched_at=now)],
        update_conflicts=True,
        unique_fields=["key"],
        update_fields=["touched_at"],
    )


def _wait_seconds(oldest: datetime, window: int, now: datetime) -> int:
    return max(math.ceil((oldest + timedelta(seconds=window) - now).total_seconds()), 1)


def _refuse_over_rate(codes, scope: str, now: datetime) -> None:
    rate = configured_rate(scope)
    recent = codes.filter(created_at__gt=now - timedelta(seconds=rate.seconds)).order_by("created_at")
    times = list(recent.values_list("created_at", flat=True)[: rate.count])
    if len(times) >= rate.count:
        wait = _wait_seconds(times[0], rate.seconds, now)
        raise CodeRateLimited(f"操作太频繁，请 {wait} 秒后再试。", wait=wait)


def lock_and_check(*, phone: str, ip: str | None) -> datetime:
    """Lock the number and the address, then refuse (``Throttled``) if a limit is reached.

    Must run inside the transaction that writes the new code. Returns the time to issue it at,
    read after the locks were granted.
    """
    if not transaction.get_connection().in_atomic_block:
        raise RuntimeError("lock_and_check() must run inside the transaction that writes the code")
    _lock(f"ip:{ip or 'unknown'}", timezone.now())
    _lock(f"phone:{phone}", timezone.now())
    now = timezone.now()

    last = SignInCode.objects.filter(phone=phone).order_by("-created_at").values_list("created_at", flat=True).first()
    if last is not None and (now - last).total_seconds() < settings.SIGNIN_CODE_RESEND_SECONDS:
        wait = _wait_seconds(last, settings.SIGNIN_CODE_RESEND_SECONDS, now)
        raise Throttled(f"验证码已发送，请 {wait} 秒后再试。", wait=wait)
    _refuse_over_rate(SignInCode.objects.filter(phone=phone), "code_phone", now)
    by_address = SignInCode.objects.filter(requested_ip=ip) if ip else SignInCode.objects.filter(requested_ip=None)
    _refuse_over_rate(by_address, "code_ip", now)
    return now


def locks_purge(*, older_than: datetime) -> int:
    """Delete lock rows nobody has used since ``older_than``; they are recreated on demand."""
    deleted, _ = SignInCodeLock.objects.filter(touched_at__lt=older_than).delete()
    return deleted
