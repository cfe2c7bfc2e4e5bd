"""Telling members of a task whistled to their community: queued when the task commits, then
written in bulk by a Celery job (``orders.tasks.tell_members_of_task``), however many members
the community has."""

from __future__ import annotations

from django.urls import reverse

from core.tasks import enqueue_on_commit
from grids.selectors.organisation import community_staff
from notifications.kinds import TASK_WHISTLED, TEAM_TASK
from notifications.services import notify_many_once
from orders.models import Task
from orders.selectors.audience import task_whistle_audience
from orders.services.common import format_time, notify_users
from orders.tasks import tell_members_of_task


def task_whistle_queue(task: Task) -> None:
    """Queue the members' notice of a new task once its transaction commits (nothing if it rolls back)."""
    if task.visibility != Task.Visibility.TEAM:
        enqueue_on_commit(tell_members_of_task, task.pk)


def task_whistle_tell_members(*, task_id: int) -> int:
    """One inbox row per member who may take the task (``task_whistle_audience``), at most once
    per member and task however often it runs; returns how many were told. A task no longer
    open when the job runs (full, cancelled, started) is announced to nobody."""
    task = Task.objects.select_related("community").filter(pk=task_id).first()
    if task is None or task.status != Task.Status.OPEN:
        return 0
    return notify_many_once(
        user_ids=task_whistle_audience(task),
        kind=TASK_WHISTLED,
        title=f"{task.community.name}吹哨：{task.title}"[:100],
        body=f"{format_time(task.starts_at)} 在{task.address}，共 {task.slots} 个名额，点击查看并接单。",
        url=reverse("orders:task", args=[task.pk]),
    )


def task_team_tell(task: Task, team, actor, leader: str | None) -> None:
    """The team's members hear of their whistle; when a captain whistled, so do the community's staff."""
    when = format_time(task.starts_at)
    members = [m.member.user for m in team.memberships.select_related("member__user")]
    notify_users(
        members,
        kind=TEAM_TASK,
        title=f"{team.name}吹哨：{task.title}"[:100],
        body=f"{when} 在{task.address}，共 {task.slots} 个名额，仅本队队员可接。",
        url=reverse("orders:task", args=[task.pk]),
        skip=actor,
    )
    if leader:
        notify_users(
            community_staff(task.community_id, task.grid),
            kind="team_task_staff",
            title=f"{team.name}发布了队内任务：{task.title}"[:100],
            body=f"{leader}{actor.name or ''}向“{team.name}”吹哨（{when}，{task.slots} 个名额）。",
            url=reverse("orders:work_task", args=[task.pk]),
            skip=actor,
        )
