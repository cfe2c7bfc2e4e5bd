"""The duty ledger in the admin: read-only rows scoped by post; changes go through the services.

Raw check-in coordinates are not shown here (sensitive personal information, kept only for
the retention period); the distance to the place and the grid are.
"""

from django import forms
from django.contrib import admin, messages
from django.contrib.admin import helpers

from core.downloads.admin import csv_action
from core.errors import DomainError
from grids.admin.base import EventInline, ScopedAdminMixin, node_filters
from reporting.models import (
    CheckIn,
    LocationConsent,
    ServiceRecord,
    ServiceRecordEvent,
    Visit,
    VisitCode,
    WorkdayOverride,
)
from reporting.services.quota import workday_override_delete, workday_override_save
from reporting.services.records import service_record_confirm, service_record_correct, service_record_reject
from reporting.services.visits import visit_code_rotate

_MEMBER_SEARCH = ("member__user__name", "member__user__name_initials", "member__user__phone")


class _MemberColumns:
    @admin.display(description="党员", ordering="member__user__name")
    def member_name(self, obj):
        return obj.member.user.name or obj.member.user.phone


def _run(modeladmin, request, queryset, action, success: str) -> None:
    done = 0
    for obj in queryset:
        try:
            action(obj)
        except DomainError as exc:
            modeladmin.message_user(request, f"{obj}：{exc.message}", messages.ERROR)
        else:
            done += 1
    if done:
        modeladmin.message_user(request, success.format(n=done), messages.SUCCESS)


@admin.register(LocationConsent)
class LocationConsentAdmin(_MemberColumns, ScopedAdminMixin, admin.ModelAdmin):
    scope_community_path = "member__community"
    scope_grid_path = "member__grid"
    read_only = True

    list_display = ("member_name", "member_community", "version", "granted_at", "revoked_at")
    list_select_related = ("member__user", "member__community")
    list_filter = ("version", "revoked_at", *node_filters("member__community"))
    search_fields = _MEMBER_SEARCH
    ordering = ("-id",)
    fields = ("member", "version", "granted_at", "revoked_at")
    readonly_fields = fields

    @admin.display(description="报到社区", ordering="member__community__name")
    def member_community(self, obj):
        return obj.member.community or "—"


@admin.register(CheckIn)
class CheckInAdmin(_MemberColumns, ScopedAdminMixin, admin.ModelAdmin):
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
    search_fields = (*_MEMBER_SEARCH, "community__name")
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


class RecordActionForm(helpers.ActionForm):
    minutes = forms.IntegerField(
        required=False, min_value=0, max_value=24 * 60, label="认定时长（分钟，留空按打卡时长）"
    )
    reason = forms.CharField(required=False, max_length=200, label="更正/不予认定理由")


class ServiceRecordEventInline(EventInline):
    model = ServiceRecordEvent
    fields = ("created_at", "kind_label", "from_label", "to_label", "actor", "correction", "note")
    readonly_fields = fields

    @admin.display(description="更正时长")
    def correction(self, obj):
        if obj.minutes_before is None:
            return "—"
        return f"{obj.minutes_before} → {obj.minutes_after} 分钟"


@admin.register(ServiceRecord)
class ServiceRecordAdmin(_MemberColumns, ScopedAdminMixin, admin.ModelAdmin):
    scope_grid_path = "member__grid"
    read_only = True
    inlines = (ServiceRecordEventInline,)

    # Eight short columns fit a 1366 px screen beside the filters; who confirmed, and whether the
    # system checked out, are on the record's page and in the filters.
    list_display = (
        "member_name",
        "community",
        "duty",
        "started_at",
        "minutes_shown",
        "status",
        "outside_working_hours",
        "confirmed_via",
    )
    list_select_related = ("member__user", "community")
    list_filter = (
        "status",
        "duty",
        "source",
        "outside_working_hours",
        "auto_checked_out",
        "confirmed_via",
        *node_filters("community"),
    )
    search_fields = (*_MEMBER_SEARCH, "community__name")
    date_hierarchy = "started_at"
    ordering = ("-id",)
    actions = ("confirm", "reject", "correct", csv_action("records", "服务记录"))
    action_form = RecordActionForm
    fields = (
        "member",
        "community",
        "duty",
        "title",
        "source",
        "checkin",
        "started_at",
        "ended_at",
        "reported_minutes",
        "minutes",
        "quota_minutes",
        "outside_working_hours",
        "auto_checked_out",
        "status",
        "confirmed_via",
        "confirmed_by",
        "confirmed_at",
        "correction_reason",
        "rejected_at",
        "reject_reason",
        "created_at",
    )
    readonly_fields = fields

    class Media:
        css = {"all": ("css/admin_lists.css",)}

    @admin.display(description="时长（分钟）", ordering="minutes")
    def minutes_shown(self, obj):
        """The minutes counted, with the clocked ones beside them when a correction changed them."""
        if obj.minutes == obj.reported_minutes:
            return obj.minutes
        return f"{obj.minutes}（打卡 {obj.reported_minutes}）"

    @staticmethod
    def _form_values(request) -> tuple[int | None, str]:
        raw = request.POST.get("minutes", "").strip()
        minutes = int(raw) if raw.isdigit() else None
        return minutes, request.POST.get("reason", "").strip()[:200]

    @admin.action(description="确认时长")
    def confirm(self, request, queryset):
        minutes, reason = self._form_values(request)
        _run(
            self,
            request,
            queryset.select_related("member__user"),
            lambda r: service_record_confirm(record=r, actor=request.user, minutes=minutes, reason=reason),
            "已确认 {n} 条服务时长。",
        )

    @admin.action(description="更正已确认的时长（确认人以外的工作人员，须填理由）")
    def correct(self, request, queryset):
        minutes, reason = self._form_values(request)
        _run(
            self,
            request,
            queryset.select_related("member__user"),
            lambda r: service_record_correct(record=r, actor=request.user, minutes=minutes, reason=reason),
            "已更正 {n} 条服务时长。",
        )

    @admin.action(description="不予认定")
    def reject(self, request, queryset):
        _, reason = self._form_values(request)
        _run(
            self,
            request,
            queryset.select_related("member__user"),
            lambda r: service_record_reject(record=r, actor=request.user, reason=reason),
            "已将 {n} 条服务记录标为不予认定。",
        )


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
        _run(
            self,
            request,
            queryset.select_related("community__street"),
            lambda code: visit_code_rotate(community=code.community, actor=request.user),
            "已为 {n} 个社区重新生成报到二维码，请重新打印张贴。",
        )


@admin.register(Visit)
class VisitAdmin(_MemberColumns, ScopedAdminMixin, admin.ModelAdmin):
    scope_grid_path = "member__grid"
    read_only = True
    actions = (csv_action("visits", "报到记录"),)

    list_display = ("member_name", "community", "method", "visited_at", "quarter")
    list_select_related = ("member__user", "community")
    list_filter = ("method", "quarter", *node_filters("community"))
    search_fields = (*_MEMBER_SEARCH, "community__name")
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
