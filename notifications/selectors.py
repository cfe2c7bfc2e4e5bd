"""Reads of the inbox."""

from django.db.models import Count, QuerySet

from core.prepared import Prepared
from notifications.models import Delivery, Notification


def inbox_for(user, *, unread_only: bool = False) -> QuerySet[Notification]:
    """The user's own notifications, newest first."""
    if user is None or not user.is_authenticated:
        return Notification.objects.none()
    qs = Notification.objects.filter(user=user)
    return qs.filter(read_at__isnull=True) if unread_only else qs


def unread_count(user) -> int:
    if user is None or not user.is_authenticated:
        return 0
    row = _UNREAD.first(user_id=user.pk)
    return row["n"] if row else 0


# The badge every page and ``me/`` show: compiled once per process (core.prepared).
_UNREAD = Prepared(
    lambda user_id: (
        Notification.objects.filter(user_id=user_id, read_at__isnull=True)
        .order_by()
        .values("user_id")
        .annotate(n=Count("id"))
    )
)


def deliveries_of(notification: Notification) -> QuerySet[Delivery]:
    return Delivery.objects.filter(notification=notification).order_by("channel")
