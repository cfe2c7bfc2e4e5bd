"""审核把关: the community turns a request down, merges a duplicate, or hands it to the street.

Approving, which creates or joins a task, is a step across machines and lives in
``orders.services.cascades``. Every change of status goes through ``transition``; the request
row is locked first and permission is checked on the locked row.
"""

from __future__ import annotations

from django.db import IntegrityError, transaction
from django.utils import timezone

from core.errors import Conflict, PermissionDenied, ValidationFailed
from core.transitions import can_transition, illegal, lock, record_event, transition
from notifications.services import notify_on_commit
from orders.models import RequestFollower, ServiceRequest
from orders.selectors.requests import can_review
from orders.services.common import clean_text, lock_request_for_review, request_audience, request_url
from orders.services.escalations import escalation_create

R = ServiceRequest.Status


@transaction.atomic
def request_reject(*, request: ServiceRequest, actor, reason: str) -> ServiceRequest:
    """Turn a request down; the resident sees the reason."""
    reason = clean_text(reason, field="reason", label="未通过理由", most=200)
    row = lock_request_for_review(request, actor)
    row = transition(
        row, R.REJECTED, actor=actor, locked=True, note=reason, reject_reason=reason, reviewed_at=timezone.now()
    )
    notify_on_commit(
        request_audience(row),
        kind="request_rejected",
        title=f"您的点单未通过审核：{row.title}",
        body=reason,
        url=request_url(row),
        skip=actor,
    )
    return row


@transaction.atomic
def request_merge(*, request: ServiceRequest, into: ServiceRequest, actor) -> ServiceRequest:
    """A duplicate joins another open request of the same community; its people follow that one."""
    if into.pk == request.pk:
        raise ValidationFailed("不能合并到自身。", field="into")
    # Both rows locked, lower id first, so two merges in opposite directions cannot deadlock.
    first, second = sorted([request, into], key=lambda r: r.pk)
    locked = {first.pk: lock(first), second.pk: lock(second)}
    row, target = locked[request.pk], locked[into.pk]
    if not can_review(row, actor):
        raise PermissionDenied("您无权审核其他社区的点单。", code="not_in_scope")
    if target.community_id != row.community_id:
        raise ValidationFailed("只能合并到本社区的点单。", field="into")
    if target.status not in ServiceRequest.OPEN:
        raise Conflict("目标点单已结束，不能合并。", code="target_closed")
    if not can_transition(row, R.MERGED):
        raise illegal(row, R.MERGED)
    people = request_audience(row)
    RequestFollower.objects.bulk_create(
        [RequestFollower(request=target, user=u) for u in people if u.pk != target.requester_id],
        ignore_conflicts=True,
    )
    row = transition(
        row,
        R.MERGED,
        actor=actor,
        locked=True,
        note=f"与点单“{target.title}”合并办理",
        merged_into=target,
        reviewed_at=timezone.now(),
    )
    record_event(target, actor=actor, kind="merged_in", note=f"合并了同类点单“{row.title}”")
    notify_on_commit(
        people,
        kind="request_merged",
        title=f"您的点单已与同类问题合并办理：{row.title}",
        body=f"请关注点单“{target.title}”的进展。",
        url=request_url(target),
        skip=actor,
    )
    return row


@transaction.atomic
def request_escalate(*, request: ServiceRequest, actor, reason: str) -> ServiceRequest:
    """What the community cannot solve goes to the street's joint meeting (联席会议)."""
    reason = clean_text(reason, field="reason", label="上报理由", most=500)
    row = lock_request_for_review(request, actor)
    if not can_transition(row, R.ESCALATED):
        raise illegal(row, R.ESCALATED)
    try:
        with transaction.atomic():
            escalation_create(actor=actor, reason=reason, request=row)
    except IntegrityError as exc:
        raise Conflict("该点单已上报街道。", code="already_escalated") from exc
    row = transition(row, R.ESCALATED, actor=actor, locked=True, note=reason)
    notify_on_commit(
        request_audience(row),
        kind="request_escalated",
        title=f"您的点单已上报街道联席会议：{row.title}",
        body=reason,
        url=request_url(row),
        skip=actor,
    )
    return row
