"""What every app's H5 pages share: how long a list is, where ``next`` may send the browser, and
running one service call with its message."""

from __future__ import annotations

from collections.abc import Callable

from django.contrib import messages
from django.utils.http import url_has_allowed_host_and_scheme

from core.errors import DomainError

LIST_LIMIT = 100  # rows a list page shows; older ones are reached by filters, not pages


def safe_next(request, default: str) -> str:
    """The ``next`` the form or link carries, if it stays on this site; otherwise ``default``."""
    nxt = request.POST.get("next") or request.GET.get("next") or ""
    if nxt and url_has_allowed_host_and_scheme(
        nxt, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return nxt
    return default


def show_error(request, exc: DomainError) -> None:
    messages.error(request, exc.message)


def attempt(request, success: str, action: Callable, /, **kwargs) -> bool:
    """Run one service call for a page: its refusal becomes an error message, its success ``success``."""
    try:
        action(**kwargs)
    except DomainError as exc:
        show_error(request, exc)
        return False
    messages.success(request, success)
    return True
