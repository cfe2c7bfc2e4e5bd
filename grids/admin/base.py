"""Scoping for the admin: staff with a post see and change only their subtree.

Access does not come from Django's per-model permissions. A post (``grids.models.Post``)
already says what its holder may act on, and ``grids.selectors.scope.scope_for`` turns posts into
a scope; granting model permissions as well would mean keeping two sources of truth in step
(every new post would need a group, every removed post a clean-up), and a forgotten group
would silently widen or narrow access. So an active staff user with a non-empty scope gets
view rights on rows inside it, and add/change/delete rights where the admin class allows
that post level; staff without a post see nothing; superusers see everything.

Each scoped admin says how its rows reach the organisation tree:

- ``scope_q(scope)`` — the rows the user may *see* (default: ``Scope.q`` over
  ``scope_community_path`` / ``scope_grid_path``);
- ``scope_write_q(scope)`` — the rows the user may *change*; narrower for nodes above the
  user's own (a community secretary sees their street but may not edit it).

The same filters restrict foreign-key choices and autocomplete results, and every save is
checked again afterwards, inside the admin's transaction, so no form can put a row outside
the user's subtree.
"""

from __future__ import annotations

from django.contrib import admin
from django.contrib.admin.options import IncorrectLookupParameters
from django.core.exceptions import PermissionDenied
from django.db.models import Count, IntegerField, Model, OuterRef, Q, QuerySet, Subquery
from django.db.models.functions import Coalesce

from core.admin import TransitionEventInline
from grids.selectors.scope import Scope, communities_for, districts_for, scope_for, streets_for, units_for

# Post levels from the lowest to the highest; an admin names the lowest level allowed to write.
LEVELS = ("grid", "community", "street", "district", "city")


def scope_level(scope: Scope) -> int:
    """Index into ``LEVELS`` of the highest post the scope carries (-1 for none)."""
    if scope.city:
        return 4
    if scope.district_ids:
        return 3
    if scope.street_ids:
        return 2
    if scope.community_ids:
        return 1
    if scope.grid_ids:
        return 0
    return -1


def count_of(model: type[Model], fk: str, **filters) -> Coalesce:
    """A correlated ``COUNT(*)`` of ``model`` rows pointing at the outer row through ``fk``.

    Subqueries rather than ``Count()`` joins, so several counts on one list do not multiply
    each other and the list needs no GROUP BY over every column.
    """
    sub = (
        model._default_manager.filter(**{fk: OuterRef("pk")}, **filters)
        .order_by()
        .values(fk)
        .annotate(n=Count("pk"))
        .values("n")[:1]
    )
    return Coalesce(Subquery(sub, output_field=IntegerField()), 0)


class ScopedChoicesMixin:
    """Foreign-key choices limited to what the related model's scoped admin lets the user see."""

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        if "queryset" not in kwargs and not request.user.is_superuser:
            remote = db_field.remote_field.model
            related_admin = self.admin_site._registry.get(remote)
            if isinstance(related_admin, ScopedAdminMixin):
                kwargs["queryset"] = related_admin.scope_queryset(request, remote._default_manager.all())
        return super().formfield_for_foreignkey(db_field, request, **kwargs)


class ScopedAdminMixin(ScopedChoicesMixin):
    scope_community_path: str | None = "community"
    scope_grid_path: str | None = None
    # The lowest post level that may add / change / delete rows in its subtree;
    # ``None`` leaves the action to superusers.
    staff_add_level: str | None = "community"
    staff_change_level: str | None = "community"
    staff_delete_level: str | None = None
    # Rows written only by services (admin actions call them): nobody edits them here.
    read_only = False
    # A second COUNT over the whole (scoped) table on every page costs as much as the page
    # itself on city-sized tables; the filtered count is enough.
    show_full_result_count = False

    # --- which rows ---------------------------------------------------------------------

    def scope_q(self, scope: Scope) -> Q:
        return scope.q(self.scope_community_path, self.scope_grid_path)

    def scope_write_q(self, scope: Scope) -> Q:
        return self.scope_q(scope)

    def _scoped(self, request, qs: QuerySet, *, write: bool = False) -> QuerySet:
        user = request.user
        if user.is_superuser:
            return qs
        scope = self.staff_scope(request)
        if scope is None:
            return qs.none()
        if scope.city:
            return qs
        return qs.filter(self.scope_write_q(scope) if write else self.scope_q(scope))

    def scope_queryset(self, request, qs: QuerySet) -> QuerySet:
        return self._scoped(request, qs)

    def get_queryset(self, request):
        # Autocomplete goes through here too (AutocompleteJsonView calls the target admin's
        # get_queryset and then get_search_results), so its results are scoped as well.
        return self.scope_queryset(request, super().get_queryset(request))

    def in_scope(self, request, obj, *, write: bool = False) -> bool:
        cache = request.__dict__.setdefault("_admin_scope_checks", {})
        key = (self.model._meta.label, obj.pk, write)
        if key not in cache:
            qs = self.model._default_manager.filter(pk=obj.pk)
            cache[key] = self._scoped(request, qs, write=write).exists()
        return cache[key]

    # --- who may do what ----------------------------------------------------------------

    @staticmethod
    def staff_scope(request) -> Scope | None:
        user = request.user
        if not (user.is_active and user.is_staff):
            return None
        scope = scope_for(user)
        return None if scope.is_empty else scope

    def _may(self, request, level: str | None, obj=None, *, write: bool) -> bool:
        if write and self.read_only:
            return False
        if request.user.is_superuser:
            return request.user.is_active
        scope = self.staff_scope(request)
        if scope is None or level is None or scope_level(scope) < LEVELS.index(level):
            return False
        return obj is None or self.in_scope(request, obj, write=write)

    def has_module_permission(self, request):
        return request.user.is_superuser or self.staff_scope(request) is not None

    def has_view_permission(self, request, obj=None):
        return self._may(request, "grid", obj, write=False)

    def has_add_permission(self, request):
        return self._may(request, self.staff_add_level, write=True)

    def has_change_permission(self, request, obj=None):
        return self._may(request, self.staff_change_level, obj, write=True)

    def has_delete_permission(self, request, obj=None):
        return self._may(request, self.staff_delete_level, obj, write=True)

    def save_model(self, request, obj, form, change):
        super().save_model(request, obj, form, change)
        self.check_saved_in_scope(request, obj)

    def check_saved_in_scope(self, request, obj) -> None:
        # The last guard: whatever the form allowed, the saved row must lie in the user's
        # subtree. Raising here rolls the admin's transaction back.
        if not request.user.is_superuser and not self.in_scope(request, obj, write=True):
            raise PermissionDenied("不能把记录保存到您管辖范围以外。")


class ParentScopedInlineMixin(ScopedChoicesMixin):
    """Inline rows share their parent's rights (the inline model has no admin of its own)."""

    read_only = False

    def _parent_admin(self):
        return self.admin_site._registry[self.parent_model]

    def has_view_permission(self, request, obj=None):
        return self._parent_admin().has_view_permission(request, obj)

    def has_add_permission(self, request, obj=None):
        return not self.read_only and self._parent_admin().has_change_permission(request, obj)

    def has_change_permission(self, request, obj=None):
        return not self.read_only and self._parent_admin().has_change_permission(request, obj)

    def has_delete_permission(self, request, obj=None):
        return not self.read_only and self._parent_admin().has_change_permission(request, obj)


class EventInline(ParentScopedInlineMixin, TransitionEventInline):
    """A state machine's history, shown to whoever may see its row."""

    read_only = True


# --- list filters that offer only nodes in the user's scope ------------------------------


class _NodeFilter(admin.SimpleListFilter):
    path: str = ""  # lookup from the filtered model to the node's id

    def nodes(self, request) -> QuerySet:
        raise NotImplementedError

    def lookups(self, request, model_admin):
        return [(str(pk), name) for pk, name in self.nodes(request).values_list("pk", "name")]

    def queryset(self, request, queryset):
        value = self.value()
        if not value:
            return queryset
        if not str(value).isdigit():
            raise IncorrectLookupParameters("筛选条件无效。")
        return queryset.filter(**{self.path: int(value)})


def _param(request, name: str) -> int | None:
    value = request.GET.get(name, "")
    return int(value) if value.isdigit() else None


class _DistrictFilter(_NodeFilter):
    title = "区/县(市)"
    parameter_name = "district"

    def nodes(self, request):
        return districts_for(request.user)


class _StreetFilter(_NodeFilter):
    title = "街道/镇"
    parameter_name = "street"

    def nodes(self, request):
        qs = streets_for(request.user).select_related(None)
        district = _param(request, "district")
        return qs.filter(district_id=district) if district else qs


class _CommunityFilter(_NodeFilter):
    title = "社区"
    parameter_name = "community"

    def nodes(self, request):
        qs = communities_for(request.user).select_related(None)
        street, district = _param(request, "street"), _param(request, "district")
        if street:
            return qs.filter(street_id=street)
        if district:
            return qs.filter(street__district_id=district)
        return qs


class _UnitFilter(_NodeFilter):
    title = "单位"
    parameter_name = "unit"

    def nodes(self, request):
        return units_for(request.user).select_related(None)


def _filter(base: type[_NodeFilter], path: str) -> type[_NodeFilter]:
    return type(base.__name__.lstrip("_"), (base,), {"path": path})


def district_filter(path: str) -> type[_NodeFilter]:
    return _filter(_DistrictFilter, path)


def street_filter(path: str) -> type[_NodeFilter]:
    return _filter(_StreetFilter, path)


def community_filter(path: str) -> type[_NodeFilter]:
    return _filter(_CommunityFilter, path)


def unit_filter(path: str) -> type[_NodeFilter]:
    return _filter(_UnitFilter, path)


def node_filters(community_path: str) -> list[type[_NodeFilter]]:
    """District, street and community filters for a model that reaches a community."""
    return [
        district_filter(f"{community_path}__street__district_id"),
        street_filter(f"{community_path}__street_id"),
        community_filter(f"{community_path}_id"),
    ]
