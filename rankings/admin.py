"""The rankings in the admin: built days (with rebuilding), their entries and the cockpit's rows.

Everything here is written by services and read-only in the admin. Boards are public figures
inside the platform, so district and city staff may read every row; rebuilding a day — which
replaces what every member sees — is for superusers and city staff only.
"""

from __future__ import annotations

from datetime import timedelta

from django.contrib import admin, messages
from django.contrib.admin.options import IncorrectLookupParameters
from django.core.exceptions import ValidationError
from django.db.models import OuterRef, Subquery
from django.utils import timezone

from core.errors import DomainError
from grids.admin.base import LEVELS, scope_level
from grids.models import District
from grids.selectors.scope import scope_for
from rankings.models import BoardDay, BoardEntry, CockpitFigures, MemberStars
from rankings.services import board_rebuild

_REBUILD_YESTERDAY = "rebuild_yesterday"


def _level(request) -> int:
    user = request.user
    if not (user.is_active and user.is_staff):
        return -1
    return scope_level(scope_for(user))


class _ReadOnlyFigures:
    """Superusers and district/city staff read; nobody adds, changes or deletes."""

    def has_module_permission(self, request):
        return request.user.is_active and (request.user.is_superuser or _level(request) >= LEVELS.index("district"))

    def has_view_permission(self, request, obj=None):
        return self.has_module_permission(request)

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(BoardDay)
class BoardDayAdmin(_ReadOnlyFigures, admin.ModelAdmin):
    list_display = ("day", "built_at", "duration_ms", "entry_count", "triggered_by")
    ordering = ("-day",)
    date_hierarchy = "day"
    actions = ["rebuild_selected", _REBUILD_YESTERDAY]
    fields = list_display
    readonly_fields = list_display

    def has_rebuild_permission(self, request) -> bool:
        user = request.user
        return user.is_active and (user.is_superuser or _level(request) >= LEVELS.index("city"))

    def changelist_view(self, request, extra_context=None):
        # "重建昨日榜单" needs no selected row (yesterday may not have a row yet): run it as if
        # every row were selected; the action ignores the selection.
        if request.method == "POST" and request.POST.get("action") == _REBUILD_YESTERDAY:
            post = request.POST.copy()
            post["select_across"] = "1"
            post.setdefault(admin.helpers.ACTION_CHECKBOX_NAME, "")
            request.POST = post
        return super().changelist_view(request, extra_context)

    def _rebuild(self, request, days) -> None:
        who = request.user.name or request.user.phone
        for day in days:
            try:
                built = board_rebuild(day=day, triggered_by=f"管理后台：{who}")
            except DomainError as exc:
                self.message_user(request, f"{day:%Y-%m-%d}：{exc.message}", messages.ERROR)
            else:
                self.message_user(
                    request,
                    f"已重建 {built.day:%Y-%m-%d} 的榜单：{built.entry_count} 条，用时 {built.duration_ms} 毫秒。",
                    messages.SUCCESS,
                )

    @admin.action(description="立即重建所选日期的榜单", permissions=["rebuild"])
    def rebuild_selected(self, request, queryset):
        self._rebuild(request, list(queryset.order_by("day").values_list("day", flat=True)))

    @admin.action(description="重建昨日榜单（无需勾选）", permissions=["rebuild"])
    def rebuild_yesterday(self, request, queryset):
        self._rebuild(request, [timezone.localdate() - timedelta(days=1)])


class _DayFilter(admin.SimpleListFilter):
    """The board day; without a choice, the latest built day (a year holds tens of millions of
    rows, and one day is what anyone looks at)."""

    title = "数据截至日期"
    parameter_name = "day"
    ALL = "all"

    def lookups(self, request, model_admin):
        days = BoardDay.objects.order_by("-day").values_list("day", flat=True)[:31]
        return [(d.isoformat(), f"{d:%Y-%m-%d}") for d in days] + [(self.ALL, "全部日期")]

    def choices(self, changelist):
        # No "全部" entry at the top: "no choice" means the latest day here.
        choices = list(super().choices(changelist))
        return choices[1:]

    def queryset(self, request, queryset):
        value = self.value()
        if value == self.ALL:
            return queryset
        if value:
            try:
                return queryset.filter(day=value)
            except ValidationError:
                raise IncorrectLookupParameters("日期格式应为 YYYY-MM-DD。")
        latest = BoardDay.objects.order_by("-day").values_list("day", flat=True).first()
        return queryset.filter(day=latest) if latest else queryset.none()


class _DistrictFilter(admin.SimpleListFilter):
    title = "区/县(市)"
    parameter_name = "district"

    def lookups(self, request, model_admin):
        return [(str(pk), name) for pk, name in District.objects.values_list("pk", "name")]

    def queryset(self, request, queryset):
        value = self.value()
        if value and value.isdigit():
            return queryset.filter(district_id=int(value))
        return queryset.none() if value else queryset


@admin.register(BoardEntry)
class BoardEntryAdmin(_ReadOnlyFigures, admin.ModelAdmin):
    list_display = (
        "day",
        "board",
        "rank",
        "subject_id",
        "district_name",
        "district_rank",
        "movement",
        "total",
        "per_capita",
        "headcount",
        "hours",
        "services",
        "outcomes",
        "likes",
    )
    list_filter = (_DayFilter, "board", _DistrictFilter)
    search_fields = ("=subject_id",)
    ordering = ("day", "board", "rank")
    show_full_result_count = False
    list_per_page = 50
    fields = (
        "day",
        "board",
        "subject_id",
        "district_id",
        "rank",
        "district_rank",
        "previous_rank",
        "previous_district_rank",
        "total",
        "points",
        "per_capita",
        "headcount",
        "minutes",
        "services",
        "outcomes",
        "likes",
    )
    readonly_fields = fields

    def get_queryset(self, request):
        # The district's name in the page's one query (no foreign key to follow).
        name = District.objects.filter(pk=OuterRef("district_id")).values("name")[:1]
        return super().get_queryset(request).annotate(district_label=Subquery(name))

    @admin.display(description="区/县(市)")
    def district_name(self, obj):
        return obj.district_label or "—"

    @admin.display(description="总分", ordering="points")
    def total(self, obj):
        return round(obj.score, 2)

    @admin.display(description="较前一日")
    def movement(self, obj):
        if obj.previous_rank is None:
            return "新上榜"
        change = obj.previous_rank - obj.rank
        if change > 0:
            return f"↑{change}"
        if change < 0:
            return f"↓{-change}"
        return "—"

    @admin.display(description="服务时长（小时）", ordering="minutes")
    def hours(self, obj):
        return f"{obj.minutes / 60:.1f}"


@admin.register(CockpitFigures)
class CockpitFiguresAdmin(_ReadOnlyFigures, admin.ModelAdmin):
    list_display = ("day", "scope", "built_at")
    list_filter = ("day",)
    search_fields = ("scope",)
    ordering = ("-day", "scope")
    show_full_result_count = False
    fields = ("day", "scope", "built_at", "data")
    readonly_fields = fields


@admin.register(MemberStars)
class MemberStarsAdmin(_ReadOnlyFigures, admin.ModelAdmin):
    """评星定级, as the nightly job (rankings.tasks.recompute_member_stars) last wrote it."""

    list_display = ("member_name", "year", "stars", "hours", "quarters", "outcomes", "likes", "computed_at")
    list_select_related = ("member__user",)
    list_filter = ("year", "stars")
    search_fields = ("member__user__name", "member__user__phone")
    ordering = ("-year", "-stars", "member_id")
    show_full_result_count = False
    fields = ("member", "year", "stars", "minutes", "quarters", "outcomes", "likes", "computed_at")
    readonly_fields = fields

    @admin.display(description="党员", ordering="member__user__name")
    def member_name(self, obj):
        return obj.member.user.name or obj.member.user.phone

    @admin.display(description="工作时间以外服务时长（小时）")
    def hours(self, obj):
        return obj.hours
