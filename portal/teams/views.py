"""The captain's pages for their team (先锋队): the team page (hours, board place, members,
tasks), adding and removing members, whistling a task to the team; and 我的先锋队 for every
member, with leaving a team."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.views.decorators.http import require_POST

from accounts.forms import form_error_from
from core.errors import DomainError, NotFound, PermissionDenied
from core.pages import attempt
from grids.models import Member, VanguardTeam
from grids.selectors.teams import team_led_by, team_memberships_of_user
from grids.services.teams import team_leave, team_member_add, team_member_remove
from orders import forms as order_forms
from orders.models import Task
from orders.services.cascades import task_cancel, task_complete
from orders.services.tasks import task_create, task_working_hours_warning
from portal.teams.selectors import TASKS_SHOWN, team_summary, team_tasks


class TeamTaskForm(order_forms.TaskForm):
    """吹哨 to the team: a community task's form without the community and visibility, which
    the team decides."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        del self.fields["community"]
        del self.fields["visibility"]


def _led_team(request, team_id: int) -> VanguardTeam:
    """The team if the signed-in user leads it; a refusal page for anyone else."""
    try:
        return team_led_by(request.user, team_id)
    except NotFound:
        raise Http404 from None


def _denied(request, exc: DomainError):
    return render(request, "portal/team_denied.html", {"tab": "me", "message": exc.message}, status=403)


@login_required
def my_teams(request):
    """我的先锋队: the teams I belong to; leaders go on to manage theirs, members may leave."""
    rows = list(team_memberships_of_user(request.user))
    return render(request, "portal/my_teams.html", {"tab": "me", "rows": rows})


@login_required
def team_page(request, team_id: int):
    try:
        team = _led_team(request, team_id)
    except PermissionDenied as exc:
        return _denied(request, exc)
    return render(
        request,
        "portal/team.html",
        {
            "tab": "me",
            "summary": team_summary(team, request.user),
            "tasks": list(team_tasks(team)[:TASKS_SHOWN]),
            "active_statuses": Task.ACTIVE,
            "now": timezone.now(),
        },
    )


@login_required
@require_POST
def team_add(request, team_id: int):
    try:
        team = _led_team(request, team_id)
    except PermissionDenied as exc:
        return _denied(request, exc)
    phone = (request.POST.get("phone") or "").strip()
    attempt(request, "已添加队员，对方会收到通知。", team_member_add, actor=request.user, team=team, phone=phone)
    return redirect("portal:team", team_id=team.pk)


@login_required
@require_POST
def team_remove(request, team_id: int, member_id: int):
    try:
        team = _led_team(request, team_id)
    except PermissionDenied as exc:
        return _denied(request, exc)
    member = get_object_or_404(Member, pk=member_id)
    attempt(request, "已移除该队员。", team_member_remove, actor=request.user, team=team, member=member)
    return redirect("portal:team", team_id=team.pk)


@login_required
def team_whistle(request, team_id: int):
    """吹哨 to the team: the task goes to the team's members only, in the team grid's community."""
    try:
        team = _led_team(request, team_id)
    except PermissionDenied as exc:
        return _denied(request, exc)
    community = team.grid.community
    form = TeamTaskForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        data = dict(form.cleaned_data)
        lat, lng = data.pop("lat"), data.pop("lng")
        if lat is None or lng is None:
            lat, lng, data["coord_system"] = community.lat, community.lng, "wgs84"
        try:
            task = task_create(
                actor=request.user,
                community=community,
                grid=team.grid,
                visibility="team",
                team=team,
                lat=lat,
                lng=lng,
                **data,
            )
        except DomainError as exc:
            form_error_from(form, exc)
        else:
            warning = task_working_hours_warning(task)
            if warning:
                messages.warning(request, warning)
            messages.success(request, "已向本队吹哨，队员会收到通知。")
            return redirect("portal:team", team_id=team.pk)
    return render(request, "portal/team_whistle.html", {"tab": "me", "team": team, "form": form})


@login_required
@require_POST
def team_task_cancel(request, team_id: int, team_task_id: int):
    """Call off one of the team's tasks (with a reason); those who took it are told."""
    try:
        team = _led_team(request, team_id)
    except PermissionDenied as exc:
        return _denied(request, exc)
    task = get_object_or_404(team_tasks(team), pk=team_task_id)
    reason = request.POST.get("reason") or ""
    attempt(
        request, "已取消该任务，已接单的队员会收到通知。", task_cancel, task=task, actor=request.user, reason=reason
    )
    return redirect("portal:team", team_id=team.pk)


@login_required
@require_POST
def team_task_complete(request, team_id: int, team_task_id: int):
    """Close one of the team's tasks: those still on site are checked out, the absent marked."""
    try:
        team = _led_team(request, team_id)
    except PermissionDenied as exc:
        return _denied(request, exc)
    task = get_object_or_404(team_tasks(team), pk=team_task_id)
    attempt(request, "任务已完成，服务时长待社区确认。", task_complete, task=task, actor=request.user)
    return redirect("portal:team", team_id=team.pk)


@login_required
@require_POST
def team_leave_view(request, team_id: int):
    team = get_object_or_404(VanguardTeam, pk=team_id)
    attempt(request, f"您已退出{team.name}。", team_leave, actor=request.user, team=team)
    return redirect("portal:my_teams")
