"""Reads on service requests: duplicates nearby, the review queue, a resident's list, the
timeline, and who may see a resident's phone and address (PIPL)."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime, timedelta

from django.conf import settings
from django.db.models import Count, Exists, OuterRef, Q, QuerySet, Window
from django.utils import timezone

from accounts.models import User
from accounts.phone import mask_phone
from core.prepared import Prepared, columns, from_row, prefetched
from grids.geo import WGS84, bbox_around, haversine_m, to_wgs84
from grids.models import Community, Grid, Member
from grids.selectors.organisation import communities_near
from grids.selectors.scope import Scope, scope_for
from orders.models import (
    Acceptance,
    EscalationEvent,
    RequestEvent,
    RequestFollower,
    RequestPhoto,
    ServiceRequest,
    Task,
)
from orders.selectors.tasks import LIVE

R = ServiceRequest.Status


def _requests() -> QuerySet[ServiceRequest]:
    return ServiceRequest.objects.select_related("community__street", "grid", "requester", "task")


def nearby_open_requests(
    *,
    lat: float,
    lng: float,
    duty: str,
    coord_system: str = WGS84,
    radius_m: float | None = None,
    days: int | None = None,
    now: datetime | None = None,
) -> list[ServiceRequest]:
    """ "Is this yours?": open requests of the same duty near a point, recent, nearest first.

    Each carries ``distance_m``. A bounding box narrows the rows in SQL (on the lat/lng
    index); exact great-circle distances are computed here.
    """
    radius = radius_m if radius_m is not None else settings.REQUEST_DUPLICATE_RADIUS_M
    days = days if days is not None else settings.REQUEST_DUPLICATE_DAYS
    wlat, wlng = to_wgs84(lat, lng, coord_system)
    lat_min, lat_max, lng_min, lng_max = bbox_around(wlat, wlng, radius)
    since = (now or timezone.now()) - timedelta(days=days)
    rows = list(
        _requests().filter(
            # A request placed by address alone sits at its community's centre: near nothing.
            located=True,
            status__in=ServiceRequest.OPEN,
            duty=duty,
            created_at__gte=since,
            lat__gte=lat_min,
            lat__lte=lat_max,
            lng__gte=lng_min,
            lng__lte=lng_max,
        )
    )
    for r in rows:
        r.distance_m = haversine_m(wlat, wlng, r.lat, r.lng)
    rows = [r for r in rows if r.distance_m <= radius]
    rows.sort(key=lambda r: (r.distance_m, r.pk))
    return rows


def nearest_community(lat: float, lng: float, coord_system: str = WGS84) -> Community | None:
    """The community nearest a point (what the order page proposes), with ``distance_m``."""
    wlat, wlng = to_wgs84(lat, lng, coord_system)
    found = communities_near(wlat, wlng, limit=1)
    return found[0] if found else None


def pending_requests_for(user) -> QuerySet[ServiceRequest]:
    """Requests waiting for review that ``user`` may review, oldest first.

    Community staff see their community's; a grid secretary only their grid's (and its
    buildings'); street, district and city staff everything below them. How long each has
    waited is ``now - created_at``, computed by the page, not per row in SQL.
    """
    scope = scope_for(user)
    if scope.is_empty:
        return ServiceRequest.objects.none()
    return _requests().filter(status=R.SUBMITTED).filter(scope.q("community", "grid")).order_by("created_at", "pk")


def pending_requests_page(user, *, limit: int, offset: int) -> tuple[list[ServiceRequest], int]:
    """One page of ``pending_requests_for`` with its photos, and the count of all its rows: two
    queries compiled once per process and shape of scope (``core.prepared``). The review list is
    what a secretary opens all day."""
    scope = scope_for(user)
    if scope.is_empty:
        return [], 0
    rows = _PENDING_PAGE.rows(
        limit=limit,
        offset=offset,
        city=scope.city,
        district_ids=sorted(scope.district_ids),
        street_ids=sorted(scope.street_ids),
        community_ids=sorted(scope.community_ids),
        grid_ids=sorted(scope.grid_ids),
    )
    page = [_request_row(row) for row in rows]
    photos: dict[int, list[RequestPhoto]] = {r.pk: [] for r in page}
    if page:
        for row in _PHOTOS.rows(request_ids=list(photos)):
            photos[row["request_id"]].append(from_row(RequestPhoto, row))
    for request in page:
        prefetched(request, "photos", photos[request.pk])
    return page, (rows[0]["total"] if rows else 0)


def _pending(*, city, district_ids, street_ids, community_ids, grid_ids) -> QuerySet[ServiceRequest]:
    scope = Scope(
        city=city,
        district_ids=frozenset(district_ids),
        street_ids=frozenset(street_ids),
        community_ids=frozenset(community_ids),
        grid_ids=frozenset(grid_ids),
    )
    return ServiceRequest.objects.filter(status=R.SUBMITTED).filter(scope.q("community", "grid"))


# What the review list shows of each request's relations (``RequestOut`` and the contact rule),
# not their every column: a row of the page is decoded and built into instances, and the full
# rows of six tables made that most of the list's time. Instances built from these are partial
# (``from_row`` defers the rest), so a reader of anything else costs a query — the query-count
# tests of the list would show it.
_PENDING_COLUMNS = (
    *columns(ServiceRequest),
    "community__id",
    "community__name",
    "community__street_id",
    "grid__id",
    "grid__name",
    "grid__parent_id",
    "requester__id",
    "requester__name",
    "task__id",
    "task__title",
)
_PENDING_PAGE = Prepared(
    lambda **scope: _pending(**scope).order_by("created_at", "pk").values(*_PENDING_COLUMNS, total=Window(Count("*")))
)
_PHOTOS = Prepared(
    lambda request_ids: RequestPhoto.objects.filter(request_id__in=request_ids).values(*columns(RequestPhoto))
)


def _request_row(row: dict) -> ServiceRequest:
    """A request of the review page with what the list reads of its community, grid, requester and task."""
    request = from_row(ServiceRequest, row)
    request.community = from_row(Community, row, "community__")
    request.grid = from_row(Grid, row, "grid__")
    request.requester = from_row(User, row, "requester__")
    request.task = from_row(Task, row, "task__")
    return request


def requests_for_requester(user) -> QuerySet[ServiceRequest]:
    """The user's own requests and those they follow, newest first."""
    if user is None or not user.is_authenticated:
        return ServiceRequest.objects.none()
    following = RequestFollower.objects.filter(request=OuterRef("pk"), user=user)
    return _requests().filter(Q(requester=user) | Exists(following)).order_by("-created_at", "-pk")


def request_timeline(request: ServiceRequest) -> QuerySet[RequestEvent]:
    """The status timeline residents see, from the event rows."""
    return RequestEvent.objects.filter(request=request).select_related("actor").order_by("created_at", "pk")


def request_progress(request: ServiceRequest) -> list:
    """The timeline plus the street's progress on it (assigned, department responses, overdue,
    resolved), oldest first: what the resident sees once the request is escalated."""
    events = list(request_timeline(request))
    events += list(
        EscalationEvent.objects.filter(escalation__request=request).select_related("actor").order_by("created_at", "pk")
    )
    events.sort(key=lambda e: e.created_at)  # stable: each list is already in order
    return events


def can_review(request: ServiceRequest, user) -> bool:
    """Staff whose posts cover the request's community, or the grid secretary of its grid."""
    scope = scope_for(user)
    if scope.covers_community(request.community):
        return True
    return request.grid_id is not None and scope.covers_grid(request.grid)


def follow_reason(request: ServiceRequest, user, *, at: tuple[float, float] | None = None) -> str | None:
    """Why ``user`` may follow ``request`` ("这也是我的问题"), or None: they are at the place
    (``at``, a WGS-84 point, within ``REQUEST_DUPLICATE_RADIUS_M`` of the request — the nearby →
    join path), a member registered with its community, or staff over it (``can_review``)."""
    if user is None or not user.is_authenticated:
        return None
    if (
        at is not None
        and request.located
        and haversine_m(at[0], at[1], request.lat, request.lng) <= settings.REQUEST_DUPLICATE_RADIUS_M
    ):
        return "at_place"
    if Member.objects.filter(user=user, community_id=request.community_id).exists():
        return "member"
    if can_review(request, user):
        return "staff"
    return None


def _ended_at(request: ServiceRequest) -> datetime | None:
    """When the request closed, or None while it is still being worked on."""
    if request.status in (R.CONFIRMED, R.RATED, R.CLOSED):
        return request.closed_at or request.resolved_at
    if request.status in (R.REJECTED, R.MERGED):
        return request.reviewed_at
    return None


def served_task_ids(user) -> set[int]:
    """The tasks ``user`` holds or held a live acceptance of — one query for a whole list."""
    return set(Acceptance.objects.filter(member__user=user, status__in=LIVE).values_list("task_id", flat=True))


def request_contact_visible_to(
    request: ServiceRequest, user, *, now: datetime | None = None, served_tasks: Callable[[], set[int]] | None = None
) -> bool:
    """Whether ``user`` may see the requester's phone and exact address (PIPL art. 6, 13).

    The requester always. Otherwise only those who need it to serve: the staff of the
    request's community (a grid secretary for their grid) and members who accepted the task
    serving it — and only until ``REQUEST_CONTACT_VISIBLE_DAYS`` after the request closed.
    Street, district and city staff see it masked.

    ``served_tasks`` (``served_task_ids`` bound to the user, memoised by the caller) answers the
    last question for a whole list in one query instead of one per row.
    """
    if user is None or not user.is_authenticated:
        return False
    if request.requester_id == user.pk:
        return True
    ended = _ended_at(request)
    if ended is not None and (now or timezone.now()) > ended + timedelta(days=settings.REQUEST_CONTACT_VISIBLE_DAYS):
        return False
    scope = scope_for(user)
    if request.community_id in scope.community_ids:
        return True
    if request.grid_id is not None and scope.grid_ids:
        level2 = request.grid.parent_id or request.grid_id
        if level2 in scope.grid_ids:
            return True
    if request.task_id is None:
        return False
    if served_tasks is not None:
        return request.task_id in served_tasks()
    return Acceptance.objects.filter(task_id=request.task_id, member__user=user, status__in=LIVE).exists()


def masked_contact(request: ServiceRequest, user, *, now: datetime | None = None) -> str:
    """The requester's phone as ``user`` may see it: whole, or 138****1234."""
    if request_contact_visible_to(request, user, now=now):
        return request.contact_phone
    return mask_phone(request.contact_phone)


def masked_address(request: ServiceRequest, user, *, now: datetime | None = None) -> str:
    """The exact address, or only the community's name for those not entitled to it."""
    if request_contact_visible_to(request, user, now=now):
        return request.address
    return f"{request.community.name}（详细地址已隐藏）"


def review_choices(service_request: ServiceRequest, *, limit: int = 50) -> tuple[list[Task], list[ServiceRequest]]:
    """What a reviewer may link a request to: its community's active tasks (soonest first) and
    its other open requests (newest first), to join or merge."""
    tasks = Task.objects.filter(community_id=service_request.community_id, status__in=Task.ACTIVE)
    others = ServiceRequest.objects.filter(
        community_id=service_request.community_id, status__in=ServiceRequest.OPEN
    ).exclude(pk=service_request.pk)
    return list(tasks.order_by("starts_at")[:limit]), list(others.order_by("-created_at")[:limit])


def members_who_served(service_request: ServiceRequest) -> list[Acceptance]:
    """The acceptances that completed the request's task: whom the resident may like."""
    if not service_request.task_id:
        return []
    return list(
        Acceptance.objects.filter(task_id=service_request.task_id, status=Acceptance.Status.COMPLETED)
        .select_related("member__user")
        .order_by("pk")
    )
