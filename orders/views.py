"""The H5 pages of the 三单 flow: 点单 (residents), 接单 (members), 派单/审核 (secretaries) and the
street's joint meeting. Views are thin: they read through the selectors (which scope what a
user may see — anything else is a 404), write through the services and show a service's
``DomainError`` as a Chinese message.
"""

from __future__ import annotations

import datetime as dt

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.db.models import Count
from django.http import Http404, JsonResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from accounts.forms import form_error_from
from core.errors import DomainError
from grids.geo import wgs84_to_gcj02
from grids.models import Member
from grids.selectors.organisation import communities_near
from grids.selectors.people import member_of
from grids.selectors.scope import communities_for, scope_for
from grids.vocab import Duty
from orders import forms
from orders.models import Acceptance, Escalation, EscalationEvent, ServiceRequest, Task
from orders.selectors import escalations as esc_selectors
from orders.selectors import requests as req_selectors
from orders.selectors import tasks as task_selectors
from orders.services import acceptances as acc_services
from orders.services import dispatch as dispatch_services
from orders.services import escalations as esc_services
from orders.services import request_closing
from orders.services import requests as req_services
from orders.services import tasks as task_services
from reporting import selectors as rep_selectors
from reporting import services as rep_services
from reporting.models import ServiceRecord, Visit

R = ServiceRequest.Status
T = Task.Status
A = Acceptance.Status

LIST_LIMIT = 100  # rows a list page shows; older ones are reached by filters, not pages

CONSENT_TEXT = (
    "为核实您到场服务，签到和签退时将获取您手机的当前位置（经纬度），仅用于判断是否在任务地点附近并计算服务时长。"
    "位置信息在社区服务台账中保存，180 天后只保留到约 1 公里的精度。您可以随时在“我的服务时长”页面撤回同意；"
    "不同意不影响您接单，但无法通过定位签到。"
)


def _member(user) -> Member | None:
    return member_of(user) if user.is_authenticated else None


def _float(value) -> float | None:
    try:
        return float(value) if value not in (None, "") else None
    except (TypeError, ValueError):
        return None


def _error(request, exc: DomainError) -> None:
    messages.error(request, exc.message)


def _attempt(request, success: str, action, /, **kwargs) -> bool:
    """Run one service call for a page: its refusal becomes an error message, its success ``success``."""
    try:
        action(**kwargs)
    except DomainError as exc:
        _error(request, exc)
        return False
    messages.success(request, success)
    return True


def _next(request, default: str) -> str:
    nxt = request.POST.get("next") or ""
    return nxt if nxt.startswith("/") and not nxt.startswith("//") else default


def _amap_url(lat: float, lng: float, name: str) -> str:
    """A marker in 高德地图 (web or app): Amap takes GCJ-02 coordinates, lng first."""
    glat, glng = wgs84_to_gcj02(lat, lng)
    from urllib.parse import quote

    return (
        f"https://uri.amap.com/marker?position={glng:.6f},{glat:.6f}&name={quote(name)}&src=shaoguan&coordinate=gaode"
    )


def _staff_only(request):
    scope = scope_for(request.user)
    if scope.is_empty:
        return None, render(request, "grids/no_scope.html", {"tab": "home"}, status=403)
    return scope, None


def _waited(since: dt.datetime, now: dt.datetime) -> str:
    minutes = max(0, int((now - since).total_seconds() // 60))
    if minutes < 60:
        return f"{minutes} 分钟"
    if minutes < 24 * 60:
        return f"{minutes // 60} 小时"
    return f"{minutes // (24 * 60)} 天 {minutes % (24 * 60) // 60} 小时"


# --- 点单 (residents) ------------------------------------------------------------------------


@login_required
@require_http_methods(["GET", "POST"])
def order(request):
    """The order form; the community is proposed from the location and may be corrected."""
    lat, lng = (
        _float(request.POST.get("lat") or request.GET.get("lat")),
        _float(request.POST.get("lng") or request.GET.get("lng")),
    )
    communities = []
    if lat is not None and lng is not None:
        try:
            wlat, wlng = _to_wgs84(lat, lng, request.POST.get("coord_system") or "wgs84")
            communities = list(communities_near(wlat, wlng, limit=8))
        except DomainError:
            communities = []
    member = _member(request.user)
    if not communities and member is not None and member.community_id:
        communities = [member.community]
    form = forms.OrderForm(
        request.POST or None,
        request.FILES or None,
        communities=communities,
        initial={"contact_phone": request.user.phone, "duty": request.GET.get("duty") or ""},
    )
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        community = form.chosen_community()
        if community is None:
            community = req_selectors.nearest_community(data["lat"], data["lng"], data["coord_system"])
        if community is None:
            form.add_error(None, "您的位置附近没有找到社区，请确认位置在韶关市内。")
        else:
            try:
                created = req_services.request_create(
                    requester=request.user,
                    community=community,
                    duty=data["duty"],
                    title=data["title"],
                    description=data["description"],
                    address=data["address"],
                    lat=data["lat"],
                    lng=data["lng"],
                    coord_system=data["coord_system"],
                    preferred_time=data["preferred_time"],
                    contact_phone=data["contact_phone"],
                    photos=data["photos"],
                )
            except DomainError as exc:
                form_error_from(form, exc)
            else:
                messages.success(request, f"点单已提交，{community.name}将尽快审核。")
                return redirect("orders:my_request", request_id=created.pk)
    return render(request, "orders/order.html", {"tab": "order", "form": form, "duties": Duty.choices})


def _to_wgs84(lat: float, lng: float, coord_system: str) -> tuple[float, float]:
    from grids.geo import location_to_wgs84

    return location_to_wgs84(lat=lat, lng=lng, coord_system=coord_system or "wgs84")


@login_required
@require_GET
def order_nearby(request):
    """For the order form: the communities near a point and "是否是您的问题？" — open requests of
    the same duty nearby. JSON for the page's script."""
    lat, lng = _float(request.GET.get("lat")), _float(request.GET.get("lng"))
    coord = request.GET.get("coord_system") or "wgs84"
    duty = request.GET.get("duty") or ""
    if lat is None or lng is None:
        return JsonResponse({"error": "请提供位置。"}, status=400)
    try:
        wlat, wlng = _to_wgs84(lat, lng, coord)
    except DomainError as exc:
        return JsonResponse({"error": exc.message}, status=400)
    communities = [
        {"id": c.pk, "name": c.name, "distance_m": round(c.distance_m)} for c in communities_near(wlat, wlng, limit=8)
    ]
    same = []
    if duty in Duty.values:
        rows = req_selectors.nearby_open_requests(lat=wlat, lng=wlng, duty=duty)
        same = [
            {
                "id": r.pk,
                "title": r.title,
                "status": r.get_status_display(),
                "created": f"{timezone.localtime(r.created_at):%m月%d日}",
                "distance_m": round(r.distance_m),
                "mine": r.requester_id == request.user.pk,
            }
            for r in rows[:10]
        ]
    return JsonResponse({"communities": communities, "requests": same})


@login_required
@require_POST
def request_join(request, request_id: int):
    """ "是我的问题": follow an open request nearby rather than placing the same one again."""
    row = get_object_or_404(ServiceRequest, pk=request_id, status__in=ServiceRequest.OPEN)
    try:
        req_services.request_join(request=row, user=request.user)
    except DomainError as exc:
        _error(request, exc)
        return redirect("order")
    messages.success(request, "已关注该点单，办理进展会通知您。")
    return redirect("orders:my_request", request_id=row.pk)


@login_required
def my_requests(request):
    rows = list(req_selectors.requests_for_requester(request.user)[:LIST_LIMIT])
    return render(request, "orders/my_requests.html", {"tab": "me", "rows": rows})


@login_required
def my_request(request, request_id: int):
    row = get_object_or_404(
        req_selectors.requests_for_requester(request.user).select_related("merged_into", "feedback"), pk=request_id
    )
    served = []
    if row.task_id:
        served = list(
            Acceptance.objects.filter(task_id=row.task_id, status=A.COMPLETED)
            .select_related("member__user")
            .order_by("pk")
        )
    is_requester = row.requester_id == request.user.pk
    return render(
        request,
        "orders/my_request.html",
        {
            "tab": "me",
            "row": row,
            "events": _labelled(req_selectors.request_progress(row), R),
            "photos": list(row.photos.all()),
            "served": served,
            "is_requester": is_requester,
            # A follower ("是我的问题") sees the place only as far as the PIPL rule allows.
            "address": req_selectors.masked_address(row, request.user),
            "can_confirm": is_requester and row.status == R.RESOLVED,
            "can_rate": is_requester and row.status in (R.RESOLVED, R.CONFIRMED) and not _has_feedback(row),
            "can_reopen": is_requester and row.status in (R.RESOLVED, R.CONFIRMED),
            "scores": range(1, 6),
        },
    )


def _labelled(events, statuses) -> list:
    """Events with the Chinese name of the status they moved to (none for a plain note)."""
    names = dict(statuses.choices)
    street = dict(Escalation.Status.choices)
    rows = list(events)
    for e in rows:
        own = street if isinstance(e, EscalationEvent) else names
        e.label = own.get(e.to_status, "") if e.to_status != e.from_status else ""
    return rows


def _has_feedback(row: ServiceRequest) -> bool:
    try:
        return row.feedback is not None
    except ServiceRequest.feedback.RelatedObjectDoesNotExist:
        return False


def _own_request(request, request_id: int) -> ServiceRequest:
    return get_object_or_404(ServiceRequest, pk=request_id, requester=request.user)


@login_required
@require_POST
def request_confirm(request, request_id: int):
    row = _own_request(request, request_id)
    _attempt(
        request,
        "感谢确认！欢迎为服务的党员评价点赞。",
        request_closing.request_confirm,
        request=row,
        actor=request.user,
    )
    return redirect("orders:my_request", request_id=row.pk)


@login_required
@require_POST
def request_rate(request, request_id: int):
    row = _own_request(request, request_id)
    score = request.POST.get("score") or ""
    liked = [int(v) for v in request.POST.getlist("liked") if v.isdigit()]
    _attempt(
        request,
        "评价已提交，谢谢！",
        request_closing.request_rate,
        request=row,
        actor=request.user,
        score=int(score) if score.isdigit() else 0,
        comment=request.POST.get("comment", ""),
        liked_member_ids=liked,
    )
    return redirect("orders:my_request", request_id=row.pk)


@login_required
@require_POST
def request_reopen(request, request_id: int):
    row = _own_request(request, request_id)
    _attempt(
        request,
        "已重新提交，社区将再次处理。",
        request_closing.request_reopen,
        request=row,
        actor=request.user,
        reason=request.POST.get("reason", ""),
    )
    return redirect("orders:my_request", request_id=row.pk)


@login_required
def request_link(request, request_id: int):
    """The address in notifications: the requester's page, or the review page for staff."""
    if req_selectors.requests_for_requester(request.user).filter(pk=request_id).exists():
        return redirect("orders:my_request", request_id=request_id)
    if _staff_requests(request.user).filter(pk=request_id).exists():
        return redirect("orders:work_request", request_id=request_id)
    raise Http404


# --- 接单 (members) ---------------------------------------------------------------------------


def _parse_date(value: str | None) -> dt.date | None:
    try:
        return dt.date.fromisoformat(value) if value else None
    except ValueError:
        return None


def tasks(request):
    """接单 tab: the task hall, nearest and soonest first."""
    member = _member(request.user)
    context = {"tab": "tasks", "member": member, "duties": Duty.choices, "km_choices": ["1", "3", "5", "10"]}
    if member is None:
        return render(request, "orders/tasks.html", context)
    lat, lng = _float(request.GET.get("lat")), _float(request.GET.get("lng"))
    if lat is not None and lng is not None:
        try:
            lat, lng = _to_wgs84(lat, lng, request.GET.get("coord_system") or "wgs84")
        except DomainError as exc:
            messages.error(request, exc.message)
            lat = lng = None
    km = _float(request.GET.get("km"))
    duty = request.GET.get("duty") or None
    day = _parse_date(request.GET.get("date"))
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
        filters={"duty": duty or "", "date": request.GET.get("date", ""), "km": request.GET.get("km", "")},
        held=list(task_selectors.acceptances_for_member(member).filter(status__in=Acceptance.HOLDING)[:5]),
    )
    return render(request, "orders/tasks.html", context)


def _require_member(request) -> Member:
    member = _member(request.user)
    if member is None:
        raise Http404
    return member


@login_required
def task_detail(request, task_id: int):
    member = _require_member(request)
    mine = task_selectors.acceptances_for_member(member).filter(task_id=task_id).order_by("-accepted_at", "-pk").first()
    if mine is not None:
        task = mine.task
    else:
        task = get_object_or_404(task_selectors.tasks_visible_to_member(member), pk=task_id)
    holding = mine is not None and mine.status in Acceptance.HOLDING
    return render(
        request,
        "orders/task_detail.html",
        {
            "tab": "tasks",
            "task": task,
            "mine": mine,
            "holding": holding,
            "can_accept": not holding and task.status == T.OPEN and task.starts_at > timezone.now(),
            "map_url": _amap_url(task.lat, task.lng, task.title),
            "needs_consent": holding and mine.status == A.ACCEPTED and not rep_services.has_location_consent(member),
            "consent_text": CONSENT_TEXT,
            "warning": task_services.task_working_hours_warning(task),
        },
    )


@login_required
@require_POST
def task_accept(request, task_id: int):
    member = _require_member(request)
    task = get_object_or_404(task_selectors.tasks_visible_to_member(member), pk=task_id)
    _attempt(request, "接单成功！请按时到场，签到后开始计时。", task_services.task_accept, task=task, member=member)
    return redirect("orders:task", task_id=task.pk)


def _own_acceptance(request, acceptance_id: int) -> Acceptance:
    member = _require_member(request)
    return get_object_or_404(task_selectors.acceptances_for_member(member), pk=acceptance_id)


@login_required
@require_POST
def acceptance_withdraw(request, acceptance_id: int):
    acc = _own_acceptance(request, acceptance_id)
    _attempt(request, "已退出该任务。", acc_services.acceptance_withdraw, acceptance=acc, actor=request.user)
    return redirect("orders:task", task_id=acc.task_id)


@login_required
@require_POST
def acceptance_check_in(request, acceptance_id: int):
    acc = _own_acceptance(request, acceptance_id)
    lat, lng = _float(request.POST.get("lat")), _float(request.POST.get("lng"))
    if lat is None or lng is None:
        messages.error(request, "请先点击“签到”获取当前位置。")
        return redirect("orders:task", task_id=acc.task_id)
    _attempt(
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
def acceptance_check_out(request, acceptance_id: int):
    acc = _own_acceptance(request, acceptance_id)
    _attempt(
        request, "已签退，服务时长待社区确认。", acc_services.acceptance_check_out, acceptance=acc, actor=request.user
    )
    return redirect("orders:task", task_id=acc.task_id)


@login_required
@require_POST
def location_consent(request):
    member = _require_member(request)
    rep_services.location_consent_grant(member=member)
    messages.success(request, "已同意定位签到。")
    return redirect(_next(request, "/my/tasks/"))


@login_required
@require_POST
def location_consent_revoke(request):
    member = _require_member(request)
    rep_services.location_consent_revoke(member=member)
    messages.success(request, "已撤回定位签到同意。")
    return redirect("orders:my_hours")


@login_required
def my_tasks(request):
    member = _member(request.user)
    rows = list(task_selectors.acceptances_for_member(member)[:LIST_LIMIT]) if member else []
    return render(request, "orders/my_tasks.html", {"tab": "me", "member": member, "rows": rows})


@login_required
def my_hours(request):
    member = _member(request.user)
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


# --- 审核派单 (community staff) -----------------------------------------------------------------


def _staff_requests(user):
    scope = scope_for(user)
    if scope.is_empty:
        return ServiceRequest.objects.none()
    return ServiceRequest.objects.select_related("community__street", "grid", "requester", "task").filter(
        scope.q("community", "grid")
    )


@login_required
def work_requests(request):
    scope, denied = _staff_only(request)
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
    scope, denied = _staff_only(request)
    if denied:
        return denied
    row = get_object_or_404(_staff_requests(request.user), pk=request_id)
    open_tasks = list(
        Task.objects.filter(community_id=row.community_id, status__in=Task.ACTIVE).order_by("starts_at")[:50]
    )
    others = list(
        ServiceRequest.objects.filter(community_id=row.community_id, status__in=ServiceRequest.OPEN)
        .exclude(pk=row.pk)
        .order_by("-created_at")[:50]
    )
    return render(
        request,
        "orders/work_request.html",
        {
            "tab": "home",
            "row": row,
            "events": _labelled(req_selectors.request_timeline(row), R),
            "photos": list(row.photos.all()),
            "contact": req_selectors.masked_contact(row, request.user),
            "address": req_selectors.masked_address(row, request.user),
            "open_tasks": open_tasks,
            "others": others,
            "task_form": forms.TaskTimesForm(),
            "reviewable": row.status == R.SUBMITTED,
            "escalatable": row.status in (R.SUBMITTED, R.APPROVED),
        },
    )


@login_required
@require_POST
def work_request_action(request, request_id: int, action: str):
    scope, denied = _staff_only(request)
    if denied:
        return denied
    row = get_object_or_404(_staff_requests(request.user), pk=request_id)
    back = redirect("orders:work_request", request_id=row.pk)
    try:
        if action == "approve":
            task_id = request.POST.get("task") or ""
            if task_id:
                task = get_object_or_404(task_selectors.tasks_for(request.user), pk=task_id)
                req_services.request_approve(request=row, actor=request.user, task=task)
            else:
                form = forms.TaskTimesForm(request.POST)
                if not form.is_valid():
                    messages.error(request, form.first_error())
                    return back
                req_services.request_approve(request=row, actor=request.user, **form.cleaned_data)
            messages.success(request, "已受理并派单。")
        elif action == "reject":
            req_services.request_reject(request=row, actor=request.user, reason=request.POST.get("reason", ""))
            messages.success(request, "已退回，居民将看到理由。")
        elif action == "merge":
            into = get_object_or_404(_staff_requests(request.user), pk=request.POST.get("into") or 0)
            req_services.request_merge(request=row, into=into, actor=request.user)
            messages.success(request, "已合并办理。")
        elif action == "escalate":
            req_services.request_escalate(request=row, actor=request.user, reason=request.POST.get("reason", ""))
            messages.success(request, "已上报街道联席会议。")
        else:
            raise Http404
    except DomainError as exc:
        _error(request, exc)
    return back


@login_required
def work_tasks(request):
    scope, denied = _staff_only(request)
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
    scope, denied = _staff_only(request)
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
    scope, denied = _staff_only(request)
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
            "map_url": _amap_url(task.lat, task.lng, task.title),
        },
    )


@login_required
@require_POST
def work_task_action(request, task_id: int, action: str):
    scope, denied = _staff_only(request)
    if denied:
        return denied
    task = get_object_or_404(task_selectors.tasks_for(request.user), pk=task_id)
    try:
        if action == "notify":
            n = request.POST.get("n") or "10"
            told = dispatch_services.task_notify_top(task=task, actor=request.user, n=int(n) if n.isdigit() else 0)
            messages.success(request, f"已通知 {len(told)} 名党员。")
        elif action == "cancel":
            task_services.task_cancel(task=task, actor=request.user, reason=request.POST.get("reason", ""))
            messages.success(request, "任务已取消。")
        elif action == "complete":
            task_services.task_complete(task=task, actor=request.user)
            messages.success(request, "任务已完成，相关点单已办结。")
        elif action == "escalate":
            esc_services.task_escalate(task=task, actor=request.user, reason=request.POST.get("reason", ""))
            messages.success(request, "已上报街道联席会议，办理进展可在“联席会议”中查看。")
        else:
            raise Http404
    except DomainError as exc:
        _error(request, exc)
    return redirect("orders:work_task", task_id=task.pk)


@login_required
def work_hours(request):
    scope, denied = _staff_only(request)
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
    scope, denied = _staff_only(request)
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
        _error(request, exc)
    return redirect("orders:work_hours")


# --- 联席会议 (street staff) ----------------------------------------------------------------


@login_required
def work_escalations(request):
    scope, denied = _staff_only(request)
    if denied:
        return denied
    rows = list(esc_selectors.escalations_for(request.user)[:LIST_LIMIT])
    now = timezone.now()
    for e in rows:
        e.late = e.overdue or (e.status == Escalation.Status.ASSIGNED and e.deadline and e.deadline < now)
    return render(request, "orders/work_escalations.html", {"tab": "home", "rows": rows})


@login_required
def work_escalation(request, escalation_id: int):
    scope, denied = _staff_only(request)
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
            "events": _labelled(esc_selectors.escalation_timeline(esc), Escalation.Status),
            "can_handle": esc_services.can_handle(esc, request.user),
            "default_deadline": (timezone.localdate() + dt.timedelta(days=7)).isoformat(),
        },
    )


@login_required
@require_POST
def work_escalation_action(request, escalation_id: int, action: str):
    scope, denied = _staff_only(request)
    if denied:
        return denied
    esc = get_object_or_404(esc_selectors.escalations_for(request.user), pk=escalation_id)
    try:
        if action == "assign":
            ids = [int(v) for v in request.POST.getlist("departments") if v.isdigit()]
            day = _parse_date(request.POST.get("deadline"))
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
            esc_services.escalation_resolve(escalation=esc, actor=request.user, outcome=request.POST.get("outcome", ""))
            messages.success(request, "事项已办结，已通知居民。")
        else:
            raise Http404
    except DomainError as exc:
        _error(request, exc)
    return redirect("orders:work_escalation", escalation_id=esc.pk)


@login_required
def work_home(request):
    """工作台: the counts a secretary or street officer works from."""
    scope, denied = _staff_only(request)
    if denied:
        return denied
    counts = {
        "requests": req_selectors.pending_requests_for(request.user).count(),
        "records": rep_selectors.records_for(request.user, status=ServiceRecord.Status.PENDING).count(),
        "escalations": esc_selectors.escalations_for(request.user)
        .exclude(status=Escalation.Status.RESOLVED)
        .aggregate(n=Count("pk"))["n"],
    }
    return render(request, "orders/work_home.html", {"tab": "home", "counts": counts})
