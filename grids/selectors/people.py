"""Reads of people: a user's own member profile, posts and vanguard teams."""

from __future__ import annotations

from django.db.models import Count, QuerySet

from accounts.models import User
from core.prepared import Prepared, columns, from_row
from grids.models import Community, District, Grid, Member, Post, Street, TeamMembership, Unit


def member_of(user) -> Member | None:
    """The user's own member profile, with what its pages show (user, unit, community and its
    street, grid), or None. One query compiled once per process (``core.prepared``): every
    member's page and ``me/`` ask for it."""
    if user is None or not user.is_authenticated:
        return None
    row = _MEMBER.first(user_id=user.pk)
    if row is None:
        return None
    member = from_row(Member, row)
    member.user = from_row(User, row, "user__")  # fresh: a service may have changed it
    member.unit = from_row(Unit, row, "unit__")
    member.community = from_row(Community, row, "community__")
    if member.community is not None:
        member.community.street = from_row(Street, row, "community__street__")
    member.grid = from_row(Grid, row, "grid__")
    return member


def member_brief(user) -> Member | None:
    """The user's member profile with only what deciding visibility and distance needs (its
    community, unit and home): one narrow query, no joins. Other fields load on access."""
    if user is None or not user.is_authenticated:
        return None
    row = _MEMBER_BRIEF.first(user_id=user.pk)
    if row is None:
        return None
    member = from_row(Member, row)
    member.user = user
    return member


_MEMBER = Prepared(
    lambda user_id: (
        Member.objects.filter(user_id=user_id)
        .order_by("pk")
        .values(
            *columns(Member),
            *columns(User, "user__"),
            *columns(Unit, "unit__"),
            *columns(Community, "community__"),
            *columns(Street, "community__street__"),
            *columns(Grid, "grid__"),
        )
    )
)
_MEMBER_BRIEF = Prepared(
    lambda user_id: (
        Member.objects.filter(user_id=user_id)
        .order_by("pk")
        .values("id", "user_id", "kind", "community_id", "unit_id", "grid_id", "home_lat", "home_lng")
    )
)


def posts_of(user) -> list[Post]:
    """The user's posts with their nodes (``me/``, 我的 and home show them): one query compiled
    once per process (``core.prepared``)."""
    posts = []
    for row in _POSTS.rows(user_id=user.pk):
        post = from_row(Post, row)
        for name, model in _POST_NODES:
            setattr(post, name, from_row(model, row, f"{name}__"))
        posts.append(post)
    return posts


_POST_NODES = (("district", District), ("street", Street), ("community", Community), ("grid", Grid), ("unit", Unit))
_POSTS = Prepared(
    lambda user_id: Post.objects.filter(user_id=user_id).values(
        *columns(Post), *(column for name, model in _POST_NODES for column in columns(model, f"{name}__"))
    )
)


def team_memberships_of(member: Member) -> QuerySet[TeamMembership]:
    """The member's vanguard teams, each with its grid and its size (``team_size``)."""
    return (
        TeamMembership.objects.filter(member=member)
        .select_related("team__grid")
        .annotate(team_size=Count("team__memberships"))
        .order_by("team__name")
    )
