"""Closing the loop on a service request: the resident confirms, rates or reopens it; resolved
requests nobody confirms close by themselves.

Resolving a request is the end of its task or of its escalation: see ``orders.services.cascades``.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime, timedelta

from django.conf import settings
from django.contrib.auth import get_user_model
from django.db import transaction
from django.urls import reverse
from django.utils import timezone

from core.errors import Conflict, PermissionDenied, ValidationFailed
from core.limits import refuse_over
from core.rules import refuse_own
from core.transitions import can_transition, illegal, lock, transition
from grids.models import Member
from grids.selectors.organisation import community_staff
from notifications.kinds import LIKE_RECEIVED
from notifications.services import notify_on_commit
from orders.models import Acceptance, Feedback, Like, ServiceRequest
from orders.services.common import clean_text, no_nul, request_url
from orders.services.escalations import escalation_create
from reporting.models import ServiceRecord
from reporting.services.records import service_record_confirm

R = ServiceRequest.Status


def _lock_own(request: ServiceRequest, actor) -> ServiceRequest:
    row = lock(request)
    if row.requester_id != actor.pk:
        raise PermissionDenied("只能处理自己提交的点单。", code="not_requester")
    return row


def _confirm_records(row: ServiceRequest, actor) -> int:
    """The resident's word confirms the pending hours of the members who completed the task —
    except the requester's own, if they served too: nobody confirms their own hours (the
    service refuses it), so that record waits for the community."""
    if row.task_id is None:
        return 0
    records = [
        a.record
        for a in Acceptance.objects.filter(
            task_id=row.task_id, status=Acceptance.Status.COMPLETED, record__isnull=False
        )
        .exclude(member__user_id=actor.pk)
        .select_related("record")
        if a.record.status == ServiceRecord.Status.PENDING
    ]
    for record in records:
        service_record_confirm(record=record, actor=actor, via="resident")
    return len(records)


def _served(row: ServiceRequest) -> dict[int, int]:
    """Who completed the request's task: member id → that member's user id."""
    if row.task_id is None:
        return {}
    return dict(
        Acceptance.objects.filter(task_id=row.task_id, status=Acceptance.Status.COMPLETED).values_list(
            "member_id", "member__user_id"
        )
    )


@transaction.atomic
def request_confirm(*, request: ServiceRequest, actor) -> ServiceRequest:
    """The requester confirms the outcome; that also confirms the hours of those who served."""
    row = _lock_own(request, actor)
    row = transition(row, R.CONFIRMED, actor=actor, locked=True, note="居民确认已解决", closed_at=timezone.now())
    _confirm_records(row, actor)
    return row


@transaction.atomic
def request_rate(
    *, request: ServiceRequest, actor, score: int, comment: str = "", liked_member_ids: Iterable[int] = ()
) -> ServiceRequest:
    """Rate once, 1–5, and like members who completed the task. Rating also confirms."""
    row = _lock_own(request, actor)
    if Feedback.objects.filter(request=row).exists():
        raise Conflict("您已经评价过这个点单。", code="already_rated")
    if not can_transition(row, R.RATED):
        raise illegal(row, R.RATED)
    if isinstance(score, bool) or not isinstance(score, int) or not 1 <= score <= 5:
        raise ValidationFailed("评分须为 1 到 5 星。", field="score")
    comment = clean_text(comment, field="comment", label="评价内容", most=500, required=False)
    try:
        liked = {int(i) for i in liked_member_ids}
    except (TypeError, ValueError) as exc:
        raise ValidationFailed("点赞对象不正确。", field="liked_member_ids") from exc
    served = _served(row)
    refuse_own(
        actor,
        *(served[m] for m in liked if m in served),
        message="不能为自己点赞。",
        code="own_service",
    )
    refuse_own(
        actor,
        *served.values(),
        message="您参与了这次服务，不能评价自己参与的服务。",
        code="own_service",
    )
    if liked - served.keys():
        raise ValidationFailed("只能为参与这次服务的党员点赞。", code="not_served", field="liked_member_ids")
    if liked:
        _refuse_too_many_likes(actor, len(liked))
    was_confirmed = row.status == R.CONFIRMED
    Feedback.objects.create(request=row, score=score, comment=comment)
    Like.objects.bulk_create([Like(request=row, member_id=m) for m in sorted(liked)])
    row = transition(
        row, R.RATED, actor=actor, locked=True, note=f"评价 {score} 星", closed_at=row.closed_at or timezone.now()
    )
    if not was_confirmed:
        _confirm_records(row, actor)
    if liked:
        notify_on_commit(
            [m.user for m in Member.objects.filter(pk__in=liked).select_related("user")],
            kind=LIKE_RECEIVED,
            title=f"居民为您点赞：{row.title}"[:100],
            body=f"您参与的服务“{row.title}”得到了居民的点赞，感谢您的付出！",
            url=reverse("orders:my_likes"),
            skip=actor,
        )
    return row


@transaction.atomic
def request_reopen(*, request: ServiceRequest, actor, reason: str) -> ServiceRequest:
    """Not solved after all: back to the community's review; the second time, to the street."""
    reason = (reason or "").strip()
    no_nul(reason=reason)
    if not reason:
        raise ValidationFailed("请填写重新打开的理由。", code="required", field="reason")
    if len(reason) > 200:
        raise ValidationFailed("理由不能超过 200 个字。", code="too_long", field="reason")
    row = _lock_own(request, actor)
    second = row.reopen_count >= 1
    to = R.ESCALATED if second else R.SUBMITTED
    if not can_transition(row, to):
        raise illegal(row, to)
    if second:
        escalation_create(actor=actor, reason=f"居民第二次反映问题未解决：{reason}", request=row)
        note = f"居民再次反映未解决，自动上报街道：{reason}"
    else:
        note = f"居民反映未解决，重新审核：{reason}"
    row = transition(
        row,
        to,
        actor=actor,
        locked=True,
        kind="reopened",
        note=note,
        reopen_count=row.reopen_count + 1,
        resolved_at=None,
    )
    notify_on_commit(
        community_staff(row.community_id, row.grid),
        kind="request_reopened",
        title=f"居民反映点单未解决：{row.title}",
        body=note,
        url=request_url(row),
        skip=actor,
    )
    return row


def requests_autoclose(*, now: datetime | None = None) -> int:
    """Close requests resolved and unconfirmed for ``REQUEST_AUTOCLOSE_DAYS``. Safe to run twice."""
    now = now or timezone.now()
    cutoff = now - timedelta(days=settings.REQUEST_AUTOCLOSE_DAYS)
    ids = list(
        ServiceRequest.objects.filter(status=R.RESOLVED, resolved_at__lte=cutoff)
        .order_by("pk")
        .values_list("pk", flat=True)
    )
    count = 0
    for pk in ids:
        # One short transaction per request: a long sweep must not hold thousands of locks.
        with transaction.atomic():
            row = lock(ServiceRequest, pk)
            if row.status != R.RESOLVED or row.resolved_at is None or row.resolved_at > cutoff:
                continue
            transition(
                row,
                R.CLOSED,
                locked=True,
                kind="auto_closed",
                note=f"办结后 {settings.REQUEST_AUTOCLOSE_DAYS} 天未确认，自动关闭",
                closed_at=now,
            )
            count += 1
    return count


def _refuse_too_many_likes(actor, adding: int) -> None:
    """``LIKES_PER_DAY`` likes a resident may give in 24 hours (likes weigh on the boards); the
    resident's row lock counts two ratings at once one after the other."""
    get_user_model().objects.select_for_update().filter(pk=actor.pk).first()
    # Room for every like of this rating, or none of them.
    refuse_over(
        Like.objects.filter(request__requester=actor),
        at="created_at",
        limit=settings.LIKES_PER_DAY,
        window=timedelta(days=1),
        adding=adding,
        message=f"每人每天最多点赞 {settings.LIKES_PER_DAY} 次，请稍后再点赞。",
    )
