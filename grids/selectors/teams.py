"""Reads of vanguard teams (党群先锋队): who leads a team, its members, and the teams a member
belongs to (cached, for the task hall's "this team only" tasks)."""

from __future__ import annotations

from django.db.models import QuerySet

from core.cache import Cached, forget, read_through
from core.errors import NotFound, PermissionDenied
from grids.models import TeamMembership, VanguardTeam

R = TeamMembership.Role
LEADER_ROLES = (R.CAPTAIN, R.VICE_CAPTAIN)
TEAMS_KEY = "grids:teams:{member_id}"
TEAMS_TTL = 600  # a safety net: every change through the models deletes the key at once

NOT_LEADER = "只有本队的队长或副队长可以管理先锋队。"


def team_ids_of_member(member_id: int) -> list[int]:
    """The teams a member belongs to, read from the cache (a query on a miss).

    ``grids.signals`` deletes the member's key whenever one of their memberships is saved or
    deleted, so joining or leaving a team shows in the next request.
    """
    return read_through(teams_entry(member_id))[0]


def teams_entry(member_id: int) -> Cached:
    """``team_ids_of_member``'s cache entry, for reading it with others in one round trip."""
    return Cached(
        TEAMS_KEY.format(member_id=member_id),
        lambda: list(
            TeamMembership.objects.filter(member_id=member_id).order_by("team_id").values_list("team_id", flat=True)
        ),
        TEAMS_TTL,
    )


def forget_member_teams(*member_ids: int | None) -> None:
    forget(*(TEAMS_KEY.format(member_id=m) for m in member_ids if m is not None))


def leader_role(user, team: VanguardTeam) -> str | None:
    """The user's role in ``team`` if they lead it (captain or vice-captain), else None."""
    if user is None or not user.is_authenticated:
        return None
    return (
        TeamMembership.objects.filter(team=team, member__user_id=user.pk, role__in=LEADER_ROLES)
        .values_list("role", flat=True)
        .first()
    )


def teams_led_by(user) -> QuerySet[VanguardTeam]:
    """The teams the user leads as captain or vice-captain, with their grid and community."""
    if user is None or not user.is_authenticated:
        return VanguardTeam.objects.none()
    led = TeamMembership.objects.filter(member__user_id=user.pk, role__in=LEADER_ROLES).values("team_id")
    return VanguardTeam.objects.filter(pk__in=led).select_related("grid__community__street").order_by("name", "pk")


def team_led_by(user, team_id) -> VanguardTeam:
    """The team with this id if ``user`` leads it: 404 when there is no such team, 403 when the
    user does not lead it."""
    try:
        team = VanguardTeam.objects.select_related("grid__community__street").get(pk=int(team_id))
    except (VanguardTeam.DoesNotExist, TypeError, ValueError):
        raise NotFound("先锋队不存在。", code="not_found") from None
    if leader_role(user, team) is None:
        raise PermissionDenied(NOT_LEADER, code="not_team_leader")
    return team


def team_memberships(team: VanguardTeam) -> QuerySet[TeamMembership]:
    """A team's members, captain first, then vice-captain, then by joining date."""
    from django.db.models import Case, IntegerField, Value, When

    order = Case(
        When(role=R.CAPTAIN, then=Value(0)),
        When(role=R.VICE_CAPTAIN, then=Value(1)),
        default=Value(2),
        output_field=IntegerField(),
    )
    return (
        TeamMembership.objects.filter(team=team)
        .select_related("member__user", "member__unit")
        .annotate(role_order=order)
        .order_by("role_order", "joined_at", "pk")
    )


def team_memberships_of_user(user) -> QuerySet[TeamMembership]:
    """The user's own team memberships, each with its team, grid, community and team size."""
    from django.db.models import Count

    if user is None or not user.is_authenticated:
        return TeamMembership.objects.none()
    return (
        TeamMembership.objects.filter(member__user_id=user.pk)
        .select_related("team__grid__community")
        .annotate(team_size=Count("team__memberships"))
        .order_by("team__name", "team_id")
    )
