"""Reads of the secretaries' grid browser: communities, grids and buildings with their counts.

Counts are correlated ``(SELECT COUNT(*) …)`` subqueries, so a list of any length is one query.
"""

from __future__ import annotations

from django.db.models import Count, F, Func, IntegerField, OuterRef, Q, QuerySet, Subquery, Value
from django.db.models.functions import Coalesce

from grids.models import Community, Grid, Member, Post, Registration, VanguardTeam
from grids.selectors.registration import registrations_for
from grids.selectors.scope import communities_for, grids_for, members_for


def _count_rows(qs: QuerySet):
    sub = qs.order_by().annotate(n=Func(F("pk"), function="COUNT")).values("n")
    return Coalesce(Subquery(sub, output_field=IntegerField()), Value(0))


def communities_with_counts(user) -> QuerySet[Community]:
    """The user's communities, each with its level-2 grids, members and registrations to place."""
    return (
        communities_for(user)
        .annotate(
            grid_count=_count_rows(Grid.objects.filter(community_id=OuterRef("pk"), level=Grid.Level.SECOND)),
            member_count=_count_rows(Member.objects.filter(community_id=OuterRef("pk"))),
            pending_count=_count_rows(
                Registration.objects.filter(community_id=OuterRef("pk"), status=Registration.Status.PENDING)
            ),
        )
        .order_by("street__district__code", "street__name", "name")
    )


def level2_grids_with_counts(user, community: Community) -> QuerySet[Grid]:
    """The community's level-2 grids the user may see, with their buildings and members."""
    return (
        grids_for(user)
        .filter(community=community, level=Grid.Level.SECOND)
        .annotate(
            building_count=_count_rows(Grid.objects.filter(parent_id=OuterRef("pk"))),
            member_count=_count_rows(
                Member.objects.filter(Q(grid_id=OuterRef("pk")) | Q(grid__parent_id=OuterRef("pk")))
            ),
        )
        .order_by("name")
    )


def buildings_with_counts(grid: Grid) -> QuerySet[Grid]:
    """A level-2 grid's buildings (level 3), each with its members."""
    return (
        Grid.objects.filter(parent=grid)
        .annotate(member_count=_count_rows(Member.objects.filter(grid_id=OuterRef("pk"))))
        .order_by("name")
    )


def grids_of_community(community_id: int) -> QuerySet[Grid]:
    """Every grid of a community (where a registration may be placed), parents first."""
    return (
        Grid.objects.filter(community_id=community_id)
        .select_related("parent")
        .order_by("parent__name", "level", "name")
    )


def registrations_to_place(user, community: Community) -> QuerySet[Registration]:
    return (
        registrations_for(user).filter(community=community, status=Registration.Status.PENDING).order_by("created_at")
    )


def members_in_grid(user, grid: Grid) -> QuerySet[Member]:
    """The grid's members (a level-2 grid's include its buildings') that the user may see."""
    in_grid = Q(grid=grid) | Q(grid__parent=grid) if grid.level == Grid.Level.SECOND else Q(grid=grid)
    return members_for(user).filter(in_grid).select_related("grid").order_by("grid__name", "pk")


def teams_of_grid(grid: Grid) -> QuerySet[VanguardTeam]:
    return grid.teams.annotate(size=Count("memberships")).order_by("name")


def community_secretary(community: Community) -> Post | None:
    return Post.objects.select_related("user").filter(community=community, role=Post.Role.SECRETARY).first()
