"""审核把关 — approving: a request becomes (or joins) a task, its category and title corrected on
the way when the resident chose a wrong one.

Sits beside the other cross-machine actions (``orders.services.cascades`` re-exports it): it
moves the request and creates the task through ``task_create``.
"""

from __future__ import annotations

from django.db import transaction
from django.utils import timezone

from core.errors import Conflict, ValidationFailed
from core.rules import refuse_own
from core.transitions import can_transition, illegal, lock, transition
from grids.vocab import CoordSystem, Duty, Focus
from notifications.services import notify_on_commit
from orders.models import ServiceRequest, Task
from orders.services.common import clean_text, lock_request_for_review, request_audience, request_url
from orders.services.tasks import task_create

R = ServiceRequest.Status

# A request placed without a location stands at its community's centre; the task made from it
# takes that point, and its check-in geofence is widened to cover the community (about a
# kilometre across) unless the reviewer gives the task a place or a radius of its own.
UNLOCATED_GEOFENCE_M = 1000


def _corrections(row: ServiceRequest, duty: str | None, title: str | None) -> tuple[dict, str]:
    """What the reviewer corrects of the request (``{field: value}``) and the words saying so."""
    changes: dict[str, str] = {}
    said = []
    if duty is not None and duty != row.duty:
        if duty not in Duty.values:
            raise ValidationFailed("请选择八大职责之一。", field="duty")
        changes["duty"] = duty
        said.append(f"类别由“{Duty(row.duty).label}”更正为“{Duty(duty).label}”")
    if title is not None:
        title = clean_text(title, field="title", label="标题", most=80)
        if title != row.title:
            changes["title"] = title
            said.append(f"标题由“{row.title}”更正为“{title}”")
    return changes, "；".join(said)


@transaction.atomic
def request_approve(
    *,
    request: ServiceRequest,
    actor,
    task: Task | None = None,
    duty: str | None = None,
    title: str | None = None,
    **new_task_fields,
) -> ServiceRequest:
    """Accept a request: attach it to an open task of the community, or create a task for it.

    ``duty`` and ``title`` correct the request's own (the event row and the audit trail keep
    both the old and the new); a task created here inherits the corrected ones. The other
    ``new_task_fields`` go to ``task_create``; what is not given is taken from the request
    (description, address, location, grid; focus defaults to 抓服务).
    """
    if task is not None:
        # Locks are taken task first, then its requests, everywhere (completing and cancelling a
        # task lock the task, then the requests linked to it); the reverse order here could
        # deadlock against them.
        task = lock(task)
    row = lock_request_for_review(request, actor)
    refuse_own(actor, row.requester_id, message="不能受理自己提交的点单，请由其他工作人员审核。", code="own_request")
    if not can_transition(row, R.APPROVED):
        raise illegal(row, R.APPROVED)
    if task is not None and new_task_fields:
        raise ValidationFailed("请选择已有任务，或填写新任务，二者只能选一。", field="task")
    corrected, said = _corrections(row, duty, title)
    if task is not None:
        if task.community_id != row.community_id:
            raise ValidationFailed("只能并入本社区的任务。", field="task")
        if task.status not in Task.ACTIVE:
            raise Conflict("该任务已结束或已取消，不能再并入点单。", code="task_closed")
        kind = "task_joined"
    else:
        if not new_task_fields:
            raise ValidationFailed("请选择已有任务，或填写新任务。", code="required", field="task")
        # What a new task cannot take from the request: when, and how many people.
        missing = [name for name in ("starts_at", "ends_at", "slots") if name not in new_task_fields]
        if missing:
            raise ValidationFailed("新任务须填写开始时间、结束时间和所需人数。", code="required", field=missing[0])
        fields = {
            "focus": Focus.SERVICE,
            "duty": corrected.get("duty", row.duty),
            "title": corrected.get("title", row.title),
            "description": row.description,
            "address": row.address,
            "lat": row.lat,
            "lng": row.lng,
            "coord_system": CoordSystem.WGS84,  # the request's location is stored in WGS-84
            "grid": row.grid,
            **new_task_fields,
        }
        if not row.located and "lat" not in new_task_fields and "geofence_radius_m" not in new_task_fields:
            fields["geofence_radius_m"] = UNLOCATED_GEOFENCE_M
        # task_create only links the request (sets ``task``); moving it along is done here.
        task = task_create(actor=actor, community=row.community, source_requests=[row], **fields)
        kind = "task_created"
    note = f"已受理，安排任务：{task.title}" + (f"（{said}）" if said else "")
    row = transition(
        row,
        R.APPROVED,
        actor=actor,
        locked=True,
        kind=kind,
        note=note[:500],
        task=task,
        reviewed_at=timezone.now(),
        **corrected,
    )
    notify_on_commit(
        request_audience(row),
        kind="request_approved",
        title=f"您的点单已受理：{row.title}",
        body="社区已安排党员志愿者办理。" + (f"审核时{said}。" if said else ""),
        url=request_url(row),
        skip=actor,
    )
    return row
