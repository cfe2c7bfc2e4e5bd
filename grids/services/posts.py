"""Writes on who holds what: posts (职务) and vanguard teams (党群先锋队) with their members.

The admin calls these from ``save_model``/``delete_model`` and ``save_formset``. Whether the
caller may write a row is the caller's business (the admin's scoping); a post's node must fit
its role and a team has one captain and one vice-captain, both checked by the database and
reported here as domain errors.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from django.db import transaction
from django.utils import timezone

from grids.models import Community, District, Grid, Member, Post, Street, TeamMembership, Unit, VanguardTeam
from grids.services.rows import row_create, row_delete, row_update

POST_FIELDS = frozenset({"user", "role", "district", "street", "community", "grid", "unit", "created_at"})
TEAM_FIELDS = frozenset({"grid", "name", "created_at"})
MEMBERSHIP_FIELDS = frozenset({"member", "role", "joined_at"})


# --- posts --------------------------------------------------------------------------------


@transaction.atomic
def post_create(
    *,
    user,
    role: str,
    district: District | None = None,
    street: Street | None = None,
    community: Community | None = None,
    grid: Grid | None = None,
    unit: Unit | None = None,
    created_at: datetime | None = None,
) -> Post:
    """Appoint ``user`` to ``role`` at one node (none for city staff; a unit for the unit's
    party organisation)."""
    return row_create(
        Post(
            user=user,
            role=role,
            district=district,
            street=street,
            community=community,
            grid=grid,
            unit=unit,
            created_at=created_at or timezone.now(),
        )
    )


@transaction.atomic
def post_update(*, post: Post, **changes: Any) -> Post:
    return row_update(post, changes, allowed=POST_FIELDS)


@transaction.atomic
def post_delete(*, post: Post) -> None:
    """The holder leaves the post; the rights it gave end with it."""
    row_delete(post)


# --- vanguard teams -----------------------------------------------------------------------


@transaction.atomic
def team_create(*, grid: Grid, name: str, created_at: datetime | None = None) -> VanguardTeam:
    return row_create(VanguardTeam(grid=grid, name=name, created_at=created_at or timezone.now()))


@transaction.atomic
def team_update(*, team: VanguardTeam, **changes: Any) -> VanguardTeam:
    return row_update(team, changes, allowed=TEAM_FIELDS)


@transaction.atomic
def team_delete(*, team: VanguardTeam) -> None:
    row_delete(team)


@transaction.atomic
def team_membership_add(
    *,
    team: VanguardTeam,
    member: Member,
    role: str = TeamMembership.Role.MEMBER,
    joined_at: datetime | None = None,
) -> TeamMembership:
    return row_create(TeamMembership(team=team, member=member, role=role, joined_at=joined_at or timezone.now()))


@transaction.atomic
def team_membership_update(*, membership: TeamMembership, **changes: Any) -> TeamMembership:
    return row_update(membership, changes, allowed=MEMBERSHIP_FIELDS)


@transaction.atomic
def team_membership_remove(*, membership: TeamMembership) -> None:
    row_delete(membership)
