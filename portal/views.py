"""The H5 pages that gather several apps: 首页 and 我的.

Their templates link to every app's pages (点单 and 接单 in ``orders``, the boards and the
cockpit in ``rankings``, 报到 in ``grids``), which is why they live above all of them.
"""

from django.contrib.auth.decorators import login_required
from django.shortcuts import render

from accounts.phone import mask_phone
from grids.selectors.people import member_of, posts_of, team_memberships_of
from grids.selectors.registration import active_registration
from grids.selectors.scope import scope_for


def home(request):
    user = request.user
    context = {"tab": "home"}
    if user.is_authenticated:
        member = member_of(user)
        scope = scope_for(user)
        context.update(
            member=member,
            registration=active_registration(member) if member else None,
            teams=list(team_memberships_of(member)) if member and member.grid_id else [],
            has_scope=not scope.is_empty,
            # The cockpit is for street, district and city staff.
            sees_cockpit=user.is_superuser or bool(scope.city or scope.district_ids or scope.street_ids),
            posts=list(posts_of(user)),
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
            "member": member_of(user),
            "posts": list(posts_of(user)),
            "masked_phone": mask_phone(user.phone),
            "tab": "me",
        },
    )
