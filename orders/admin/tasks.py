"""Tasks (下单) and acceptances (接单) in the admin.

A task added here is created by ``task_create`` (the same checks as the dispatch screen), and
its wording, the only thing edited by hand, is saved by ``task_edit``, which writes the event
row; both are called from ``save_model``, and whatever they refuse shows as a form error.
Cancelling and completing are actions that call the services; tasks are never deleted here.
"""

from __future__ import annotations

from django import forms
from django.contrib import admin
from django.contrib.admin import helpers

from core.admin import ServiceRefused, ServiceSaveMixin, adopt
from core.downloads.admin import csv_action
from core.errors import DomainError
from grids.admin.base import EventInline, ParentScopedInlineMixin, ScopedAdminMixin, node_filters
from grids.models import Skill
from grids.vocab import CoordSystem
from orders.admin.common import action_text, run_for_each
from orders.models import Acceptance, AcceptanceEvent, Task, TaskEvent
from orders.services.cascades import task_cancel, task_complete
from orders.services.tasks import task_create, task_edit

ADD_FIELDS = (
    "community",
    "grid",
    "focus",
    "duty",
    "title",
    "description",
    "address",
    "lat",
    "lng",
    "coord_system",
    "geofence_radius_m",
    "starts_at",
    "ends_at",
    "slots",
    "skills",
    "visibility",
    "team",
)
EDITABLE = ("title", "description", "address")


class TaskAddForm(forms.ModelForm):
    """The fields ``task_create`` takes; validating them writes nothing (``save_model`` creates)."""

    coord_system = forms.ChoiceField(label="坐标系", choices=CoordSystem.choices, initial=CoordSystem.WGS84)
    skills = forms.MultipleChoiceField(
        label="所需专长", choices=Skill.choices, required=False, widget=forms.CheckboxSelectMultiple
    )

    class Meta:
        model = Task
        fields = [f for f in ADD_FIELDS if f not in ("coord_system", "skills")]


class TaskActionForm(helpers.ActionForm):
    reason = forms.CharField(required=False, max_length=200, label="取消理由（取消时必填）")


class TaskEventInline(EventInline):
    model = TaskEvent


class AcceptanceInline(ParentScopedInlineMixin, admin.TabularInline):
    model = Acceptance
    read_only = True
    extra = 0
    can_delete = False
    fields = ("member", "status", "accepted_at", "withdrawn_at", "late_withdrawal", "checkin", "record")
    readonly_fields = fields
    ordering = ("accepted_at", "id")

    def get_queryset(self, request):
        return super().get_queryset(request).select_related("member__user", "checkin", "record")


@admin.register(Task)
class TaskAdmin(ServiceSaveMixin, ScopedAdminMixin, admin.ModelAdmin):
    scope_grid_path = "grid"
    staff_add_level = "grid"
    staff_change_level = "grid"
    staff_delete_level = None

    list_display = (
        "title",
        "community",
        "grid",
        "focus",
        "duty",
        "starts_at",
        "slot_figure",
        "visibility",
        "team",
        "status",
    )
    list_select_related = ("community", "grid", "team")
    list_filter = ("status", "focus", "duty", "visibility", *node_filters("community"))
    search_fields = ("title", "address", "community__name", "community__name_initials")
    date_hierarchy = "starts_at"
    ordering = ("-starts_at", "-id")
    autocomplete_fields = ("community", "grid", "team")
    inlines = (AcceptanceInline, TaskEventInline)
    actions = ("cancel", "complete", csv_action("tasks", "任务与接单"))
    action_form = TaskActionForm
    add_form = TaskAddForm
    fieldsets = (
        (None, {"fields": ("title", "description", "focus", "duty", "status", "cancel_reason")}),
        ("地点", {"fields": ("community", "grid", "address", "lat", "lng", "geofence_radius_m")}),
        ("时间与名额", {"fields": ("starts_at", "ends_at", "slots", "taken", "skills_wanted", "visibility", "team")}),
        ("记录", {"fields": ("created_by", "created_at", "widened_at", "completed_at")}),
    )

    def get_fieldsets(self, request, obj=None):
        if obj is None:
            return ((None, {"fields": ADD_FIELDS}),)
        return super().get_fieldsets(request, obj)

    def get_readonly_fields(self, request, obj=None):
        if obj is None:
            return ()
        every = [f for _, opts in self.fieldsets for f in opts["fields"]]
        if not self.has_change_permission(request, obj):
            return every
        return [f for f in every if f not in EDITABLE]

    def get_form(self, request, obj=None, change=False, **kwargs):
        if obj is None:
            kwargs["form"] = self.add_form
        return super().get_form(request, obj, change=change, **kwargs)

    def has_delete_permission(self, request, obj=None):
        # A task is cancelled (an action, with its reason and its event rows), never deleted.
        return False

    def get_inlines(self, request, obj):
        return self.inlines if obj is not None else ()

    def save_model(self, request, obj, form, change):
        data = form.cleaned_data
        try:
            if change:
                saved = task_edit(
                    task=obj,
                    actor=request.user,
                    title=data["title"],
                    description=data["description"] or "",
                    address=data["address"],
                )
            else:
                values = {f: data.get(f) for f in ADD_FIELDS if f not in ("description", "grid", "skills")}
                saved = task_create(
                    actor=request.user,
                    **values,
                    description=data.get("description") or "",
                    grid=data.get("grid"),
                    skills_wanted=tuple(data.get("skills") or ()),
                )
        except DomainError as exc:
            raise ServiceRefused(exc) from exc
        adopt(obj, saved)

    @admin.display(description="已接/名额")
    def slot_figure(self, obj):
        return f"{obj.taken}/{obj.slots}"

    @admin.action(description="取消任务（在下方填写理由）")
    def cancel(self, request, queryset):
        reason = action_text(request, "reason")
        run_for_each(
            self,
            request,
            queryset,
            lambda row: task_cancel(task=row, actor=request.user, reason=reason),
            done_message="已取消 {n} 个任务，已接单的党员会收到通知。",
        )

    @admin.action(description="完成任务")
    def complete(self, request, queryset):
        run_for_each(
            self,
            request,
            queryset,
            lambda row: task_complete(task=row, actor=request.user),
            done_message="已完成 {n} 个任务，关联点单已办结。",
        )


class AcceptanceEventInline(EventInline):
    model = AcceptanceEvent


@admin.register(Acceptance)
class AcceptanceAdmin(ScopedAdminMixin, admin.ModelAdmin):
    scope_community_path = "task__community"
    scope_grid_path = "task__grid"
    read_only = True

    list_display = ("member_name", "task", "community", "status", "starts_at", "accepted_at", "late_withdrawal")
    list_select_related = ("member__user", "task__community")
    list_filter = ("status", "late_withdrawal", *node_filters("task__community"))
    search_fields = ("member__user__name", "member__user__name_initials", "member__user__phone", "task__title")
    date_hierarchy = "starts_at"
    ordering = ("-id",)
    inlines = (AcceptanceEventInline,)
    fields = (
        "task",
        "member",
        "status",
        "starts_at",
        "ends_at",
        "accepted_at",
        "withdrawn_at",
        "late_withdrawal",
        "notified_at",
        "checkin",
        "record",
    )
    readonly_fields = fields

    @admin.display(description="党员", ordering="member__user__name")
    def member_name(self, obj):
        return obj.member.user.name or obj.member.user.phone

    @admin.display(description="社区", ordering="task__community__name")
    def community(self, obj):
        return obj.task.community
