"""联席会议: a case the community cannot solve, taken up by its street with departments.

The street's staff (or the district and city above them) assign departments with a deadline,
record each department's response and the meeting's outcome, and resolve. An hourly job marks
assigned cases past their deadline as overdue and tells the street and the community once.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime, timedelta

from django.conf import settings
from django.db import transaction
from django.utils import timezone

from core.errors import Conflict, ValidationFailed
from core.transitions import lock, record_created, record_event, transition
from grids.selectors.organisation import community_staff, street_staff
from notifications.services import notify_on_commit
from orders.models import Department, Escalation, EscalationResponse, ServiceRequest, Task
from orders.services.common import clean_text, escalation_url, lock_escalation_for_street

E = Escalation.Status


def _requester(escalation: Escalation) -> list:
    return [escalation.request.requester] if escalation.request_id else []


@transaction.atomic
def escalation_create(
    *, actor, reason: str, request: ServiceRequest | None = None, task: Task | None = None
) -> Escalation:
    """Open a case at the street of the request's (or task's) community.

    The caller has checked the actor may escalate, and moves the request to ``escalated``.
    """
    if (request is None) == (task is None):
        raise ValidationFailed("请指定要上报的点单或任务。", field="request")
    reason = clean_text(reason, field="reason", label="上报理由", most=500)
    community = (request or task).community
    if request is not None and Escalation.objects.filter(request=request, status__in=[E.OPEN, E.ASSIGNED]).exists():
        raise Conflict("该点单已上报街道。", code="already_escalated")
    if task is not None and Escalation.objects.filter(task=task, status__in=[E.OPEN, E.ASSIGNED]).exists():
        raise Conflict("该任务已上报街道，正在办理。", code="already_escalated")
    escalation = Escalation.objects.create(
        street_id=community.street_id,
        community=community,
        request=request,
        task=task,
        reason=reason,
        created_by=actor,
    )
    record_created(escalation, actor=actor, note=reason, at=escalation.created_at)
    subject = request.title if request is not None else task.title
    notify_on_commit(
        street_staff(community.street_id),
        kind="escalation_created",
        title=f"{community.name}上报联席会议事项：{subject}",
        body=reason,
        url=escalation_url(escalation),
        skip=actor,
    )
    return escalation


@transaction.atomic
def escalation_assign(
    *, escalation: Escalation, actor, department_ids: Iterable[int], deadline: datetime | None = None
) -> Escalation:
    """Bring in departments with a deadline (default ``ESCALATION_DEFAULT_DAYS``).

    Assigning again adds departments and may move the deadline; a new deadline in the future
    clears the overdue flag, so passing it is reported again.
    """
    row = lock_escalation_for_street(escalation, actor)
    try:
        ids = {int(i) for i in department_ids}
    except (TypeError, ValueError) as exc:
        raise ValidationFailed("部门不正确。", field="department_ids") from exc
    if not ids:
        raise ValidationFailed("请至少选择一个部门。", code="required", field="department_ids")
    departments = list(Department.objects.filter(pk__in=ids, is_active=True))
    if len(departments) != len(ids):
        raise ValidationFailed("所选部门不存在或已停用。", field="department_ids")
    now = timezone.now()
    if deadline is None:
        deadline = now + timedelta(days=settings.ESCALATION_DEFAULT_DAYS)
    elif timezone.is_naive(deadline):
        raise ValidationFailed("办理期限格式不正确。", field="deadline")
    if deadline <= now:
        raise ValidationFailed("办理期限不能早于现在。", field="deadline")
    names = "、".join(d.name for d in departments)
    row = transition(
        row,
        E.ASSIGNED,
        actor=actor,
        locked=True,
        kind="reassigned" if row.status == E.ASSIGNED else "",
        note=f"分派给{names}，期限 {timezone.localtime(deadline):%Y-%m-%d %H:%M}",
        deadline=deadline,
        assigned_at=now,
        overdue=False,
        overdue_notified_at=None,
    )
    row.departments.add(*departments)
    notify_on_commit(
        _requester(row) + community_staff(row.community_id),
        kind="escalation_assigned",
        title="街道联席会议已受理",
        body=f"牵头/协办部门：{names}",
        url=escalation_url(row),
        skip=actor,
    )
    return row


@transaction.atomic
def escalation_respond(*, escalation: Escalation, actor, department_id: int, response: str) -> EscalationResponse:
    """Record one department's response (办理意见)."""
    response = clean_text(response, field="response", label="办理意见", most=2000)
    row = lock_escalation_for_street(escalation, actor)
    if row.status != E.ASSIGNED:
        raise Conflict("事项尚未分派或已办结，不能记录办理意见。", code="not_assigned")
    department = row.departments.filter(pk=department_id).first()
    if department is None:
        raise ValidationFailed("该部门不在本事项的分派范围内。", field="department_id")
    answer = EscalationResponse.objects.create(
        escalation=row, department=department, response=response, recorded_by=actor
    )
    record_event(row, actor=actor, kind="department_response", note=f"{department.name}：{response}")
    return answer


def escalations_mark_overdue(*, now: datetime | None = None) -> int:
    """Mark assigned cases past their deadline; tell the street and the community once each."""
    now = now or timezone.now()
    ids = list(
        Escalation.objects.filter(status=E.ASSIGNED, deadline__lt=now, overdue_notified_at__isnull=True)
        .order_by("pk")
        .values_list("pk", flat=True)
    )
    count = 0
    for pk in ids:
        with transaction.atomic():
            row = lock(Escalation, pk)
            # Re-checked under the lock: a second run, or a re-assignment, may have got here first.
            if row.status != E.ASSIGNED or row.deadline >= now or row.overdue_notified_at is not None:
                continue
            row.overdue = True
            row.overdue_notified_at = now
            row.save(update_fields=["overdue", "overdue_notified_at"])
            record_event(row, kind="overdue", note="已超过办理期限")
            subject = row.request or row.task
            notify_on_commit(
                street_staff(row.street_id) + community_staff(row.community_id),
                kind="escalation_overdue",
                title=f"联席会议事项已超期：{subject}",
                body=f"办理期限 {timezone.localtime(row.deadline):%Y-%m-%d %H:%M} 已过，请尽快办结。",
                url=escalation_url(row),
            )
            count += 1
    return count
