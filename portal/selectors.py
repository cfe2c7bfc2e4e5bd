"""Reads the portal's pages gather from the apps below it."""

from django.db.models import Count, QuerySet

from grids.models import Member, TeamMembership


def team_memberships_of(member: Member) -> QuerySet[TeamMembership]:
    """The member's vanguard teams, each with its grid and its size (``team_size``)."""
    return (
        TeamMembership.objects.filter(member=member)
        .select_related("team__grid")
        .annotate(team_size=Count("team__memberships"))
        .order_by("team__name")
    )
