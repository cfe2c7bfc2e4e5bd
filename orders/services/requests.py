"""点单: a service request placed by a resident, a member or a unit, and residents joining one.

The community's review is in ``orders.services.request_review`` (approving, which makes or
joins a task, in ``orders.services.cascades``); closing the loop in
``orders.services.request_closing``.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime, timedelta

from django.conf import settings
from django.contrib.auth import get_user_model
from django.db import transaction
from django.utils import timezone

from accounts.services import phone_normalize
from core.errors import Conflict, NotFound, PermissionDenied, ValidationFailed
from core.limits import refuse_over
from core.transitions import lock, record_created, record_event
from grids.geo import location_to_wgs84
from grids.models import Community, Grid, Member, Unit
from grids.selectors.organisation import community_staff
from grids.vocab import CoordSystem, Duty
from notifications.services import notify_on_commit
from orders.models import RequestFollower, RequestLookup, ServiceRequest
from orders.selectors.requests import follow_reason, nearest_community
from orders.services.common import clean_text, no_nul, request_url
from orders.services.photos import photos_attach, photos_clean

R = ServiceRequest.Status

# What a request nobody may see answers, whether it exists or not.
REQUEST_NOT_FOUND = "点单不存在。"


@transaction.atomic
def request_create(
    *,
    requester,
    duty: str,
    title: str,
    description: str,
    address: str,
    lat: float | None,
    lng: float | None,
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
    location converted to WGS-84 once, here); with neither, the request is refused. Without a
    location (refused, or the requester is elsewhere) the chosen community's centre stands for
    the place, ``located`` is False and ``address`` says where within it.

    A member request needs a member profile. A unit's request (单位党组织点单) is placed by one of
    that unit's members: their member profile must name the unit — there is no post at unit
    level, and a unit's party organisation acts through its members.
    """
    if requester_kind not in ServiceRequest.RequesterKind.values:
        raise ValidationFailed("点单身份不正确。", field="requester_kind")
    if duty not in Duty.values:
        raise ValidationFailed("请选择服务类别。", field="duty")
    title = clean_text(title, field="title", label="标题", most=80)
    description = clean_text(description, field="description", label="问题描述", most=2000)
    address = clean_text(address, field="address", label="地址", most=200)
    no_nul(contact_phone=contact_phone if isinstance(contact_phone, str) else "")
    phone = phone_normalize(contact_phone, field="contact_phone")
    located = lat is not None and lng is not None
    if not located:
        # Without a location the community must be chosen (searched by name or address) and
        # the place described in ``address``; the request stands at the community's centre.
        if lat is not None or lng is not None:
            raise ValidationFailed("位置须同时包含纬度和经度。", field="location")
        if community is None:
            raise ValidationFailed("请使用当前位置，或搜索并选择所属社区。", code="required", field="community")
        lat, lng, coord_system = community.lat, community.lng, CoordSystem.WGS84
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
    _refuse_too_many_requests(requester)

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
        located=located,
        preferred_time=preferred_time,
        contact_phone=phone,
    )
    record_created(service_request, actor=requester, note="提交点单", at=service_request.created_at)
    photos_attach(request=service_request, photos=cleaned)
    notify_on_commit(
        community_staff(community, grid),
        kind="request_submitted",
        title=f"新的居民点单待审核：{title}",
        body=f"{Duty(duty).label} · {address}",
        url=request_url(service_request),
        skip=requester,
    )
    return service_request


def request_join(
    *,
    request: ServiceRequest,
    user,
    lat: float | None = None,
    lng: float | None = None,
    coord_system: str = CoordSystem.WGS84,
) -> RequestFollower:
    """ "这是我的问题": follow an open request instead of placing a duplicate. Safe to repeat.

    Every try counts against ``JOINS_PER_DAY`` (``request_lookup_count``), the ones refused
    too: trying one place after another is how a sweep for requests to follow looks. The try
    is committed before the join is looked at, so callers must not wrap this in a transaction
    of their own that a refusal would roll back (that would hand the try back).

    Following opens the request's description, photos and timeline, so it needs a reason
    (``follow_reason``): the follower is at the place — ``lat``/``lng`` in ``coord_system``,
    converted to WGS-84 once, here, within ``REQUEST_DUPLICATE_RADIUS_M`` of the request — or is
    a member registered with its community, or staff over it. Anyone else is told the request
    does not exist (``NotFound``, as for an unknown id). A location that cannot be read (outside
    Shaoguan, out of range, an unknown coordinate system) is no reason, not an error: a
    different answer would tell the caller that the id exists. The requester is refused with
    409 ``own_request``, as before.
    """
    request_lookup_count(user=user, kind=RequestLookup.Kind.JOIN)
    return _join(request=request, user=user, at=_wgs84_or_none(lat, lng, coord_system))


@transaction.atomic
def _join(*, request: ServiceRequest, user, at: tuple[float, float] | None) -> RequestFollower:
    if request.requester_id == user.pk:
        raise Conflict("这是您自己提交的点单。", code="own_request")
    if follow_reason(request, user, at=at) is None:
        raise NotFound(REQUEST_NOT_FOUND)
    row = lock(request)
    if row.status not in ServiceRequest.OPEN:
        raise Conflict("该点单已结束，请重新提交点单。", code="request_closed")
    follower, created = RequestFollower.objects.get_or_create(request=row, user=user)
    if created:
        record_event(row, actor=user, kind="follower_joined", note="又有居民反映了同一问题")
    return follower


def _lookup_limits(kind: str) -> tuple[int, timedelta, str]:
    if kind == RequestLookup.Kind.NEARBY:
        n = settings.NEARBY_LOOKUPS_PER_HOUR
        return n, timedelta(hours=1), f"每小时最多查找附近点单 {n} 次，请稍后再试。"
    n = settings.JOINS_PER_DAY
    return n, timedelta(days=1), f"每人每天最多关注点单 {n} 次，请稍后再试。"


def request_lookup_count(*, user, kind: str) -> None:
    """Count one try at finding a request to follow — a nearby lookup (``NEARBY_LOOKUPS_PER_HOUR``)
    or a join (``JOINS_PER_DAY``) — or refuse it with ``Throttled`` once the person has used
    their tries in the window. Committed on its own: the try counts whatever comes of it. A
    refused try is not written, so hammering past the limit does not push the wait further.
    The person's row lock makes a burst count one after another."""
    if kind not in RequestLookup.Kind.values:
        raise ValueError(f"unknown lookup kind {kind!r}")
    limit, window, message = _lookup_limits(kind)
    with transaction.atomic():
        get_user_model().objects.select_for_update().filter(pk=user.pk).first()
        now = timezone.now()
        refuse_over(
            RequestLookup.objects.filter(user=user, kind=kind),
            at="at",
            limit=limit,
            window=window,
            now=now,
            message=message,
        )
        RequestLookup.objects.create(user=user, kind=kind, at=now)


def request_lookups_purge() -> int:
    """Delete tries older than the longest window (a day): they count for nothing any more."""
    deleted, _ = RequestLookup.objects.filter(at__lt=timezone.now() - timedelta(days=1)).delete()
    return deleted


def _refuse_too_many_requests(requester) -> None:
    """``REQUESTS_PER_DAY`` requests a requester may place in 24 hours; the requester's row lock
    makes a burst of submissions count one after another."""
    get_user_model().objects.select_for_update().filter(pk=requester.pk).first()
    refuse_over(
        ServiceRequest.objects.filter(requester=requester),
        at="created_at",
        limit=settings.REQUESTS_PER_DAY,
        window=timedelta(days=1),
        message=f"每人每天最多点单 {settings.REQUESTS_PER_DAY} 次，请稍后再试。",
    )


def _wgs84_or_none(lat: float | None, lng: float | None, coord_system: str) -> tuple[float, float] | None:
    if lat is None or lng is None:
        return None
    try:
        return location_to_wgs84(lat=lat, lng=lng, coord_system=coord_system)
    except ValidationFailed:
        return None
