"""The admin's share of the machinery: change forms whose save is a service call, and the
machines' histories.

Every admin save goes through a service (it computes, locks and writes the event row). The form
validates what was typed; ``save_model`` calls the service and, when the service refuses, raises
``ServiceRefused``. The admin saves inside one transaction, so the refusal leaves nothing behind;
``ServiceSaveMixin`` then shows the form again with the service's message on its field instead of
a server error.
"""

from __future__ import annotations

from django.contrib import admin
from django.db import models

from core.errors import DomainError
from core.models import ExportJob


class ServiceRefused(Exception):
    """A service refused the save a change form asked for (raised from ``save_model``)."""

    def __init__(self, error: DomainError):
        super().__init__(error.message)
        self.error = error


class ServiceSaveMixin:
    """For ModelAdmins whose ``save_model`` raises ``ServiceRefused`` when the service says no."""

    def get_form(self, request, obj=None, change=False, **kwargs):
        form = super().get_form(request, obj, change=change, **kwargs)
        refusal: DomainError | None = getattr(request, "_service_refusal", None)
        if refusal is None:
            return form

        def clean(self):
            data = form.clean(self)
            self.add_error(refusal.field if refusal.field in self.fields else None, refusal.message)
            return data

        return type(form.__name__, (form,), {"clean": clean})

    def changeform_view(self, request, object_id=None, form_url="", extra_context=None):
        try:
            return super().changeform_view(request, object_id, form_url, extra_context)
        except ServiceRefused as refused:
            request._service_refusal = refused.error
            return super().changeform_view(request, object_id, form_url, extra_context)


def adopt(obj: models.Model, saved: models.Model) -> None:
    """Make the admin's instance the row the service stored (its id and the values it computed),
    so the history entry, the redirect and the inlines see the row as it is."""
    for field in obj._meta.concrete_fields:
        setattr(obj, field.attname, getattr(saved, field.attname))
    obj._state.adding = False
    obj._state.db = saved._state.db


class TransitionEventInline(admin.TabularInline):
    """A state machine's history on its row's page: one row per change, written by the services
    through ``core.transitions``, never edited here. Statuses are labelled from the parent's
    ``Status`` choices, kinds from the event model's ``KIND_LABELS``."""

    extra = 0
    can_delete = False
    fields = ("created_at", "kind_label", "from_label", "to_label", "actor", "note")
    readonly_fields = fields
    ordering = ("created_at", "id")

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False

    def get_queryset(self, request):
        return super().get_queryset(request).select_related("actor")

    @admin.display(description="事件")
    def kind_label(self, obj):
        return obj.kind_label or "—"

    @admin.display(description="原状态")
    def from_label(self, obj):
        return self._status_labels.get(obj.from_status, obj.from_status) or "—"

    @admin.display(description="新状态")
    def to_label(self, obj):
        return self._status_labels.get(obj.to_status, obj.to_status)

    @property
    def _status_labels(self) -> dict[str, str]:
        return dict(self.parent_model.Status.choices)


@admin.register(ExportJob)
class ExportJobAdmin(admin.ModelAdmin):
    """The XLSX downloads of the last days, read only: they are made and settled by their jobs."""

    list_display = ("title", "user", "key", "status", "rows_done", "rows_total", "created_at", "finished_at")
    list_filter = ("status", ("user", admin.RelatedOnlyFieldListFilter), "key", "created_at")
    search_fields = ("title", "user__name", "user__phone")
    list_select_related = ("user",)
    date_hierarchy = "created_at"
    ordering = ("-created_at",)
    readonly_fields = [field.name for field in ExportJob._meta.fields]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False
