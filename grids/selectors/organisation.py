"""Reads of the organisation tree that every signed-in user may make, and who staffs a node.

Names, places and needs of the organisation are public to every signed-in user: residents
and members choose communities from them. Who the members are is scoped
(``grids.selectors.scope``).
"""

from __future__ import annotations

from django.conf import settings
from django.contrib.auth import get_user_model
from django.db.models import Count, F, Q, QuerySet

from core.cache import Cached, forget, read_through
from grids.geo import bbox_around, haversine_m
from grids.models import Community, District, Grid, Pairing, Post, Street, Unit


def organisation_districts() -> QuerySet[District]:
    return District.objects.all()


def organisation_streets() -> QuerySet[Street]:
    return Street.objects.select_related("district")


def organisation_grids() -> QuerySet[Grid]:
    return Grid.objects.select_related("community", "parent")


def organisation_units() -> QuerySet[Unit]:
    return Unit.objects.select_related("district")


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


SEARCH_MOST = 50  # characters of a search that count; longer input is cut


def communities_search(text: str, *, limit: int = 10) -> list[Community]:
    """Communities whose name, address or street contains ``text`` (or whose name's pinyin
    initials start with it), for choosing one without a location: names first, then by place.
    One query; nothing for blank text."""
    text = (text or "").strip()[:SEARCH_MOST]
    if not text:
        return []
    q = Q(name__icontains=text) | Q(address__icontains=text) | Q(street__name__icontains=text)
    if text.isascii() and text.isalpha():
        q |= Q(name_initials__startswith=text.lower())
    rows = (
        Community.objects.select_related("street__district").filter(q).order_by("street__district__code", "name", "pk")
    )
    # Matches by name come before matches by address or street, whatever their district.
    found = list(rows[: limit * 3])
    found.sort(key=lambda c: text not in c.name)
    return found[:limit]


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


# --- the communities paired with a unit (cached) ------------------------------------------

PAIRED_KEY = "grids:paired:{unit_id}"
PAIRED_TTL = 600  # a safety net: every change through the models deletes the key at once


def paired_community_ids(unit_id: int) -> list[int]:
    """The communities paired with a unit, read from the cache (the same for all its members).

    ``grids.signals`` deletes the unit's key whenever one of its pairings is saved or deleted, so
    a new pairing shows in the next request; rows written in bulk (the city generator) bypass the
    signals and show within ``PAIRED_TTL``.
    """
    return read_through(paired_entry(unit_id))[0]


def paired_entry(unit_id: int) -> Cached:
    """``paired_community_ids``'s cache entry, for reading it with others in one round trip."""
    return Cached(
        PAIRED_KEY.format(unit_id=unit_id),
        lambda: list(
            Pairing.objects.filter(unit_id=unit_id).order_by("community_id").values_list("community_id", flat=True)
        ),
        PAIRED_TTL,
    )


def forget_paired(*unit_ids: int | None) -> None:
    forget(*(PAIRED_KEY.format(unit_id=u) for u in unit_ids if u is not None))
