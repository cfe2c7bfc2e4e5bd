"""``Authorization: Token <secret>`` against the per-device tokens (``accounts.models.DeviceToken``).

A subclass of DRF's ``TokenAuthentication`` for its header parsing, its ``WWW-Authenticate``
answer and drf-spectacular's security scheme; only the lookup is ours.
"""

from __future__ import annotations

from datetime import timedelta

from django.utils import timezone
from rest_framework import exceptions
from rest_framework.authentication import TokenAuthentication

from accounts.device_tokens import live_tokens, token_digest, token_expiry
from accounts.models import DeviceToken
from core import audit

# Last use and expiry are written at most this often per token: a write on every request
# would turn each read of the API into a database write, for a precision nobody needs
# (the devices page shows last use to the minute, and expiry is counted in days).
TOUCH_EVERY = timedelta(minutes=1)


class DeviceTokenAuthentication(TokenAuthentication):
    keyword = "Token"
    model = DeviceToken

    def authenticate_credentials(self, key):
        now = timezone.now()
        token = live_tokens(now).select_related("user").filter(digest=token_digest(key)).first()
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
