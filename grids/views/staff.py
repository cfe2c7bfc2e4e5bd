"""The secretaries' grid browser: communities, grids, their members and placing registrations."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_POST

from accounts.phone import mask_phone
from core.errors import DomainError
from grids.forms import DeclineForm, PlaceForm, grid_label
from grids.models import Grid, Registration
from grids.selectors.browser import (
    buildings_with_counts,
    communities_with_counts,
    community_secretary,
    grids_of_community,
    level2_grids_with_counts,
    members_in_grid,
    registrations_to_place,
    teams_of_grid,
)
from grids.selectors.registration import registrations_for
from grids.selectors.scope import communities_for, grids_for
from grids.services import registration as registration_services
from grids.views.common import staff_only


@login_required
def browser(request):
    """Communities in the user's scope; a secretary of one community goes straight to it."""
    scope, denied = staff_only(request)
    if denied:
        return denied
    rows = list(communities_with_counts(request.user))
    if len(rows) == 1 and not (scope.city or scope.district_ids or scope.street_ids):
        return redirect("grids:community", community_id=rows[0].pk)
    return render(request, "grids/browser.html", {"communities": rows, "tab": "home"})


@login_required
def community_detail(request, community_id: int):
    """A community's level-2 grids with counts, and the registrations waiting to be placed."""
    scope, denied = staff_only(request)
    if denied:
        return denied
    community = get_object_or_404(communities_for(request.user), pk=community_id)
    grids = list(level2_grids_with_counts(request.user, community))
    can_place = scope.covers_community(community)
    pending, place_grids = [], []
    if can_place:
        pending = list(registrations_to_place(request.user, community))
        place_grids = list(grids_of_community(community.pk))
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
            "secretary": community_secretary(community),
            "tab": "home",
        },
    )


@login_required
def grid_detail(request, grid_id: int):
    """A grid's buildings and members."""
    scope, denied = staff_only(request)
    if denied:
        return denied
    grid = get_object_or_404(grids_for(request.user).select_related("community__street"), pk=grid_id)
    buildings = list(buildings_with_counts(grid)) if grid.level == Grid.Level.SECOND else []
    members = list(members_in_grid(request.user, grid))
    whole_phone = scope.covers_community(grid.community)
    for m in members:
        m.phone_shown = m.user.phone if whole_phone else mask_phone(m.user.phone)
    teams = list(teams_of_grid(grid))
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
    scope, denied = staff_only(request)
    if denied:
        return denied
    reg = _registration_for_staff(request, registration_id)
    community_id = reg.community_id
    grids = list(grids_of_community(community_id))
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
    scope, denied = staff_only(request)
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
