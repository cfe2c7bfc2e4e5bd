"""Reads of people: a user's own member profile and posts."""

from __future__ import annotations

from django.db.models import QuerySet

from grids.models import Member, Post


def member_of(user) -> Member | None:
    """The user's own member profile, with what its pages show, or None."""
    if user is None or not user.is_authenticated:
        return None
    return Member.objects.select_related("user", "unit", "community__street", "grid").filter(user=user).first()


def posts_of(user) -> QuerySet[Post]:
    return Post.objects.select_related("district", "street", "community", "grid").filter(user=user)
