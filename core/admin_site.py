"""The admin site: every admin addition, change, deletion and action is a line in the audit trail.

``AuditedAdminSite`` is the project's default admin site (``core.admin_app.AdminConfig``). It wraps
every ``ModelAdmin`` registered with it in ``AuditedModelAdmin``, so no admin class — ours or a
contributed app's — can forget the trail. Django's own ``LogEntry`` rows are still written (the
admin's "recent actions"); the audit rows add what they lack: before → after values, the address
and device, and the actions run on a selection.
"""

from __future__ import annotations

import contextlib

from django.contrib import admin
from django.contrib.admin import helpers

from core import audit


def form_changes(form) -> dict[str, list]:
    """``{field: [before, after]}`` for the fields a change form changed."""
    before, after = {}, {}
    for name in form.changed_data:
        field = form.fields.get(name)
        initial = form.initial.get(name, field.initial if field is not None else None)
        if field is not None and hasattr(field, "to_python"):
            with contextlib.suppress(Exception):  # else the initial value as it was given
                initial = field.to_python(initial) if not isinstance(initial, list | tuple) else initial
        before[name], after[name] = initial, form.cleaned_data.get(name)
    return audit.diff(before, after)


class AuditedModelAdmin:
    """Mixed into every registered ModelAdmin by ``AuditedAdminSite.register``."""

    def construct_change_message(self, request, form, formsets, add=False):
        request._audit_changes = {} if add else form_changes(form)
        return super().construct_change_message(request, form, formsets, add)

    def log_addition(self, request, obj, message):
        entry = super().log_addition(request, obj, message)
        audit.record(
            audit.Action.ADMIN_ADDITION, obj=obj, actor=request.user, changes=audit.diff({}, audit.snapshot(obj))
        )
        return entry

    def log_change(self, request, obj, message):
        entry = super().log_change(request, obj, message)
        changes = getattr(request, "_audit_changes", None) or {}
        audit.record(audit.Action.ADMIN_CHANGE, obj=obj, actor=request.user, changes=changes)
        return entry

    def log_deletions(self, request, queryset):
        entries = super().log_deletions(request, queryset)
        for obj in queryset:
            audit.record(
                audit.Action.ADMIN_DELETION, obj=obj, actor=request.user, changes=audit.diff(audit.snapshot(obj), {})
            )
        return entries

    def response_action(self, request, queryset):
        response = super().response_action(request, queryset)
        action = request.POST.get("action", "")
        # Deleting a selection is written row by row by ``log_deletions`` once confirmed.
        if action and action != "delete_selected" and response is not None:
            selected = request.POST.getlist(helpers.ACTION_CHECKBOX_NAME)
            everything = request.POST.get("select_across") == "1"
            func = self.get_actions(request).get(action)
            label = str(func[2]) if func else action
            audit.record(
                audit.Action.ADMIN_ACTION,
                actor=request.user,
                object_type=self.model._meta.label_lower,
                object_repr=f"{self.model._meta.verbose_name}：{'全部符合筛选的记录' if everything else f'{len(selected)} 条'}",
                changes={"ids": selected} if not everything else {"select_across": True},
                note=label,
            )
        return response


class AuditedAdminSite(admin.AdminSite):
    def register(self, model_or_iterable, admin_class=None, **options):
        base = admin_class or admin.ModelAdmin
        if not issubclass(base, AuditedModelAdmin):
            base = type(
                base.__name__, (AuditedModelAdmin, base), {"__module__": base.__module__, "__doc__": base.__doc__}
            )
        return super().register(model_or_iterable, base, **options)
