"""What the staff pages of every app share."""

from django.shortcuts import render

from grids.selectors.scope import Scope, scope_for


def staff_only(request) -> tuple[Scope | None, object]:
    """The user's staff scope, or ``(None, a 403 page)`` for those who hold no post."""
    scope = scope_for(request.user)
    if scope.is_empty:
        return None, render(request, "grids/no_scope.html", {"tab": "home"}, status=403)
    return scope, None
