"""接单 after the slot is taken: withdrawing, checking in and out on site, and the jobs that
close acceptances nobody closed (automatic check-out, no-shows, the 2-hour reminder).

Taking a slot (``task_accept``) lives with the task in ``orders.services.tasks``; this module
frees slots and moves acceptances along their machine, always through ``transition``.
Check-ins and service records belong to ``reporting``: an acceptance only points at them.
"""

from __future__ import annotations

import logging
from datetime import datetime, timedelta

from django.conf import settings
from django.db import transaction
from django.urls import reverse
from django.utils import timezone

from core.errors import Conflict, DomainError, PermissionDenied
from core.limits import refuse_over
from core.transitions import can_transition, illegal, transition
from grids.models import Member
from notifications.kinds import NO_SHOW
from orders.models import Acceptance, Task
from orders.services.common import format_time, notify_users
from reporting.services.checkins import checkin_create, checkout_create

log = logging.getLogger(__name__)

A, T = Acceptance.Status, Task.Status


def _lock_acceptance(acceptance: Acceptance) -> Acceptance:
    # Only the acceptance row is locked (``of=("self",)``); the task and member are read along.
    return (
        Acceptance.objects.select_for_update(of=("self",))
        .select_related("task__community", "task__grid", "member__user", "checkin")
        .get(pk=acceptance.pk)
    )


def _require_own(acceptance: Acceptance, actor) -> None:
    if actor is None or acceptance.member.user_id != actor.pk:
        raise PermissionDenied("只能操作自己的接单。", code="not_yours")


def release_slot(task: Task, *, actor=None) -> Task:
    """Give a slot back: ``taken − 1``, and a full task opens again (one UPDATE under the row lock).

    ``full`` requires ``taken == slots`` in the database, so the status and the count change
    in the same statement.
    """
    task = Task.objects.select_for_update(of=("self",)).get(pk=task.pk)
    if task.taken == 0 or task.status in (T.COMPLETED, T.CANCELLED):
        return task
    if task.status == T.FULL:
        return transition(
            task,
            T.OPEN,
            actor=actor,
            kind="slot_released",
            note="有党员退出，名额空出",
            locked=True,
            taken=task.taken - 1,
        )
    task.taken -= 1
    task.save(update_fields=["taken"])
    return task


@transaction.atomic
def acceptance_withdraw(*, acceptance: Acceptance, actor) -> Acceptance:
    """The member gives the slot back. Before the cut-off (default 2 h before start) it is a plain
    withdrawal; after it, still allowed but recorded as late; once the task has started, refused."""
    acceptance = _lock_acceptance(acceptance)
    _require_own(acceptance, actor)
    if not can_transition(acceptance, A.CANCELLED):
        raise illegal(acceptance, A.CANCELLED)
    now = timezone.now()
    if now >= acceptance.starts_at:
        raise Conflict("任务已经开始，不能再退出。", code="task_started")
    _refuse_too_many_withdrawals(acceptance.member_id, now)
    cutoff = acceptance.starts_at - timedelta(hours=settings.ACCEPT_WITHDRAW_CUTOFF_HOURS)
    late = now >= cutoff
    note = f"开始前 {settings.ACCEPT_WITHDRAW_CUTOFF_HOURS} 小时内退出" if late else "党员退出"
    acceptance = transition(
        acceptance,
        A.CANCELLED,
        actor=actor,
        kind="withdrawn",
        note=note,
        locked=True,
        withdrawn_at=now,
        late_withdrawal=late,
    )
    release_slot(acceptance.task, actor=actor)
    return acceptance


@transaction.atomic
def acceptance_check_in(
    *, acceptance: Acceptance, actor, lat: float, lng: float, coord_system: str = "wgs84"
) -> Acceptance:
    """签到打卡 at the task's place, inside its geofence and window. A repeated tap returns the
    acceptance as it is. The first check-in moves an open or full task to in progress."""
    acceptance = _lock_acceptance(acceptance)
    _require_own(acceptance, actor)
    if acceptance.status in (A.CHECKED_IN, A.COMPLETED):
        return acceptance
    if not can_transition(acceptance, A.CHECKED_IN):
        raise illegal(acceptance, A.CHECKED_IN)
    task = acceptance.task
    if task.status == T.CANCELLED:
        raise Conflict("该任务已取消，无需签到。", code="task_cancelled")
    if task.status == T.COMPLETED:
        raise Conflict("该任务已结束。", code="task_closed")
    checkin = checkin_create(
        member=acceptance.member,
        community=task.community,
        place_lat=task.lat,
        place_lng=task.lng,
        radius_m=task.geofence_radius_m,
        opens_at=acceptance.starts_at,
        closes_at=acceptance.ends_at,
        lat=lat,
        lng=lng,
        coord_system=coord_system,
        grid=task.grid,
    )
    acceptance = transition(acceptance, A.CHECKED_IN, actor=actor, note="签到", locked=True, checkin=checkin)
    task = Task.objects.select_for_update(of=("self",)).get(pk=task.pk)
    if task.status in (T.OPEN, T.FULL):
        transition(task, T.IN_PROGRESS, actor=actor, kind="first_check_in", note="党员已签到", locked=True)
    return acceptance


def _check_out(acceptance: Acceptance, *, actor, auto: bool, now: datetime | None, kind: str = "") -> Acceptance:
    """Close a locked, checked-in acceptance with its service record (the caller holds the lock)."""
    task = acceptance.task
    record = checkout_create(
        checkin=acceptance.checkin, duty=task.duty, title=task.title, actor=actor, auto=auto, now=now
    )
    note = "系统自动签退" if auto else "签退"
    return transition(acceptance, A.COMPLETED, actor=actor, kind=kind, note=note, locked=True, record=record)


@transaction.atomic
def acceptance_check_out(*, acceptance: Acceptance, actor, now: datetime | None = None) -> Acceptance:
    """签退: the service record is written (pending confirmation). A repeated tap returns it as it is."""
    acceptance = _lock_acceptance(acceptance)
    _require_own(acceptance, actor)
    if acceptance.status == A.COMPLETED:
        return acceptance
    if not can_transition(acceptance, A.COMPLETED):
        raise illegal(acceptance, A.COMPLETED)
    return _check_out(acceptance, actor=actor, auto=False, now=now)


def auto_check_out(acceptance: Acceptance, *, actor=None, now: datetime | None = None) -> Acceptance:
    """Check out a member who did not tap "签退" (the caller holds the lock).

    After the task's end the time out is the end and the record is flagged for the community;
    when the secretary closes a task early, the time out is now.
    """
    now = now or timezone.now()
    auto = now >= acceptance.ends_at
    # Whoever ends it, the member did not tap "签退": the event row says so.
    acceptance = _check_out(acceptance, actor=actor, auto=auto, now=now, kind="auto_check_out")
    when = "按任务结束时间" if auto else "在任务结束时"
    notify_users(
        [acceptance.member.user],
        kind="checkout_auto",
        title="已自动签退",
        body=f"您在“{acceptance.task.title}”签到后未签退，系统已{when}为您签退，服务时长待社区确认。",
        url=reverse("reporting:my_hours"),
    )
    return acceptance


def acceptances_auto_checkout(*, now: datetime | None = None) -> int:
    """Check out every checked-in acceptance whose task has ended. Safe to run twice."""
    now = now or timezone.now()
    ids = list(
        Acceptance.objects.filter(status=A.CHECKED_IN, ends_at__lte=now)
        .order_by("ends_at")
        .values_list("pk", flat=True)
    )
    done = 0
    for pk in ids:
        try:
            with transaction.atomic():
                acceptance = _lock_acceptance(Acceptance(pk=pk))
                if acceptance.status != A.CHECKED_IN:
                    continue
                auto_check_out(acceptance, now=now)
                done += 1
        except DomainError:
            log.exception("automatic check-out of acceptance %s failed", pk)
    return done


def acceptances_mark_no_show(*, now: datetime | None = None) -> int:
    """Acceptances never checked in whose task has ended become no-shows. Safe to run twice."""
    now = now or timezone.now()
    ids = list(Acceptance.objects.filter(status=A.ACCEPTED, ends_at__lte=now).values_list("pk", flat=True))
    done = 0
    for pk in ids:
        with transaction.atomic():
            acceptance = _lock_acceptance(Acceptance(pk=pk))
            if acceptance.status != A.ACCEPTED:
                continue
            transition(acceptance, A.NO_SHOW, note="任务结束时未签到", locked=True)
            task = acceptance.task
            notify_users(
                [acceptance.member.user],
                kind=NO_SHOW,
                title=f"未到场：{task.title}"[:100],
                body=f"您已接的任务“{task.title}”（{format_time(task.starts_at)}）结束时没有签到，记为未到场。"
                "如有特殊情况请联系社区说明。",
                url=reverse("orders:my_tasks"),
            )
            done += 1
    return done


def _refuse_too_many_withdrawals(member_id: int, now) -> None:
    """``WITHDRAWALS_PER_HOUR`` withdrawals a member may make in an hour (taking and giving back
    slots in a loop keeps them from others); the member's row lock counts a burst one by one."""
    Member.objects.select_for_update(of=("self",)).filter(pk=member_id).first()
    refuse_over(
        Acceptance.objects.filter(member_id=member_id),
        at="withdrawn_at",
        limit=settings.WITHDRAWALS_PER_HOUR,
        window=timedelta(hours=1),
        now=now,
        message=f"每小时最多退出 {settings.WITHDRAWALS_PER_HOUR} 次已接的任务，请稍后再试。",
    )
