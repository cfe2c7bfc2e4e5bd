"""The duty ledger's H5 pages: a member's hours (with every correction) and location consent,
the community's list of hours to confirm and of recently confirmed ones to correct. Thin: reads
through the selectors (which scope what a user may see — anything else is a 404), writes
through the services, a service's ``DomainError`` shown as a message.
"""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.views.decorators.http import require_POST

from core.errors import DomainError
from core.pages import LIST_LIMIT, safe_next
from grids.views.common import member_or_none, require_member, staff_only
from reporting import selectors
from reporting.models import ServiceRecord
from reporting.services import consent as consent_services
from reporting.services import records as record_services
from reporting.services.reminders import quarter_last_day
from reporting.worktime import quarter_of

# --- the member's side ----------------------------------------------------------------------


@login_required
@require_POST
def consent_agree(request):
    member = require_member(request)
    consent_services.location_consent_grant(member=member)
    messages.success(request, "已同意定位签到。")
    return redirect(safe_next(request, "/my/tasks/"))


@login_required
@require_POST
def consent_withdraw(request):
    member = require_member(request)
    consent_services.location_consent_revoke(member=member)
    messages.success(request, "已撤回定位签到同意。")
    return redirect("reporting:my_hours")


@login_required
def my_hours(request):
    member = member_or_none(request.user)
    context = {"tab": "me", "member": member}
    if member is not None:
        year = timezone.localdate().year
        context.update(
            year=year,
            quota=selectors.quota_year(member, year),
            consented=selectors.has_location_consent(member),
            records=selectors.with_counted_notes(
                selectors.with_history(selectors.records_of(member))
                .filter(started_at__year=year)
                .order_by("-started_at")
            ),
            counting_rule=selectors.COUNTING_RULE,
            visits=list(selectors.visits_of(member).filter(visited_on__year=year)),
        )
    return render(request, "reporting/my_hours.html", context)


# --- the community's side -------------------------------------------------------------------


@login_required
def work_hours(request):
    scope, denied = staff_only(request)
    if denied:
        return denied
    rows = selectors.with_counted_notes(
        selectors.records_for(request.user, status=ServiceRecord.Status.PENDING).order_by("started_at", "pk")[
            :LIST_LIMIT
        ]
    )
    confirmed = selectors.with_counted_notes(selectors.recently_confirmed_for(request.user)[:LIST_LIMIT])
    context = {"tab": "home", "rows": rows, "confirmed": confirmed, "counting_rule": selectors.COUNTING_RULE}
    return render(request, "reporting/work_hours.html", context)


@login_required
def work_unreported(request):
    """本季度未报到: the members in the user's scope with no report-for-duty visit this quarter,
    with their hours toward the year's quota; where a quarter list (reporting.services.reminders) leads."""
    scope, denied = staff_only(request)
    if denied:
        return denied
    today = timezone.localdate()
    quarter = quarter_of(today)
    qs = selectors.unreported_for(request.user, quarter)
    rows = list(qs[:LIST_LIMIT])
    for m in rows:
        m.counted_hours = round(m.counted_minutes / 60, 1)
    total = len(rows) if len(rows) < LIST_LIMIT else qs.count()
    end = quarter_last_day(quarter)
    return render(
        request,
        "reporting/work_unreported.html",
        {"tab": "home", "rows": rows, "total": total, "quarter": quarter, "quarter_end": end, "limit": LIST_LIMIT},
    )


@login_required
@require_POST
def work_hours_action(request, record_id: int, action: str):
    scope, denied = staff_only(request)
    if denied:
        return denied
    record = get_object_or_404(selectors.records_for(request.user), pk=record_id)
    try:
        if action == "confirm":
            raw = (request.POST.get("minutes") or "").strip()
            minutes = int(raw) if raw.isdigit() else None
            if raw and minutes is None:
                messages.error(request, "时长须为分钟数（整数）。")
                return redirect("reporting:work_hours")
            record_services.service_record_confirm(
                record=record,
                actor=request.user,
                minutes=minutes,
                reason=request.POST.get("reason", ""),
            )
            messages.success(request, f"已确认{record.member.user.name}的服务时长。")
        elif action == "correct":
            raw = (request.POST.get("minutes") or "").strip()
            if not raw.isdigit():
                messages.error(request, "请填写更正后的时长（分钟数，整数）。")
                return redirect("reporting:work_hours")
            record_services.service_record_correct(
                record=record, actor=request.user, minutes=int(raw), reason=request.POST.get("reason", "")
            )
            messages.success(request, f"已更正{record.member.user.name}的服务时长。")
        elif action == "reject":
            record_services.service_record_reject(
                record=record, actor=request.user, reason=request.POST.get("reason", "")
            )
            messages.success(request, "已标记为不予认定。")
        else:
            raise Http404
    except DomainError as exc:
        messages.error(request, exc.message)
    return redirect("reporting:work_hours")
