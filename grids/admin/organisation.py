"""The organisation tree in the admin: districts, streets, communities, grids, units, pairings.

Every save and delete goes through ``grids.services.organisation`` (see ``saving``).
"""

from django.contrib import admin
from django.db.models import Q

from grids.admin.base import count_of, district_filter, node_filters, street_filter
from grids.admin.saving import ServiceAdminMixin
from grids.models import Community, District, Grid, Member, Pairing, Registration, Street, Unit
from grids.selectors.scope import Scope
from grids.services import organisation as services


def _community_q(scope: Scope) -> Q:
    """Communities the user may see: covered ones, plus the community of a grid secretary's grid."""
    q = scope.q(None)
    if scope.grid_ids:
        q |= Q(pk__in=Grid.objects.filter(pk__in=scope.grid_ids).values("community_id"))
    return q


def _street_q(scope: Scope) -> Q:
    return (
        Q(district_id__in=scope.district_ids)
        | Q(pk__in=scope.street_ids)
        | Q(pk__in=Community.objects.filter(_community_q(scope)).values("street_id"))
    )


@admin.register(District)
class DistrictAdmin(ServiceAdminMixin, admin.ModelAdmin):
    staff_add_level = staff_change_level = "city"
    staff_delete_level = None

    list_display = ("code", "name", "kind", "street_count", "community_count")
    list_display_links = ("code", "name")
    list_filter = ("kind",)
    search_fields = ("name", "code")

    def scope_q(self, scope):
        return Q(pk__in=scope.district_ids) | Q(pk__in=Street.objects.filter(_street_q(scope)).values("district_id"))

    def scope_write_q(self, scope):
        return Q(pk__in=scope.district_ids)

    def get_queryset(self, request):
        return (
            super()
            .get_queryset(request)
            .annotate(
                n_streets=count_of(Street, "district"),
                n_communities=count_of(Community, "street__district"),
            )
        )

    @admin.display(description="街道/镇数", ordering="n_streets")
    def street_count(self, obj):
        return obj.n_streets

    @admin.display(description="社区数", ordering="n_communities")
    def community_count(self, obj):
        return obj.n_communities

    def service_create(self, request, fields):
        return services.district_create(**fields)

    def service_update(self, request, obj, changes):
        return services.district_update(district=obj, **changes)

    def service_delete(self, request, obj):
        services.district_delete(district=obj)


@admin.register(Street)
class StreetAdmin(ServiceAdminMixin, admin.ModelAdmin):
    staff_add_level = staff_change_level = "district"
    staff_delete_level = None

    list_display = ("name", "kind", "district", "community_count")
    list_select_related = ("district",)
    list_filter = ("kind", district_filter("district_id"))
    search_fields = ("name", "district__name")
    autocomplete_fields = ("district",)

    def scope_q(self, scope):
        return _street_q(scope)

    def scope_write_q(self, scope):
        return Q(district_id__in=scope.district_ids) | Q(pk__in=scope.street_ids)

    def get_queryset(self, request):
        return super().get_queryset(request).annotate(n_communities=count_of(Community, "street"))

    @admin.display(description="社区数", ordering="n_communities")
    def community_count(self, obj):
        return obj.n_communities

    def service_create(self, request, fields):
        return services.street_create(**fields)

    def service_update(self, request, obj, changes):
        return services.street_update(street=obj, **changes)

    def service_delete(self, request, obj):
        services.street_delete(street=obj)


@admin.register(Community)
class CommunityAdmin(ServiceAdminMixin, admin.ModelAdmin):
    # A secretary keeps their own community's details (address, geofence, households, need)
    # up to date; creating or removing communities is the district's business.
    staff_add_level = "street"
    staff_change_level = "community"
    staff_delete_level = "district"

    list_display = (
        "name",
        "kind",
        "street",
        "district_name",
        "households",
        "members_needed",
        "member_count",
        "grid_count",
        "pending_count",
    )
    list_select_related = ("street__district",)
    list_filter = ("kind", district_filter("street__district_id"), street_filter("street_id"))
    search_fields = ("name", "name_initials", "address", "street__name")
    autocomplete_fields = ("street",)
    readonly_fields = ("name_initials",)
    fieldsets = (
        (None, {"fields": ("street", "name", "name_initials", "kind")}),
        ("位置", {"fields": ("address", "lat", "lng", "geofence_radius_m")}),
        ("规模", {"fields": ("households", "members_needed")}),
    )

    def scope_q(self, scope):
        return _community_q(scope)

    def scope_write_q(self, scope):
        return scope.q(None)

    def get_queryset(self, request):
        return (
            super()
            .get_queryset(request)
            .select_related("street__district")
            .annotate(
                n_members=count_of(Member, "community"),
                n_grids=count_of(Grid, "community"),
                n_pending=count_of(Registration, "community", status=Registration.Status.PENDING),
            )
        )

    @admin.display(description="区/县(市)", ordering="street__district__code")
    def district_name(self, obj):
        return obj.street.district.name

    @admin.display(description="党员/志愿者数", ordering="n_members")
    def member_count(self, obj):
        return obj.n_members

    @admin.display(description="网格数", ordering="n_grids")
    def grid_count(self, obj):
        return obj.n_grids

    @admin.display(description="待编入报到", ordering="n_pending")
    def pending_count(self, obj):
        return obj.n_pending

    def service_create(self, request, fields):
        return services.community_create(**fields)

    def service_update(self, request, obj, changes):
        return services.community_update(community=obj, **changes)

    def service_delete(self, request, obj):
        services.community_delete(community=obj)


@admin.register(Grid)
class GridAdmin(ServiceAdminMixin, admin.ModelAdmin):
    # A grid secretary keeps the buildings under their grid.
    staff_add_level = staff_change_level = staff_delete_level = "grid"

    list_display = ("name", "level", "kind", "community", "parent", "member_count", "building_count")
    list_select_related = ("community", "parent")
    list_filter = ("level", "kind", *node_filters("community"))
    search_fields = ("name", "community__name", "community__name_initials", "parent__name")
    autocomplete_fields = ("community", "parent")

    def scope_q(self, scope):
        q = scope.q("community")
        if scope.grid_ids:
            q |= Q(pk__in=scope.grid_ids) | Q(parent_id__in=scope.grid_ids)
        return q

    def get_queryset(self, request):
        return (
            super()
            .get_queryset(request)
            .annotate(n_members=count_of(Member, "grid"), n_buildings=count_of(Grid, "parent"))
        )

    @admin.display(description="党员/志愿者数", ordering="n_members")
    def member_count(self, obj):
        return obj.n_members

    @admin.display(description="楼栋数", ordering="n_buildings")
    def building_count(self, obj):
        return obj.n_buildings

    def service_create(self, request, fields):
        return services.grid_create(**fields)

    def service_update(self, request, obj, changes):
        return services.grid_update(grid=obj, **changes)

    def service_delete(self, request, obj):
        services.grid_delete(grid=obj)


@admin.register(Unit)
class UnitAdmin(ServiceAdminMixin, admin.ModelAdmin):
    staff_add_level = staff_change_level = "district"
    staff_delete_level = None

    list_display = ("name", "kind", "district", "party_org_name", "member_count", "pairing_count")
    list_select_related = ("district",)
    list_filter = ("kind", district_filter("district_id"))
    search_fields = ("name", "name_initials", "party_org_name")
    autocomplete_fields = ("district",)
    readonly_fields = ("name_initials",)
    fields = ("name", "name_initials", "kind", "district", "party_org_name", "address", "lat", "lng")

    def scope_q(self, scope):
        # The district's own units, units paired with a community in scope, and the units
        # that the members in scope come from.
        return (
            Q(district_id__in=scope.district_ids)
            | Q(pk__in=Pairing.objects.filter(scope.q("community")).values("unit_id"))
            | Q(pk__in=Member.objects.filter(scope.q("community", "grid")).values("unit_id"))
        )

    def scope_write_q(self, scope):
        return Q(district_id__in=scope.district_ids)

    def get_queryset(self, request):
        return (
            super()
            .get_queryset(request)
            .annotate(n_members=count_of(Member, "unit"), n_pairings=count_of(Pairing, "unit"))
        )

    @admin.display(description="党员数", ordering="n_members")
    def member_count(self, obj):
        return obj.n_members

    @admin.display(description="结对社区数", ordering="n_pairings")
    def pairing_count(self, obj):
        return obj.n_pairings

    def service_create(self, request, fields):
        return services.unit_create(**fields)

    def service_update(self, request, obj, changes):
        return services.unit_update(unit=obj, **changes)

    def service_delete(self, request, obj):
        services.unit_delete(unit=obj)


@admin.register(Pairing)
class PairingAdmin(ServiceAdminMixin, admin.ModelAdmin):
    staff_add_level = staff_change_level = staff_delete_level = "street"

    list_display = ("unit", "community", "street_name", "created_at")
    list_select_related = ("unit", "community__street")
    list_filter = node_filters("community")
    search_fields = ("unit__name", "unit__name_initials", "community__name", "community__name_initials")
    autocomplete_fields = ("unit", "community")
    date_hierarchy = "created_at"

    @admin.display(description="街道/镇", ordering="community__street__name")
    def street_name(self, obj):
        return obj.community.street.name

    def service_create(self, request, fields):
        return services.pairing_create(**fields)

    def service_update(self, request, obj, changes):
        return services.pairing_update(pairing=obj, **changes)

    def service_delete(self, request, obj):
        services.pairing_delete(pairing=obj)
