"""Reads for accounts: the signed-in devices of a user."""

from django.db.models import QuerySet
from django.utils import timezone

from accounts.models import DeviceToken, User


def live_devices(user: User) -> QuerySet[DeviceToken]:
    """The user's tokens still in use (neither revoked nor expired), most recently used first."""
    return DeviceToken.objects.filter(user=user, revoked_at__isnull=True, expires_at__gt=timezone.now()).order_by(
        "-last_used_at", "-pk"
    )
