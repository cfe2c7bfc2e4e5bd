"""Registrations (报到) in the admin: read-only rows; changes go through the services as actions."""

from django import forms
from django.contrib import admin, messages
from django.contrib.admin import helpers
from django.db.models import Q

from core.errors import DomainError
from grids.admin.base import EventInline, ParentScopedInlineMixin, ScopedAdminMixin, node_filters
from grids.models import Registration, RegistrationChoice, RegistrationEvent
from grids.selectors.scope import Scope
from grids.services.registration import registration_decline


def registration_q(scope: Scope) -> Q:
    """Registrations with a community in scope, and — while waiting for an adjustment, when
    no community holds them — those that ranked a community in scope."""
    waiting = RegistrationChoice.objects.filter(registration__status=Registration.Status.UNPLACED).filter(
        scope.q("community")
    )
    return scope.q("community", "grid") | Q(pk__in=waiting.values("registration_id"))


class DeclineActionForm(helpers.ActionForm):
    reason = forms.CharField(required=False, max_length=200, label="婉拒原因")


class RegistrationChoiceInline(ParentScopedInlineMixin, admin.TabularInline):
    model = RegistrationChoice
    read_only = True
    extra = 0
    fields = ("rank", "community", "declined_at")
    readonly_fields = fields
    ordering = ("rank",)

    def get_queryset(self, request):
        return super().get_queryset(request).select_related("community")


class RegistrationEventInline(EventInline):
    model = RegistrationEvent
    verbose_name = verbose_name_plural = "报到进度"


@admin.register(Registration)
class RegistrationAdmin(ScopedAdminMixin, admin.ModelAdmin):
    scope_grid_path = "grid"
    read_only = True

    list_display = (
        "member_name",
        "phone",
        "community",
        "grid",
        "status",
        "source",
        "choice_list",
        "decided_by",
        "created_at",
    )
    list_select_related = ("member__user", "community", "grid", "decided_by")
    list_filter = ("status", "source", *node_filters("community"))
    search_fields = ("member__user__name", "member__user__name_initials", "member__user__phone", "community__name")
    date_hierarchy = "created_at"
    # Newest first by id: the primary key's index serves it, where sorting by created_at
    # (unindexed) sorts every joined row of a city-sized table.
    ordering = ("-id",)
    inlines = (RegistrationChoiceInline, RegistrationEventInline)
    actions = ("decline",)
    action_form = DeclineActionForm
    fields = (
        "member",
        "community",
        "grid",
        "status",
        "source",
        "decided_by",
        "note",
        "created_at",
        "placed_at",
        "ended_at",
    )
    readonly_fields = fields

    def scope_q(self, scope):
        return registration_q(scope)

    def scope_write_q(self, scope):
        return scope.q("community", "grid")

    def get_queryset(self, request):
        return super().get_queryset(request).prefetch_related("choices__community")

    @admin.display(description="党员", ordering="member__user__name")
    def member_name(self, obj):
        return obj.member.user.name or "未填姓名"

    @admin.display(description="手机号", ordering="member__user__phone")
    def phone(self, obj):
        return obj.member.user.phone

    @admin.display(description="志愿")
    def choice_list(self, obj):
        # ``choices`` is prefetched (two queries for the whole page, whatever its length).
        return " → ".join(
            f"{c.community.name}{'（已婉拒）' if c.declined_at else ''}"
            for c in sorted(obj.choices.all(), key=lambda c: c.rank)
        )

    @admin.action(description="婉拒（转下一志愿）")
    def decline(self, request, queryset):
        reason = request.POST.get("reason", "").strip()[:200]
        done = 0
        for registration in queryset.select_related("member__user"):
            try:
                registration_decline(registration=registration, actor=request.user, reason=reason)
            except DomainError as exc:
                self.message_user(request, f"{registration.member}：{exc.message}", messages.ERROR)
            else:
                done += 1
        if done:
            self.message_user(request, f"已婉拒 {done} 条报到，已转给下一志愿社区或等待区里调剂。", messages.SUCCESS)


@admin.register(RegistrationChoice)
class RegistrationChoiceAdmin(ScopedAdminMixin, admin.ModelAdmin):
    scope_community_path = "registration__community"
    scope_grid_path = "registration__grid"
    read_only = True

    list_display = ("member_name", "rank", "community", "declined_at", "registration_status")
    list_select_related = ("registration__member__user", "community")
    list_filter = ("rank", *node_filters("community"))
    search_fields = (
        "registration__member__user__name",
        "registration__member__user__name_initials",
        "registration__member__user__phone",
        "community__name",
    )
    fields = ("registration", "rank", "community", "declined_at")
    readonly_fields = fields

    def scope_q(self, scope):
        return Q(registration__in=Registration.objects.filter(registration_q(scope)))

    @admin.display(description="党员", ordering="registration__member__user__name")
    def member_name(self, obj):
        return obj.registration.member.user.name or "未填姓名"

    @admin.display(description="报到状态", ordering="registration__status")
    def registration_status(self, obj):
        return obj.registration.get_status_display()
