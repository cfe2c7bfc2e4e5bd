"""Reads of people: a user's own member profile, posts and vanguard teams."""

from __future__ import annotations

from django.db.models import Count, QuerySet

from grids.models import Member, Post, TeamMembership


def member_of(user) -> Member | None:
    """The user's own member profile, with what its pages show, or None."""
    if user is None or not user.is_authenticated:
        return None
    return Member.objects.select_related("user", "unit", "community__street", "grid").filter(user=user).first()


def member_brief(user) -> Member | None:
    """The user's member profile with only what deciding visibility and distance needs (its
    community, unit and home): one narrow query, no joins. Other fields load on access."""
    if user is None or not user.is_authenticated:
        return None
    member = (
        Member.objects.filter(user_id=user.pk)
        .only("id", "user_id", "kind", "community_id", "unit_id", "grid_id", "home_lat", "home_lng")
        .first()
    )
    if member is not None:
        member.user = user
    return member


def posts_of(user) -> QuerySet[Post]:
    return Post.objects.select_related("district", "street", "community", "grid", "unit").filter(user=user)


def team_memberships_of(member: Member) -> QuerySet[TeamMembership]:
    """The member's vanguard teams, each with its grid and its size (``team_size``)."""
    return (
        TeamMembership.objects.filter(member=member)
        .select_related("team__grid")
        .annotate(team_size=Count("team__memberships"))
        .order_by("team__name")
    )
