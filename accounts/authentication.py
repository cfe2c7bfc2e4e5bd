"""``Authorization: Token <secret>`` against the per-device tokens (``accounts.models.DeviceToken``).

A subclass of DRF's ``TokenAuthentication`` for its header parsing, its ``WWW-Authenticate``
answer and drf-spectacular's security scheme; only the lookup is ours. It runs before every
token request, so it is one query compiled once per process (``core.prepared``): the token's
columns and its user's, the user built from them as the ORM would.
"""

from __future__ import annotations

from datetime import timedelta

from django.utils import timezone
from rest_framework import exceptions
from rest_framework.authentication import TokenAuthentication

from accounts.device_tokens import live_tokens, oldest_live_issue, token_digest, token_expiry
from accounts.models import DeviceToken, User
from core import audit
from core.prepared import Prepared, from_row

# Last use and expiry are written at most this often per token: a write on every request
# would turn each read of the API into a database write, for a precision nobody needs
# (the devices page shows last use to the minute, and expiry is counted in days).
TOUCH_EVERY = timedelta(minutes=1)

TOKEN_FIELDS = ("id", "device_name", "created_at", "last_used_at", "expires_at")
# from_db() takes the values in the model's field order.
TOKEN_ATTNAMES = tuple(f.attname for f in DeviceToken._meta.concrete_fields if f.attname in {"user_id", *TOKEN_FIELDS})
USER_FIELDS = tuple(f.attname for f in User._meta.concrete_fields)
LIVE_TOKEN = Prepared(
    lambda digest, now, issued_after: (
        live_tokens(now, issued_after=issued_after)
        .filter(digest=digest)
        .values(*TOKEN_FIELDS, *(f"user__{name}" for name in USER_FIELDS))
    )
)


def live_token(key: str, now) -> DeviceToken | None:
    """The live token whose secret is ``key``, its ``user`` loaded, or None."""
    row = LIVE_TOKEN.first(digest=token_digest(key), now=now, issued_after=oldest_live_issue(now))
    if row is None:
        return None
    row["user_id"] = row["user__id"]
    token = from_row(DeviceToken, row)
    token.user = from_row(User, row, "user__")
    return token


class DeviceTokenAuthentication(TokenAuthentication):
    keyword = "Token"
    model = DeviceToken

    def authenticate_credentials(self, key):
        now = timezone.now()
        token = live_token(key, now)
        # The exception handler answers each of these 401 「登录凭证无效或已过期，请重新登录。」
        if token is None or not token.user.is_active:
            raise exceptions.AuthenticationFailed("invalid token")
        audit.name_device(token.device_name)
        if now - token.last_used_at >= TOUCH_EVERY:
            token.last_used_at, token.expires_at = now, token_expiry(now, token.created_at)
            DeviceToken.objects.filter(pk=token.pk, revoked_at__isnull=True).update(
                last_used_at=now, expires_at=token.expires_at
            )
        return token.user, token
