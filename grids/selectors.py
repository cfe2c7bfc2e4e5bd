"""Reads shared by admin, API and pages — above all, scoping.

``scope_for(user)`` is the one place that answers "which organisation nodes may this user act
on". A post grants rights over its node and everything below it: city staff over the city,
district staff over a district's streets, communities and grids, and so on down to a grid
secretary, who acts on a level-2 grid and its buildings. Superusers act on the whole city.
Every list a staff user sees is filtered with ``Scope.q`` or one of the helpers below.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from django.conf import settings
from django.contrib.auth import get_user_model
from django.db.models import Count, Exists, F, OuterRef, Prefetch, Q, QuerySet

from grids.geo import bbox_around, haversine_m
from grids.models import Community, District, Grid, Member, Post, Registration, RegistrationChoice, Street, Unit


@dataclass(frozen=True)
class Scope:
    city: bool = False
    district_ids: frozenset[int] = field(default_factory=frozenset)
    street_ids: frozenset[int] = field(default_factory=frozenset)
    community_ids: frozenset[int] = field(default_factory=frozenset)
    grid_ids: frozenset[int] = field(default_factory=frozenset)  # level-2 grids of grid secretaries

    @property
    def is_empty(self) -> bool:
        return not (self.city or self.district_ids or self.street_ids or self.community_ids or self.grid_ids)

    @property
    def is_staff_scope(self) -> bool:
        """Holds a post above grid level (can act on whole communities)."""
        return self.city or bool(self.district_ids or self.street_ids or self.community_ids)

    def q(self, community: str | None, grid: str | None = None) -> Q:
        """A filter for any model that reaches a community (and optionally a grid).

        ``community`` is the lookup path from the model to its community (``"community"``,
        ``"registration__community"``), or ``None`` when the model *is* the community.
        ``grid`` is the path to a grid, if the model has one: grid secretaries see only rows
        in their grid or its buildings.
        """
        if self.city:
            return Q()
        if community is None:
            pk, street, district = "pk", "street_id", "street__district_id"
        else:
            pk, street, district = f"{community}_id", f"{community}__street_id", f"{community}__street__district_id"
        q = Q(pk__in=[])
        if self.district_ids:
            q |= Q(**{f"{district}__in": self.district_ids})
        if self.street_ids:
            q |= Q(**{f"{street}__in": self.street_ids})
        if self.community_ids:
            q |= Q(**{f"{pk}__in": self.community_ids})
        if self.grid_ids and grid is not None:
            q |= Q(**{f"{grid}_id__in": self.grid_ids}) | Q(**{f"{grid}__parent_id__in": self.grid_ids})
        return q

    def covers_community(self, community: Community) -> bool:
        return (
            self.city
            or community.pk in self.community_ids
            or community.street_id in self.street_ids
            or community.street.district_id in self.district_ids
        )

    def covers_grid(self, grid: Grid) -> bool:
        return (
            self.covers_community(grid.community)
            or grid.pk in self.grid_ids
            or (grid.parent_id is not None and grid.parent_id in self.grid_ids)
        )

    def covers_district(self, district: District) -> bool:
        return self.city or district.pk in self.district_ids


_SCOPE_CACHE_ATTR = "_shaoguan_scope"


def scope_for(user) -> Scope:
    """The nodes ``user`` may act on, computed once per request (cached on the user object)."""
    if user is None or not user.is_authenticated or not user.is_active:
        return Scope()
    cached = getattr(user, _SCOPE_CACHE_ATTR, None)
    if cached is not None:
        return cached
    if user.is_superuser:
        scope = Scope(city=True)
    else:
        posts = list(
            Post.objects.filter(user=user).values_list("role", "district_id", "street_id", "community_id", "grid_id")
        )
        scope = Scope(
            city=any(role == Post.Role.CITY_STAFF for role, *_ in posts),
            district_ids=frozenset(d for _, d, _, _, _ in posts if d),
            street_ids=frozenset(s for _, _, s, _, _ in posts if s),
            community_ids=frozenset(c for _, _, _, c, _ in posts if c),
            grid_ids=frozenset(g for _, _, _, _, g in posts if g),
        )
    setattr(user, _SCOPE_CACHE_ATTR, scope)
    return scope


def forget_scope(user) -> None:
    """Drop the cached scope (after the user's posts change within one request or test)."""
    if hasattr(user, _SCOPE_CACHE_ATTR):
        delattr(user, _SCOPE_CACHE_ATTR)


# --- the organisation, scoped ------------------------------------------------------------


def districts_for(user) -> QuerySet[District]:
    scope = scope_for(user)
    if scope.city:
        return District.objects.all()
    return District.objects.filter(
        Q(pk__in=scope.district_ids)
        | Q(streets__in=scope.street_ids)
        | Q(streets__communities__in=scope.community_ids)
        | Q(streets__communities__grids__in=scope.grid_ids)
    ).distinct()


def streets_for(user) -> QuerySet[Street]:
    scope = scope_for(user)
    qs = Street.objects.select_related("district")
    if scope.city:
        return qs
    return qs.filter(
        Q(district_id__in=scope.district_ids)
        | Q(pk__in=scope.street_ids)
        | Q(communities__in=scope.community_ids)
        | Q(communities__grids__in=scope.grid_ids)
    ).distinct()


def communities_for(user) -> QuerySet[Community]:
    scope = scope_for(user)
    qs = Community.objects.select_related("street__district")
    if scope.city:
        return qs
    return qs.filter(scope.q(None) | Q(grids__in=scope.grid_ids)).distinct()


def grids_for(user) -> QuerySet[Grid]:
    scope = scope_for(user)
    return Grid.objects.select_related("community", "parent").filter(_grid_scope_q(scope))


def members_for(user) -> QuerySet[Member]:
    """Members registered in the communities (or grids) the user may act on."""
    scope = scope_for(user)
    return Member.objects.select_related("user", "unit", "community__street", "grid").filter(
        scope.q("community", "grid")
    )


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
    """A member's own registrations, plus those the user may act on as staff."""
    if user is None or not user.is_authenticated:
        return Registration.objects.none()
    return _registrations().filter(Q(member__user=user) | _registrations_scope_q(scope_for(user)))


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


def units_for(user) -> QuerySet[Unit]:
    scope = scope_for(user)
    qs = Unit.objects.select_related("district")
    if scope.city:
        return qs
    return qs.filter(
        Q(district_id__in=scope.district_ids) | Q(pairings__community__in=communities_for(user))
    ).distinct()


# --- the organisation, public ------------------------------------------------------------
# Names, places and needs of the organisation are public to every signed-in user: residents
# and members choose communities from them. Who the members are is scoped (above).


def organisation_districts() -> QuerySet[District]:
    return District.objects.all()


def organisation_streets() -> QuerySet[Street]:
    return Street.objects.select_related("district")


def organisation_grids() -> QuerySet[Grid]:
    return Grid.objects.select_related("community", "parent")


def organisation_units() -> QuerySet[Unit]:
    return Unit.objects.select_related("district")


def member_of(user) -> Member | None:
    """The user's own member profile, with what its pages show, or None."""
    if user is None or not user.is_authenticated:
        return None
    return Member.objects.select_related("user", "unit", "community__street", "grid").filter(user=user).first()


def posts_of(user) -> QuerySet[Post]:
    return Post.objects.select_related("district", "street", "community", "grid").filter(user=user)


# --- registration reads ------------------------------------------------------------------


def communities_with_need() -> QuerySet[Community]:
    """Communities annotated with ``registered`` (placed or pending) and ``still_needed``."""
    return (
        Community.objects.select_related("street__district")
        .annotate(
            registered=Count("registrations", filter=Q(registrations__status__in=["pending", "placed"])),
        )
        .annotate(still_needed=F("members_needed") - F("registered"))
        # Meta.ordering does not apply to aggregating queries; pages must be stable.
        .order_by("street__district__code", "street__name", "name", "pk")
    )


def communities_near(
    lat: float,
    lng: float,
    *,
    radius_m: float | None = None,
    limit: int = 20,
    queryset: QuerySet[Community] | None = None,
) -> list[Community]:
    """Communities nearest a WGS-84 point, each with ``distance_m``, ``registered`` and ``still_needed``.

    A bounding box narrows the rows in SQL; exact distances are computed here. ``queryset``
    (already filtered, and annotated like ``communities_with_need``) narrows the candidates.
    """
    radius = radius_m or settings.REGISTRATION_REACH_KM * 1000
    lat_min, lat_max, lng_min, lng_max = bbox_around(lat, lng, radius)
    base = communities_with_need() if queryset is None else queryset
    rows = list(base.filter(lat__gte=lat_min, lat__lte=lat_max, lng__gte=lng_min, lng__lte=lng_max))
    for c in rows:
        c.distance_m = haversine_m(lat, lng, c.lat, c.lng)
    rows = [c for c in rows if c.distance_m <= radius]
    rows.sort(key=lambda c: (c.distance_m, c.pk))
    return rows[:limit]


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
    return _registrations().filter(member=member, status__in=Registration.ACTIVE).first()


def _grid_scope_q(scope: Scope) -> Q:
    if scope.city:
        return Q()
    q = scope.q("community")
    if scope.grid_ids:
        q |= Q(pk__in=scope.grid_ids) | Q(parent_id__in=scope.grid_ids)
    return q


def community_staff(community: Community | int, grid: Grid | None = None) -> list:
    """The community's secretaries (书记, 第一书记) and, for a request in a grid, its grid secretary."""
    community_id = community if isinstance(community, int) else community.pk
    q = Q(posts__community_id=community_id, posts__role__in=[Post.Role.SECRETARY, Post.Role.FIRST_SECRETARY])
    if grid is not None:
        level2 = grid.parent_id or grid.pk
        q |= Q(posts__grid_id=level2, posts__role=Post.Role.GRID_SECRETARY)
    return list(get_user_model().objects.filter(q, is_active=True).distinct())


def street_staff(street: Street | int) -> list:
    """The street's staff (街道工作人员), who run its joint meeting."""
    street_id = street if isinstance(street, int) else street.pk
    return list(
        get_user_model()
        .objects.filter(posts__street_id=street_id, posts__role=Post.Role.STREET_STAFF, is_active=True)
        .distinct()
    )
