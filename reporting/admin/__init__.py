"""The duty ledger in the admin: read-only rows scoped by post; changes go through the services.

Raw check-in coordinates are not shown here (sensitive personal information, kept only for
the retention period); the distance to the place and the grid are.
"""

from django.contrib import admin

from core.downloads.admin import csv_action
from grids.admin.base import ScopedAdminMixin, node_filters
from reporting.admin.common import MEMBER_SEARCH, MemberColumns, run_action
from reporting.admin.records import RecordActionForm, ServiceRecordAdmin, ServiceRecordEventInline
from reporting.models import (
    CheckIn,
    LocationConsent,
    Visit,
    VisitCode,
    WorkdayOverride,
)
from reporting.services.quota import workday_override_delete, workday_override_save
from reporting.services.visits import visit_code_rotate

__all__ = ["RecordActionForm", "ServiceRecordAdmin", "ServiceRecordEventInline"]


@admin.register(LocationConsent)
class LocationConsentAdmin(MemberColumns, ScopedAdminMixin, admin.ModelAdmin):
    scope_community_path = "member__community"
    scope_grid_path = "member__grid"
    read_only = True

    list_display = ("member_name", "member_community", "version", "granted_at", "revoked_at")
    list_select_related = ("member__user", "member__community")
    list_filter = ("version", "revoked_at", *node_filters("member__community"))
    search_fields = MEMBER_SEARCH
    ordering = ("-id",)
    fields = ("member", "version", "granted_at", "revoked_at")
    readonly_fields = fields

    @admin.display(description="报到社区", ordering="member__community__name")
    def member_community(self, obj):
        return obj.member.community or "—"


@admin.register(CheckIn)
class CheckInAdmin(MemberColumns, ScopedAdminMixin, admin.ModelAdmin):
    scope_grid_path = "grid"
    read_only = True

    list_display = (
        "member_name",
        "community",
        "grid",
        "purpose",
        "checked_in_at",
        "checked_out_at",
        "distance_m",
        "coord_system",
        "auto_checked_out",
        "coarsened",
    )
    list_select_related = ("member__user", "community", "grid")
    list_filter = ("purpose", "auto_checked_out", "coord_system", *node_filters("community"))
    search_fields = (*MEMBER_SEARCH, "community__name")
    date_hierarchy = "checked_in_at"
    ordering = ("-id",)
    fields = (
        "member",
        "community",
        "grid",
        "purpose",
        "radius_m",
        "opens_at",
        "closes_at",
        "coord_system",
        "distance_m",
        "checked_in_at",
        "checked_out_at",
        "auto_checked_out",
        "coarsened_at",
    )
    readonly_fields = fields

    @admin.display(description="坐标已脱敏", boolean=True, ordering="coarsened_at")
    def coarsened(self, obj):
        return obj.coarsened_at is not None


@admin.register(VisitCode)
class VisitCodeAdmin(ScopedAdminMixin, admin.ModelAdmin):
    read_only = True

    list_display = ("community", "token", "rotated_at")
    list_select_related = ("community",)
    list_filter = node_filters("community")
    search_fields = ("community__name",)
    ordering = ("-id",)
    actions = ("rotate",)
    fields = ("community", "token", "rotated_at")
    readonly_fields = fields

    @admin.action(description="重新生成二维码（旧码作废）")
    def rotate(self, request, queryset):
        run_action(
            self,
            request,
            queryset.select_related("community__street"),
            lambda code: visit_code_rotate(community=code.community, actor=request.user),
            "已为 {n} 个社区重新生成报到二维码，请重新打印张贴。",
        )


@admin.register(Visit)
class VisitAdmin(MemberColumns, ScopedAdminMixin, admin.ModelAdmin):
    scope_grid_path = "member__grid"
    read_only = True
    actions = (csv_action("visits", "报到记录"),)

    list_display = ("member_name", "community", "method", "visited_at", "quarter")
    list_select_related = ("member__user", "community")
    list_filter = ("method", "quarter", *node_filters("community"))
    search_fields = (*MEMBER_SEARCH, "community__name")
    date_hierarchy = "visited_at"
    ordering = ("-id",)
    fields = ("member", "community", "method", "checkin", "visited_at", "visited_on", "quarter")
    readonly_fields = fields


@admin.register(WorkdayOverride)
class WorkdayOverrideAdmin(admin.ModelAdmin):
    """Days the holiday calendar (chinese-calendar) gets wrong or does not know yet. Saving or
    deleting one recomputes the quota minutes of that day's confirmed records."""

    list_display = ("day", "is_workday", "note")
    list_filter = ("is_workday",)
    date_hierarchy = "day"
    search_fields = ("note",)

    # The calendar is city-wide: only superusers keep it.
    def has_module_permission(self, request):
        return request.user.is_superuser

    def has_view_permission(self, request, obj=None):
        return request.user.is_superuser

    def has_add_permission(self, request):
        return request.user.is_superuser

    def has_change_permission(self, request, obj=None):
        return request.user.is_superuser

    def has_delete_permission(self, request, obj=None):
        return request.user.is_superuser

    def save_model(self, request, obj, form, change):
        previous = form.initial.get("day") if change else None
        workday_override_save(override=obj, previous_day=previous)

    def delete_model(self, request, obj):
        workday_override_delete(override=obj)

    def delete_queryset(self, request, queryset):
        for obj in queryset:
            workday_override_delete(override=obj)


from reporting.admin import reminders  # noqa: E402, F401 - registers the follow-up rows
