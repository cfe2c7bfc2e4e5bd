"""调剂 rounds and their moves in the admin: read-only; rounds are run and accepted on the staff pages."""

from django.contrib import admin

from grids.models import AdjustmentMove, AdjustmentRound, AdjustmentRoundEvent
from grids.selectors.adjustment import adjustment_rounds_for


class ReadOnlyMixin:
    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


class AdjustmentMoveInline(ReadOnlyMixin, admin.TabularInline):
    model = AdjustmentMove
    extra = 0
    fields = ("member", "from_community", "to_community", "reason", "detail", "distance_m", "status")
    readonly_fields = fields
    show_change_link = False

    def get_queryset(self, request):
        return super().get_queryset(request).select_related("member__user", "from_community", "to_community")


class AdjustmentRoundEventInline(ReadOnlyMixin, admin.TabularInline):
    """The round's timeline: solved (or failed, with the reason), accepted or cancelled, by whom."""

    model = AdjustmentRoundEvent
    extra = 0
    fields = ("created_at", "from_status", "to_status", "actor", "note")
    readonly_fields = fields
    show_change_link = False

    def get_queryset(self, request):
        return super().get_queryset(request).select_related("actor")


@admin.register(AdjustmentRound)
class AdjustmentRoundAdmin(ReadOnlyMixin, admin.ModelAdmin):
    list_display = (
        "__str__",
        "phase",
        "created_by",
        "created_at",
        "members_count",
        "moves_count",
        "accepted_count",
        "failure",
    )
    list_filter = ("status",)
    readonly_fields = [f.name for f in AdjustmentRound._meta.fields]
    inlines = [AdjustmentRoundEventInline, AdjustmentMoveInline]

    def get_queryset(self, request):
        return adjustment_rounds_for(request.user)


@admin.register(AdjustmentMove)
class AdjustmentMoveAdmin(ReadOnlyMixin, admin.ModelAdmin):
    list_display = ("member", "from_community", "to_community", "reason", "distance_m", "status", "round")
    list_filter = ("reason", "status")
    readonly_fields = [f.name for f in AdjustmentMove._meta.fields]
    list_select_related = ("member__user", "from_community", "to_community", "round__district")

    def get_queryset(self, request):
        return super().get_queryset(request).filter(round__in=adjustment_rounds_for(request.user).values("pk"))
