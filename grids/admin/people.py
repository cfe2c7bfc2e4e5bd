"""People in the admin: users (scoped) and members with the adjustment action.

Saves and deletes of members go through ``grids.services.people``; posts and teams are in ``posts``.
"""

from django import forms
from django.contrib import admin, messages
from django.contrib.admin import helpers
from django.core.exceptions import ValidationError
from django.db.models import OuterRef, Q, Subquery

from accounts.admin import UserAdmin
from accounts.models import User
from core.downloads.admin import csv_action
from core.errors import DomainError
from grids.admin.base import (
    ScopedAdminMixin,
    node_filters,
    unit_filter,
)
from grids.admin.saving import ServiceAdminMixin
from grids.models import Community, Member, Post, Registration, RegistrationChoice, Skill
from grids.selectors.scope import Scope
from grids.services.people import member_delete, member_enrol, member_update
from grids.services.registration import registration_adjust


def member_q(scope: Scope) -> Q:
    """Members the user may see: those in a community (or grid) in scope, and those whose
    active registration is with such a community — or, while waiting for an adjustment,
    who ranked one of them."""
    active = Registration.objects.filter(status__in=Registration.ACTIVE)
    waiting = RegistrationChoice.objects.filter(registration__status=Registration.Status.UNPLACED).filter(
        scope.q("community")
    )
    return (
        scope.q("community", "grid")
        | Q(pk__in=active.filter(scope.q("community", "grid")).values("member_id"))
        | Q(pk__in=active.filter(pk__in=waiting.values("registration_id")).values("member_id"))
    )


def post_q(scope: Scope) -> Q:
    """Posts whose node lies in the scope's subtree (a unit's posts: the district's units)."""
    return (
        scope.q("community")
        | scope.q("grid__community", "grid")
        | Q(street_id__in=scope.street_ids)
        | Q(street__district_id__in=scope.district_ids)
        | Q(district_id__in=scope.district_ids)
        | Q(unit__district_id__in=scope.district_ids)
    )


class ScopedUserAdmin(ScopedAdminMixin, UserAdmin):
    """Staff see the people of their subtree (members and post holders) and cannot edit them:
    a user's rights are handed out by superusers only."""

    staff_add_level = staff_change_level = staff_delete_level = None

    def scope_q(self, scope):
        # Members of communities in the subtree, and post holders there. (Members only
        # waiting for a registration are reached through the member list instead; the extra
        # subqueries would slow every user list and autocomplete.)
        return Q(pk__in=Member.objects.filter(scope.q("community", "grid")).values("user_id")) | Q(
            pk__in=Post.objects.filter(post_q(scope)).values("user_id")
        )


admin.site.unregister(User)
admin.site.register(User, ScopedUserAdmin)


class AdjustActionForm(helpers.ActionForm):
    community = forms.ModelChoiceField(
        Community.objects.order_by("name"), required=False, label="调剂到社区", empty_label="（选择社区）"
    )
    note = forms.CharField(required=False, max_length=200, label="调剂说明")


@admin.register(Member)
class MemberAdmin(ServiceAdminMixin, admin.ModelAdmin):
    scope_grid_path = "grid"
    staff_add_level = "community"
    staff_change_level = "grid"
    staff_delete_level = None

    list_display = (
        "display_name",
        "phone",
        "kind",
        "unit",
        "community",
        "grid",
        "skill_list",
        "registration_status",
        "created_at",
    )
    list_select_related = ("user", "unit", "community", "grid")
    list_filter = ("kind", *node_filters("community"), unit_filter("unit_id"))
    search_fields = ("user__name", "user__name_initials", "user__phone", "unit__name")
    autocomplete_fields = ("user", "unit", "community", "grid")
    actions = ("adjust", csv_action("members", "党员（含报到、时长、星级）"))
    action_form = AdjustActionForm
    fieldsets = (
        (None, {"fields": ("user", "kind", "unit", "skills")}),
        ("居住地", {"fields": ("home_address", "home_lat", "home_lng")}),
        ("报到", {"fields": ("community", "grid")}),
    )

    def scope_q(self, scope):
        return member_q(scope)

    def scope_write_q(self, scope):
        return scope.q("community", "grid")

    def get_queryset(self, request):
        active = Registration.objects.filter(member=OuterRef("pk"), status__in=Registration.ACTIVE)
        return (
            super()
            .get_queryset(request)
            # Autocomplete renders members by name, so the user is always joined. (A queryset
            # that already selects related rows makes the changelist skip list_select_related.)
            .select_related(*self.list_select_related)
            .annotate(active_status=Subquery(active.values("status")[:1]))
        )

    def service_create(self, request, fields):
        return member_enrol(**fields)

    def service_update(self, request, obj, changes):
        return member_update(member=obj, **changes)

    def service_delete(self, request, obj):
        member_delete(member=obj)

    def _adjust_targets(self, request):
        """Communities this user may adjust members into."""
        qs = Community.objects.order_by("name")
        if request.user.is_superuser:
            return qs
        scope = self.staff_scope(request)
        if scope is None or not (scope.city or scope.district_ids):
            return qs.none()
        return qs.filter(scope.q(None))

    def changelist_view(self, request, extra_context=None):
        response = super().changelist_view(request, extra_context)
        form = getattr(response, "context_data", {}).get("action_form")
        if form is not None and "community" in form.fields:
            form.fields["community"].queryset = self._adjust_targets(request)
        return response

    @admin.display(description="姓名", ordering="user__name")
    def display_name(self, obj):
        return obj.user.name or "未填姓名"

    @admin.display(description="手机号", ordering="user__phone")
    def phone(self, obj):
        return obj.user.phone

    @admin.display(description="专长")
    def skill_list(self, obj):
        labels = dict(Skill.choices)
        return "、".join(labels.get(s, s) for s in obj.skills) or "—"

    @admin.display(description="报到状态", ordering="active_status")
    def registration_status(self, obj):
        if not obj.active_status:
            return "未报到"
        return Registration.Status(obj.active_status).label

    @admin.action(description="调剂到社区（在下方选择社区）")
    def adjust(self, request, queryset):
        try:
            community = forms.ModelChoiceField(self._adjust_targets(request)).clean(request.POST.get("community"))
        except ValidationError:
            self.message_user(request, "请选择要调剂到的社区（仅限您管辖范围内的社区）。", messages.ERROR)
            return
        note = request.POST.get("note", "").strip()[:200]
        done = 0
        for member in queryset.select_related("user"):
            try:
                registration_adjust(member=member, community=community, actor=request.user, note=note)
            except DomainError as exc:
                self.message_user(request, f"{member}：{exc.message}", messages.ERROR)
            else:
                done += 1
        if done:
            self.message_user(request, f"已将 {done} 名党员调剂到{community}，等待社区编入网格。", messages.SUCCESS)
