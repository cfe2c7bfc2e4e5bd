"""Writes on the organisation tree: districts, streets, communities, grids, units, pairings (结对).

The admin calls these from ``save_model``/``delete_model`` and its actions; commands that write
single rows call them too (the city generator writes in bulk and computes the same values,
see ``grids.citygen``). Who may call them is the caller's business (the admin's scoping);
these keep each row whole: the values computed from others (``name_initials``, from the name
in pinyin) and integrity errors as domain errors. Each is keyword-only and transactional.
"""

from __future__ import annotations

from typing import Any

from django.db import transaction
from django.utils import timezone

from accounts.pinyin import initials
from grids.models import Community, District, Grid, Pairing, Street, Unit
from grids.services.rows import row_create, row_delete, row_update

DISTRICT_FIELDS = frozenset({"code", "name", "kind", "lat", "lng"})
STREET_FIELDS = frozenset({"district", "name", "kind"})
COMMUNITY_FIELDS = frozenset(
    {"street", "name", "kind", "address", "lat", "lng", "geofence_radius_m", "households", "members_needed"}
)
GRID_FIELDS = frozenset({"community", "level", "kind", "parent", "name"})
UNIT_FIELDS = frozenset({"name", "kind", "district", "party_org_name", "address", "lat", "lng"})
PAIRING_FIELDS = frozenset({"unit", "community", "created_at"})


def _name_initials(row, fields: set[str]) -> dict[str, str]:
    """``name_initials`` follows ``name`` whenever the name is written."""
    return {"name_initials": initials(row.name)} if "name" in fields else {}


# --- districts and streets ----------------------------------------------------------------


@transaction.atomic
def district_create(*, code: str, name: str, kind: str, lat: float, lng: float) -> District:
    return row_create(District(code=code, name=name, kind=kind, lat=lat, lng=lng))


@transaction.atomic
def district_update(*, district: District, **changes: Any) -> District:
    return row_update(district, changes, allowed=DISTRICT_FIELDS)


@transaction.atomic
def district_delete(*, district: District) -> None:
    row_delete(district)


@transaction.atomic
def street_create(*, district: District, name: str, kind: str) -> Street:
    return row_create(Street(district=district, name=name, kind=kind))


@transaction.atomic
def street_update(*, street: Street, **changes: Any) -> Street:
    return row_update(street, changes, allowed=STREET_FIELDS)


@transaction.atomic
def street_delete(*, street: Street) -> None:
    row_delete(street)


# --- communities and grids ----------------------------------------------------------------


@transaction.atomic
def community_create(
    *,
    street: Street,
    name: str,
    lat: float,
    lng: float,
    kind: str = Community.Kind.COMMUNITY,
    address: str = "",
    geofence_radius_m: int = 300,
    households: int = 0,
    members_needed: int = 200,
) -> Community:
    return row_create(
        Community(
            street=street,
            name=name,
            name_initials=initials(name),
            kind=kind,
            address=address,
            lat=lat,
            lng=lng,
            geofence_radius_m=geofence_radius_m,
            households=households,
            members_needed=members_needed,
        )
    )


@transaction.atomic
def community_update(*, community: Community, **changes: Any) -> Community:
    """Change a community's details; a new name brings its new pinyin initials."""
    return row_update(community, changes, allowed=COMMUNITY_FIELDS, computed=_name_initials)


@transaction.atomic
def community_delete(*, community: Community) -> None:
    row_delete(community)


@transaction.atomic
def grid_create(*, community: Community, level: int, kind: str, name: str, parent: Grid | None = None) -> Grid:
    return row_create(Grid(community=community, level=level, kind=kind, name=name, parent=parent))


@transaction.atomic
def grid_update(*, grid: Grid, **changes: Any) -> Grid:
    return row_update(grid, changes, allowed=GRID_FIELDS)


@transaction.atomic
def grid_delete(*, grid: Grid) -> None:
    row_delete(grid)


# --- units and pairings -------------------------------------------------------------------


@transaction.atomic
def unit_create(
    *,
    name: str,
    kind: str,
    district: District | None = None,
    party_org_name: str = "",
    address: str = "",
    lat: float | None = None,
    lng: float | None = None,
) -> Unit:
    return row_create(
        Unit(
            name=name,
            name_initials=initials(name),
            kind=kind,
            district=district,
            party_org_name=party_org_name,
            address=address,
            lat=lat,
            lng=lng,
        )
    )


@transaction.atomic
def unit_update(*, unit: Unit, **changes: Any) -> Unit:
    """Change a unit's details; a new name brings its new pinyin initials."""
    return row_update(unit, changes, allowed=UNIT_FIELDS, computed=_name_initials)


@transaction.atomic
def unit_delete(*, unit: Unit) -> None:
    row_delete(unit)


@transaction.atomic
def pairing_create(*, unit: Unit, community: Community, created_at=None) -> Pairing:
    """结对包联: a unit's party organisation pairs with a community."""
    return row_create(Pairing(unit=unit, community=community, created_at=created_at or timezone.now()))


@transaction.atomic
def pairing_update(*, pairing: Pairing, **changes: Any) -> Pairing:
    return row_update(pairing, changes, allowed=PAIRING_FIELDS)


@transaction.atomic
def pairing_delete(*, pairing: Pairing) -> None:
    row_delete(pairing)
