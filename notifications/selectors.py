"""Reads of the inbox."""

from django.db.models import QuerySet

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
    return Notification.objects.filter(user=user, read_at__isnull=True).count()


def deliveries_of(notification: Notification) -> QuerySet[Delivery]:
    return Delivery.objects.filter(notification=notification).order_by("channel")
