"""The H5 pages that gather several apps: 首页 and 我的.

Their templates link to every app's pages (点单 and 接单 in ``orders``, the boards and the
cockpit in ``rankings``, 报到 in ``grids``), which is why they live above all of them.
"""

from django.contrib.auth.decorators import login_required
from django.shortcuts import render

from accounts.phone import mask_phone
from grids import selectors as grid_selectors
from portal.selectors import team_memberships_of


def home(request):
    user = request.user
    context = {"tab": "home"}
    if user.is_authenticated:
        member = grid_selectors.member_of(user)
        scope = grid_selectors.scope_for(user)
        context.update(
            member=member,
            registration=grid_selectors.active_registration(member) if member else None,
            teams=list(team_memberships_of(member)) if member and member.grid_id else [],
            has_scope=not scope.is_empty,
            # The cockpit is for street, district and city staff.
            sees_cockpit=user.is_superuser or bool(scope.city or scope.district_ids or scope.street_ids),
            posts=list(grid_selectors.posts_of(user)),
        )
    return render(request, "portal/home.html", context)


@login_required
def profile(request):
    """ "我的": the account, its posts and, when there is one, the volunteer profile."""
    user = request.user
    return render(
        request,
        "portal/profile.html",
        {
            "member": grid_selectors.member_of(user),
            "posts": list(grid_selectors.posts_of(user)),
            "masked_phone": mask_phone(user.phone),
            "tab": "me",
        },
    )
