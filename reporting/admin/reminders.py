"""What the quota's follow-up jobs sent (read-only): weekly reminders and the quarter's lists."""

from django.contrib import admin

from grids.admin.base import ScopedAdminMixin, node_filters
from reporting.models import QuarterList, QuotaReminder


@admin.register(QuotaReminder)
class QuotaReminderAdmin(ScopedAdminMixin, admin.ModelAdmin):
    scope_community_path = "member__community"
    scope_grid_path = "member__grid"
    read_only = True

    list_display = ("member", "week", "hours_behind", "visit_missing", "counted_minutes", "created_at")
    list_select_related = ("member__user",)
    list_filter = ("week", "hours_behind", "visit_missing", *node_filters("member__community"))
    search_fields = ("member__user__name", "member__user__phone")
    ordering = ("-id",)
    fields = list_display
    readonly_fields = fields


@admin.register(QuarterList)
class QuarterListAdmin(ScopedAdminMixin, admin.ModelAdmin):
    # Unit lists have no community: only the city (and superusers) see them here.
    read_only = True

    list_display = ("quarter", "community", "unit", "members", "recipients", "created_at")
    list_select_related = ("community", "unit")
    list_filter = ("quarter",)
    ordering = ("-id",)
    fields = list_display
    readonly_fields = fields
