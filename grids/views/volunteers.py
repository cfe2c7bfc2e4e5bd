"""A volunteer's own pages: joining as a member, the profile form and 报到 (self-selection)."""

from django.contrib import messages
from django.contrib.auth import get_user_model
from django.contrib.auth.decorators import login_required
from django.shortcuts import redirect, render
from django.views.decorators.http import require_http_methods, require_POST

from accounts.forms import form_error_from
from core.errors import DomainError
from grids.forms import MemberCreateForm, MemberProfileForm, RegistrationForm
from grids.models import Member
from grids.selectors.organisation import organisation_units
from grids.selectors.registration import (
    active_registration,
    communities_in_reach,
    member_anchor_points,
)
from grids.services import people as people_services
from grids.services import registration as registration_services
from grids.views.common import member_or_none

# 我的 is the portal's page, above grids: named by its H5 path, which never changes, not by URL name.
PROFILE_PATH = "/me/"


# --- 我的：志愿者资料 -------------------------------------------------------------------


@login_required
@require_http_methods(["GET", "POST"])
def member_join(request):
    if member_or_none(request.user) is not None:
        return redirect("grids:member_edit")
    units = organisation_units().order_by("name")
    form = MemberCreateForm(request.POST or None, units=units, initial={"name": request.user.name})
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            people_services.member_create(
                # The service locks the user's row through ``type(user).objects``; hand it the
                # model instance rather than the request's lazy wrapper.
                user=get_user_model().objects.get(pk=request.user.pk),
                kind=data["kind"],
                unit=data["unit"] if data["kind"] == Member.Kind.IN_SERVICE else None,
                name=data["name"],
                skills=data["skills"],
                home_address=data["home_address"],
                **form.location(),
            )
        except DomainError as exc:
            form_error_from(form, _location_field(exc))
        else:
            messages.success(request, "已登记为志愿者。下一步：选择社区报到。")
            return redirect("grids:registration")
    return render(request, "grids/member_form.html", {"form": form, "creating": True, "tab": "me"})


@login_required
@require_http_methods(["GET", "POST"])
def member_edit(request):
    member = member_or_none(request.user)
    if member is None:
        return redirect("grids:member_create")
    initial = {"name": request.user.name, "skills": member.skills, "home_address": member.home_address}
    form = MemberProfileForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            people_services.member_profile_update(
                member=member,
                name=data["name"],
                skills=data["skills"],
                home_address=data["home_address"],
                **form.location(),
            )
        except DomainError as exc:
            form_error_from(form, _location_field(exc))
        else:
            messages.success(request, "资料已保存。")
            return redirect(PROFILE_PATH)
    return render(request, "grids/member_form.html", {"form": form, "member": member, "creating": False, "tab": "me"})


def _location_field(exc: DomainError) -> DomainError:
    """The services name location errors ``lat``/``home_lat``; the form shows them by the button."""
    if exc.field in ("home_lat", "home_lng", "lng", "coord_system"):
        exc.field = "lat"
    return exc


# --- 报到 ------------------------------------------------------------------------------


@login_required
@require_http_methods(["GET", "POST"])
def registration(request):
    member = member_or_none(request.user)
    context = {"member": member, "tab": "me"}
    if member is None:
        return render(request, "grids/registration.html", context)
    active = active_registration(member)
    context["registration"] = active
    if active is not None:
        if request.method == "POST":
            messages.warning(request, "您已有进行中的报到，请先撤回后再重新选择。")
            return redirect("grids:registration")
        return render(request, "grids/registration.html", context)

    has_anchor = bool(member_anchor_points(member)) or (member.unit_id is not None and member.unit.pairings.exists())
    communities = communities_in_reach(member) if has_anchor else []
    for c in communities:
        c.distance_km = c.distance_m / 1000 if c.distance_m is not None else None
    form = RegistrationForm(request.POST or None, communities=communities)
    if request.method == "POST" and has_anchor and form.is_valid():
        try:
            registration_services.registration_create(
                member=member, community_ids=form.community_ids(), actor=request.user
            )
        except DomainError as exc:
            form_error_from(form, exc)
        else:
            messages.success(request, "报到申请已提交，等待社区编入网格。")
            return redirect("grids:registration")
    context.update(form=form, communities=communities, has_anchor=has_anchor)
    return render(request, "grids/registration.html", context)


@login_required
@require_POST
def registration_withdraw_view(request):
    member = member_or_none(request.user)
    active = active_registration(member) if member else None
    if active is None:
        messages.warning(request, "没有进行中的报到。")
        return redirect("grids:registration")
    try:
        registration_services.registration_withdraw(registration=active, actor=request.user)
    except DomainError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, "已撤回报到。")
    return redirect("grids:registration")
