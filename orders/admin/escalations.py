"""The joint meeting (联席会议) in the admin: departments are edited here; cases change only
through actions that call the services."""

from __future__ import annotations

from django import forms
from django.contrib import admin, messages
from django.contrib.admin import helpers
from django.db.models import Prefetch, Q

from grids.admin.base import (
    LEVELS,
    EventInline,
    ParentScopedInlineMixin,
    ScopedAdminMixin,
    community_filter,
    district_filter,
    scope_level,
    street_filter,
)
from orders.admin.common import action_text, run_for_each
from orders.models import Department, Escalation, EscalationEvent, EscalationResponse
from orders.services.cascades import escalation_resolve
from orders.services.escalations import escalation_assign, escalations_mark_overdue


@admin.register(Department)
class DepartmentAdmin(ScopedAdminMixin, admin.ModelAdmin):
    """The city's list of departments: everyone with a post may look; city staff edit it.
    Departments are switched off rather than deleted (cases point at them)."""

    staff_add_level = staff_change_level = "city"
    staff_delete_level = None

    list_display = ("name", "is_active", "sort_order")
    list_editable = ("is_active", "sort_order")
    list_filter = ("is_active",)
    search_fields = ("name",)
    ordering = ("sort_order", "name")
    fields = ("name", "is_active", "sort_order")

    def scope_q(self, scope):
        return Q()


class EscalationActionForm(helpers.ActionForm):
    department = forms.ModelChoiceField(
        Department.objects.filter(is_active=True).order_by("sort_order", "name"),
        required=False,
        label="分派给部门",
        empty_label="（选择部门）",
    )
    outcome = forms.CharField(
        required=False, max_length=2000, label="会商结果（办结时必填）", widget=forms.TextInput(attrs={"size": 40})
    )


class EscalationResponseInline(ParentScopedInlineMixin, admin.TabularInline):
    model = EscalationResponse
    read_only = True
    extra = 0
    can_delete = False
    fields = ("department", "response", "recorded_by", "created_at")
    readonly_fields = fields

    def get_queryset(self, request):
        return super().get_queryset(request).select_related("department", "recorded_by")


class EscalationEventInline(EventInline):
    model = EscalationEvent


@admin.register(Escalation)
class EscalationAdmin(ScopedAdminMixin, admin.ModelAdmin):
    # Street, district and city staff reach a case through its community's street; community
    # staff see their community's cases; grid secretaries see none.
    scope_community_path = "community"
    read_only = True

    list_display = (
        "subject",
        "street",
        "community",
        "status",
        "department_list",
        "deadline",
        "overdue",
        "created_at",
    )
    list_select_related = ("street", "community", "request", "task")
    list_filter = (
        "status",
        "overdue",
        district_filter("street__district_id"),
        street_filter("street_id"),
        community_filter("community_id"),
    )
    search_fields = (
        "reason",
        "request__title",
        "task__title",
        "request__requester__phone",
        "request__requester__name",
        "request__requester__name_initials",
    )
    date_hierarchy = "created_at"
    ordering = ("-id",)
    inlines = (EscalationResponseInline, EscalationEventInline)
    actions = ("assign", "resolve", "mark_overdue")
    action_form = EscalationActionForm
    fields = (
        "street",
        "community",
        "request",
        "task",
        "reason",
        "status",
        "departments",
        "deadline",
        "overdue",
        "overdue_notified_at",
        "outcome",
        "created_by",
        "created_at",
        "assigned_at",
        "resolved_at",
    )
    readonly_fields = fields

    def get_queryset(self, request):
        return (
            super()
            .get_queryset(request)
            .prefetch_related(Prefetch("departments", queryset=Department.objects.order_by("sort_order", "name")))
        )

    @admin.display(description="事项")
    def subject(self, obj):
        return obj.request or obj.task

    @admin.display(description="牵头/协办部门")
    def department_list(self, obj):
        return "、".join(d.name for d in obj.departments.all()) or "—"

    @admin.action(description="分派给部门（在下方选择部门，期限默认 7 天）")
    def assign(self, request, queryset):
        department = action_text(request, "department")
        if not department.isdigit():
            self.message_user(request, "请选择要分派的部门。", messages.ERROR)
            return
        run_for_each(
            self,
            request,
            queryset.select_related("street", "request"),
            lambda row: escalation_assign(escalation=row, actor=request.user, department_ids=[int(department)]),
            done_message="已分派 {n} 件联席会议事项。",
        )

    @admin.action(description="标记办结（在下方填写会商结果）")
    def resolve(self, request, queryset):
        outcome = action_text(request, "outcome")
        run_for_each(
            self,
            request,
            queryset.select_related("street", "request"),
            lambda row: escalation_resolve(escalation=row, actor=request.user, outcome=outcome),
            done_message="已办结 {n} 件联席会议事项。",
        )

    @admin.action(description="检查超期（全部事项）")
    def mark_overdue(self, request, queryset):
        # The nightly job, run now: it looks at every assigned case, not only the selected ones.
        user = request.user
        if not user.is_superuser:
            scope = self.staff_scope(request)
            if scope is None or scope_level(scope) < LEVELS.index("street"):
                self.message_user(request, "只有街道及以上的工作人员才能检查超期。", messages.ERROR)
                return
        n = escalations_mark_overdue()
        if n:
            self.message_user(request, f"已将 {n} 件事项标记为超期，并通知街道和社区。", messages.WARNING)
        else:
            self.message_user(request, "没有新的超期事项。", messages.SUCCESS)
