"""Posts (职务) and vanguard teams (党群先锋队) in the admin; saves and deletes go through
``grids.services.posts``, team members (the inline) too."""

from django.contrib import admin
from django.db.models import OuterRef, Subquery

from grids.admin.base import ParentScopedInlineMixin, count_of, node_filters, unit_filter
from grids.admin.people import post_q
from grids.admin.saving import ServiceAdminMixin, adopt
from grids.models import Post, TeamMembership, VanguardTeam
from grids.services.posts import (
    post_create,
    post_delete,
    post_update,
    team_create,
    team_delete,
    team_membership_add,
    team_membership_remove,
    team_membership_update,
    team_update,
)


@admin.register(Post)
class PostAdmin(ServiceAdminMixin, admin.ModelAdmin):
    # A secretary may appoint part-time committee members and grid secretaries in their
    # community; the save-time scope check stops anyone creating a post above their own.
    staff_add_level = staff_change_level = staff_delete_level = "community"

    list_display = ("user", "phone", "role", "node", "created_at")
    list_select_related = ("user", "district", "street", "community", "grid", "unit")
    list_filter = ("role", *node_filters("community"), unit_filter("unit_id"))
    search_fields = (
        "user__name",
        "user__name_initials",
        "user__phone",
        "community__name",
        "street__name",
        "unit__name",
        "unit__name_initials",
    )
    autocomplete_fields = ("user", "district", "street", "community", "grid", "unit")

    def scope_q(self, scope):
        return post_q(scope)

    def service_create(self, request, fields):
        return post_create(**fields)

    def service_update(self, request, obj, changes):
        return post_update(post=obj, **changes)

    def service_delete(self, request, obj):
        post_delete(post=obj)

    @admin.display(description="手机号", ordering="user__phone")
    def phone(self, obj):
        return obj.user.phone

    @admin.display(description="任职单位/节点")
    def node(self, obj):
        return obj.node_name


class TeamMembershipInline(ParentScopedInlineMixin, admin.TabularInline):
    model = TeamMembership
    extra = 0
    autocomplete_fields = ("member",)
    fields = ("member", "role", "joined_at")

    def get_queryset(self, request):
        return super().get_queryset(request).select_related("member__user")


@admin.register(VanguardTeam)
class VanguardTeamAdmin(ServiceAdminMixin, admin.ModelAdmin):
    scope_community_path = "grid__community"
    scope_grid_path = "grid"
    staff_add_level = staff_change_level = staff_delete_level = "grid"

    list_display = ("name", "grid", "community", "captain", "member_count", "created_at")
    list_select_related = ("grid__community",)
    list_filter = node_filters("grid__community")
    search_fields = ("name", "grid__name", "grid__community__name", "grid__community__name_initials")
    autocomplete_fields = ("grid",)
    inlines = (TeamMembershipInline,)

    def service_create(self, request, fields):
        return team_create(**fields)

    def service_update(self, request, obj, changes):
        return team_update(team=obj, **changes)

    def service_delete(self, request, obj):
        team_delete(team=obj)

    def save_formset(self, request, form, formset, change):
        if formset.model is not TeamMembership:
            return super().save_formset(request, form, formset, change)
        # The formset only collects what changed; each change goes through a service.
        formset.save(commit=False)
        for membership in formset.deleted_objects:
            team_membership_remove(membership=membership)
        for membership, changed in formset.changed_objects:
            fields = {name: getattr(membership, name) for name in changed if name in ("member", "role", "joined_at")}
            team_membership_update(membership=membership, **fields)
        for membership in formset.new_objects:
            saved = team_membership_add(
                team=form.instance, member=membership.member, role=membership.role, joined_at=membership.joined_at
            )
            adopt(membership, saved)

    def get_queryset(self, request):
        captain = TeamMembership.objects.filter(team=OuterRef("pk"), role=TeamMembership.Role.CAPTAIN)
        return (
            super()
            .get_queryset(request)
            .annotate(
                n_members=count_of(TeamMembership, "team"),
                captain_name=Subquery(captain.values("member__user__name")[:1]),
            )
        )

    @admin.display(description="社区", ordering="grid__community__name")
    def community(self, obj):
        return obj.grid.community

    @admin.display(description="队长", ordering="captain_name")
    def captain(self, obj):
        return obj.captain_name or "—"

    @admin.display(description="队员数", ordering="n_members")
    def member_count(self, obj):
        return obj.n_members
