"""The organisation: districts → streets → communities → grids, units, members, posts, teams,
and members' registration (报到) with a community.

Rules that span rows (a level-3 grid hangs under a level-2 grid of the same community; a
member's or registration's grid belongs to its community) are enforced by database triggers
created in migration 0002, because a CHECK constraint cannot look at another row.
"""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone

from accounts.pinyin import initials


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

    def save(self, *args, **kwargs):
        self.name_initials = initials(self.name)
        super().save(*args, **kwargs)


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

    def save(self, *args, **kwargs):
        self.name_initials = initials(self.name)
        super().save(*args, **kwargs)


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


class Skill(models.TextChoices):
    TEACHER = "teacher", "教师"
    DOCTOR = "doctor", "医生"
    NURSE = "nurse", "护士"
    LAWYER = "lawyer", "律师"
    POLICE = "police", "警察"
    SOCIAL_WORKER = "social_worker", "社工"
    ELECTRICIAN = "electrician", "电工"
    PLUMBER = "plumber", "水管工"
    IT = "it", "信息技术"
    TRANSLATOR = "translator", "翻译"
    PSYCHOLOGIST = "psychologist", "心理咨询"
    ACCOUNTANT = "accountant", "会计"
    DRIVER = "driver", "驾驶"
    PHOTOGRAPHER = "photographer", "摄影"


class Member(models.Model):
    """A volunteer: an in-service party member from a unit, or one of the other kinds."""

    class Kind(models.TextChoices):
        IN_SERVICE = "in_service", "在职党员"
        COMMUNITY_PARTY = "community_party", "社区党员"
        VETERAN_PARTY = "veteran_party", "老党员"
        YOUTH_LEAGUE = "youth_league", "团员青年"
        RESIDENT = "resident", "热心居民"
        SECURITY_GUARD = "security_guard", "小区保安"

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, verbose_name="用户", on_delete=models.CASCADE, related_name="member"
    )
    kind = models.CharField("类型", max_length=20, choices=Kind.choices, default=Kind.IN_SERVICE)
    unit = models.ForeignKey(
        Unit, verbose_name="所在单位", on_delete=models.PROTECT, null=True, blank=True, related_name="members"
    )
    skills = models.JSONField("专长", default=list, blank=True)
    home_address = models.CharField("居住地址", max_length=200, blank=True)
    home_lat = models.FloatField("居住地纬度", null=True, blank=True)
    home_lng = models.FloatField("居住地经度", null=True, blank=True)
    community = models.ForeignKey(
        Community, verbose_name="报到社区", on_delete=models.SET_NULL, null=True, blank=True, related_name="members"
    )
    grid = models.ForeignKey(
        Grid, verbose_name="所在网格", on_delete=models.SET_NULL, null=True, blank=True, related_name="members"
    )
    created_at = models.DateTimeField("创建时间", default=timezone.now)

    class Meta:
        verbose_name = "党员/志愿者"
        verbose_name_plural = "党员/志愿者"
        ordering = ["id"]
        constraints = [
            models.CheckConstraint(
                condition=~Q(kind="in_service") | Q(unit__isnull=False), name="member_in_service_has_unit"
            ),
            models.CheckConstraint(
                condition=Q(grid__isnull=True) | Q(community__isnull=False), name="member_grid_needs_community"
            ),
            models.CheckConstraint(
                condition=Q(home_lat__isnull=True, home_lng__isnull=True)
                | Q(home_lat__isnull=False, home_lng__isnull=False),
                name="member_home_latlng_both_or_neither",
            ),
        ]

    def __str__(self) -> str:
        return self.user.name or self.user.phone

    @property
    def skill_labels(self) -> list[str]:
        labels = dict(Skill.choices)
        return [labels.get(s, s) for s in self.skills]


class Post(models.Model):
    """A post at an organisation node. It grants its holder rights over that node and all below it."""

    class Role(models.TextChoices):
        CITY_STAFF = "city_staff", "市委组织部工作人员"
        DISTRICT_STAFF = "district_staff", "区/县组织部工作人员"
        STREET_STAFF = "street_staff", "街道工作人员"
        SECRETARY = "secretary", "社区书记"
        FIRST_SECRETARY = "first_secretary", "网格党组织第一书记"
        PART_TIME_MEMBER = "part_time_member", "兼职委员"
        GRID_SECRETARY = "grid_secretary", "网格书记"

    # Which node each role sits on.
    CITY_ROLES = {Role.CITY_STAFF}
    DISTRICT_ROLES = {Role.DISTRICT_STAFF}
    STREET_ROLES = {Role.STREET_STAFF}
    COMMUNITY_ROLES = {Role.SECRETARY, Role.FIRST_SECRETARY, Role.PART_TIME_MEMBER}
    GRID_ROLES = {Role.GRID_SECRETARY}

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name="用户", on_delete=models.CASCADE, related_name="posts"
    )
    role = models.CharField("职务", max_length=20, choices=Role.choices)
    district = models.ForeignKey(
        District, verbose_name="区/县(市)", on_delete=models.CASCADE, null=True, blank=True, related_name="posts"
    )
    street = models.ForeignKey(
        Street, verbose_name="街道/镇", on_delete=models.CASCADE, null=True, blank=True, related_name="posts"
    )
    community = models.ForeignKey(
        Community, verbose_name="社区", on_delete=models.CASCADE, null=True, blank=True, related_name="posts"
    )
    grid = models.ForeignKey(
        Grid, verbose_name="网格", on_delete=models.CASCADE, null=True, blank=True, related_name="posts"
    )
    created_at = models.DateTimeField("任职时间", default=timezone.now)

    class Meta:
        verbose_name = "职务"
        verbose_name_plural = "职务"
        ordering = ["user_id", "role"]
        constraints = [
            models.CheckConstraint(
                condition=(
                    Q(
                        role="city_staff",
                        district__isnull=True,
                        street__isnull=True,
                        community__isnull=True,
                        grid__isnull=True,
                    )
                    | Q(
                        role="district_staff",
                        district__isnull=False,
                        street__isnull=True,
                        community__isnull=True,
                        grid__isnull=True,
                    )
                    | Q(
                        role="street_staff",
                        district__isnull=True,
                        street__isnull=False,
                        community__isnull=True,
                        grid__isnull=True,
                    )
                    | Q(
                        role__in=["secretary", "first_secretary", "part_time_member"],
                        district__isnull=True,
                        street__isnull=True,
                        community__isnull=False,
                        grid__isnull=True,
                    )
                    | Q(
                        role="grid_secretary",
                        district__isnull=True,
                        street__isnull=True,
                        community__isnull=True,
                        grid__isnull=False,
                    )
                ),
                name="post_node_matches_role",
            ),
            models.UniqueConstraint(fields=["user", "role"], condition=Q(role="city_staff"), name="post_unique_city"),
            models.UniqueConstraint(
                fields=["user", "role", "district"], condition=Q(district__isnull=False), name="post_unique_district"
            ),
            models.UniqueConstraint(
                fields=["user", "role", "street"], condition=Q(street__isnull=False), name="post_unique_street"
            ),
            models.UniqueConstraint(
                fields=["user", "role", "community"], condition=Q(community__isnull=False), name="post_unique_community"
            ),
            models.UniqueConstraint(
                fields=["user", "role", "grid"], condition=Q(grid__isnull=False), name="post_unique_grid"
            ),
            models.UniqueConstraint(
                fields=["community"], condition=Q(role="secretary"), name="post_one_secretary_per_community"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.node_name}{self.get_role_display()}"

    @property
    def node(self):
        return self.grid or self.community or self.street or self.district

    @property
    def node_name(self) -> str:
        node = self.node
        return str(node) if node else "韶关市"


class VanguardTeam(models.Model):
    """党群先锋队: one per grid party organisation, led by its secretary and first secretary."""

    grid = models.ForeignKey(Grid, verbose_name="网格", on_delete=models.PROTECT, related_name="teams")
    name = models.CharField("队名", max_length=80)
    members = models.ManyToManyField(Member, through="TeamMembership", verbose_name="队员", related_name="teams")
    created_at = models.DateTimeField("成立时间", default=timezone.now)

    class Meta:
        verbose_name = "党群先锋队"
        verbose_name_plural = "党群先锋队"
        ordering = ["grid_id", "name"]
        constraints = [models.UniqueConstraint(fields=["grid", "name"], name="team_unique_name_in_grid")]

    def __str__(self) -> str:
        return self.name


class TeamMembership(models.Model):
    class Role(models.TextChoices):
        CAPTAIN = "captain", "队长"
        VICE_CAPTAIN = "vice_captain", "副队长"
        MEMBER = "member", "队员"

    team = models.ForeignKey(VanguardTeam, verbose_name="先锋队", on_delete=models.CASCADE, related_name="memberships")
    member = models.ForeignKey(Member, verbose_name="队员", on_delete=models.CASCADE, related_name="team_memberships")
    role = models.CharField("角色", max_length=20, choices=Role.choices, default=Role.MEMBER)
    joined_at = models.DateTimeField("加入时间", default=timezone.now)

    class Meta:
        verbose_name = "先锋队队员"
        verbose_name_plural = "先锋队队员"
        constraints = [
            models.UniqueConstraint(fields=["team", "member"], name="teammembership_unique_member"),
            models.UniqueConstraint(fields=["team"], condition=Q(role="captain"), name="teammembership_one_captain"),
            models.UniqueConstraint(
                fields=["team"], condition=Q(role="vice_captain"), name="teammembership_one_vice_captain"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.team} · {self.member}（{self.get_role_display()}）"


class Registration(models.Model):
    """A member's 报到 with a community.

    双选: the member self-selects up to three ranked communities (``choices``); the community
    at the head of the list places the member into a grid or passes; a district officer may
    adjust (调剂) — move the member elsewhere — which ends this registration and starts an
    ``adjusted`` one, recording who decided.
    """

    class Status(models.TextChoices):
        PENDING = "pending", "待社区编入"
        PLACED = "placed", "已编入网格"
        UNPLACED = "unplaced", "待调剂"
        WITHDRAWN = "withdrawn", "已撤回"
        ENDED = "ended", "已结束"

    class Source(models.TextChoices):
        SELF_SELECTED = "self_selected", "自选"
        ADJUSTED = "adjusted", "调剂"

    ACTIVE = [Status.PENDING, Status.PLACED, Status.UNPLACED]

    member = models.ForeignKey(Member, verbose_name="党员", on_delete=models.CASCADE, related_name="registrations")
    community = models.ForeignKey(
        Community,
        verbose_name="报到社区",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="registrations",
        help_text="当前负责编入的社区；待调剂时为空。",
    )
    grid = models.ForeignKey(
        Grid, verbose_name="编入网格", on_delete=models.PROTECT, null=True, blank=True, related_name="registrations"
    )
    status = models.CharField("状态", max_length=20, choices=Status.choices, default=Status.PENDING)
    source = models.CharField("方式", max_length=20, choices=Source.choices, default=Source.SELF_SELECTED)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name="决定人",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        help_text="自选时为党员本人；调剂时为区级组织部门工作人员。",
    )
    note = models.CharField("说明", max_length=200, blank=True)
    created_at = models.DateTimeField("提交时间", default=timezone.now)
    placed_at = models.DateTimeField("编入时间", null=True, blank=True)
    ended_at = models.DateTimeField("结束时间", null=True, blank=True)

    class Meta:
        verbose_name = "报到"
        verbose_name_plural = "报到"
        ordering = ["-created_at"]
        constraints = [
            models.UniqueConstraint(
                fields=["member"],
                condition=Q(status__in=["pending", "placed", "unplaced"]),
                name="registration_one_active_per_member",
            ),
            models.CheckConstraint(
                condition=~Q(status="placed") | Q(grid__isnull=False, community__isnull=False, placed_at__isnull=False),
                name="registration_placed_has_grid",
            ),
            models.CheckConstraint(
                condition=~Q(status="pending") | Q(community__isnull=False, grid__isnull=True),
                name="registration_pending_has_community",
            ),
            models.CheckConstraint(
                condition=Q(grid__isnull=True) | Q(community__isnull=False), name="registration_grid_needs_community"
            ),
        ]
        indexes = [models.Index(fields=["community", "status"], name="registration_comm_status")]

    def __str__(self) -> str:
        return f"{self.member} → {self.community or '待调剂'}（{self.get_status_display()}）"

    @property
    def is_active(self) -> bool:
        return self.status in self.ACTIVE


class RegistrationChoice(models.Model):
    """One of the up-to-three communities a member ranked when self-selecting."""

    registration = models.ForeignKey(
        Registration, verbose_name="报到", on_delete=models.CASCADE, related_name="choices"
    )
    community = models.ForeignKey(Community, verbose_name="社区", on_delete=models.CASCADE, related_name="+")
    rank = models.PositiveSmallIntegerField("志愿顺序")
    declined_at = models.DateTimeField("社区婉拒时间", null=True, blank=True)

    class Meta:
        verbose_name = "报到志愿"
        verbose_name_plural = "报到志愿"
        ordering = ["registration_id", "rank"]
        constraints = [
            models.UniqueConstraint(fields=["registration", "rank"], name="registrationchoice_unique_rank"),
            models.UniqueConstraint(fields=["registration", "community"], name="registrationchoice_unique_community"),
            models.CheckConstraint(condition=Q(rank__gte=1, rank__lte=3), name="registrationchoice_rank_1_to_3"),
        ]

    def __str__(self) -> str:
        return f"第{self.rank}志愿：{self.community}"
