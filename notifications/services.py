"""Writes on the inbox and the delivery record.

``notify`` is what every other app calls: it writes inbox rows now and, once the caller's
transaction commits, queues the Celery task that pushes them through the configured channels
(never from inside an open transaction, so a rolled-back action sends nothing). A broker that
cannot be reached loses nothing and fails nothing: the rows are there, and
``notifications_undelivered`` finds those no channel has seen, for the periodic sweep.
"""

from __future__ import annotations

import logging
from collections.abc import Iterable
from datetime import timedelta

from django.db import transaction
from django.utils import timezone

from core.errors import PermissionDenied, ValidationFailed
from core.tasks import enqueue_on_commit
from notifications.channels import Channel, ChannelError, configured_channels
from notifications.kinds import KINDS, OPTIONAL_CHANNELS
from notifications.models import ChannelPreference, Delivery, Notification
from notifications.selectors import channel_allowed_map

logger = logging.getLogger("notifications")


def _clean(text: str, limit: int) -> str:
    # PostgreSQL cannot store NUL; a message is never worth a 500.
    return (text or "").replace("\x00", "").strip()[:limit]


@transaction.atomic
def notify(*, users: Iterable, kind: str, title: str, body: str = "", url: str = "") -> list[Notification]:
    """One inbox row per user (duplicates and ``None`` dropped); channel delivery after commit."""
    title = _clean(title, 100)
    if not title:
        raise ValidationFailed("消息标题不能为空。", field="title")
    seen: dict[int, None] = {}
    for u in users:
        pk = getattr(u, "pk", u)
        if pk is not None:
            seen.setdefault(pk, None)
    if not seen:
        return []
    now = timezone.now()
    rows = Notification.objects.bulk_create(
        [
            Notification(
                user_id=pk,
                kind=_clean(kind, 40),
                title=title,
                body=_clean(body, 500),
                url=_clean(url, 200),
                created_at=now,
            )
            for pk in seen
        ]
    )
    # Queued once this transaction commits, so the worker never looks for rows a rollback took
    # away; a broker that refuses is logged, not raised, and ``sweep_undelivered`` queues the
    # rows again later (they are written here, whatever happens to the message).
    from notifications.tasks import deliver

    enqueue_on_commit(deliver, [n.pk for n in rows])
    return rows


def notify_on_commit(users: Iterable, *, kind: str, title: str, body: str = "", url: str = "", skip=None) -> None:
    """``notify`` once the surrounding transaction commits; nobody hears of a change rolled back.

    ``skip`` (a user) is left out: the person who acted need not be told what they just did.
    """
    recipients: dict[int, object] = {}
    for user in users:
        if user is not None and user.pk not in recipients and (skip is None or user.pk != skip.pk):
            recipients[user.pk] = user
    if recipients:
        transaction.on_commit(
            lambda: notify(
                users=list(recipients.values()), kind=kind, title=title[:100], body=body[:500], url=url[:200]
            )
        )


# One INSERT per this many rows, one delivery job per ``DELIVERY_BATCH`` of them: a community of
# thousands of members is told in a handful of statements, and no job carries thousands of ids.
INSERT_BATCH = 1000
DELIVERY_BATCH = 100


@transaction.atomic
def notify_many_once(*, user_ids: Iterable[int], kind: str, title: str, body: str = "", url: str = "") -> int:
    """The same message to many users (a task whistled to a community), at most once per user
    for one ``(kind, url)``: whoever already has it is left out, so running it again — a retried
    job, a second whistle of the same task — tells nobody twice. Returns how many were told.

    Bulk: one query for who already has it, one INSERT per ``INSERT_BATCH`` rows, and delivery
    queued after commit in batches of ``DELIVERY_BATCH``."""
    title = _clean(title, 100)
    if not title:
        raise ValidationFailed("消息标题不能为空。", field="title")
    kind, url = _clean(kind, 40), _clean(url, 200)
    wanted = dict.fromkeys(pk for pk in user_ids if pk is not None)
    if not wanted:
        return 0
    told = set(
        Notification.objects.filter(kind=kind, url=url, user_id__in=list(wanted)).values_list("user_id", flat=True)
    )
    now, body = timezone.now(), _clean(body, 500)
    rows = Notification.objects.bulk_create(
        [
            Notification(user_id=pk, kind=kind, title=title, body=body, url=url, created_at=now)
            for pk in wanted
            if pk not in told
        ],
        batch_size=INSERT_BATCH,
    )
    from notifications.tasks import deliver

    ids = [n.pk for n in rows]
    for start in range(0, len(ids), DELIVERY_BATCH):
        enqueue_on_commit(deliver, ids[start : start + DELIVERY_BATCH])
    return len(rows)


def notify_each(*, messages: Iterable[tuple], kind: str, url: str = "") -> list[Notification]:
    """One inbox row per ``(user, title, body)`` — each its own words — in one INSERT and one
    queued delivery, whatever their number (a bulk action telling each person what happened to
    them). A user named twice keeps the first message."""
    now = timezone.now()
    rows: dict[int, Notification] = {}
    for user, title, body in messages:
        pk = getattr(user, "pk", user)
        title = _clean(title, 100)
        if pk is None or pk in rows or not title:
            continue
        rows[pk] = Notification(
            user_id=pk, kind=_clean(kind, 40), title=title, body=_clean(body, 500), url=_clean(url, 200), created_at=now
        )
    if not rows:
        return []
    created = Notification.objects.bulk_create(list(rows.values()))
    from notifications.tasks import deliver

    enqueue_on_commit(deliver, [n.pk for n in created])
    return created


def notify_each_on_commit(messages: Iterable[tuple], *, kind: str, url: str = "") -> None:
    """``notify_each`` once the surrounding transaction commits."""
    messages = list(messages)
    if messages:
        transaction.on_commit(lambda: notify_each(messages=messages, kind=kind, url=url))


def notification_mark_read(*, notification: Notification, actor) -> Notification:
    if actor is None or notification.user_id != actor.pk:
        raise PermissionDenied("只能操作自己的消息。")
    if notification.read_at is None:
        now = timezone.now()
        # A conditional UPDATE: two taps keep the first read time, no lock needed.
        Notification.objects.filter(pk=notification.pk, read_at__isnull=True).update(read_at=now)
        notification.refresh_from_db(fields=["read_at"])
    return notification


def notifications_mark_all_read(*, user) -> int:
    return Notification.objects.filter(user=user, read_at__isnull=True).update(read_at=timezone.now())


def _deliver_one(notification: Notification, channel: Channel) -> bool:
    """Send through one channel unless already sent; True when a retry might still succeed."""
    with transaction.atomic():
        delivery, _ = Delivery.objects.get_or_create(notification=notification, channel=channel.name)
        # The row lock makes a second run of the same task (a redelivered message, a retry
        # overlapping a slow first try) wait for the first and then see it sent, so nothing
        # goes out twice. The channel call inside it is bounded by its HTTP timeout.
        delivery = Delivery.objects.select_for_update().get(pk=delivery.pk)
        if delivery.status == Delivery.Status.SENT:
            return False
        delivery.attempts += 1
        retry = False
        try:
            channel.send(notification)
        except ChannelError as exc:
            delivery.status, delivery.error, retry = Delivery.Status.FAILED, str(exc)[:300], exc.retry
        except Exception as exc:  # a broken provider must not stop the other channels
            logger.exception("channel %s failed", channel.name)
            delivery.status, delivery.error, retry = Delivery.Status.FAILED, type(exc).__name__, True
        else:
            delivery.status, delivery.error, delivery.sent_at = Delivery.Status.SENT, "", timezone.now()
        delivery.save(update_fields=["status", "attempts", "error", "sent_at"])
        return retry


def notifications_undelivered(*, older_than: timedelta, newer_than: timedelta, limit: int = 1000) -> list[int]:
    """Ids of notifications created between ``newer_than`` and ``older_than`` ago that no channel
    has recorded a delivery of: their message was lost (the broker was down when they were
    written, or a worker died before running it). Oldest first, at most ``limit``.

    Long-dead ones (before ``newer_than``) are left alone: a notification nobody could be reached
    for (no channel applies to its user) has no delivery row either, and retrying it forever
    would be wasted work; so is telling somebody days late that a task starts in an hour."""
    now = timezone.now()
    return list(
        Notification.objects.filter(
            created_at__lt=now - older_than, created_at__gte=now - newer_than, deliveries__isnull=True
        )
        .order_by("created_at", "pk")
        .values_list("pk", flat=True)[:limit]
    )


def notifications_deliver(*, notification_ids: Iterable[int]) -> list[int]:
    """Push the notifications through every configured channel; returns the ids worth retrying."""
    notifications = list(
        Notification.objects.select_related("user").filter(pk__in=list(notification_ids)).order_by("pk")
    )
    allowed = channel_allowed_map(notifications)
    again: set[int] = set()
    for channel in configured_channels():
        for n in notifications:
            if not allowed(n, channel.name):
                continue  # the user does not take this kind through this channel: the inbox only
            if channel.applies_to(n) and _deliver_one(n, channel):
                again.add(n.pk)
    return sorted(again)


@transaction.atomic
def channel_preferences_set(*, user, kind: str, allowed: dict[str, bool]) -> None:
    """Which outside channels ``user`` takes ``kind`` through (notifications.kinds); channels not
    in ``allowed`` keep what they were. Upserts, so a double submit writes the same rows."""
    if kind not in KINDS:
        raise ValidationFailed("没有这种消息类型。", field="kind")
    unknown = set(allowed) - set(OPTIONAL_CHANNELS)
    if unknown:
        raise ValidationFailed("没有这种提醒渠道。", field="channel")
    now = timezone.now()
    ChannelPreference.objects.bulk_create(
        [
            ChannelPreference(user=user, kind=kind, channel=channel, allowed=bool(on), updated_at=now)
            for channel, on in allowed.items()
        ],
        update_conflicts=True,
        unique_fields=["user", "kind", "channel"],
        update_fields=["allowed", "updated_at"],
    )
