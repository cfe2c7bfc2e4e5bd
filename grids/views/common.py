"""What the pages of every app share about the user: their member profile, their staff scope."""

from django.http import Http404
from django.shortcuts import render

from grids.models import Member
from grids.selectors.people import member_of
from grids.selectors.scope import Scope, scope_for


def staff_only(request) -> tuple[Scope | None, object]:
    """The user's staff scope, or ``(None, a 403 page)`` for those who hold no post."""
    scope = scope_for(request.user)
    if scope.is_empty:
        return None, render(request, "grids/no_scope.html", {"tab": "home"}, status=403)
    return scope, None


def member_or_none(user) -> Member | None:
    return member_of(user) if user.is_authenticated else None


def require_member(request) -> Member:
    """The signed-in user's member profile; pages for members are a 404 to anyone else."""
    member = member_or_none(request.user)
    if member is None:
        raise Http404
    return member
