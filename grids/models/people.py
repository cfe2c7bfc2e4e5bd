"""People of the organisation: members (党员/志愿者), posts and vanguard teams (党群先锋队).

Posts sit on two axes: the organisation tree (city, district, street, community, grid) and a
unit (单位党组织: its secretary and organiser), never both.

A member's grid must belong to its community: a database trigger (migration 0002) checks it.
"""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone

from grids.models.organisation import Community, District, Grid, Street, Unit


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
        UNIT_SECRETARY = "unit_secretary", "单位党组织书记"
        UNIT_ORGANISER = "unit_organiser", "单位党组织组织委员"

    # Which node each role sits on.
    CITY_ROLES = {Role.CITY_STAFF}
    DISTRICT_ROLES = {Role.DISTRICT_STAFF}
    STREET_ROLES = {Role.STREET_STAFF}
    COMMUNITY_ROLES = {Role.SECRETARY, Role.FIRST_SECRETARY, Role.PART_TIME_MEMBER}
    GRID_ROLES = {Role.GRID_SECRETARY}
    # The second axis: a unit's own party organisation. It reaches the unit's members wherever
    # they serve, and no node of the tree (grids.selectors.scope).
    UNIT_ROLES = {Role.UNIT_SECRETARY, Role.UNIT_ORGANISER}

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
    unit = models.ForeignKey(
        Unit,
        verbose_name="单位",
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="posts",
        help_text="仅单位党组织书记、组织委员填写；其他职务留空。",
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
                        unit__isnull=True,
                    )
                    | Q(
                        role="district_staff",
                        district__isnull=False,
                        street__isnull=True,
                        community__isnull=True,
                        grid__isnull=True,
                        unit__isnull=True,
                    )
                    | Q(
                        role="street_staff",
                        district__isnull=True,
                        street__isnull=False,
                        community__isnull=True,
                        grid__isnull=True,
                        unit__isnull=True,
                    )
                    | Q(
                        role__in=["secretary", "first_secretary", "part_time_member"],
                        district__isnull=True,
                        street__isnull=True,
                        community__isnull=False,
                        grid__isnull=True,
                        unit__isnull=True,
                    )
                    | Q(
                        role="grid_secretary",
                        district__isnull=True,
                        street__isnull=True,
                        community__isnull=True,
                        grid__isnull=False,
                        unit__isnull=True,
                    )
                    | Q(
                        role__in=["unit_secretary", "unit_organiser"],
                        district__isnull=True,
                        street__isnull=True,
                        community__isnull=True,
                        grid__isnull=True,
                        unit__isnull=False,
                    )
                ),
                name="post_node_matches_role",
                violation_error_message="职务与任职节点不符：单位党组织书记、组织委员只填单位；其他职务填其所在的区、街道、社区或网格，不填单位。",
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
            models.UniqueConstraint(
                fields=["user", "role", "unit"], condition=Q(unit__isnull=False), name="post_unique_unit"
            ),
            models.UniqueConstraint(
                fields=["unit"], condition=Q(role="unit_secretary"), name="post_one_secretary_per_unit"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.node_name}{self.get_role_display()}"

    @property
    def node(self):
        return self.unit or self.grid or self.community or self.street or self.district

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
