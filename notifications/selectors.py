"""Reads of the inbox."""

from collections.abc import Callable, Iterable
from dataclasses import dataclass

from django.db.models import Count, QuerySet

from core.prepared import Prepared
from notifications.kinds import KINDS, OPTIONAL_CHANNELS, allowed_by_default
from notifications.models import ChannelPreference, Delivery, Notification


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


def channel_allowed_map(notifications: Iterable[Notification]) -> Callable[[Notification, str], bool]:
    """``allowed(notification, channel_name)``: whether its user takes its kind through that
    channel (notifications.kinds). One query for the preferences of the whole batch, none when
    no notification is of a kind with preferences."""
    notifications = list(notifications)
    kinds = {n.kind for n in notifications if n.kind in KINDS}
    stored: dict[tuple[int, str, str], bool] = {}
    if kinds:
        rows = ChannelPreference.objects.filter(
            user_id__in={n.user_id for n in notifications if n.kind in kinds}, kind__in=kinds
        ).values_list("user_id", "kind", "channel", "allowed")
        stored = {(u, k, c): a for u, k, c, a in rows}

    def allowed(notification: Notification, channel: str) -> bool:
        if channel not in OPTIONAL_CHANNELS or notification.kind not in KINDS:
            return True
        found = stored.get((notification.user_id, notification.kind, channel))
        return allowed_by_default(notification.kind, channel) if found is None else found

    return allowed


@dataclass(frozen=True)
class ChannelSetting:
    kind: str
    label: str
    help: str
    channels: list[tuple[str, str, bool]]  # (channel, label, allowed)


def channel_settings_of(user) -> list[ChannelSetting]:
    """Every kind with channel preferences, and what ``user`` allows for it: one query."""
    stored = {
        (k, c): a for k, c, a in ChannelPreference.objects.filter(user=user).values_list("kind", "channel", "allowed")
    }
    return [
        ChannelSetting(
            kind=kind,
            label=k.label,
            help=k.help,
            channels=[
                (c, label, stored.get((kind, c), allowed_by_default(kind, c))) for c, label in OPTIONAL_CHANNELS.items()
            ],
        )
        for kind, k in KINDS.items()
    ]
