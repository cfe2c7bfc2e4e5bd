"""Who calls the API in the load benchmark: distinct members and secretaries with tokens minted
through ``device_token_issue``, the data a live city has (this week's open tasks, requests
waiting for review), and the tasks of the accept burst. Everything here is committed; the
tokens and the burst's tasks are removed again by ``cleanup``.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta

from django.db.models import Count, Exists, OuterRef, Q
from django.utils import timezone

from accounts.device_tokens import device_token_issue
from accounts.models import DeviceToken
from grids.models import Community, Member, Post
from orders.citygen.live import add_pending_backlog, add_upcoming_tasks, upcoming_open_tasks
from orders.models import Acceptance, ServiceRequest, Task
from orders.selectors.tasks import LIVE
from rankings.models import BoardDay

DEVICE_NAME = "基准测试"
BURST_TITLE = "基准测试：抢单"
MIN_UPCOMING = 1000  # fewer open tasks ahead than this: the coming week has not been added yet


@dataclass(frozen=True)
class Caller:
    user_id: int
    token: str


def mint(user_ids: list[int]) -> list[Caller]:
    """One fresh token per user, through the service every sign-in uses."""
    from accounts.models import User

    users = User.objects.in_bulk(user_ids)
    return [Caller(pk, device_token_issue(user=users[pk], device_name=DEVICE_NAME).plain) for pk in user_ids]


def ensure_open_week(*, days: int = 7) -> int:
    """Add the coming ``days`` days' open tasks unless they are there; returns how many were added."""
    if upcoming_open_tasks() >= MIN_UPCOMING:
        return 0
    return add_upcoming_tasks(days=days)


def hall_members(n: int) -> list[int]:
    """Users of ``n`` members with a home location in the communities with most open tasks ahead."""
    now = timezone.now()
    busiest = list(
        Task.objects.filter(status=Task.Status.OPEN, starts_at__gt=now)
        .values("community_id")
        .annotate(k=Count("id"))
        .order_by("-k")
        .values_list("community_id", flat=True)[: max(n, 20)]
    )
    rows = list(
        Member.objects.filter(community_id__in=busiest, home_lat__isnull=False, user__is_active=True)
        .order_by("community_id", "pk")
        .values_list("community_id", "user_id")
    )
    return _spread(rows, n)


def _spread(rows: list[tuple[int, int]], n: int) -> list[int]:
    """``n`` user ids taking one per group in turn, so the callers span the groups."""
    groups: dict[int, list[int]] = {}
    for group, user_id in rows:
        groups.setdefault(group, []).append(user_id)
    picked: list[int] = []
    seen: set[int] = set()
    while len(picked) < n and any(groups.values()):
        for ids in groups.values():
            while ids and ids[0] in seen:
                ids.pop(0)
            if ids and len(picked) < n:
                picked.append(ids.pop(0))
                seen.add(picked[-1])
    return picked


def secretaries(n: int, *, backlog: int = 30) -> list[int]:
    """Users of ``n`` community secretaries, each community given a review backlog of ``backlog``."""
    posts = list(
        Post.objects.filter(role=Post.Role.SECRETARY, community__isnull=False, user__is_active=True)
        .order_by("community_id", "pk")
        .values_list("community_id", "user_id")
    )
    chosen: dict[int, int] = {}
    for community_id, user_id in posts:
        if community_id not in chosen and user_id not in chosen.values():
            chosen[community_id] = user_id
        if len(chosen) == n:
            break
    pending = dict(
        ServiceRequest.objects.filter(community_id__in=list(chosen), status=ServiceRequest.Status.SUBMITTED)
        .values("community_id")
        .annotate(k=Count("id"))
        .values_list("community_id", "k")
    )
    for community in Community.objects.filter(pk__in=list(chosen)):
        add_pending_backlog(community, backlog - pending.get(community.pk, 0))
    return list(chosen.values())


def members(n: int, *, skip: int = 0) -> list[int]:
    """Users of ``n`` registered members spread over the communities (``skip`` groups of ``n`` first)."""
    rows = list(
        Member.objects.filter(community__isnull=False, user__is_active=True)
        .order_by("pk")
        .values_list("community_id", "user_id")[: 40 * (n + skip)]
    )
    return _spread(rows, n + skip)[skip:]


def board_built() -> bool:
    return BoardDay.objects.exists()


@dataclass(frozen=True)
class Burst:
    task_ids: list[int]
    callers: list[Caller]  # caller i tries task_ids[i % len(task_ids)]
    slots: int


def prepare_burst(*, tasks: int, attempts: int, slots: int) -> Burst:
    """``tasks`` city-wide open tasks of ``slots`` places three days ahead, and ``attempts``
    distinct registered members free at that time, each with a token."""
    now = timezone.now()
    start = (now + timedelta(days=3)).replace(minute=0, second=0, microsecond=0)
    end = start + timedelta(hours=2)
    templates = list(
        Task.objects.filter(status=Task.Status.OPEN, starts_at__gt=now).select_related("community")[:tasks]
    )
    if len(templates) < tasks:
        templates = list(Task.objects.select_related("community")[:tasks])
    if not templates:
        raise ValueError("no task to copy for the burst")
    created = []
    for i in range(tasks):
        template = templates[i % len(templates)]
        created.append(
            Task.objects.create(
                community=template.community,
                grid=template.grid,
                focus=template.focus,
                duty=template.duty,
                title=f"{BURST_TITLE} {i + 1}",
                description="测量并发接单。",
                address=template.address,
                lat=template.lat,
                lng=template.lng,
                starts_at=start,
                ends_at=end,
                slots=slots,
                visibility=Task.Visibility.CITY,
                created_by=template.created_by,
            )
        )
    busy = Acceptance.objects.filter(member=OuterRef("pk"), status__in=LIVE, starts_at__lt=end, ends_at__gt=start)
    user_ids = list(
        Member.objects.filter(community__isnull=False, user__is_active=True)
        .filter(~Exists(busy))
        .order_by("?")
        .values_list("user_id", flat=True)[:attempts]
    )
    return Burst([t.pk for t in created], mint(user_ids), slots)


def burst_outcome(burst: Burst) -> dict[int, tuple[int, int, int, str]]:
    """Per task: (slots, taken, live acceptances, status)."""
    live = dict(
        Acceptance.objects.filter(task_id__in=burst.task_ids, status__in=LIVE)
        .values("task_id")
        .annotate(k=Count("id"))
        .values_list("task_id", "k")
    )
    return {
        pk: (slots, taken, live.get(pk, 0), status)
        for pk, slots, taken, status in Task.objects.filter(pk__in=burst.task_ids).values_list(
            "pk", "slots", "taken", "status"
        )
    }


def cleanup() -> None:
    """Remove the benchmark's tokens and the burst's tasks with their acceptances."""
    DeviceToken.objects.filter(device_name=DEVICE_NAME).delete()
    burst = Task.objects.filter(Q(title__startswith=BURST_TITLE))
    Acceptance.objects.filter(task__in=burst).delete()
    burst.delete()
