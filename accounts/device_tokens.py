"""API tokens, one per signed-in device: issuing, revoking, purging, and naming the device.

Each sign-in (code, staff password, WeChat, WeChat bind) issues a new token for the device it
came from; nothing hands an old token back. The secret is 32 random bytes (``token_urlsafe``,
43 characters) and only its SHA-256 is stored: a secret of that strength needs no salt or slow
hash to resist guessing, and an unsalted digest can be looked up directly by its unique index.
``accounts.authentication.DeviceTokenAuthentication`` checks tokens and slides their expiry,
which never passes ``TOKEN_MAX_DAYS`` after issue (ASVS 3.3.2: an absolute lifetime whatever
the activity).
"""

from __future__ import annotations

import hashlib
import re
import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta

from django.conf import settings
from django.db import transaction
from django.db.models import QuerySet
from django.utils import timezone

from accounts.models import DeviceToken, User
from core import audit
from core.errors import NotFound

PREFIX_LENGTH = 8
UNKNOWN_DEVICE = "未知设备"
MINI_PROGRAM = "微信小程序"


@dataclass(frozen=True)
class IssuedToken:
    plain: str  # handed to the client once, never stored
    token: DeviceToken


def token_digest(plain: str) -> str:
    return hashlib.sha256(plain.encode()).hexdigest()


def token_expiry(now: datetime, issued_at: datetime) -> datetime:
    """``TOKEN_IDLE_DAYS`` after this use, but no later than ``TOKEN_MAX_DAYS`` after issue."""
    return min(now + timedelta(days=settings.TOKEN_IDLE_DAYS), issued_at + timedelta(days=settings.TOKEN_MAX_DAYS))


def live_tokens(now: datetime | None = None, *, issued_after: datetime | None = None) -> QuerySet[DeviceToken]:
    """Tokens neither revoked, idle past their expiry, nor older than ``TOKEN_MAX_DAYS``. The
    issue time is checked as well as the expiry so that a lowered setting holds at once for
    tokens whose expiry was written under the old one (``issued_after``: ``issued_after(now)``,
    given when the caller compiles the query once for any ``now``)."""
    now = now or timezone.now()
    return DeviceToken.objects.filter(
        revoked_at__isnull=True, expires_at__gt=now, created_at__gt=issued_after or oldest_live_issue(now)
    )


def oldest_live_issue(now: datetime) -> datetime:
    return now - timedelta(days=settings.TOKEN_MAX_DAYS)


def device_token_issue(*, user: User, device_name: str) -> IssuedToken:
    """A new token for one device of ``user``; the plain secret is returned and never kept."""
    plain = secrets.token_urlsafe(32)
    now = timezone.now()
    token = DeviceToken.objects.create(
        user=user,
        digest=token_digest(plain),
        prefix=plain[:PREFIX_LENGTH],
        device_name=(device_name or UNKNOWN_DEVICE)[: DeviceToken._meta.get_field("device_name").max_length],
        created_at=now,
        last_used_at=now,
        expires_at=token_expiry(now, now),
    )
    audit.record(audit.Action.TOKEN_ISSUED, obj=token, actor=user, note=token.device_name)
    return IssuedToken(plain=plain, token=token)


def device_token_revoke(*, user: User, token_id: int) -> None:
    """Revoke one live token of ``user``; another's token, or one already dead, is ``NotFound``."""
    with transaction.atomic():
        revoked = live_tokens().filter(pk=token_id, user=user).update(revoked_at=timezone.now())
        if revoked:
            audit.record(
                audit.Action.TOKEN_REVOKED,
                actor=user,
                object_type=DeviceToken._meta.label_lower,
                object_id=token_id,
                object_repr=DeviceToken.objects.filter(pk=token_id).values_list("device_name", flat=True).first(),
            )
    if not revoked:
        raise NotFound("该登录设备不存在或已退出。")


def device_tokens_revoke_all(*, user: User) -> int:
    """Revoke every live token of ``user`` (the pages' sessions are not tokens and stay)."""
    with transaction.atomic():
        live = DeviceToken.objects.select_for_update().filter(user=user, revoked_at__isnull=True)
        ids = list(live.values_list("pk", flat=True))
        revoked = DeviceToken.objects.filter(pk__in=ids).update(revoked_at=timezone.now())
        if revoked:
            audit.record(
                audit.Action.TOKEN_REVOKED,
                actor=user,
                object_type=DeviceToken._meta.label_lower,
                object_repr=f"全部登录设备（{revoked} 台）",
                changes={"ids": ids},
            )
        return revoked


def device_tokens_purge(*, older_than_days: int = 30) -> int:
    """Delete tokens revoked or expired this long ago; returns how many."""
    cutoff = timezone.now() - timedelta(days=older_than_days)
    deleted, _ = DeviceToken.objects.filter(revoked_at__lt=cutoff).delete()
    more, _ = DeviceToken.objects.filter(expires_at__lt=cutoff).delete()
    # Expiries written before a lowered ``TOKEN_MAX_DAYS`` may lie past the cap.
    old, _ = DeviceToken.objects.filter(created_at__lt=cutoff - timedelta(days=settings.TOKEN_MAX_DAYS)).delete()
    return deleted + more + old


# --- the device's name -------------------------------------------------------------------

_SYSTEMS = (
    ("iPhone", "iPhone"),
    ("iPad", "iPad"),
    ("HarmonyOS", "鸿蒙"),
    ("Android", "Android"),
    ("Windows", "Windows"),
    ("Macintosh", "Mac"),
    ("CrOS", "ChromeOS"),
    ("Linux", "Linux"),
)
_BROWSERS = (
    ("MicroMessenger", "微信"),
    ("Edg/", "Edge"),
    ("OPR/", "Opera"),
    ("Firefox/", "Firefox"),
    ("CriOS/", "Chrome"),
    ("Chrome/", "Chrome"),
    ("Safari/", "Safari"),
)
_MINI_PROGRAM_UA = re.compile(r"miniprogram", re.IGNORECASE)


def device_name_from(request) -> str:
    """A short name for the device a request came from, read from its headers.

    The mini program's ``wx.request`` carries a ``servicewechat.com`` referer (and its web
    views ``miniProgram`` in the user agent); otherwise "<system> <browser>", such as
    "iPhone Safari" or "Android 微信".
    """
    agent = request.META.get("HTTP_USER_AGENT", "")
    if request.META.get("HTTP_REFERER", "").startswith("https://servicewechat.com/") or _MINI_PROGRAM_UA.search(agent):
        return MINI_PROGRAM
    system = next((name for mark, name in _SYSTEMS if mark in agent), "")
    browser = next((name for mark, name in _BROWSERS if mark in agent), "")
    if not (system or browser) or not agent.startswith("Mozilla/"):
        return UNKNOWN_DEVICE
    return f"{system} {browser}".strip()
