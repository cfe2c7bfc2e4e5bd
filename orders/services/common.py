"""What the orders services share: text checks, who may act on a task, locks, notices and links.

This module sits below every other service module and imports none of them.
"""

from __future__ import annotations

from datetime import datetime

from django.utils import timezone

from core.errors import NUL_BYTE_MESSAGE, PermissionDenied, ValidationFailed
from core.transitions import lock
from grids.models import Community, Grid, VanguardTeam
from grids.selectors.scope import scope_for
from grids.selectors.teams import leader_role
from notifications.services import notify_on_commit
from orders.models import Escalation, RequestFollower, ServiceRequest, Task
from orders.selectors.escalations import can_handle
from orders.selectors.requests import can_review

# --- input -----------------------------------------------------------------------------------


def no_nul(**values) -> None:
    """PostgreSQL cannot store a NUL byte in text; refuse it as bad input, not a server error."""
    for name, value in values.items():
        if isinstance(value, str) and "\x00" in value:
            raise ValidationFailed(NUL_BYTE_MESSAGE, code="nul_byte", field=name)


def clean_text(value, *, field: str, label: str, most: int, required: bool = True) -> str:
    """A stripped text field: a string (or nothing), without NUL bytes, at most ``most`` characters."""
    value = (value or "").strip() if isinstance(value, str) or value is None else None
    if value is None:
        raise ValidationFailed(f"{label}格式不正确。", field=field)
    no_nul(**{field: value})
    if required and not value:
        raise ValidationFailed(f"请填写{label}。", code="required", field=field)
    if len(value) > most:
        raise ValidationFailed(f"{label}不能超过 {most} 个字。", code="too_long", field=field)
    return value


# --- who may act, on a locked row ------------------------------------------------------------


def require_task_staff(actor, community: Community, grid: Grid | None, verb: str) -> None:
    """Community staff (or above) for the community; a grid secretary only within their grid."""
    scope = scope_for(actor)
    if scope.covers_community(community):
        return
    if grid is not None and scope.covers_grid(grid):
        return
    if scope.grid_ids and grid is None:
        raise PermissionDenied(f"网格书记只能{verb}本网格的任务，请选择网格。", code="not_in_scope")
    raise PermissionDenied(f"您无权{verb}该社区的任务。", code="not_in_scope")


def require_task_manager(actor, task: Task, verb: str) -> None:
    """Staff over the task; for a task whistled to one team, also that team's captain and
    vice-captain, who run their own whistle to its end (cancel it, close it)."""
    if task.team_id is not None and leader_role(actor, VanguardTeam(pk=task.team_id)) is not None:
        return
    require_task_staff(actor, task.community, task.grid, verb)


def lock_task(task: Task) -> Task:
    """The task row under lock (only its own table), with what the permission checks read."""
    return Task.objects.select_for_update(of=("self",)).select_related("community__street", "grid").get(pk=task.pk)


def lock_request_for_review(request: ServiceRequest, actor) -> ServiceRequest:
    """The request under lock; permission is checked on the locked row, so two secretaries acting
    at once get one success and one clear conflict."""
    row = lock(request)
    if not can_review(row, actor):
        raise PermissionDenied("您无权审核其他社区的点单。", code="not_in_scope")
    return row


def lock_escalation_for_street(escalation: Escalation, actor) -> Escalation:
    row = lock(escalation)
    if not can_handle(row, actor):
        raise PermissionDenied("只有所属街道的工作人员才能办理该事项。", code="not_in_scope")
    return row


# --- telling people --------------------------------------------------------------------------


def notify_users(users, *, kind: str, title: str, body: str = "", url: str = "", skip=None) -> None:
    """Tell users once the surrounding transaction commits (nobody hears of a rolled-back change);
    ``skip``: the one who acted."""
    notify_on_commit(users, kind=kind, title=title, body=body, url=url, skip=skip)


def format_time(dt: datetime) -> str:
    """A moment as notices write it: 05月01日 19:00, local time."""
    return timezone.localtime(dt).strftime("%m月%d日 %H:%M")


def request_audience(request: ServiceRequest) -> list:
    """The requester and everyone following the request."""
    followers = [f.user for f in RequestFollower.objects.filter(request=request).select_related("user")]
    return [request.requester, *followers]


def request_url(request: ServiceRequest) -> str:
    return f"/requests/{request.pk}/"


def escalation_url(escalation: Escalation) -> str:
    return f"/escalations/{escalation.pk}/"
