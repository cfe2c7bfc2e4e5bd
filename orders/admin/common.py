"""Pieces shared by the orders admins: read-only event inlines, running a service per row, and
change forms whose save calls a service."""

from __future__ import annotations

from collections.abc import Callable

from django import forms
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


class ServiceRefused(Exception):
    """A service refused the save a change form asked for (raised from ``save_model``)."""

    def __init__(self, error: DomainError):
        super().__init__(error.message)
        self.error = error


class ServiceForm(forms.ModelForm):
    """A change form whose save is a service call. Validating it writes nothing; when the service
    refuses the save, the page shows the form again with the service's message on its field."""

    refusal: DomainError | None = None  # set by ServiceSaveMixin for the second rendering

    def clean(self):
        data = super().clean()
        if self.refusal is not None:
            field = self.refusal.field if self.refusal.field in self.fields else None
            self.add_error(field, self.refusal.message)
        return data


class ServiceSaveMixin:
    """For admins whose ``save_model`` calls a service and raises ``ServiceRefused`` when it says no.

    The admin saves inside one transaction, so a refusal leaves nothing behind; the form is then
    validated again with the refusal attached, and shown with its error instead of a server error.
    """

    def get_form(self, request, obj=None, change=False, **kwargs):
        form = super().get_form(request, obj, change=change, **kwargs)
        refusal = getattr(request, "_service_refusal", None)
        if refusal is not None:
            form = type(form.__name__, (form,), {"refusal": refusal})
        return form

    def changeform_view(self, request, object_id=None, form_url="", extra_context=None):
        try:
            return super().changeform_view(request, object_id, form_url, extra_context)
        except ServiceRefused as refused:
            request._service_refusal = refused.error
            return super().changeform_view(request, object_id, form_url, extra_context)
