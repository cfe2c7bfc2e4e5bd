"""Who is told about a request or an escalation, and telling them once the change is committed."""

from __future__ import annotations

from collections.abc import Iterable

from django.contrib.auth import get_user_model
from django.db import transaction
from django.db.models import Q

from grids.models import Community, Grid, Post, Street


def notify_on_commit(users: Iterable, *, kind: str, title: str, body: str = "", url: str = "", skip=None) -> None:
    """Queue ``notifications.services.notify`` for after the surrounding transaction commits.

    Nobody is told about a change that is rolled back. ``skip`` (a user) is left out: the
    person who acted does not need to be told what they just did.
    """
    seen: dict[int, object] = {}
    for user in users:
        if user is not None and user.pk not in seen and (skip is None or user.pk != skip.pk):
            seen[user.pk] = user
    if not seen:
        return
    recipients = list(seen.values())

    transaction.on_commit(
        lambda: deliver(users=recipients, kind=kind, title=title[:100], body=body[:500], url=url[:200])
    )


def deliver(**kwargs) -> None:
    from notifications.services import notify

    notify(**kwargs)


def community_staff(community: Community | int, grid: Grid | None = None) -> list:
    """The community's secretaries (书记, 第一书记) and, for a request in a grid, its grid secretary."""
    community_id = community if isinstance(community, int) else community.pk
    q = Q(posts__community_id=community_id, posts__role__in=[Post.Role.SECRETARY, Post.Role.FIRST_SECRETARY])
    if grid is not None:
        level2 = grid.parent_id or grid.pk
        q |= Q(posts__grid_id=level2, posts__role=Post.Role.GRID_SECRETARY)
    return list(get_user_model().objects.filter(q, is_active=True).distinct())


def street_staff(street: Street | int) -> list:
    street_id = street if isinstance(street, int) else street.pk
    return list(
        get_user_model()
        .objects.filter(posts__street_id=street_id, posts__role=Post.Role.STREET_STAFF, is_active=True)
        .distinct()
    )
