"""Reads for accounts: the signed-in devices of a user."""

from django.db.models import QuerySet

from accounts.device_tokens import live_tokens
from accounts.models import DeviceToken, User


def live_devices(user: User) -> QuerySet[DeviceToken]:
    """The user's tokens still in use (neither revoked, expired nor past their full life), most
    recently used first."""
    return live_tokens().filter(user=user).order_by("-last_used_at", "-pk")
