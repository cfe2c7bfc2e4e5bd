"""接单 for members: the task hall, a task's page, taking a slot, my tasks, and withdrawing,
checking in and checking out of an acceptance."""

from __future__ import annotations

import datetime as dt

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.views.decorators.http import require_POST

from core.errors import DomainError
from core.pages import LIST_LIMIT, attempt
from core.widgets import date_choices
from grids.geo import location_to_wgs84
from grids.views.common import member_or_none, require_member
from grids.vocab import Duty
from orders.models import Acceptance, Task
from orders.selectors import tasks as task_selectors
from orders.selectors.likes import likes_received
from orders.services import acceptances as acc_services
from orders.services import tasks as task_services
from orders.views.common import amap_url, date_or_none, float_or_none
from reporting.selectors import has_location_consent, location_consent_notice
from reporting.services.checkins import checkin_opens_at

T = Task.Status
A = Acceptance.Status


def tasks(request):
    """接单 tab: the task hall, nearest and soonest first."""
    member = member_or_none(request.user)
    context = {"tab": "tasks", "member": member, "duties": Duty.choices, "km_choices": ["1", "3", "5", "10"]}
    if member is None:
        return render(request, "orders/tasks.html", context)
    lat, lng = float_or_none(request.GET.get("lat")), float_or_none(request.GET.get("lng"))
    if lat is not None and lng is not None:
        try:
            lat, lng = location_to_wgs84(lat=lat, lng=lng, coord_system=request.GET.get("coord_system") or "wgs84")
        except DomainError as exc:
            messages.error(request, exc.message)
            lat = lng = None
    km = float_or_none(request.GET.get("km"))
    duty = request.GET.get("duty") or None
    day = date_or_none(request.GET.get("date"))
    rows = list(
        task_selectors.task_hall(
            member,
            lat=lat,
            lng=lng,
            duty=duty if duty in Duty.values else None,
            date=day,
            max_distance_m=km * 1000 if km else None,
        )[:LIST_LIMIT]
    )
    context.update(
        rows=rows,
        located=lat is not None,
        filters={"duty": duty or "", "date": day.isoformat() if day else "", "km": request.GET.get("km", "")},
        dates=date_choices(14, extra=day, blank="不限日期"),
        held=list(task_selectors.acceptances_for_member(member).filter(status__in=Acceptance.HOLDING)[:5]),
    )
    return render(request, "orders/tasks.html", context)


@login_required
def task_detail(request, task_id: int):
    member = require_member(request)
    mine = task_selectors.acceptances_for_member(member).filter(task_id=task_id).order_by("-accepted_at", "-pk").first()
    if mine is not None:
        task = mine.task
    else:
        task = get_object_or_404(task_selectors.tasks_visible_to_member(member), pk=task_id)
    holding = mine is not None and mine.status in Acceptance.HOLDING
    # 到场签到 is offered only while its window is open; before, the page says when it opens.
    checkin_opens = checkin_opens_at(mine.starts_at) if holding else None
    return render(
        request,
        "orders/task_detail.html",
        {
            "tab": "tasks",
            "task": task,
            "mine": mine,
            "holding": holding,
            "can_accept": not holding and task.status == T.OPEN and task.starts_at > timezone.now(),
            "map_url": amap_url(task.lat, task.lng, task.title),
            "needs_consent": holding and mine.status == A.ACCEPTED and not has_location_consent(member),
            "consent_text": location_consent_notice(),
            "warning": task_services.task_working_hours_warning(task),
            "checkin_opens": checkin_opens,
            "checkin_state": _checkin_state(checkin_opens, mine.ends_at if holding else None),
            "checkin_early": settings.CHECKIN_EARLY_MINUTES,
        },
    )


def _checkin_state(opens: dt.datetime | None, closes: dt.datetime | None) -> str:
    """``later`` before the check-in window, ``open`` in it, ``closed`` after it (reporting's rule)."""
    if opens is None or closes is None:
        return ""
    now = timezone.now()
    return "later" if now < opens else "closed" if now > closes else "open"


@login_required
@require_POST
def task_take(request, task_id: int):
    member = require_member(request)
    task = get_object_or_404(task_selectors.tasks_visible_to_member(member), pk=task_id)
    attempt(request, "接单成功！请按时到场，签到后开始计时。", task_services.task_accept, task=task, member=member)
    return redirect("orders:task", task_id=task.pk)


@login_required
def my_tasks(request):
    member = member_or_none(request.user)
    rows = list(task_selectors.acceptances_for_member(member)[:LIST_LIMIT]) if member else []
    return render(request, "orders/my_tasks.html", {"tab": "me", "member": member, "rows": rows})


@login_required
def my_likes(request):
    """我收到的点赞: who thanked the member for which service (the residents stay unnamed)."""
    member = member_or_none(request.user)
    rows = list(likes_received(member)[:LIST_LIMIT])
    total = likes_received(member).count() if len(rows) == LIST_LIMIT else len(rows)
    return render(request, "orders/my_likes.html", {"tab": "me", "member": member, "rows": rows, "total": total})


def _own_acceptance(request, acceptance_id: int) -> Acceptance:
    member = require_member(request)
    return get_object_or_404(task_selectors.acceptances_for_member(member), pk=acceptance_id)


@login_required
@require_POST
def my_task_withdraw(request, acceptance_id: int):
    acc = _own_acceptance(request, acceptance_id)
    attempt(request, "已退出该任务。", acc_services.acceptance_withdraw, acceptance=acc, actor=request.user)
    return redirect("orders:task", task_id=acc.task_id)


@login_required
@require_POST
def my_task_check_in(request, acceptance_id: int):
    acc = _own_acceptance(request, acceptance_id)
    lat, lng = float_or_none(request.POST.get("lat")), float_or_none(request.POST.get("lng"))
    if lat is None or lng is None:
        messages.error(request, "请先点击“签到”获取当前位置。")
        return redirect("orders:task", task_id=acc.task_id)
    attempt(
        request,
        "签到成功，服务开始计时。",
        acc_services.acceptance_check_in,
        acceptance=acc,
        actor=request.user,
        lat=lat,
        lng=lng,
        coord_system=request.POST.get("coord_system") or "wgs84",
    )
    return redirect("orders:task", task_id=acc.task_id)


@login_required
@require_POST
def my_task_check_out(request, acceptance_id: int):
    acc = _own_acceptance(request, acceptance_id)
    attempt(
        request, "已签退，服务时长待社区确认。", acc_services.acceptance_check_out, acceptance=acc, actor=request.user
    )
    return redirect("orders:task", task_id=acc.task_id)
