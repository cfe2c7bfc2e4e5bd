"""The H5 pages that gather several apps: 首页 and 我的.

Their templates link to every app's pages (点单 and 接单 in ``orders``, the boards and the
cockpit in ``rankings``, 报到 in ``grids``), which is why they live above all of them.
"""

from django.conf import settings
from django.contrib.auth.decorators import login_required
from django.http import JsonResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_POST, require_safe

from accounts.device_tokens import device_token_revoke, device_tokens_revoke_all
from accounts.phone import mask_phone
from accounts.selectors import live_devices
from core import health
from core.pages import LIST_LIMIT, attempt
from grids.selectors.people import team_memberships_of
from grids.selectors.registration import active_registration
from portal.roles import MEMBER, SESSION_KEY, WORK, current_view, roles_for
from rankings.assessment.access import may_read_sheets
from rankings.selectors.stars import stars_of
from rankings.stars import rule_text
from reporting.selectors import quota_year


@never_cache
@require_safe
def healthz(request):
    """200 when the database, Redis and a worker answer, else 503 naming what is down (core.health).

    No sign-in, no session (``request.user`` is never read) and no writes: load balancers and
    Docker call it every few seconds."""
    result = health.report()
    status = 200 if result["status"] == health.OK else 503
    return JsonResponse(result, status=status, json_dumps_params={"ensure_ascii": False})


def home(request):
    """首页: each role's own work first, and only what applies to it.

    A resident is offered ordering (点单) and following their requests; a member their
    registration, the task hall, their tasks and hours; staff their workbench, named after
    their post's level. A unit's party secretary or organiser with no other role lands on the
    unit's workbench (``?personal=1`` shows them this page). Someone with two roles switches
    between the 党员 and the work view (``switch_view``)."""
    user = request.user
    context = {"tab": "home"}
    if user.is_authenticated:
        roles = roles_for(user)
        scope = roles.scope
        if scope.leads_units and scope.is_empty and roles.member is None and not request.GET.get("personal"):
            return redirect("units:mine")
        member = roles.member
        view = current_view(request.session, roles)
        context.update(
            roles=roles,
            view=view,
            member=member,
            registration=active_registration(member) if member and view == MEMBER else None,
            teams=list(team_memberships_of(member)) if member and member.grid_id and view == MEMBER else [],
            has_scope=not scope.is_empty,
            leads_units=scope.leads_units,
            workbench_title=scope.workbench_title,
            # The cockpit is for street, district and city staff.
            sees_cockpit=view == WORK
            and (user.is_superuser or bool(scope.city or scope.district_ids or scope.street_ids)),
            # Grids and buildings are imported by street, district and city staff.
            sees_imports=view == WORK and bool(scope.city or scope.district_ids or scope.street_ids),
            # 考核 for community staff and above (rankings.assessment.access).
            sees_assessment=view == WORK and may_read_sheets(user),
            posts=roles.posts,
        )
    return render(request, "portal/home.html", context)


@login_required
@require_POST
def switch_view(request):
    """The 党员 / work switch of a person with both roles; remembered for the session."""
    view = request.POST.get("view")
    if view in (MEMBER, WORK):
        request.session[SESSION_KEY] = view
    return redirect("portal:home")


@login_required
def profile(request):
    """ "我的": the account and what is the person's own — 消息 with its unread count, their
    requests (我的点单), and, for a member, the year against the rules (a ring for the hours,
    four quarter boxes), their stars and tasks; their posts; becoming a volunteer only for a
    resident (staff are offered no volunteering here: they have a post)."""
    user = request.user
    roles = roles_for(user)
    member = roles.member
    context = {
        "roles": roles,
        "member": member,
        "posts": roles.posts,
        "masked_phone": mask_phone(user.phone),
        "tab": "me",
    }
    if member:
        quota = quota_year(member)
        context.update(quota=quota, stars=stars_of(member, quota.year), star_rules=rule_text())
    return render(request, "portal/profile.html", context)


@login_required
def devices(request):
    """ "登录设备": the devices signed in to the API (the mini program, apps), one token each."""
    return render(
        request,
        "portal/devices.html",
        {
            "devices": list(live_devices(request.user)[:LIST_LIMIT]),
            "idle_days": settings.TOKEN_IDLE_DAYS,
            "max_days": settings.TOKEN_MAX_DAYS,
            "tab": "me",
        },
    )


@login_required
@require_POST
def device_revoke(request, pk: int):
    # Someone else's device, or one already signed out, is not found: nothing to tell apart.
    device = get_object_or_404(live_devices(request.user), pk=pk)
    attempt(request, f"已退出“{device.device_name}”。", device_token_revoke, user=request.user, token_id=device.pk)
    return redirect("portal:devices")


@login_required
@require_POST
def devices_revoke_all(request):
    attempt(request, "已退出全部设备。", device_tokens_revoke_all, user=request.user)
    return redirect("portal:devices")
