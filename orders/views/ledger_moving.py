"""The duty ledger's pages (my hours, the staff's hours list with its confirm/reject actions,
location consent and its revocation), as they were in ``orders.views``; they belong to
``reporting``, which owns their data."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.views.decorators.http import require_POST

from core.errors import DomainError
from orders.views.shared import LIST_LIMIT, member_or_none, require_member, show_error, staff_only
from reporting import selectors as rep_selectors
from reporting import services as rep_services
from reporting.models import ServiceRecord, Visit


def _next(request, default: str) -> str:
    nxt = request.POST.get("next") or ""
    return nxt if nxt.startswith("/") and not nxt.startswith("//") else default


@login_required
@require_POST
def location_consent(request):
    member = require_member(request)
    rep_services.location_consent_grant(member=member)
    messages.success(request, "已同意定位签到。")
    return redirect(_next(request, "/my/tasks/"))


@login_required
@require_POST
def location_consent_revoke(request):
    member = require_member(request)
    rep_services.location_consent_revoke(member=member)
    messages.success(request, "已撤回定位签到同意。")
    return redirect("orders:my_hours")


@login_required
def my_hours(request):
    member = member_or_none(request.user)
    context = {"tab": "me", "member": member}
    if member is not None:
        year = timezone.localdate().year
        context.update(
            year=year,
            progress=rep_selectors.quota_progress(member, year),
            consented=rep_services.has_location_consent(member),
            records=list(rep_selectors.records_of(member).filter(started_at__year=year).order_by("-started_at")),
            visits=list(
                Visit.objects.filter(member=member, visited_on__year=year)
                .select_related("community")
                .order_by("-visited_at")
            ),
        )
    return render(request, "orders/my_hours.html", context)


@login_required
def work_hours(request):
    scope, denied = staff_only(request)
    if denied:
        return denied
    rows = list(
        rep_selectors.records_for(request.user, status=ServiceRecord.Status.PENDING).order_by("started_at", "pk")[
            :LIST_LIMIT
        ]
    )
    return render(request, "orders/work_hours.html", {"tab": "home", "rows": rows})


@login_required
@require_POST
def work_hours_action(request, record_id: int, action: str):
    scope, denied = staff_only(request)
    if denied:
        return denied
    record = get_object_or_404(rep_selectors.records_for(request.user), pk=record_id)
    try:
        if action == "confirm":
            raw = (request.POST.get("minutes") or "").strip()
            minutes = int(raw) if raw.isdigit() else None
            if raw and minutes is None:
                messages.error(request, "时长须为分钟数（整数）。")
                return redirect("orders:work_hours")
            rep_services.service_record_confirm(
                record=record,
                actor=request.user,
                minutes=minutes,
                reason=request.POST.get("reason", ""),
            )
            messages.success(request, f"已确认{record.member.user.name}的服务时长。")
        elif action == "reject":
            rep_services.service_record_reject(record=record, actor=request.user, reason=request.POST.get("reason", ""))
            messages.success(request, "已标记为不予认定。")
        else:
            raise Http404
    except DomainError as exc:
        show_error(request, exc)
    return redirect("orders:work_hours")
