"""Reads of registration (报到): the scoped lists, the access helper, where a member may register."""

from __future__ import annotations

from django.conf import settings
from django.db.models import Exists, OuterRef, Prefetch, Q, QuerySet

from accounts.models import User
from core.errors import NotFound, PermissionDenied
from core.prepared import Prepared, columns, from_row, prefetched
from grids.models import Community, District, Grid, Member, Registration, RegistrationChoice, Street
from grids.selectors.organisation import communities_near, communities_with_need
from grids.selectors.scope import Scope, scope_for


def _registrations() -> QuerySet[Registration]:
    return Registration.objects.select_related(
        "member__user", "member__unit", "community__street__district", "grid", "decided_by"
    ).prefetch_related(
        Prefetch("choices", queryset=RegistrationChoice.objects.select_related("community__street").order_by("rank"))
    )


def registration_detail(registration_id: int) -> Registration:
    """One registration with everything its detail shows; the caller has checked access."""
    return _registrations().get(pk=registration_id)


def _registrations_scope_q(scope: Scope) -> Q:
    q = scope.q("community", "grid")
    if scope.district_ids:
        # A registration every choice declined has no community; the district officers of
        # the communities the member chose must still see it, to adjust (调剂) it.
        q |= Q(status=Registration.Status.UNPLACED, community__isnull=True) & Exists(
            RegistrationChoice.objects.filter(
                registration=OuterRef("pk"), community__street__district_id__in=scope.district_ids
            )
        )
    return q


def registrations_for(user) -> QuerySet[Registration]:
    """Registrations the user may act on as staff."""
    return _registrations().filter(_registrations_scope_q(scope_for(user)))


def registrations_visible_to(user) -> QuerySet[Registration]:
    """A member's own registrations, plus those the user may act on as staff, plus (to read
    only) those of the members of the units whose party organisation the user is in."""
    if user is None or not user.is_authenticated:
        return Registration.objects.none()
    scope = scope_for(user)
    if scope.city:  # the whole city's scope is an empty Q(), which an OR would drop
        return _registrations()
    return _registrations().filter(Q(member__user=user) | _registrations_scope_q(scope) | scope.unit_q("member"))


def registration_in_scope(registration: Registration, scope: Scope) -> bool:
    """Whether ``scope`` may act on ``registration`` as staff (see ``_registrations_scope_q``)."""
    if registration.community_id is not None:
        return scope.covers_community(registration.community)
    if scope.city:
        return True
    if not scope.district_ids:
        return False
    return RegistrationChoice.objects.filter(
        registration=registration, community__street__district_id__in=scope.district_ids
    ).exists()


def member_anchor_points(member: Member) -> list[tuple[float, float]]:
    """The places a member registers near: home and the unit's office."""
    points = []
    if member.home_lat is not None:
        points.append((member.home_lat, member.home_lng))
    if member.unit_id and member.unit.lat is not None:
        points.append((member.unit.lat, member.unit.lng))
    return points


def communities_in_reach(member: Member) -> list[Community]:
    """Communities a member may self-select: near home or work, or paired with the member's unit.

    Sorted nearest first; each carries ``distance_m`` (None for a paired community out of
    range), ``registered``, ``still_needed`` and ``paired``.
    """
    radius = settings.REGISTRATION_REACH_KM * 1000
    by_id: dict[int, Community] = {}
    for lat, lng in member_anchor_points(member):
        for c in communities_near(lat, lng, radius_m=radius, limit=10_000):
            seen = by_id.get(c.pk)
            if seen is None or c.distance_m < seen.distance_m:
                by_id[c.pk] = c
    paired_ids: set[int] = set()
    if member.unit_id:
        paired_ids = set(member.unit.pairings.values_list("community_id", flat=True))
        missing = paired_ids - by_id.keys()
        for c in communities_with_need().filter(pk__in=missing):
            c.distance_m = None
            by_id[c.pk] = c
    result = list(by_id.values())
    for c in result:
        c.paired = c.pk in paired_ids
    result.sort(key=lambda c: (not c.paired, c.distance_m if c.distance_m is not None else float("inf"), c.pk))
    return result


def active_registration(member: Member) -> Registration | None:
    """The member's registration in progress or in force, with what ``_registrations`` loads (the
    member is the one given). Two queries compiled once per process (``core.prepared``):
    ``me/`` and the member's home ask for it on every visit."""
    row = _ACTIVE.first(member_id=member.pk)
    if row is None:
        return None
    registration = from_row(Registration, row)
    registration.member = member
    registration.community = from_row(Community, row, "community__")
    if registration.community is not None:
        registration.community.street = street = from_row(Street, row, "community__street__")
        street.district = from_row(District, row, "community__street__district__")
    registration.grid = from_row(Grid, row, "grid__")
    registration.decided_by = from_row(User, row, "decided_by__")
    choices = []
    for choice_row in _CHOICES.rows(registration_id=registration.pk):
        choice = from_row(RegistrationChoice, choice_row)
        choice.community = from_row(Community, choice_row, "community__")
        choice.community.street = from_row(Street, choice_row, "community__street__")
        choices.append(choice)
    prefetched(registration, "choices", choices)
    return registration


_ACTIVE = Prepared(
    lambda member_id: (
        Registration.objects.filter(member_id=member_id, status__in=Registration.ACTIVE)
        .order_by("-created_at")
        .values(
            *columns(Registration),
            *columns(Community, "community__"),
            *columns(Street, "community__street__"),
            *columns(District, "community__street__district__"),
            *columns(Grid, "grid__"),
            *columns(User, "decided_by__"),
        )
    )
)
_CHOICES = Prepared(
    lambda registration_id: (
        RegistrationChoice.objects.filter(registration_id=registration_id)
        .order_by("rank")
        .values(
            *columns(RegistrationChoice), *columns(Community, "community__"), *columns(Street, "community__street__")
        )
    )
)


def registration_get_for_staff(*, registration_id: int, actor) -> Registration:
    """Fetch a registration a staff user may act on (404 when it does not exist, 403 outside scope)."""
    registration = (
        Registration.objects.select_related("community__street", "member__user").filter(pk=registration_id).first()
    )
    if registration is None:
        raise NotFound("报到记录不存在。")
    if not registration_in_scope(registration, scope_for(actor)):
        raise PermissionDenied("您无权处理该报到。")
    return registration
