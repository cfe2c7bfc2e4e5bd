"""联席会议 for street staff: the escalations the street's joint meeting takes, one escalation,
and assigning departments, recording their responses and resolving it."""

from __future__ import annotations

import datetime as dt

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.views.decorators.http import require_POST

from core.errors import DomainError
from core.pages import LIST_LIMIT, show_error
from core.widgets import DatePicker
from grids.views.common import staff_only
from orders.models import Escalation
from orders.selectors import escalations as esc_selectors
from orders.services import cascades
from orders.services import escalations as esc_services
from orders.views.common import date_or_none, labelled


@login_required
def work_escalations(request):
    scope, denied = staff_only(request)
    if denied:
        return denied
    rows = list(esc_selectors.escalations_for(request.user)[:LIST_LIMIT])
    now = timezone.now()
    for e in rows:
        e.late = e.overdue or (e.status == Escalation.Status.ASSIGNED and e.deadline and e.deadline < now)
    return render(request, "orders/work_escalations.html", {"tab": "home", "rows": rows})


@login_required
def work_escalation(request, escalation_id: int):
    scope, denied = staff_only(request)
    if denied:
        return denied
    esc = get_object_or_404(esc_selectors.escalations_for(request.user), pk=escalation_id)
    now = timezone.now()
    return render(
        request,
        "orders/work_escalation.html",
        {
            "tab": "home",
            "esc": esc,
            "late": esc.overdue or (esc.status == Escalation.Status.ASSIGNED and esc.deadline and esc.deadline < now),
            "departments": list(esc_selectors.active_departments()),
            "assigned": list(esc.departments.all()),
            "responses": list(esc_selectors.escalation_responses(esc)),
            "events": labelled(esc_selectors.escalation_timeline(esc), Escalation.Status),
            "can_handle": esc_selectors.can_handle(esc, request.user),
            "deadline_picker": DatePicker({"id": "deadline"}, days=90, blank="不设期限").render(
                "deadline", timezone.localdate() + dt.timedelta(days=settings.ESCALATION_DEFAULT_DAYS)
            ),
        },
    )


@login_required
@require_POST
def work_escalation_action(request, escalation_id: int, action: str):
    scope, denied = staff_only(request)
    if denied:
        return denied
    esc = get_object_or_404(esc_selectors.escalations_for(request.user), pk=escalation_id)
    try:
        if action == "assign":
            ids = [int(v) for v in request.POST.getlist("departments") if v.isdigit()]
            day = date_or_none(request.POST.get("deadline"))
            deadline = timezone.make_aware(dt.datetime.combine(day, dt.time(18, 0))) if day is not None else None
            esc_services.escalation_assign(escalation=esc, actor=request.user, department_ids=ids, deadline=deadline)
            messages.success(request, "已分派职能部门。")
        elif action == "respond":
            dep = request.POST.get("department") or ""
            esc_services.escalation_respond(
                escalation=esc,
                actor=request.user,
                department_id=int(dep) if dep.isdigit() else 0,
                response=request.POST.get("response", ""),
            )
            messages.success(request, "已记录办理意见。")
        elif action == "resolve":
            cascades.escalation_resolve(escalation=esc, actor=request.user, outcome=request.POST.get("outcome", ""))
            messages.success(request, "事项已办结，已通知居民。")
        else:
            raise Http404
    except DomainError as exc:
        show_error(request, exc)
    return redirect("orders:work_escalation", escalation_id=esc.pk)
