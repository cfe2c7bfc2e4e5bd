"""点单 and 审核把关: a service request from a resident, a member or a unit, and its review.

Closing the loop (resolve, confirm, rate, reopen, auto-close) lives in
``orders.services.request_closing`` and is re-exported here, so callers import every request
action from this module.

Every change of status goes through ``transitions.transition``; the request row is locked
first, and permission is checked on the locked row, so two secretaries acting at once get one
success and one clear conflict.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime, timedelta

from django.db import IntegrityError, transaction
from django.utils import timezone

from accounts.services import phone_normalize
from core.errors import Conflict, PermissionDenied, ValidationFailed
from core.transitions import can_transition, illegal, lock, record_event, transition
from grids.geo import location_to_wgs84
from grids.models import Community, Grid, Member, Unit
from grids.selectors.organisation import community_staff
from grids.selectors.scope import scope_for
from grids.vocab import CoordSystem, Duty, Focus
from notifications.services import notify_on_commit
from orders.models import RequestEvent, RequestFollower, ServiceRequest, Task
from orders.selectors.requests import nearest_community
from orders.services import escalations
from orders.services.photos import photos_attach, photos_clean
from orders.services.request_closing import (
    request_confirm,
    request_rate,
    request_reopen,
    request_resolve_from_escalation,
    requests_autoclose,
    requests_reopen_for_cancelled_task,
    requests_resolve_for_task,
)

R = ServiceRequest.Status


# --- helpers -----------------------------------------------------------------------------


def no_nul(**values) -> None:
    """PostgreSQL cannot store a NUL byte in text; refuse it as bad input, not a server error."""
    for name, value in values.items():
        if isinstance(value, str) and "\x00" in value:
            raise ValidationFailed("内容包含非法字符。", code="nul_byte", field=name)


def _text(value, *, field: str, label: str, most: int, required: bool = True) -> str:
    value = (value or "").strip() if isinstance(value, str) or value is None else None
    if value is None:
        raise ValidationFailed(f"{label}格式不正确。", field=field)
    no_nul(**{field: value})
    if required and not value:
        raise ValidationFailed(f"请填写{label}。", code="required", field=field)
    if len(value) > most:
        raise ValidationFailed(f"{label}不能超过 {most} 个字。", code="too_long", field=field)
    return value


def can_review(request: ServiceRequest, user) -> bool:
    """Staff whose posts cover the request's community, or the grid secretary of its grid."""
    scope = scope_for(user)
    if scope.covers_community(request.community):
        return True
    return request.grid_id is not None and scope.covers_grid(request.grid)


def _lock_for_review(request: ServiceRequest, actor) -> ServiceRequest:
    row = lock(request)
    if not can_review(row, actor):
        raise PermissionDenied("您无权审核其他社区的点单。", code="not_in_scope")
    return row


def _audience(request: ServiceRequest) -> list:
    """The requester and everyone following the request."""
    followers = [f.user for f in RequestFollower.objects.filter(request=request).select_related("user")]
    return [request.requester, *followers]


def _url(request: ServiceRequest) -> str:
    return f"/requests/{request.pk}/"


# --- ordering (点单) ---------------------------------------------------------------------


@transaction.atomic
def request_create(
    *,
    requester,
    duty: str,
    title: str,
    description: str,
    address: str,
    lat: float,
    lng: float,
    contact_phone: str,
    community: Community | None = None,
    coord_system: str = CoordSystem.WGS84,
    preferred_time: datetime | None = None,
    grid: Grid | None = None,
    requester_kind: str = ServiceRequest.RequesterKind.RESIDENT,
    unit: Unit | None = None,
    photos: Sequence = (),
) -> ServiceRequest:
    """A request placed at any hour; it waits for the community's review.

    The community is the one the requester chose, or else the one nearest the location (the
    location converted to WGS-84 once, here); with neither, the request is refused.

    A member request needs a member profile. A unit's request (单位党组织点单) is placed by one of
    that unit's members: their member profile must name the unit — there is no post at unit
    level, and a unit's party organisation acts through its members.
    """
    if requester_kind not in ServiceRequest.RequesterKind.values:
        raise ValidationFailed("点单身份不正确。", field="requester_kind")
    if duty not in Duty.values:
        raise ValidationFailed("请选择服务类别。", field="duty")
    title = _text(title, field="title", label="标题", most=80)
    description = _text(description, field="description", label="问题描述", most=2000)
    address = _text(address, field="address", label="地址", most=200)
    no_nul(contact_phone=contact_phone if isinstance(contact_phone, str) else "")
    phone = phone_normalize(contact_phone, field="contact_phone")
    if lat is None or lng is None:
        raise ValidationFailed("请提供位置。", code="required", field="location")
    wlat, wlng = location_to_wgs84(lat=lat, lng=lng, coord_system=coord_system, field="location")
    if community is None:
        community = nearest_community(wlat, wlng)
        if community is None:
            raise ValidationFailed(
                "您的位置附近没有找到社区，请确认位置在韶关市内。", code="required", field="community"
            )
    if grid is not None and grid.community_id != community.pk:
        raise ValidationFailed("所选网格不属于该社区。", field="grid")
    if preferred_time is not None:
        if timezone.is_naive(preferred_time):
            raise ValidationFailed("期望时间格式不正确。", field="preferred_time")
        if preferred_time < timezone.now() - timedelta(hours=1):
            raise ValidationFailed("期望时间不能早于现在。", field="preferred_time")
    member = Member.objects.filter(user=requester).only("id", "unit_id").first()
    if requester_kind == ServiceRequest.RequesterKind.MEMBER and member is None:
        raise ValidationFailed("您还没有党员/志愿者资料，不能以党员身份点单。", field="requester_kind")
    if requester_kind == ServiceRequest.RequesterKind.UNIT:
        if unit is None:
            raise ValidationFailed("请选择点单单位。", code="required", field="unit")
        if member is None or member.unit_id != unit.pk:
            raise PermissionDenied("只有该单位的党员才能以单位党组织名义点单。", code="not_unit_member")
    elif unit is not None:
        raise ValidationFailed("只有以单位党组织身份点单时才能选择单位。", field="unit")
    cleaned = photos_clean(photos)  # every photo checked before anything is written

    service_request = ServiceRequest.objects.create(
        requester=requester,
        requester_kind=requester_kind,
        unit=unit,
        community=community,
        grid=grid,
        duty=duty,
        title=title,
        description=description,
        address=address,
        lat=wlat,
        lng=wlng,
        coord_system=coord_system,
        preferred_time=preferred_time,
        contact_phone=phone,
    )
    RequestEvent.objects.create(
        request=service_request,
        from_status="",
        to_status=R.SUBMITTED,
        actor=requester,
        note="提交点单",
        created_at=service_request.created_at,
    )
    photos_attach(request=service_request, photos=cleaned)
    notify_on_commit(
        community_staff(community, grid),
        kind="request_submitted",
        title=f"新的居民点单待审核：{title}",
        body=f"{Duty(duty).label} · {address}",
        url=_url(service_request),
        skip=requester,
    )
    return service_request


@transaction.atomic
def request_join(*, request: ServiceRequest, user) -> RequestFollower:
    """ "这是我的问题": follow an open request instead of placing a duplicate. Safe to repeat."""
    row = lock(request)
    if row.requester_id == user.pk:
        raise Conflict("这是您自己提交的点单。", code="own_request")
    if row.status not in ServiceRequest.OPEN:
        raise Conflict("该点单已结束，请重新提交点单。", code="request_closed")
    follower, created = RequestFollower.objects.get_or_create(request=row, user=user)
    if created:
        record_event(row, actor=user, kind="follower_joined", note="又有居民反映了同一问题")
    return follower


# --- review (审核把关) -------------------------------------------------------------------


@transaction.atomic
def request_approve(*, request: ServiceRequest, actor, task: Task | None = None, **new_task_fields) -> ServiceRequest:
    """Accept a request: attach it to an open task of the community, or create a task for it.

    ``new_task_fields`` go to ``task_create``; what is not given is taken from the request
    (duty, title, description, address, location, grid; focus defaults to 抓服务).
    """
    if task is not None:
        # Locks are taken task first, then its requests, everywhere (completing and cancelling a
        # task lock the task, then the requests linked to it); the reverse order here could
        # deadlock against them.
        task = lock(task)
    row = _lock_for_review(request, actor)
    if not can_transition(row, R.APPROVED):
        raise illegal(row, R.APPROVED)
    if task is not None and new_task_fields:
        raise ValidationFailed("请选择已有任务，或填写新任务，二者只能选一。", field="task")
    if task is not None:
        if task.community_id != row.community_id:
            raise ValidationFailed("只能并入本社区的任务。", field="task")
        if task.status not in Task.ACTIVE:
            raise Conflict("该任务已结束或已取消，不能再并入点单。", code="task_closed")
    else:
        if not new_task_fields:
            raise ValidationFailed("请选择已有任务，或填写新任务。", code="required", field="task")
        from orders.services.tasks import task_create

        fields = {
            "focus": Focus.SERVICE,
            "duty": row.duty,
            "title": row.title,
            "description": row.description,
            "address": row.address,
            "lat": row.lat,
            "lng": row.lng,
            "coord_system": CoordSystem.WGS84,  # the request's location is stored in WGS-84
            "grid": row.grid,
            **new_task_fields,
        }
        # task_create only links the request (sets ``task``); moving it along is done here.
        task = task_create(actor=actor, community=row.community, source_requests=[row], **fields)
    row = transition(
        row,
        R.APPROVED,
        actor=actor,
        locked=True,
        note=f"已受理，安排任务：{task.title}",
        task=task,
        reviewed_at=timezone.now(),
    )
    _tell_approved(row, actor)
    return row


def _tell_approved(row: ServiceRequest, actor) -> None:
    notify_on_commit(
        _audience(row),
        kind="request_approved",
        title=f"您的点单已受理：{row.title}",
        body="社区已安排党员志愿者办理。",
        url=_url(row),
        skip=actor,
    )


@transaction.atomic
def request_reject(*, request: ServiceRequest, actor, reason: str) -> ServiceRequest:
    """Turn a request down; the resident sees the reason."""
    reason = _text(reason, field="reason", label="未通过理由", most=200)
    row = _lock_for_review(request, actor)
    row = transition(
        row, R.REJECTED, actor=actor, locked=True, note=reason, reject_reason=reason, reviewed_at=timezone.now()
    )
    notify_on_commit(
        _audience(row),
        kind="request_rejected",
        title=f"您的点单未通过审核：{row.title}",
        body=reason,
        url=_url(row),
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
    people = _audience(row)
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
        url=_url(target),
        skip=actor,
    )
    return row


@transaction.atomic
def request_escalate(*, request: ServiceRequest, actor, reason: str) -> ServiceRequest:
    """What the community cannot solve goes to the street's joint meeting (联席会议)."""
    reason = _text(reason, field="reason", label="上报理由", most=500)
    row = _lock_for_review(request, actor)
    if not can_transition(row, R.ESCALATED):
        raise illegal(row, R.ESCALATED)
    try:
        with transaction.atomic():
            escalations.escalation_create(actor=actor, reason=reason, request=row)
    except IntegrityError as exc:
        raise Conflict("该点单已上报街道。", code="already_escalated") from exc
    row = transition(row, R.ESCALATED, actor=actor, locked=True, note=reason)
    notify_on_commit(
        _audience(row),
        kind="request_escalated",
        title=f"您的点单已上报街道联席会议：{row.title}",
        body=reason,
        url=_url(row),
        skip=actor,
    )
    return row


__all__ = [
    "can_review",
    "no_nul",
    "request_approve",
    "request_confirm",
    "request_create",
    "request_escalate",
    "request_join",
    "request_merge",
    "request_rate",
    "request_reject",
    "request_reopen",
    "request_resolve_from_escalation",
    "requests_autoclose",
    "requests_reopen_for_cancelled_task",
    "requests_resolve_for_task",
]
