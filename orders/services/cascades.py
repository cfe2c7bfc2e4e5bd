"""Actions whose effect runs across machines: one service call moves several kinds of rows.

- approving a request creates (or joins) a task (``request_approval``, re-exported here);
- cancelling a task cancels its slots and sends its requests back to review;
- completing a task closes its slots and resolves its requests;
- escalating a task opens a case at the street; resolving a case resolves its request.

This module sits above the single-machine modules (requests, request_review, request_closing,
tasks, acceptances, escalations) and calls into them; none of them imports it. Locks are taken
in one order everywhere: the task first, then its acceptances and its requests.
"""

from __future__ import annotations

from django.db import transaction
from django.urls import reverse
from django.utils import timezone

from core.errors import Conflict
from core.transitions import can_transition, illegal, lock, record_event, transition
from grids.selectors.organisation import community_staff
from notifications.services import notify_on_commit
from orders.models import Acceptance, Escalation, ServiceRequest, Task
from orders.services.acceptances import auto_check_out
from orders.services.common import (
    clean_text,
    escalation_url,
    format_time,
    lock_escalation_for_street,
    lock_task,
    notify_users,
    request_audience,
    request_url,
    require_task_manager,
    require_task_staff,
)
from orders.services.escalations import escalation_create
from orders.services.request_approval import request_approve  # noqa: F401 (callers name it here)

A, R, T, E = Acceptance.Status, ServiceRequest.Status, Task.Status, Escalation.Status


# --- a task closed: its slots and its requests ----------------------------------------------


def _holding(task: Task):
    """The task's acceptances still holding a slot, locked, in a fixed order."""
    return (
        Acceptance.objects.select_for_update(of=("self",))
        .select_related("member__user", "checkin", "task")
        .filter(task=task, status__in=Acceptance.HOLDING)
        .order_by("pk")
    )


@transaction.atomic
def task_cancel(*, task: Task, actor, reason: str) -> Task:
    """Cancel a task: accepted slots are cancelled and their members told; members already on site
    are checked out (they served); linked requests go back to review."""
    task = lock_task(task)
    require_task_manager(actor, task, "取消")
    reason = clean_text(reason, field="reason", label="取消理由", most=200)
    if not can_transition(task, T.CANCELLED):
        raise illegal(task, T.CANCELLED)
    now = timezone.now()
    task = transition(task, T.CANCELLED, actor=actor, note=reason, locked=True, cancel_reason=reason)
    told = []
    for acceptance in _holding(task):
        if acceptance.status == A.ACCEPTED:
            transition(
                acceptance,
                A.CANCELLED,
                actor=actor,
                kind="task_cancelled",
                note=f"任务取消：{reason}",
                locked=True,
                withdrawn_at=now,
            )
            told.append(acceptance.member.user)
        else:
            auto_check_out(acceptance, actor=actor, now=min(now, acceptance.ends_at))
    notify_users(
        told,
        kind="task_cancelled",
        title="任务已取消",
        body=f"您接的“{task.title}”（{format_time(task.starts_at)}）已取消。原因：{reason}",
        url=reverse("orders:my_tasks"),
    )
    requests_reopen_for_cancelled_task(task=task, actor=actor)
    return task


@transaction.atomic
def task_complete(*, task: Task, actor) -> Task:
    """The secretary closes the task: members still checked in are checked out, those who never
    came are no-shows, and the linked requests are resolved."""
    task = lock_task(task)
    require_task_manager(actor, task, "完成")
    if not can_transition(task, T.COMPLETED):
        raise illegal(task, T.COMPLETED)
    now = timezone.now()
    task = transition(task, T.COMPLETED, actor=actor, note="任务完成", locked=True, completed_at=now)
    for acceptance in _holding(task):
        if acceptance.status == A.CHECKED_IN:
            auto_check_out(acceptance, actor=actor, now=min(now, acceptance.ends_at))
        else:
            transition(acceptance, A.NO_SHOW, actor=actor, kind="task_completed", note="任务完成时未签到", locked=True)
    requests_resolve_for_task(task=task, actor=actor)
    return task


@transaction.atomic
def requests_resolve_for_task(*, task: Task, actor) -> int:
    """The task is done: every request it serves is resolved. Returns how many."""
    count = 0
    ids = ServiceRequest.objects.filter(task=task, status=R.APPROVED).order_by("pk").values_list("pk", flat=True)
    for pk in list(ids):
        row = lock(ServiceRequest, pk)
        if row.status != R.APPROVED or row.task_id != task.pk:
            continue
        row = transition(
            row,
            R.RESOLVED,
            actor=actor,
            locked=True,
            kind="task_completed",
            note=f"任务“{task.title}”已完成",
            resolved_at=timezone.now(),
        )
        notify_on_commit(
            request_audience(row),
            kind="request_resolved",
            title=f"您的点单已办结：{row.title}",
            body="请确认办理结果并评价；7 天内未确认将自动关闭。",
            url=request_url(row),
            skip=actor,
        )
        count += 1
    return count


@transaction.atomic
def requests_reopen_for_cancelled_task(*, task: Task, actor) -> int:
    """The task serving these requests was cancelled: the community reviews them again."""
    ids = ServiceRequest.objects.filter(task=task, status=R.APPROVED).order_by("pk").values_list("pk", flat=True)
    count = 0
    for pk in list(ids):
        row = lock(ServiceRequest, pk)
        if row.status != R.APPROVED or row.task_id != task.pk:
            continue
        if not can_transition(row, R.SUBMITTED):
            raise illegal(row, R.SUBMITTED)
        row = transition(
            row,
            R.SUBMITTED,
            actor=actor,
            locked=True,
            kind="task_cancelled",
            note=f"任务“{task.title}”已取消，待重新审核",
            task=None,
            reviewed_at=None,
        )
        notify_on_commit(
            community_staff(row.community_id, row.grid),
            kind="request_back_to_review",
            title=f"点单待重新审核：{row.title}",
            body=f"任务“{task.title}”已取消。",
            url=request_url(row),
            skip=actor,
        )
        count += 1
    return count


# --- the street's joint meeting -------------------------------------------------------------


@transaction.atomic
def task_escalate(*, task: Task, actor, reason: str) -> Escalation:
    """A community hands what a task found but cannot solve itself (a fire-safety sweep that found
    blocked escape routes, say) to the street's joint meeting. The task itself goes on as before."""
    task = lock(task)
    require_task_staff(actor, task.community, task.grid, "上报")
    if task.status == T.CANCELLED:
        raise Conflict("任务已取消，不能上报。", code="task_cancelled")
    escalation = escalation_create(actor=actor, reason=reason, task=task)
    record_event(task, actor=actor, kind="escalated", note=f"上报街道联席会议：{escalation.reason}")
    return escalation


@transaction.atomic
def escalation_resolve(*, escalation: Escalation, actor, outcome: str) -> Escalation:
    """Record the meeting's outcome and close the case; an escalated request is resolved too."""
    outcome = clean_text(outcome, field="outcome", label="会商结果", most=2000)
    row = lock_escalation_for_street(escalation, actor)
    row = transition(
        row, E.RESOLVED, actor=actor, locked=True, note=outcome, outcome=outcome, resolved_at=timezone.now()
    )
    if row.request_id is not None and row.request.status == R.ESCALATED:
        request_resolve_from_escalation(request=row.request, actor=actor)
    notify_on_commit(
        community_staff(row.community_id),
        kind="escalation_resolved",
        title=f"联席会议事项已办结：{row.request or row.task}",
        body=outcome,
        url=escalation_url(row),
        skip=actor,
    )
    return row


@transaction.atomic
def request_resolve_from_escalation(*, request: ServiceRequest, actor) -> ServiceRequest:
    """The street's joint meeting has resolved the escalated request."""
    row = transition(
        lock(request),
        R.RESOLVED,
        actor=actor,
        locked=True,
        kind="escalation_resolved",
        note="街道联席会议已办结",
        resolved_at=timezone.now(),
    )
    notify_on_commit(
        request_audience(row),
        kind="request_resolved",
        title=f"您的点单已由街道办结：{row.title}",
        body="请确认办理结果并评价；7 天内未确认将自动关闭。",
        url=request_url(row),
        skip=actor,
    )
    return row
