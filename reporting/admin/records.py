"""Service records in the admin: confirm, correct or reject through the services, with their events."""

from django import forms
from django.contrib import admin
from django.contrib.admin import helpers

from core.downloads.admin import csv_action
from grids.admin.base import EventInline, ScopedAdminMixin, node_filters
from reporting.admin.common import MEMBER_SEARCH, MemberColumns, run_action
from reporting.models import ServiceRecord, ServiceRecordEvent
from reporting.services.records import service_record_confirm, service_record_correct, service_record_reject


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
class ServiceRecordAdmin(MemberColumns, ScopedAdminMixin, admin.ModelAdmin):
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
    search_fields = (*MEMBER_SEARCH, "community__name")
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
        run_action(
            self,
            request,
            queryset.select_related("member__user"),
            lambda r: service_record_confirm(record=r, actor=request.user, minutes=minutes, reason=reason),
            "已确认 {n} 条服务时长。",
        )

    @admin.action(description="更正已确认的时长（确认人以外的工作人员，须填理由）")
    def correct(self, request, queryset):
        minutes, reason = self._form_values(request)
        run_action(
            self,
            request,
            queryset.select_related("member__user"),
            lambda r: service_record_correct(record=r, actor=request.user, minutes=minutes, reason=reason),
            "已更正 {n} 条服务时长。",
        )

    @admin.action(description="不予认定")
    def reject(self, request, queryset):
        _, reason = self._form_values(request)
        run_action(
            self,
            request,
            queryset.select_related("member__user"),
            lambda r: service_record_reject(record=r, actor=request.user, reason=reason),
            "已将 {n} 条服务记录标为不予认定。",
        )
