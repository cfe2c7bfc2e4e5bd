"""What the orders admins share: running a service for each selected row, the action form's text."""

from __future__ import annotations

from collections.abc import Callable

from django.contrib import admin, messages
from django.db.models import QuerySet

from core.errors import DomainError


def run_for_each(
    modeladmin: admin.ModelAdmin,
    request,
    queryset: QuerySet,
    call: Callable,
    *,
    done_message: str,
) -> int:
    """Call ``call(row)`` for every selected row; a refused row shows its Chinese message and is
    left as it was (each service runs in its own transaction). Returns how many succeeded."""
    done = 0
    for row in queryset:
        try:
            call(row)
        except DomainError as exc:
            modeladmin.message_user(request, f"“{row}”：{exc.message}", messages.ERROR)
        else:
            done += 1
    if done:
        modeladmin.message_user(request, done_message.format(n=done), messages.SUCCESS)
    return done


def action_text(request, name: str) -> str:
    """A text field of the action form (the bar above the list), stripped."""
    return request.POST.get(name, "").strip()
