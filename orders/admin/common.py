"""Pieces shared by the orders admins: read-only event inlines and running a service per row."""

from __future__ import annotations

from collections.abc import Callable

from django.contrib import admin, messages
from django.db.models import QuerySet

from core.errors import DomainError
from grids.admin.base import ParentScopedInlineMixin


class EventInline(ParentScopedInlineMixin, admin.TabularInline):
    """A status timeline: one row per change, written by the services, never edited here."""

    read_only = True
    extra = 0
    can_delete = False
    fields = ("created_at", "from_label", "to_label", "actor", "note")
    readonly_fields = fields
    ordering = ("created_at", "id")
    # The status labels of the parent's machine (value → Chinese label).
    labels: dict[str, str] = {}

    def get_queryset(self, request):
        return super().get_queryset(request).select_related("actor")

    @admin.display(description="原状态")
    def from_label(self, obj):
        return self.labels.get(obj.from_status, obj.from_status) or "—"

    @admin.display(description="新状态")
    def to_label(self, obj):
        return self.labels.get(obj.to_status, obj.to_status)


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
