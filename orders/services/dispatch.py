"""Reaching members: 吹哨 to the best suggestions, widening tasks nobody took, reminders.

Split from ``tasks`` (creating, accepting and closing tasks): these tell people about a task,
and the widening and reminders run as periodic jobs.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from django.conf import settings
from django.db import transaction
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone

from core.errors import Conflict, ValidationFailed
from core.transitions import record_event
from grids.models import Member
from grids.selectors.organisation import community_staff
from notifications.kinds import TASK_REMINDER
from orders.models import Acceptance, Task
from orders.selectors.tasks import dispatch_suggestions
from orders.services.common import format_time, lock_task, notify_users, require_task_staff

A, T, V = Acceptance.Status, Task.Status, Task.Visibility
REMINDER_BEFORE = timedelta(hours=2)


_WIDER = {V.COMMUNITY: V.PAIRED, V.PAIRED: V.CITY}


def tasks_widen(*, now: datetime | None = None) -> int:
    """Tasks nobody has taken for ``TASK_WIDEN_AFTER_HOURS`` widen: the community's members →
    also paired units' members → the whole city. The secretaries are told. Safe to run twice."""
    now = now or timezone.now()
    cutoff = now - timedelta(hours=settings.TASK_WIDEN_AFTER_HOURS)
    base = Task.objects.filter(status=T.OPEN, taken=0, starts_at__gt=now)
    # A task waits a full period at each level: since it was created, or since it last widened.
    waited = Q(widened_at__isnull=True, created_at__lte=cutoff) | Q(widened_at__lte=cutoff)
    ids = list(base.filter(waited, visibility__in=list(_WIDER)).order_by("pk").values_list("pk", flat=True))
    widened = 0
    for pk in ids:
        with transaction.atomic():
            task = Task.objects.select_for_update(of=("self",)).get(pk=pk)
            since = task.widened_at or task.created_at
            if task.status != T.OPEN or task.taken or task.starts_at <= now or since > cutoff:
                continue
            wider = _WIDER.get(task.visibility)
            if wider is None:
                continue
            task.visibility, task.widened_at = wider, now
            task.save(update_fields=["visibility", "widened_at"])
            label = V(wider).label
            record_event(task, kind="widened", note=f"无人接单，招募范围扩大到{label}")
            notify_users(
                community_staff(task.community_id, task.grid),
                kind="task_widened",
                title="任务无人接单，已扩大招募范围",
                body=f"“{task.title}”发布后 {settings.TASK_WIDEN_AFTER_HOURS} 小时仍无人接单，已向{label}开放。",
                url=reverse("orders:work_task", args=[task.pk]),
            )
            widened += 1
    return widened


def tasks_send_reminders(*, now: datetime | None = None) -> int:
    """Remind members whose task starts within 2 hours, once each (``notified_at``). Safe to run twice."""
    now = now or timezone.now()
    due = list(
        Acceptance.objects.filter(
            status=A.ACCEPTED,
            notified_at__isnull=True,
            starts_at__gt=now,
            starts_at__lte=now + REMINDER_BEFORE,
        )
        .select_related("task", "member__user")
        .order_by("starts_at")
    )
    sent = 0
    for acceptance in due:
        with transaction.atomic():
            # The conditional UPDATE claims the reminder: two runs at once send it once.
            if not Acceptance.objects.filter(pk=acceptance.pk, notified_at__isnull=True).update(notified_at=now):
                continue
            task = acceptance.task
            notify_users(
                [acceptance.member.user],
                kind=TASK_REMINDER,
                title="接单提醒：任务即将开始",
                body=f"“{task.title}”将于 {format_time(task.starts_at)} 在{task.address}开始，请按时到场签到。",
                url=reverse("orders:my_tasks"),
            )
            sent += 1
    return sent


@transaction.atomic
def task_notify_top(*, task: Task, actor, n: int = 10) -> list[Member]:
    """吹哨: tell the top ``n`` suggested members about the task."""
    task = lock_task(task)
    require_task_staff(actor, task.community, task.grid, "通知")
    if task.status not in (T.OPEN, T.FULL):
        raise Conflict("只能为招募中的任务通知党员。", code="task_not_open")
    if isinstance(n, bool) or not isinstance(n, int) or not 1 <= n <= 100:
        raise ValidationFailed("通知人数须在 1 到 100 之间。", field="n")
    members = [s.member for s in dispatch_suggestions(task, limit=n)]
    notify_users(
        [m.user for m in members],
        kind="task_dispatched",
        title=f"社区吹哨：{task.title}"[:100],
        body=f"{task.community.name}邀请您参加“{task.title}”，{format_time(task.starts_at)} 在{task.address}，"
        f"还差 {task.slots_left} 人。",
        url=reverse("orders:task", args=[task.pk]),
    )
    record_event(task, actor=actor, kind="whistled", note=f"吹哨通知 {len(members)} 名党员")
    return members
