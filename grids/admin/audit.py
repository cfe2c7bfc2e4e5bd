"""The audit trail in the admin: city staff and superusers read and filter it; nobody changes it."""

from __future__ import annotations

import json

from django.contrib import admin
from django.utils.html import format_html, format_html_join

from core.models import AuditEntry
from grids.admin.base import ScopedAdminMixin


@admin.register(AuditEntry)
class AuditEntryAdmin(admin.ModelAdmin):
    list_display = ("at", "action", "actor_name", "object_type", "object_id", "object_repr", "channel", "ip", "device")
    list_filter = ("action", "channel", "object_type", ("at", admin.DateFieldListFilter))
    search_fields = ("=object_id", "=actor_id", "actor_name", "object_repr", "=ip", "note")
    date_hierarchy = "at"
    show_full_result_count = False
    list_per_page = 50
    fields = (
        "at",
        "action",
        "actor_id",
        "actor_name",
        "object_type",
        "object_id",
        "object_repr",
        "changes_table",
        "note",
        "channel",
        "ip",
        "device",
    )
    readonly_fields = fields

    def _city(self, request) -> bool:
        user = request.user
        if user.is_superuser:
            return user.is_active
        scope = ScopedAdminMixin.staff_scope(request)
        return scope is not None and scope.city

    def has_module_permission(self, request):
        return self._city(request)

    def has_view_permission(self, request, obj=None):
        return self._city(request)

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False

    def get_actions(self, request):
        return {}

    @admin.display(description="变更（原值 → 新值）")
    def changes_table(self, obj):
        if not obj.changes:
            return "—"
        rows = []
        for name, value in obj.changes.items():
            if isinstance(value, list) and len(value) == 2:
                before, after = (json.dumps(v, ensure_ascii=False) for v in value)
                rows.append(format_html("<tr><th>{}</th><td>{}</td><td>→</td><td>{}</td></tr>", name, before, after))
            else:
                rows.append(
                    format_html(
                        "<tr><th>{}</th><td colspan='3'>{}</td></tr>", name, json.dumps(value, ensure_ascii=False)
                    )
                )
        return format_html("<table>{}</table>", format_html_join("", "{}", ((r,) for r in rows)))
