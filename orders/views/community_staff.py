"""The work pages of community staff (社区书记, grid secretaries, and staff above them): the
工作台, the review queue and a request's review (审核把关), the task board, a task, and 吹哨 —
publishing a task directly."""

from __future__ import annotations

import datetime as dt

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.db.models import Count
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.views.decorators.http import require_http_methods, require_POST

from accounts.forms import form_error_from
from core.errors import DomainError
from core.pages import LIST_LIMIT, show_error
from grids.selectors.scope import communities_for
from grids.views.common import staff_only
from grids.vocab import Duty
from orders import forms
from orders.models import Escalation, ServiceRequest, Task
from orders.selectors import escalations as esc_selectors
from orders.selectors import requests as req_selectors
from orders.selectors import tasks as task_selectors
from orders.selectors import visible
from orders.selectors.request_story import request_story
from orders.services import cascades, request_review
from orders.services import dispatch as dispatch_services
from orders.services import tasks as task_services
from orders.views.common import amap_url
from reporting import selectors as rep_selectors
from reporting.models import ServiceRecord

R = ServiceRequest.Status
T = Task.Status


def _waited(since: dt.datetime, now: dt.datetime) -> str:
    minutes = max(0, int((now - since).total_seconds() // 60))
    if minutes < 60:
        return f"{minutes} 分钟"
    if minutes < 24 * 60:
        return f"{minutes // 60} 小时"
    return f"{minutes // (24 * 60)} 天 {minutes % (24 * 60) // 60} 小时"


@login_required
def work_home(request):
    """工作台: the counts a secretary or street officer works from."""
    scope, denied = staff_only(request)
    if denied:
        return denied
    counts = {
        "requests": req_selectors.pending_requests_for(request.user).count(),
        "records": rep_selectors.records_for(request.user, status=ServiceRecord.Status.PENDING).count(),
        "escalations": esc_selectors.escalations_for(request.user)
        .exclude(status=Escalation.Status.RESOLVED)
        .aggregate(n=Count("pk"))["n"],
    }
    return render(
        request,
        "orders/work_home.html",
        {"tab": "home", "counts": counts, "title": scope.workbench_title, "level": scope.level},
    )


# --- 审核把关 -----------------------------------------------------------------------------------


@login_required
def work_requests(request):
    scope, denied = staff_only(request)
    if denied:
        return denied
    now = timezone.now()
    rows = list(req_selectors.pending_requests_for(request.user)[:LIST_LIMIT])
    for r in rows:
        r.waited = _waited(r.created_at, now)
        r.overdue = now - r.created_at > dt.timedelta(days=1)
    return render(request, "orders/work_requests.html", {"tab": "home", "rows": rows})


@login_required
def work_request(request, request_id: int):
    scope, denied = staff_only(request)
    if denied:
        return denied
    service_request = get_object_or_404(visible.requests_in_scope(request.user), pk=request_id)
    open_tasks, others = req_selectors.review_choices(service_request)
    return render(
        request,
        "orders/work_request.html",
        {
            "tab": "home",
            "row": service_request,
            "events": request_story(service_request, request.user),
            "photos": list(service_request.photos.all()),
            "contact": req_selectors.masked_contact(service_request, request.user),
            "address": req_selectors.masked_address(service_request, request.user),
            "open_tasks": open_tasks,
            "others": others,
            "task_form": forms.ApproveForm(),
            "duties": Duty.choices,
            "reviewable": service_request.status == R.SUBMITTED,
            # Nobody approves a request they placed (the service refuses it too).
            "own": service_request.requester_id == request.user.pk,
            "escalatable": service_request.status in (R.SUBMITTED, R.APPROVED),
        },
    )


@login_required
@require_POST
def work_request_action(request, request_id: int, action: str):
    scope, denied = staff_only(request)
    if denied:
        return denied
    in_scope = visible.requests_in_scope(request.user)
    service_request = get_object_or_404(in_scope, pk=request_id)
    back = redirect("orders:work_request", request_id=service_request.pk)
    try:
        if action == "approve":
            task_id = request.POST.get("task") or ""
            if task_id:
                task = get_object_or_404(task_selectors.tasks_for(request.user), pk=task_id)
                cascades.request_approve(request=service_request, actor=request.user, task=task)
            else:
                form = forms.ApproveForm(request.POST)
                if not form.is_valid():
                    messages.error(request, form.first_error())
                    return back
                cascades.request_approve(
                    request=service_request, actor=request.user, **form.corrections(), **form.task_fields()
                )
            messages.success(request, "已受理并派单。")
        elif action == "reject":
            request_review.request_reject(
                request=service_request, actor=request.user, reason=request.POST.get("reason", "")
            )
            messages.success(request, "已退回，居民将看到理由。")
        elif action == "merge":
            into = get_object_or_404(in_scope, pk=request.POST.get("into") or 0)
            request_review.request_merge(request=service_request, into=into, actor=request.user)
            messages.success(request, "已合并办理。")
        elif action == "escalate":
            request_review.request_escalate(
                request=service_request, actor=request.user, reason=request.POST.get("reason", "")
            )
            messages.success(request, "已上报街道联席会议。")
        else:
            raise Http404
    except DomainError as exc:
        show_error(request, exc)
    return back


# --- 下单 / 吹哨 --------------------------------------------------------------------------------


@login_required
def work_tasks(request):
    scope, denied = staff_only(request)
    if denied:
        return denied
    qs = task_selectors.tasks_for(request.user)
    status = request.GET.get("status") or ""
    if status in T.values:
        qs = qs.filter(status=status)
    return render(
        request,
        "orders/work_tasks.html",
        {"tab": "home", "rows": list(qs[:LIST_LIMIT]), "status": status, "statuses": T.choices},
    )


@login_required
@require_http_methods(["GET", "POST"])
def work_task_new(request):
    scope, denied = staff_only(request)
    if denied:
        return denied
    communities = list(communities_for(request.user).order_by("name")[:200])
    form = forms.TaskForm(request.POST or None, communities=communities)
    if request.method == "POST" and form.is_valid():
        data = dict(form.cleaned_data)
        community = form.chosen_community()
        lat, lng = data.pop("lat"), data.pop("lng")
        if lat is None or lng is None:
            lat, lng, data["coord_system"] = community.lat, community.lng, "wgs84"
        data.pop("community")
        try:
            task = task_services.task_create(actor=request.user, community=community, lat=lat, lng=lng, **data)
        except DomainError as exc:
            form_error_from(form, exc)
        else:
            warning = task_services.task_working_hours_warning(task)
            if warning:
                messages.warning(request, warning)
            messages.success(request, "任务已发布（吹哨）。")
            return redirect("orders:work_task", task_id=task.pk)
    return render(request, "orders/work_task_new.html", {"tab": "home", "form": form})


@login_required
def work_task(request, task_id: int):
    scope, denied = staff_only(request)
    if denied:
        return denied
    task = get_object_or_404(task_selectors.tasks_for(request.user), pk=task_id)
    active = task.status in Task.ACTIVE
    return render(
        request,
        "orders/work_task.html",
        {
            "tab": "home",
            "task": task,
            "acceptances": list(task_selectors.acceptances_of_task(task)),
            "suggestions": task_selectors.dispatch_suggestions(task, limit=20) if task.status in (T.OPEN,) else [],
            "requests": list(task.source_requests.all()) if hasattr(task, "source_requests") else [],
            "warning": task_services.task_working_hours_warning(task),
            "active": active,
            "open_escalation": esc_selectors.open_escalation_of_task(task),
            "map_url": amap_url(task.lat, task.lng, task.title),
        },
    )


@login_required
@require_POST
def work_task_action(request, task_id: int, action: str):
    scope, denied = staff_only(request)
    if denied:
        return denied
    task = get_object_or_404(task_selectors.tasks_for(request.user), pk=task_id)
    try:
        if action == "notify":
            n = request.POST.get("n") or "10"
            told = dispatch_services.task_notify_top(task=task, actor=request.user, n=int(n) if n.isdigit() else 0)
            messages.success(request, f"已通知 {len(told)} 名党员。")
        elif action == "cancel":
            cascades.task_cancel(task=task, actor=request.user, reason=request.POST.get("reason", ""))
            messages.success(request, "任务已取消。")
        elif action == "complete":
            cascades.task_complete(task=task, actor=request.user)
            messages.success(request, "任务已完成，相关点单已办结。")
        elif action == "escalate":
            cascades.task_escalate(task=task, actor=request.user, reason=request.POST.get("reason", ""))
            messages.success(request, "已上报街道联席会议，办理进展可在“联席会议”中查看。")
        else:
            raise Http404
    except DomainError as exc:
        show_error(request, exc)
    return redirect("orders:work_task", task_id=task.pk)
