"""Who hears of a task whistled to a community: the members who may take it, as user ids."""

from __future__ import annotations

from django.db.models import Q, QuerySet

from grids.models import Member, Pairing
from orders.models import Task

V = Task.Visibility


def task_whistle_audience(task: Task) -> QuerySet:
    """User ids of the members to tell of ``task``: those registered with its community and, for
    a task open to paired units (or the whole city), the members of the units paired with it.
    A city-wide task is in every member's hall, but is announced only to the community's own
    people and its paired units: telling 60,000 people of every task would drown the rest.
    Team tasks are told to their team by ``task_create`` itself. The publisher is left out."""
    if task.visibility == V.TEAM:
        return Member.objects.none().values_list("user_id", flat=True)
    q = Q(community_id=task.community_id)
    if task.visibility in (V.PAIRED, V.CITY):
        q |= Q(unit_id__in=Pairing.objects.filter(community_id=task.community_id).values("unit_id"))
    members = Member.objects.filter(q)
    if task.created_by_id is not None:
        members = members.exclude(user_id=task.created_by_id)
    return members.order_by("user_id").values_list("user_id", flat=True)
