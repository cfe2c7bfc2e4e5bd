"""The H5 pages of the organisation: volunteer profile, 报到 and the secretaries' grid
browser (首页 and 我的 are ``portal.views``; the 点单 and 接单 tabs are ``orders.views``). Views
read through ``grids.selectors``, write through ``grids.services`` and show a service's
``DomainError`` as a form error, in Chinese.
"""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth import get_user_model
from django.contrib.auth.decorators import login_required
from django.db.models import Count, F, Func, IntegerField, OuterRef, Q, Subquery, Value
from django.db.models.functions import Coalesce
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_http_methods, require_POST

from accounts.forms import form_error_from
from accounts.phone import mask_phone
from core.errors import DomainError
from grids.forms import DeclineForm, MemberCreateForm, MemberProfileForm, PlaceForm, RegistrationForm, grid_label
from grids.models import Community, Grid, Member, Post, Registration
from grids.selectors.organisation import organisation_units
from grids.selectors.people import member_of
from grids.selectors.registration import (
    active_registration,
    communities_in_reach,
    member_anchor_points,
    registrations_for,
)
from grids.selectors.scope import communities_for, grids_for, members_for, scope_for
from grids.services import people as people_services
from grids.services import registration as registration_services

# 我的 is the portal's page, above grids: named by its H5 path, which never changes, not by URL name.
PROFILE_PATH = "/me/"


def _member_or_none(user) -> Member | None:
    return member_of(user)


def _community_secretary(community: Community) -> Post | None:
    return Post.objects.select_related("user").filter(community=community, role=Post.Role.SECRETARY).first()


# --- 我的：志愿者资料 -------------------------------------------------------------------


@login_required
@require_http_methods(["GET", "POST"])
def member_join(request):
    if _member_or_none(request.user) is not None:
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
    member = _member_or_none(request.user)
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
    member = _member_or_none(request.user)
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
    member = _member_or_none(request.user)
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


# --- 网格管理（书记） --------------------------------------------------------------------


def _require_scope(request):
    scope = scope_for(request.user)
    if scope.is_empty:
        return None, render(request, "grids/no_scope.html", {"tab": "home"}, status=403)
    return scope, None


def _count_rows(qs):
    """A correlated ``(SELECT COUNT(*) …)`` for annotating a list, so counts cost no query per row."""
    sub = qs.order_by().annotate(n=Func(F("pk"), function="COUNT")).values("n")
    return Coalesce(Subquery(sub, output_field=IntegerField()), Value(0))


@login_required
def browser(request):
    """Communities in the user's scope; a secretary of one community goes straight to it."""
    scope, denied = _require_scope(request)
    if denied:
        return denied
    communities = (
        communities_for(request.user)
        .annotate(
            grid_count=_count_rows(Grid.objects.filter(community_id=OuterRef("pk"), level=2)),
            member_count=_count_rows(Member.objects.filter(community_id=OuterRef("pk"))),
            pending_count=_count_rows(
                Registration.objects.filter(community_id=OuterRef("pk"), status=Registration.Status.PENDING)
            ),
        )
        .order_by("street__district__code", "street__name", "name")
    )
    rows = list(communities)
    if len(rows) == 1 and not (scope.city or scope.district_ids or scope.street_ids):
        return redirect("grids:community", community_id=rows[0].pk)
    return render(request, "grids/browser.html", {"communities": rows, "tab": "home"})


@login_required
def community_detail(request, community_id: int):
    """A community's level-2 grids with counts, and the registrations waiting to be placed."""
    scope, denied = _require_scope(request)
    if denied:
        return denied
    community = get_object_or_404(communities_for(request.user), pk=community_id)
    grids = list(
        grids_for(request.user)
        .filter(community=community, level=Grid.Level.SECOND)
        .annotate(
            building_count=_count_rows(Grid.objects.filter(parent_id=OuterRef("pk"))),
            member_count=_count_rows(
                Member.objects.filter(Q(grid_id=OuterRef("pk")) | Q(grid__parent_id=OuterRef("pk")))
            ),
        )
        .order_by("name")
    )
    can_place = scope.covers_community(community)
    pending, place_grids = [], []
    if can_place:
        pending = list(
            registrations_for(request.user)
            .filter(community=community, status=Registration.Status.PENDING)
            .order_by("created_at")
        )
        place_grids = list(
            Grid.objects.filter(community=community).select_related("parent").order_by("parent__name", "level", "name")
        )
    grid_options = [(g.pk, grid_label(g)) for g in place_grids]
    return render(
        request,
        "grids/community.html",
        {
            "community": community,
            "grids": grids,
            "pending": pending,
            "grid_options": grid_options,
            "can_place": can_place,
            "secretary": _community_secretary(community),
            "tab": "home",
        },
    )


@login_required
def grid_detail(request, grid_id: int):
    """A grid's buildings and members."""
    scope, denied = _require_scope(request)
    if denied:
        return denied
    grid = get_object_or_404(grids_for(request.user).select_related("community__street"), pk=grid_id)
    buildings = []
    if grid.level == Grid.Level.SECOND:
        buildings = list(
            Grid.objects.filter(parent=grid)
            .annotate(member_count=_count_rows(Member.objects.filter(grid_id=OuterRef("pk"))))
            .order_by("name")
        )
        in_grid = Q(grid=grid) | Q(grid__parent=grid)
    else:
        in_grid = Q(grid=grid)
    members = list(members_for(request.user).filter(in_grid).select_related("grid").order_by("grid__name", "pk"))
    whole_phone = scope.covers_community(grid.community)
    for m in members:
        m.phone_shown = m.user.phone if whole_phone else mask_phone(m.user.phone)
    teams = list(grid.teams.annotate(size=Count("memberships")).order_by("name"))
    return render(
        request,
        "grids/grid.html",
        {"grid": grid, "buildings": buildings, "members": members, "teams": teams, "tab": "home"},
    )


def _registration_for_staff(request, registration_id: int) -> Registration:
    """The registration, if the user may act on it as staff; 404 otherwise (no hint that it exists)."""
    found = registrations_for(request.user).filter(pk=registration_id).first()
    if found is None:
        raise Http404("报到记录不存在。")
    return found


@login_required
@require_POST
def registration_place_view(request, registration_id: int):
    scope, denied = _require_scope(request)
    if denied:
        return denied
    reg = _registration_for_staff(request, registration_id)
    community_id = reg.community_id
    grids = list(Grid.objects.filter(community_id=community_id).select_related("parent"))
    form = PlaceForm(request.POST, grids=grids)
    if not form.is_valid():
        messages.error(request, form.errors["grid"][0])
    else:
        try:
            registration_services.registration_place(
                registration=reg, grid=form.cleaned_data["grid"], actor=request.user
            )
        except DomainError as exc:
            messages.error(request, exc.message)
        else:
            messages.success(
                request, f"已将{reg.member.user.name or '该党员'}编入{grid_label(form.cleaned_data['grid'])}。"
            )
    return redirect("grids:community", community_id=community_id)


@login_required
@require_POST
def registration_decline_view(request, registration_id: int):
    scope, denied = _require_scope(request)
    if denied:
        return denied
    reg = _registration_for_staff(request, registration_id)
    community_id = reg.community_id
    form = DeclineForm(request.POST)
    form.is_valid()
    try:
        registration_services.registration_decline(
            registration=reg, actor=request.user, reason=form.cleaned_data.get("reason", "")
        )
    except DomainError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(
            request, f"已婉拒{reg.member.user.name or '该党员'}的报到，系统将转给其下一志愿社区或由区里调剂。"
        )
    return redirect("grids:community", community_id=community_id)
