"""Admins whose every write goes through a service.

A form validates what the user typed; the service then writes the row (computing what is
computed, e.g. pinyin initials) and the admin adopts the saved values, so the change page,
its log entry and its inlines see the row as it is stored. Deleting — one row or the
"delete selected" action — goes through the service too.

The form has already checked the model's constraints, so a service rarely refuses a save;
when it does (a cross-row rule only the database knows) nothing is written and the form comes
back with the service's message (``core.admin``). A refused delete in "delete selected" is
reported per row.
"""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.db import models

from core.admin import ServiceRefused, ServiceSaveMixin, adopt
from core.errors import DomainError
from grids.admin.base import ScopedAdminMixin


def form_fields(form, model: type[models.Model], *, changed_only: bool) -> dict[str, Any]:
    """The model fields the form edits (only those the user changed, for an update)."""
    names = {f.name for f in model._meta.concrete_fields}
    wanted = form.changed_data if changed_only else form.cleaned_data
    return {name: form.cleaned_data[name] for name in wanted if name in names and name in form.cleaned_data}


class ServiceAdminMixin(ServiceSaveMixin, ScopedAdminMixin):
    """``service_create(request, fields)``, ``service_update(request, obj, changes)`` and
    ``service_delete(request, obj)``
    name the services; ``save_model``, ``delete_model`` and ``delete_queryset`` call them."""

    def service_create(self, request, fields: dict[str, Any]) -> models.Model:
        raise NotImplementedError

    def service_update(self, request, obj, changes: dict[str, Any]) -> models.Model:
        raise NotImplementedError

    def service_delete(self, request, obj) -> None:
        raise NotImplementedError

    def save_model(self, request, obj, form, change):
        fields = form_fields(form, self.model, changed_only=change)
        try:
            if change:
                saved = self.service_update(request, obj, fields) if fields else obj
            else:
                saved = self.service_create(request, fields)
        except DomainError as exc:
            raise ServiceRefused(exc) from exc
        adopt(obj, saved)
        self.check_saved_in_scope(request, obj)

    def delete_model(self, request, obj):
        self.service_delete(request, obj)

    def delete_queryset(self, request, queryset):
        for obj in queryset:
            try:
                self.service_delete(request, obj)
            except DomainError as exc:
                self.message_user(request, f"{obj}：{exc.message}", messages.ERROR)
