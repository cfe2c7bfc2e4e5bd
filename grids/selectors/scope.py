"""Scoping — which organisation nodes a user may act on — and the scoped lists of the tree.

``scope_for(user)`` is the one place that answers "which organisation nodes may this user act
on". A post grants rights over its node and everything below it: city staff over the city,
district staff over a district's streets, communities and grids, and so on down to a grid
secretary, who acts on a level-2 grid and its buildings. Superusers act on the whole city.
Every list a staff user sees is filtered with ``Scope.q`` or one of the helpers below.

A second axis sits beside the tree: a unit's party organisation (``Post.UNIT_ROLES``, the
unit's secretary and organiser). Such a post reaches the unit's members (``Member.unit``) and
what is theirs — registrations, service records, visits, quotas, stars — wherever they serve,
through ``Scope.unit_ids``, ``Scope.covers_unit`` and ``Scope.unit_q``; it gives nothing of the
tree: ``Scope.q``, ``covers_*`` and ``is_empty`` read only tree posts, so a unit secretary
cannot review requests, dispatch, confirm hours or see a community as such.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from django.db.models import Q, QuerySet

from core.prepared import Prepared
from grids.models import Community, District, Grid, Member, Post, Street, Unit

WORKBENCH_TITLES = {
    "city": "全市工作台",
    "district": "区县工作台",
    "street": "街道工作台",
    "community": "社区工作台",
    "grid": "网格工作台",
}


@dataclass(frozen=True)
class Scope:
    city: bool = False
    district_ids: frozenset[int] = field(default_factory=frozenset)
    street_ids: frozenset[int] = field(default_factory=frozenset)
    community_ids: frozenset[int] = field(default_factory=frozenset)
    grid_ids: frozenset[int] = field(default_factory=frozenset)  # level-2 grids of grid secretaries
    unit_ids: frozenset[int] = field(default_factory=frozenset)  # units whose party organisation the user is in

    @property
    def is_empty(self) -> bool:
        """No post on the organisation tree (unit posts are the other axis: ``leads_units``)."""
        return not (self.city or self.district_ids or self.street_ids or self.community_ids or self.grid_ids)

    @property
    def leads_units(self) -> bool:
        """Holds a post in a unit's party organisation."""
        return bool(self.unit_ids)

    def covers_unit(self, unit: Unit | int) -> bool:
        """Whether the user may see the unit's members and their records: the unit's own party
        organisation, and the city's organisation department."""
        unit_id = unit if isinstance(unit, int) else unit.pk
        return self.city or unit_id in self.unit_ids

    def unit_q(self, member: str | None = "member") -> Q:
        """A filter for any model that reaches a member through ``member`` (``None`` when the
        model *is* the member): rows of the members of the units the user's unit posts cover.
        Unlike ``q`` it is empty for tree posts (city staff included): callers that want both
        axes OR them."""
        if not self.unit_ids:
            return Q(pk__in=[])
        path = "unit_id" if member is None else f"{member}__unit_id"
        return Q(**{f"{path}__in": self.unit_ids})

    @property
    def level(self) -> str | None:
        """The highest level of the tree the user's posts reach: ``city``, ``district``,
        ``street``, ``community`` or ``grid``; None without a tree post."""
        for name, held in (
            ("city", self.city),
            ("district", self.district_ids),
            ("street", self.street_ids),
            ("community", self.community_ids),
            ("grid", self.grid_ids),
        ):
            if held:
                return name
        return None

    @property
    def workbench_title(self) -> str:
        """The 工作台's title at the user's level: a street officer works at 街道工作台."""
        return WORKBENCH_TITLES.get(self.level, "工作台")

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
        posts = [tuple(row.values()) for row in _POST_NODES.rows(user_id=user.pk)]
        scope = Scope(
            city=any(role == Post.Role.CITY_STAFF for role, *_ in posts),
            district_ids=frozenset(d for _, d, _, _, _, _ in posts if d),
            street_ids=frozenset(s for _, _, s, _, _, _ in posts if s),
            community_ids=frozenset(c for _, _, _, c, _, _ in posts if c),
            grid_ids=frozenset(g for _, _, _, _, g, _ in posts if g),
            unit_ids=frozenset(u for *_, u in posts if u),
        )
    setattr(user, _SCOPE_CACHE_ATTR, scope)
    return scope


def forget_scope(user) -> None:
    """Drop the cached scope (after the user's posts change within one request or test)."""
    if hasattr(user, _SCOPE_CACHE_ATTR):
        delattr(user, _SCOPE_CACHE_ATTR)


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


def _grid_scope_q(scope: Scope) -> Q:
    if scope.city:
        return Q()
    q = scope.q("community")
    if scope.grid_ids:
        q |= Q(pk__in=scope.grid_ids) | Q(parent_id__in=scope.grid_ids)
    return q


def grids_for(user) -> QuerySet[Grid]:
    scope = scope_for(user)
    return Grid.objects.select_related("community", "parent").filter(_grid_scope_q(scope))


def members_for(user) -> QuerySet[Member]:
    """Members registered in the communities (or grids) the user may act on."""
    scope = scope_for(user)
    return Member.objects.select_related("user", "unit", "community__street", "grid").filter(
        scope.q("community", "grid")
    )


def units_for(user) -> QuerySet[Unit]:
    scope = scope_for(user)
    qs = Unit.objects.select_related("district")
    if scope.city:
        return qs
    return qs.filter(
        Q(district_id__in=scope.district_ids) | Q(pairings__community__in=communities_for(user))
    ).distinct()


def units_led_by(user) -> QuerySet[Unit]:
    """The units whose party organisation the user holds a post in (not the city's: for a
    unit secretary's own pages)."""
    return Unit.objects.select_related("district").filter(pk__in=scope_for(user).unit_ids).order_by("name")


def unit_members(unit: Unit | int) -> QuerySet[Member]:
    """All members of a unit, wherever they serve; the caller has checked ``covers_unit``."""
    unit_id = unit if isinstance(unit, int) else unit.pk
    return Member.objects.select_related("user", "unit", "community__street", "grid").filter(unit_id=unit_id)


# Every staff request asks for it: compiled once per process (core.prepared).
_POST_NODES = Prepared(
    lambda user_id: (
        Post.objects.filter(user_id=user_id)
        .order_by("pk")
        .values("role", "district_id", "street_id", "community_id", "grid_id", "unit_id")
    )
)
