"""Tasks (下单) and acceptances (接单) in the admin.

A task added here is created by ``task_create`` (the same checks as the dispatch screen);
afterwards only its wording may be edited by hand, and cancelling or completing it are actions
that call the services.
"""

from __future__ import annotations

from django import forms
from django.contrib import admin
from django.contrib.admin import helpers
from django.db import transaction

from core.errors import DomainError
from grids.admin.base import ParentScopedInlineMixin, ScopedAdminMixin, node_filters
from grids.models import Skill
from grids.vocab import CoordSystem
from orders.admin.common import EventInline, action_text, run_for_each
from orders.models import Acceptance, AcceptanceEvent, Task, TaskEvent
from orders.services.tasks import task_cancel, task_complete, task_create

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
)
EDITABLE = ("title", "description", "address")


class TaskAddForm(forms.ModelForm):
    """Creates the task through ``task_create`` while the form is validated, so whatever the
    service refuses comes back as a form error. (The admin runs the whole request in one
    transaction, so nothing stays behind if a later step fails.)"""

    coord_system = forms.ChoiceField(label="坐标系", choices=CoordSystem.choices, initial=CoordSystem.WGS84)
    skills = forms.MultipleChoiceField(
        label="所需专长", choices=Skill.choices, required=False, widget=forms.CheckboxSelectMultiple
    )
    actor = None  # set per request by TaskAdmin.get_form
    created: Task | None = None

    class Meta:
        model = Task
        fields = [f for f in ADD_FIELDS if f not in ("coord_system", "skills")]

    def clean(self):
        data = super().clean()
        if self.errors:
            return data
        values = {f: data.get(f) for f in ADD_FIELDS if f != "skills"}
        try:
            with transaction.atomic():
                self.created = task_create(
                    actor=self.actor,
                    **{k: v for k, v in values.items() if k not in ("description", "grid")},
                    description=values["description"] or "",
                    grid=values["grid"],
                    skills_wanted=tuple(data.get("skills") or ()),
                )
        except DomainError as exc:
            self.add_error(exc.field if exc.field in self.fields else None, exc.message)
        return data


class TaskActionForm(helpers.ActionForm):
    reason = forms.CharField(required=False, max_length=200, label="取消理由（取消时必填）")


class TaskEventInline(EventInline):
    model = TaskEvent
    labels = dict(Task.Status.choices)


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
class TaskAdmin(ScopedAdminMixin, admin.ModelAdmin):
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
        "status",
    )
    list_select_related = ("community", "grid")
    list_filter = ("status", "focus", "duty", "visibility", *node_filters("community"))
    search_fields = ("title", "address", "community__name", "community__name_initials")
    date_hierarchy = "starts_at"
    ordering = ("-starts_at", "-id")
    autocomplete_fields = ("community", "grid")
    inlines = (AcceptanceInline, TaskEventInline)
    actions = ("cancel", "complete")
    action_form = TaskActionForm
    add_form = TaskAddForm
    fieldsets = (
        (None, {"fields": ("title", "description", "focus", "duty", "status", "cancel_reason")}),
        ("地点", {"fields": ("community", "grid", "address", "lat", "lng", "geofence_radius_m")}),
        ("时间与名额", {"fields": ("starts_at", "ends_at", "slots", "taken", "skills_wanted", "visibility")}),
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
        form = super().get_form(request, obj, change=change, **kwargs)
        if obj is None:
            form = type(form.__name__, (form,), {"actor": request.user})
        return form

    def get_inlines(self, request, obj):
        return self.inlines if obj is not None else ()

    def save_model(self, request, obj, form, change):
        if change:
            super().save_model(request, obj, form, change)
            return
        # Already created by the service while the form was validated; the admin goes on with it.
        created = form.created
        for f in Task._meta.concrete_fields:
            setattr(obj, f.attname, getattr(created, f.attname))
        obj._state.adding = False
        obj._state.db = created._state.db

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
    labels = dict(Acceptance.Status.choices)


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
