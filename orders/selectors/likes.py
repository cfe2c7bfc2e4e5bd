"""The likes a member received (点赞), with what was served and what the resident said."""

from __future__ import annotations

from django.db.models import QuerySet

from grids.models import Member
from orders.models import Like


def likes_received(member: Member | None) -> QuerySet[Like]:
    """``member``'s likes, newest first, each with its request and the resident's rating: one query."""
    if member is None:
        return Like.objects.none()
    return (
        Like.objects.filter(member=member)
        .select_related("request__community", "request__feedback", "request__task")
        .order_by("-created_at", "-pk")
    )
