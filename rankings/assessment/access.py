"""Who may read which assessment sheets (考核表).

Nodes of the organisation tree follow ``grids.selectors.scope.scope_for``, like every scoped read:
a post reaches its node and everything below it (city staff the city; a district officer their
district, its streets and communities; a street officer their street and its communities; a
community secretary their community). Grid secretaries, members and residents read no sheets.

Units are assessed by the organisation departments: city staff assess every unit, a district
officer the units of their district. ``unit_scope()`` is the one place that says so; a post on a
unit (the unit's own party organisation) is to be added there, and both the single check and the
lists follow it.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from core.errors import NotFound, PermissionDenied, ValidationFailed
from grids.models import Community, District, Street, Unit
from grids.selectors.scope import Scope, scope_for

STAFF_ONLY = "考核表仅向社区、街道、区/县(市)和市级组织部门工作人员开放。"
UNITS_ONLY = "单位考核仅向区/县(市)和市级组织部门开放。"
OUTSIDE = "您只能查看本人管辖范围内的考核表。"
BAD_LEVEL = "考核对象类型不正确：应为 district、street、community 或 unit。"
UNKNOWN = {
    "district": "没有这个区/县(市)。",
    "street": "没有这个街道/镇。",
    "community": "没有这个社区。",
    "unit": "没有这个单位。",
}
NODE_LEVELS = ("district", "street", "community")
LEVELS = (*NODE_LEVELS, "unit")
BELOW = {"city": "district", "district": "street", "street": "community"}
MAX_ID = 2**63 - 1


@dataclass(frozen=True)
class Node:
    """A node whose sheet is read: the city (``pk`` None), a district, a street or a community."""

    level: str
    pk: int | None
    name: str
    district_id: int | None = None  # of a street or a community; a district's own id
    street_id: int | None = None  # of a community
    district_name: str = ""
    street_name: str = ""


@dataclass(frozen=True)
class UnitScope:
    """Which units' sheets a user may read: all, those of some districts, or some units."""

    everything: bool = False
    district_ids: frozenset[int] = field(default_factory=frozenset)
    unit_ids: frozenset[int] = field(default_factory=frozenset)

    @property
    def is_empty(self) -> bool:
        return not (self.everything or self.district_ids or self.unit_ids)

    def covers(self, unit_id: int, district_id: int | None) -> bool:
        return self.everything or unit_id in self.unit_ids or district_id in self.district_ids


def unit_scope(user) -> UnitScope:
    """The units whose sheets ``user`` may read (the one rule for units, see the module docstring)."""
    scope = scope_for(user)
    return UnitScope(everything=scope.city, district_ids=scope.district_ids, unit_ids=scope.unit_ids)


def may_read_sheets(user) -> bool:
    return scope_for(user).is_staff_scope or not unit_scope(user).is_empty


def _staff_scope(user) -> Scope:
    scope = scope_for(user)
    if not may_read_sheets(user):
        raise PermissionDenied(STAFF_ONLY, code="assessment_staff_only")
    return scope


def check_level(level: str) -> str:
    if level not in LEVELS:
        raise ValidationFailed(BAD_LEVEL, code="bad_level", field="level")
    return level


def node_for(user, level: str, pk: int | None) -> Node:
    """The node ``level``/``pk`` if ``user`` may read its sheet: PermissionDenied (403) outside
    their posts, NotFound (404) for a node that does not exist."""
    scope = _staff_scope(user)
    if pk is not None and not 0 < pk <= MAX_ID:
        raise NotFound(UNKNOWN.get(level, UNKNOWN["community"]), code="unknown_node")
    if level == "city":
        if not scope.city:
            raise PermissionDenied(OUTSIDE, code="outside_scope")
        return Node("city", None, "韶关市")
    if level == "district":
        name = District.objects.filter(pk=pk).values_list("name", flat=True).first()
        if name is None:
            raise NotFound(UNKNOWN[level], code="unknown_node")
        if not (scope.city or pk in scope.district_ids):
            raise PermissionDenied(OUTSIDE, code="outside_scope")
        return Node(level, pk, name, district_id=pk, district_name=name)
    if level == "street":
        row = Street.objects.filter(pk=pk).values_list("name", "district_id", "district__name").first()
        if row is None:
            raise NotFound(UNKNOWN[level], code="unknown_node")
        if not (scope.city or row[1] in scope.district_ids or pk in scope.street_ids):
            raise PermissionDenied(OUTSIDE, code="outside_scope")
        return Node(level, pk, row[0], district_id=row[1], district_name=row[2])
    if level == "community":
        row = (
            Community.objects.filter(pk=pk)
            .values_list("name", "street_id", "street__district_id", "street__name", "street__district__name")
            .first()
        )
        if row is None:
            raise NotFound(UNKNOWN[level], code="unknown_node")
        name, street_id, district_id, street_name, district_name = row
        if not (
            scope.city
            or district_id in scope.district_ids
            or street_id in scope.street_ids
            or pk in scope.community_ids
        ):
            raise PermissionDenied(OUTSIDE, code="outside_scope")
        return Node(
            level,
            pk,
            name,
            district_id=district_id,
            street_id=street_id,
            district_name=district_name,
            street_name=street_name,
        )
    raise ValidationFailed(BAD_LEVEL, code="bad_level", field="level")


def unit_for(user, pk: int) -> Unit:
    """The unit ``pk`` if ``user`` may assess it (``unit_scope``)."""
    units = unit_for_list(user)
    if not 0 < pk <= MAX_ID:
        raise NotFound(UNKNOWN["unit"], code="unknown_node")
    unit = Unit.objects.filter(pk=pk).only("pk", "name", "district_id").first()
    if unit is None:
        raise NotFound(UNKNOWN["unit"], code="unknown_node")
    if not units.covers(unit.pk, unit.district_id):
        raise PermissionDenied(OUTSIDE, code="outside_scope")
    return unit


def home_node(user) -> Node:
    """Where the viewer's sheets begin: the city, else a district, a street, a community."""
    scope = _staff_scope(user)
    if scope.city:
        return node_for(user, "city", None)
    for level, ids in (
        ("district", scope.district_ids),
        ("street", scope.street_ids),
        ("community", scope.community_ids),
    ):
        if ids:
            return node_for(user, level, min(ids))
    raise PermissionDenied(STAFF_ONLY, code="assessment_staff_only")


def node_filter(user, level: str):
    """A predicate over sheets of node ``level`` (their ``id``, ``parent_id``, ``district_id``):
    those ``user`` may read."""
    scope = _staff_scope(user)
    if scope.city:
        return lambda row: True
    if level == "district":
        return lambda row: row["id"] in scope.district_ids
    if level == "street":
        return lambda row: row["district_id"] in scope.district_ids or row["id"] in scope.street_ids
    return lambda row: (
        row["district_id"] in scope.district_ids
        or row["parent_id"] in scope.street_ids
        or row["id"] in scope.community_ids
    )


def unit_for_list(user) -> UnitScope:
    """The units ``user`` may list, refusing (403) those who may assess none."""
    units = unit_scope(user)
    if units.is_empty:
        if not may_read_sheets(user):
            raise PermissionDenied(STAFF_ONLY, code="assessment_staff_only")
        raise PermissionDenied(UNITS_ONLY, code="units_outside_scope")
    return units


def parse_id(value: str | None, field: str) -> int | None:
    """An optional id from the query string; ValidationFailed (400) for anything but a positive integer."""
    text = (value or "").strip()
    if not text:
        return None
    if not (text.isascii() and text.isdigit()) or not 0 < int(text) <= MAX_ID:
        raise ValidationFailed("编号应为正整数。", code="bad_id", field=field)
    return int(text)
