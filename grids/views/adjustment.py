"""调剂 pages for district and city officers: run a round, read its proposal, accept some or all."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils import timezone
from django.views.decorators.http import require_POST

from core.errors import DomainError
from grids.models import District
from grids.selectors.adjustment import adjustment_moves, adjustment_round_get, adjustment_rounds_for, can_adjust
from grids.selectors.scope import districts_for
from grids.services import adjustment as services
from grids.tasks import TIME_LIMIT
from grids.views.common import staff_only

MOVES_PER_PAGE = 100
POLL_MS = 2000


def _adjuster_or_403(request):
    scope, denied = staff_only(request)
    if denied:
        return None, denied
    if not (scope.city or scope.district_ids):
        return None, render(request, "grids/adjustment_denied.html", {"tab": "home"}, status=403)
    return scope, None


def _round_or_404(request, round_id: int):
    try:
        return adjustment_round_get(round_id=round_id, actor=request.user)
    except DomainError:
        raise Http404("调剂方案不存在。") from None


@login_required
def adjustment_list(request):
    scope, denied = _adjuster_or_403(request)
    if denied:
        return denied
    districts = [d for d in districts_for(request.user) if can_adjust(scope, d)]
    rounds = list(adjustment_rounds_for(request.user)[:50])
    return render(
        request,
        "grids/adjustments.html",
        {"rounds": rounds, "districts": districts, "city": scope.city, "tab": "home"},
    )


@login_required
@require_POST
def adjustment_run_view(request):
    scope, denied = _adjuster_or_403(request)
    if denied:
        return denied
    raw = request.POST.get("district", "")
    district = None
    if raw:
        district = District.objects.filter(pk=int(raw) if raw.isdigit() else 0).first()
        if district is None:
            messages.error(request, "所选区/县不存在。")
            return redirect("grids:adjustments")
    try:
        round_ = services.adjustment_run(actor=request.user, district=district)
    except DomainError as exc:
        messages.error(request, exc.message)
        return redirect("grids:adjustments")
    messages.success(request, f"已发起{round_.scope_label}调剂，正在后台求解；方案生成后请审核确认。")
    return redirect("grids:adjustment", round_id=round_.pk)


STEPS = ("read", "build", "solve", "write")


def _progress(round_) -> dict:
    started = round_.solve_started_at or round_.created_at
    at = STEPS.index(round_.phase) if round_.phase in STEPS else -1
    labels = dict(round_.Phase.choices)
    return {
        "round": round_,
        # (label, "done" | "now" | "") for the four phases of a solve
        "steps": [(labels[p], "done" if i < at else "now" if i == at else "") for i, p in enumerate(STEPS)],
        "solving": round_.status == round_.Status.SOLVING,
        "elapsed": max(0, int((timezone.now() - started).total_seconds())),
        # Past the job's hard limit the round is surely lost (worker gone): say it may be cancelled.
        "overdue": (timezone.now() - round_.created_at).total_seconds() > TIME_LIMIT + 60,
        "poll_ms": POLL_MS,
    }


@login_required
def adjustment_progress(request, round_id: int):
    """The solving round's progress, the fragment the page asks for every two seconds."""
    scope, denied = _adjuster_or_403(request)
    if denied:
        return denied
    round_ = _round_or_404(request, round_id)
    return render(request, "grids/_adjustment_progress.html", _progress(round_))


@login_required
def adjustment_detail(request, round_id: int):
    scope, denied = _adjuster_or_403(request)
    if denied:
        return denied
    round_ = _round_or_404(request, round_id)
    if round_.status in (round_.Status.SOLVING, round_.Status.FAILED):
        return render(
            request,
            "grids/adjustment.html",
            {
                **_progress(round_),
                "is_open": False,
                "can_cancel": round_.status == round_.Status.SOLVING,
                "tab": "home",
            },
        )
    moves = adjustment_moves(round_).order_by("pk")
    page = Paginator(moves, MOVES_PER_PAGE).get_page(request.GET.get("page"))
    names = dict((c["id"], c["name"]) for c in round_.communities)
    for move in page:
        move.options = [(cid, names.get(cid, str(cid))) for cid in move.candidates]
    changed = [c for c in round_.communities if c["before"] != c["after"]]
    return render(
        request,
        "grids/adjustment.html",
        {
            "round": round_,
            "page": page,
            "communities": round_.communities,
            "changed_count": len(changed),
            "is_open": round_.status == round_.Status.OPEN,
            "can_cancel": round_.status == round_.Status.OPEN,
            "tab": "home",
        },
    )


@login_required
@require_POST
def adjustment_accept_view(request, round_id: int):
    scope, denied = _adjuster_or_403(request)
    if denied:
        return denied
    round_ = _round_or_404(request, round_id)
    selections = None
    if request.POST.get("scope") != "all":
        selections = []
        for raw in request.POST.getlist("move"):
            if not raw.isdigit():
                continue
            edit = request.POST.get(f"community_{raw}", "")
            selections.append((int(raw), int(edit) if edit.isdigit() else None))
    try:
        round_ = services.adjustment_accept(round_=round_, actor=request.user, selections=selections)
    except DomainError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, f"已确认 {round_.accepted_count} 项调整，已通知相关党员。")
    return redirect("grids:adjustment", round_id=round_id)


@login_required
@require_POST
def adjustment_cancel_view(request, round_id: int):
    scope, denied = _adjuster_or_403(request)
    if denied:
        return denied
    round_ = _round_or_404(request, round_id)
    try:
        services.adjustment_cancel(round_=round_, actor=request.user)
    except DomainError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, "已取消该调剂方案，未做任何调整。")
    return redirect("grids:adjustments")
