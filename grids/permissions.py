"""Who may call what in the grids API, and who sees a member's whole phone number.

Scoping itself lives in ``grids.selectors.scope.scope_for``; these helpers only read the scope.
They work on rows fetched by the selectors, whose joins make them free of extra queries.
"""

from rest_framework.permissions import BasePermission

from grids.models import Member, Registration
from grids.selectors.scope import Scope, scope_for


class HoldsPost(BasePermission):
    """Signed in and holding a post (any staff scope, down to a grid secretary)."""

    message = "只有社区、街道或组织部门的工作人员可以查看。"

    def has_permission(self, request, view) -> bool:
        user = request.user
        return bool(user and user.is_authenticated and not scope_for(user).is_empty)


class HoldsPostOrLeadsUnit(HoldsPost):
    """Holding a post on the tree, or in a unit's party organisation."""

    message = "只有社区、街道、组织部门的工作人员或单位党组织可以查看。"

    def has_permission(self, request, view) -> bool:
        user = request.user
        if not (user and user.is_authenticated):
            return False
        scope = scope_for(user)
        return not scope.is_empty or scope.leads_units


def _covers_grid_ids(scope: Scope, grid) -> bool:
    return grid is not None and (grid.pk in scope.grid_ids or grid.parent_id in scope.grid_ids)


def sees_member_phone(viewer, scope: Scope, member: Member) -> bool:
    """The member themself, staff whose scope covers the member's community or grid, and the
    party organisation of the member's unit."""
    if member.user_id == viewer.pk or (member.unit_id is not None and member.unit_id in scope.unit_ids):
        return True
    if member.community_id is not None and scope.covers_community(member.community):
        return True
    return member.grid_id is not None and _covers_grid_ids(scope, member.grid)


def sees_registration_phone(viewer, scope: Scope, registration: Registration) -> bool:
    """The member, and staff who may act on the registration."""
    if registration.member.user_id == viewer.pk:
        return True
    if registration.community_id is not None:
        return scope.covers_community(registration.community) or _covers_grid_ids(scope, registration.grid)
    if scope.city:
        return True
    return any(c.community.street.district_id in scope.district_ids for c in registration.choices.all())
