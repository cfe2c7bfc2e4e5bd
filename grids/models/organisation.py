"""The organisation tree: districts → streets → communities → grids, units and their pairings.

Rules that span rows (a level-3 grid hangs under a level-2 grid of the same community) are
enforced by database triggers created in migration 0002, because a CHECK constraint cannot
look at another row. ``name_initials`` is computed by the services that write the names
(``grids.services.organisation``), not here.
"""

from django.db import models
from django.db.models import Q
from django.utils import timezone


class District(models.Model):
    class Kind(models.TextChoices):
        DISTRICT = "district", "市辖区"
        COUNTY = "county", "县"
        COUNTY_CITY = "county_city", "县级市"

    code = models.CharField("行政区划代码", max_length=6, unique=True)
    name = models.CharField("名称", max_length=50, unique=True)
    kind = models.CharField("类型", max_length=20, choices=Kind.choices)
    lat = models.FloatField("中心纬度")
    lng = models.FloatField("中心经度")

    class Meta:
        verbose_name = "区/县(市)"
        verbose_name_plural = "区/县(市)"
        ordering = ["code"]

    def __str__(self) -> str:
        return self.name


class Street(models.Model):
    class Kind(models.TextChoices):
        SUBDISTRICT = "subdistrict", "街道"
        TOWN = "town", "镇"

    district = models.ForeignKey(District, verbose_name="区/县(市)", on_delete=models.PROTECT, related_name="streets")
    name = models.CharField("名称", max_length=50)
    kind = models.CharField("类型", max_length=20, choices=Kind.choices)

    class Meta:
        verbose_name = "街道/镇"
        verbose_name_plural = "街道/镇"
        ordering = ["district__code", "name"]
        constraints = [models.UniqueConstraint(fields=["district", "name"], name="street_unique_name_in_district")]

    def __str__(self) -> str:
        return self.name


class Community(models.Model):
    """A community (社区), the level-1 grid. Urban villages (城中村) are communities too."""

    class Kind(models.TextChoices):
        COMMUNITY = "community", "社区"
        URBAN_VILLAGE = "urban_village", "城中村"

    street = models.ForeignKey(Street, verbose_name="街道/镇", on_delete=models.PROTECT, related_name="communities")
    name = models.CharField("名称", max_length=50)
    name_initials = models.CharField("拼音首字母", max_length=50, blank=True, db_index=True, editable=False)
    kind = models.CharField("类型", max_length=20, choices=Kind.choices, default=Kind.COMMUNITY)
    address = models.CharField("地址", max_length=200, blank=True)
    lat = models.FloatField("纬度")
    lng = models.FloatField("经度")
    geofence_radius_m = models.PositiveIntegerField("签到范围（米）", default=300)
    households = models.PositiveIntegerField("户数", default=0)
    members_needed = models.PositiveIntegerField("需要报到党员数", default=200)

    class Meta:
        verbose_name = "社区"
        verbose_name_plural = "社区"
        ordering = ["street__district__code", "street__name", "name"]
        constraints = [
            models.UniqueConstraint(fields=["street", "name"], name="community_unique_name_in_street"),
            models.CheckConstraint(
                condition=Q(lat__gte=-90, lat__lte=90, lng__gte=-180, lng__lte=180), name="community_latlng_valid"
            ),
            models.CheckConstraint(
                condition=Q(geofence_radius_m__gte=20, geofence_radius_m__lte=5000), name="community_geofence_sane"
            ),
        ]
        indexes = [models.Index(fields=["lat", "lng"], name="community_latlng")]

    def __str__(self) -> str:
        return self.name


class Grid(models.Model):
    """Level 2 (居民小组 / 物业小区) or level 3 (楼栋) grid; a party organisation sits on each."""

    class Level(models.IntegerChoices):
        SECOND = 2, "二级网格"
        THIRD = 3, "三级网格"

    class Kind(models.TextChoices):
        RESIDENTIAL_GROUP = "residential_group", "居民小组"
        PROPERTY_COMPOUND = "property_compound", "物业小区"
        BUILDING = "building", "楼栋"

    community = models.ForeignKey(Community, verbose_name="社区", on_delete=models.PROTECT, related_name="grids")
    level = models.PositiveSmallIntegerField("层级", choices=Level.choices)
    kind = models.CharField("类型", max_length=20, choices=Kind.choices)
    parent = models.ForeignKey(
        "self", verbose_name="上级网格", on_delete=models.PROTECT, null=True, blank=True, related_name="children"
    )
    name = models.CharField("名称", max_length=80)

    class Meta:
        verbose_name = "网格"
        verbose_name_plural = "网格"
        ordering = ["community_id", "level", "name"]
        constraints = [
            models.CheckConstraint(
                condition=(Q(level=2, parent__isnull=True) & ~Q(kind="building"))
                | (Q(level=3, parent__isnull=False, kind="building")),
                name="grid_level_parent_kind_consistent",
            ),
            models.UniqueConstraint(
                fields=["community", "name"], condition=Q(level=2), name="grid_unique_level2_name_in_community"
            ),
            models.UniqueConstraint(
                fields=["parent", "name"], condition=Q(level=3), name="grid_unique_building_name_in_parent"
            ),
        ]

    def __str__(self) -> str:
        return self.name


class Unit(models.Model):
    """An employer unit (机关 / 国企 / 事业单位) whose in-service party members report to communities."""

    class Kind(models.TextChoices):
        GOVERNMENT_ORGAN = "government_organ", "机关"
        STATE_OWNED_ENTERPRISE = "state_owned_enterprise", "国有企业"
        PUBLIC_INSTITUTION = "public_institution", "事业单位"

    name = models.CharField("单位名称", max_length=100, unique=True)
    name_initials = models.CharField("拼音首字母", max_length=100, blank=True, db_index=True, editable=False)
    kind = models.CharField("类型", max_length=30, choices=Kind.choices)
    district = models.ForeignKey(
        District,
        verbose_name="所属区/县(市)",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="units",
        help_text="市直单位留空。",
    )
    party_org_name = models.CharField("党组织名称", max_length=120, blank=True)
    address = models.CharField("地址", max_length=200, blank=True)
    lat = models.FloatField("纬度", null=True, blank=True)
    lng = models.FloatField("经度", null=True, blank=True)
    communities = models.ManyToManyField(
        Community, through="Pairing", verbose_name="结对社区", related_name="paired_units", blank=True
    )

    class Meta:
        verbose_name = "单位"
        verbose_name_plural = "单位"
        ordering = ["name"]
        constraints = [
            models.CheckConstraint(
                condition=Q(lat__isnull=True, lng__isnull=True) | Q(lat__isnull=False, lng__isnull=False),
                name="unit_latlng_both_or_neither",
            ),
        ]

    def __str__(self) -> str:
        return self.name


class Pairing(models.Model):
    """结对包联: a unit's party organisation pairs with a community."""

    unit = models.ForeignKey(Unit, verbose_name="单位", on_delete=models.CASCADE, related_name="pairings")
    community = models.ForeignKey(Community, verbose_name="社区", on_delete=models.CASCADE, related_name="pairings")
    created_at = models.DateTimeField("结对时间", default=timezone.now)

    class Meta:
        verbose_name = "结对包联"
        verbose_name_plural = "结对包联"
        constraints = [models.UniqueConstraint(fields=["unit", "community"], name="pairing_unique")]

    def __str__(self) -> str:
        return f"{self.unit} ↔ {self.community}"
