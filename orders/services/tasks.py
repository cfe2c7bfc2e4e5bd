"""下单/吹哨 and 接单: a community dispatches a task; members take its slots.

Slots never overfill, under any concurrency: ``taken`` moves only by a conditional UPDATE
(``status = open AND taken < slots``), which PostgreSQL re-evaluates after waiting on the row
lock, and a CHECK keeps ``taken`` within ``0..slots``. A member never holds two overlapping
tasks: the member row is locked while accepting (two taps, or two tasks from two phones, queue
up behind it and the second sees the first's acceptance), and on PostgreSQL an exclusion
constraint over (member, [starts_at, ends_at)) refuses what the lock would miss.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from datetime import datetime, timedelta

from django.conf import settings
from django.db import IntegrityError, transaction
from django.db.models import F
from django.urls import reverse
from django.utils import timezone

from core.errors import Conflict, PermissionDenied, ValidationFailed
from core.limits import refuse_over
from core.transitions import record_created, record_event, transition
from grids.geo import location_to_wgs84
from grids.models import Community, Grid, Member, Skill, TeamMembership, VanguardTeam
from grids.selectors.organisation import community_staff
from grids.selectors.scope import scope_for
from grids.selectors.teams import leader_role
from grids.vocab import Duty, Focus
from orders.models import Acceptance, ServiceRequest, Task
from orders.selectors.tasks import LIVE, member_may_see
from orders.services.common import clean_text, format_time, lock_task, notify_users, require_task_staff
from orders.services.task_notices import task_team_tell, task_whistle_queue
from reporting.worktime import overlaps_working_hours

A, T, V = Acceptance.Status, Task.Status, Task.Visibility
MAX_SLOTS = 500
MAX_DURATION = timedelta(hours=24)
EDITED_LABELS = {"title": "标题", "description": "内容", "address": "地点"}
WORKING_HOURS_WARNING = "该任务安排在工作日 9:00–17:00 之间，党员一般在八小时之外服务。"


# --- input ---------------------------------------------------------------------------------


def _skills(skills: Sequence[str]) -> list[str]:
    if isinstance(skills, str) or not all(isinstance(s, str) for s in skills):
        raise ValidationFailed("所需专长格式不正确。", field="skills_wanted")
    unknown = [s for s in skills if s not in Skill.values]
    if unknown:
        raise ValidationFailed(f"未知的专长：{'、'.join(unknown)}。", field="skills_wanted")
    return sorted(set(skills), key=Skill.values.index)


def _times(starts_at: datetime, ends_at: datetime, now: datetime) -> None:
    if not isinstance(starts_at, datetime) or timezone.is_naive(starts_at):
        raise ValidationFailed("开始时间格式不正确。", field="starts_at")
    if not isinstance(ends_at, datetime) or timezone.is_naive(ends_at):
        raise ValidationFailed("结束时间格式不正确。", field="ends_at")
    if starts_at <= now:
        raise ValidationFailed("开始时间须晚于现在。", field="starts_at")
    if ends_at <= starts_at:
        raise ValidationFailed("结束时间须晚于开始时间。", field="ends_at")
    if ends_at - starts_at > MAX_DURATION:
        raise ValidationFailed("单次任务不能超过 24 小时，请拆分为多个任务。", field="ends_at")


# --- 下单 / 吹哨 ----------------------------------------------------------------------------


@transaction.atomic
def task_create(
    *,
    actor,
    community: Community,
    focus: str,
    duty: str,
    title: str,
    address: str,
    lat: float,
    lng: float,
    starts_at: datetime,
    ends_at: datetime,
    slots: int,
    description: str = "",
    coord_system: str = "wgs84",
    grid: Grid | None = None,
    geofence_radius_m: int = 300,
    skills_wanted: Sequence[str] = (),
    visibility: str = V.COMMUNITY,
    team: VanguardTeam | None = None,
    source_requests: Iterable[ServiceRequest] = (),
) -> Task:
    """Dispatch a task (下单), or whistle one with no request behind it (吹哨).

    Linked requests only get their ``task`` set here; moving them along their machine is the
    job of ``orders.services.cascades.request_approve``.

    A task for one vanguard team only (``visibility="team"``, see ``_team_task_scope``) may be
    whistled by that team's captain or vice-captain, or by staff over the team's grid.
    """
    if grid is not None and grid.community_id != community.pk:
        raise ValidationFailed("所选网格不属于该社区。", field="grid")
    if visibility == V.TEAM or team is not None:
        grid, leader = _team_task_scope(actor, community, grid, visibility, team)
    else:
        leader = None
        require_task_staff(actor, community, grid, "发布")
    if focus not in Focus.values:
        raise ValidationFailed("请选择三项重点之一。", field="focus")
    if duty not in Duty.values:
        raise ValidationFailed("请选择八大职责之一。", field="duty")
    if visibility not in V.values:
        raise ValidationFailed("可见范围不正确。", field="visibility")
    title = clean_text(title, field="title", label="标题", most=80)
    address = clean_text(address, field="address", label="地点", most=200)
    description = clean_text(description, field="description", label="内容", most=4000, required=False)
    wlat, wlng = location_to_wgs84(lat=lat, lng=lng, coord_system=coord_system, field="location")
    now = timezone.now()
    _times(starts_at, ends_at, now)
    if isinstance(slots, bool) or not isinstance(slots, int) or not 1 <= slots <= MAX_SLOTS:
        raise ValidationFailed(f"名额须为 1 到 {MAX_SLOTS} 之间的整数。", field="slots")
    if isinstance(geofence_radius_m, bool) or not isinstance(geofence_radius_m, int):
        raise ValidationFailed("签到范围须为整数（米）。", field="geofence_radius_m")
    if not 20 <= geofence_radius_m <= 5000:
        raise ValidationFailed("签到范围须在 20 到 5000 米之间。", field="geofence_radius_m")
    skills = _skills(skills_wanted or [])
    requests = list(source_requests or [])
    if any(r.community_id != community.pk for r in requests):
        raise ValidationFailed("关联的点单须属于同一社区。", field="source_requests")

    task = Task.objects.create(
        community=community,
        grid=grid,
        focus=focus,
        duty=duty,
        title=title,
        description=description,
        address=address,
        lat=wlat,
        lng=wlng,
        geofence_radius_m=geofence_radius_m,
        starts_at=starts_at,
        ends_at=ends_at,
        slots=slots,
        skills_wanted=skills,
        visibility=visibility,
        team=team,
        created_by=actor,
        created_at=now,
    )
    record_created(task, actor=actor, note=f"{leader}向本队吹哨" if leader else "发布任务", at=now)
    if team is not None:
        task_team_tell(task, team, actor, leader)
    else:
        task_whistle_queue(task)
    if requests:
        ServiceRequest.objects.filter(pk__in=[r.pk for r in requests]).update(task=task)
    return task


def _team_task_scope(
    actor, community: Community, grid: Grid | None, visibility: str, team: VanguardTeam | None
) -> tuple[Grid, str | None]:
    """Check a task for one team; return its grid (the team's) and the actor's team role label
    (None when staff whistle it).

    No review: the community secretary reviews what residents order (点单), and tasks are
    published by those entitled to publish them. A team task is the grid party organisation's
    own activity for its own team, published by the organisation's leaders (队长 = 网格党组织书记),
    so it needs no approval; the community's staff are told of it at once, see it in their task
    list and may cancel it there like any task of the community.
    """
    if visibility != V.TEAM:
        raise ValidationFailed("指定先锋队的任务，可见范围须为“本先锋队队员”。", field="visibility")
    if team is None:
        raise ValidationFailed("请选择先锋队。", code="required", field="team")
    role = leader_role(actor, team)
    if role is None and not scope_for(actor).covers_grid(team.grid):
        raise PermissionDenied("只有本队的队长、副队长或社区工作人员可以向该先锋队吹哨。", code="not_team_leader")
    if team.grid.community_id != community.pk:
        raise ValidationFailed("先锋队的任务只能发布在本队网格所在的社区。", field="community")
    if grid is not None and grid.pk != team.grid_id:
        raise ValidationFailed("先锋队的任务只能发布在本队的网格。", field="grid")
    return team.grid, (TeamMembership.Role(role).label if role else None)


@transaction.atomic
def task_edit(*, task: Task, actor, title: str, description: str, address: str) -> Task:
    """Correct a task's wording (title, description, place description); the event row says what
    changed. Where and when it happens, its slots and its status change only through their own
    actions."""
    task = lock_task(task)
    require_task_staff(actor, task.community, task.grid, "修改")
    values = {
        "title": clean_text(title, field="title", label="标题", most=80),
        "description": clean_text(description, field="description", label="内容", most=4000, required=False),
        "address": clean_text(address, field="address", label="地点", most=200),
    }
    changed = [name for name, value in values.items() if getattr(task, name) != value]
    if not changed:
        return task
    for name in changed:
        setattr(task, name, values[name])
    task.save(update_fields=changed)
    labels = "、".join(EDITED_LABELS[name] for name in changed)
    record_event(task, actor=actor, kind="edited", note=f"修改了{labels}")
    return task


def task_working_hours_warning(task: Task) -> str | None:
    """The warning the dispatch page shows when a task sits inside working hours."""
    return WORKING_HOURS_WARNING if overlaps_working_hours(task.starts_at, task.ends_at) else None


# --- 接单 ----------------------------------------------------------------------------------


def _refuse_untakeable(task: Task, now: datetime) -> None:
    """Raise the reason a task cannot be taken now, if there is one."""
    if task.status == T.CANCELLED:
        raise Conflict("该任务已取消。", code="task_cancelled")
    if task.status in (T.IN_PROGRESS, T.COMPLETED) or task.starts_at <= now:
        raise Conflict("该任务已开始或已结束，不能再接单。", code="task_started")
    if task.status == T.FULL or task.taken >= task.slots:
        raise Conflict("该任务名额已满。", code="slot_full")


def _clash_conflict(clash: Acceptance | None = None) -> Conflict:
    if clash is None:
        return Conflict("您在该时段已接了其他任务，时间冲突。", code="time_clash")
    return Conflict(
        f"您已接“{clash.task.title}”（{format_time(clash.starts_at)} 开始），时间冲突。",
        code="time_clash",
    )


def _integrity_conflict(exc: IntegrityError) -> Conflict:
    text = str(exc).lower()
    if "overlap" in text or "exclu" in text:
        return _clash_conflict()
    if "unique" in text or "acceptance_one_live" in text:
        return Conflict("您已接过该任务。", code="already_accepted")
    return Conflict("接单未成功，请稍后重试。", code="accept_failed")


@transaction.atomic
def task_accept(*, task: Task, member: Member | None) -> Acceptance:
    """A member takes one slot (接单)."""
    if member is None:
        raise PermissionDenied("请先填写党员/志愿者资料。", code="not_member")
    # The member row lock serialises one member's accepts: a second one waits here, then sees
    # the first's acceptance in the checks below (READ COMMITTED reads afresh per statement).
    member = Member.objects.select_for_update(of=("self",)).select_related("user").get(pk=member.pk)
    task = Task.objects.get(pk=task.pk)
    if not member_may_see(member, task):
        raise PermissionDenied("该任务不在您的可接范围内。", code="not_visible")
    now = timezone.now()
    _refuse_untakeable(task, now)
    refuse_over(
        Acceptance.objects.filter(member=member),
        at="accepted_at",
        limit=settings.ACCEPTS_PER_HOUR,
        window=timedelta(hours=1),
        now=now,
        message=f"每小时最多接单 {settings.ACCEPTS_PER_HOUR} 次，请稍后再试。",
    )
    if Acceptance.objects.filter(task=task, member=member, status__in=LIVE).exists():
        raise Conflict("您已接过该任务。", code="already_accepted")
    clash = (
        Acceptance.objects.filter(
            member=member, status__in=LIVE, starts_at__lt=task.ends_at, ends_at__gt=task.starts_at
        )
        .select_related("task")
        .first()
    )
    if clash is not None:
        raise _clash_conflict(clash)

    claimed = Task.objects.filter(pk=task.pk, status=T.OPEN, starts_at__gt=now, taken__lt=F("slots")).update(
        taken=F("taken") + 1
    )
    if not claimed:
        task.refresh_from_db()
        _refuse_untakeable(task, now)
        raise Conflict("该任务名额已满。", code="slot_full")
    try:
        with transaction.atomic():
            acceptance = Acceptance.objects.create(
                task=task, member=member, starts_at=task.starts_at, ends_at=task.ends_at, accepted_at=now
            )
    except IntegrityError as exc:
        # Leaving by the exception rolls back the slot taken above, too.
        raise _integrity_conflict(exc)
    record_created(acceptance, actor=member.user, note="接单", at=now)
    task = Task.objects.select_for_update(of=("self",)).get(pk=task.pk)
    if task.taken >= task.slots and task.status == T.OPEN:
        transition(task, T.FULL, actor=member.user, note="名额已满", locked=True)
        notify_users(
            community_staff(task.community_id, task.grid),
            kind="task_full",
            title=f"任务已满员：{task.title}"[:100],
            body=f"“{task.title}”（{format_time(task.starts_at)}）的 {task.slots} 个名额已全部有人接单。",
            url=reverse("orders:work_task", args=[task.pk]),
        )
    acceptance.task = task
    acceptance.member = member
    return acceptance
