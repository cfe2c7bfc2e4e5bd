"""Reads for a unit's own party organisation (单位党组织): the unit a viewer may open, its
members wherever they serve, and their registrations. Who may see a unit is
``Scope.covers_unit`` (grids.selectors.scope); this module fetches and checks together."""

from __future__ import annotations

from django.db.models import Prefetch, QuerySet

from core.errors import NotFound, PermissionDenied
from grids.models import Member, Registration, Unit
from grids.selectors.registration import _registrations
from grids.selectors.scope import scope_for, unit_members

UNIT_NOT_FOUND = "单位不存在。"
UNIT_DENIED = "您不是该单位党组织的书记或组织委员，无权查看该单位党员的报到和履职情况。"
# A registration the unit's members still wait on: the community has not placed them, or the
# district has not yet adjusted them to another community.
WAITING = [Registration.Status.PENDING, Registration.Status.UNPLACED]


def unit_get_for_viewer(*, unit_id: int, viewer) -> Unit:
    """The unit, for a viewer whose posts cover it: 404 when there is no such unit, 403 when
    the viewer is not in its party organisation (nor city staff). One query (the scope is
    cached on the user)."""
    unit = Unit.objects.select_related("district").filter(pk=unit_id).first()
    if unit is None:
        raise NotFound(UNIT_NOT_FOUND)
    if not scope_for(viewer).covers_unit(unit):
        raise PermissionDenied(UNIT_DENIED)
    return unit


def unit_members_with_registration(unit: Unit | int) -> QuerySet[Member]:
    """The unit's members, by name, each with ``active_registrations`` (at most one: pending,
    placed or waiting for adjustment) and its community: two queries."""
    active = Registration.objects.filter(status__in=Registration.ACTIVE).select_related("community", "grid")
    return (
        unit_members(unit)
        .prefetch_related(Prefetch("registrations", queryset=active, to_attr="active_registrations"))
        .order_by("user__name", "pk")
    )


def unit_waiting_registrations(unit: Unit | int) -> QuerySet[Registration]:
    """Registrations of the unit's members still waiting (待社区编入 or 待调剂), oldest first."""
    unit_id = unit if isinstance(unit, int) else unit.pk
    return _registrations().filter(member__unit_id=unit_id, status__in=WAITING).order_by("created_at", "pk")
