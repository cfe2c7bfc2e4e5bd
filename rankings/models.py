"""Daily leaderboards (排行榜) and the cockpit's precomputed figures.

A board day is built in one transaction: readers keep seeing the previous published day until the
new one commits, and a rebuild that dies midway leaves nothing behind. Every subject of a board
gets a row (not only the Top 50), so anyone can see their own rank and its history.
"""

from django.db import models
from django.db.models import Q
from django.utils import timezone

# A board's score is stored as an integer number of sixtieths of a point (a minute of service
# at hours weight 1 is one point): exact, so equal scores compare equal (see rankings.scoring).
POINTS_PER_SCORE = 60


class Board(models.TextChoices):
    UNITS = "units", "全市单位Top50"
    MEMBERS = "members", "全市党员Top50"
    COMMUNITIES = "communities", "全市社区Top50"
    TEAMS = "teams", "先锋队Top50"
    STARS = "stars", "本月报到之星"


class BoardDay(models.Model):
    """One built day of all five boards, over the data up to the end of ``day`` (Asia/Shanghai)."""

    day = models.DateField("数据截至日期", unique=True)
    built_at = models.DateTimeField("生成时间", default=timezone.now)
    duration_ms = models.PositiveIntegerField("耗时（毫秒）", default=0)
    entry_count = models.PositiveIntegerField("条目数", default=0)
    triggered_by = models.CharField("触发方式", max_length=40, blank=True)

    class Meta:
        verbose_name = "榜单日"
        verbose_name_plural = "榜单日"
        ordering = ["-day"]

    def __str__(self) -> str:
        return f"{self.day:%Y-%m-%d} 榜单"


class BoardEntry(models.Model):
    """One subject's place on one board on one day.

    ``subject_id`` is a member, unit, community or vanguard team id depending on ``board``; no
    foreign key, so that writing 120,000 rows a day does not pay for 120,000 key checks, and so that
    a board day stays as it was published even if a subject is later removed. The district is
    stored with the row, and the rank within it, so one row serves the city board and the
    district board alike.
    """

    day = models.DateField("数据截至日期")
    board = models.CharField("榜单", max_length=20, choices=Board.choices)
    subject_id = models.BigIntegerField("对象ID")
    district_id = models.BigIntegerField("所属区/县(市)ID", null=True, blank=True)
    rank = models.PositiveIntegerField("全市名次")
    district_rank = models.PositiveIntegerField("区内名次", null=True, blank=True)
    previous_rank = models.PositiveIntegerField("前一日全市名次", null=True, blank=True)
    previous_district_rank = models.PositiveIntegerField("前一日区内名次", null=True, blank=True)
    points = models.BigIntegerField("总分（以 1/60 分计）")
    # For display only (points / 60 / headcount); ranks compare per-capita exactly.
    per_capita = models.FloatField("人均分", null=True, blank=True)
    headcount = models.PositiveIntegerField("人数", null=True, blank=True)
    minutes = models.PositiveIntegerField("服务时长（分钟）", default=0)
    services = models.PositiveIntegerField("服务次数", default=0)
    outcomes = models.PositiveIntegerField("成效（办结件数）", default=0)
    likes = models.PositiveIntegerField("点赞数", default=0)

    class Meta:
        verbose_name = "榜单条目"
        verbose_name_plural = "榜单条目"
        ordering = ["day", "board", "rank"]
        constraints = [
            models.UniqueConstraint(fields=["day", "board", "rank"], name="boardentry_unique_rank"),
            # Also the index for a subject's own rank and its history (board, subject, day).
            models.UniqueConstraint(fields=["board", "subject_id", "day"], name="boardentry_unique_subject"),
            models.CheckConstraint(
                condition=Q(district_id__isnull=True) | Q(district_rank__isnull=False),
                name="boardentry_district_has_rank",
            ),
        ]
        indexes = [
            models.Index(fields=["day", "board", "district_id", "district_rank"], name="boardentry_district_rank"),
        ]

    def __str__(self) -> str:
        return f"{self.day:%Y-%m-%d} {self.get_board_display()} 第{self.rank}名"

    @property
    def score(self) -> float:
        """The score shown: ``points`` / 60."""
        return self.points / POINTS_PER_SCORE


class CockpitFigures(models.Model):
    """The cockpit's figures for one scope on one day, computed by the nightly job.

    ``scope`` is ``city``, ``district:<id>`` or ``street:<id>``; ``data`` holds everything the
    cockpit page draws, so its first paint reads one row.
    """

    day = models.DateField("数据截至日期")
    scope = models.CharField("范围", max_length=40)
    data = models.JSONField("数据")
    built_at = models.DateTimeField("生成时间", default=timezone.now)

    class Meta:
        verbose_name = "驾驶舱数据"
        verbose_name_plural = "驾驶舱数据"
        ordering = ["-day", "scope"]
        constraints = [models.UniqueConstraint(fields=["scope", "day"], name="cockpitfigures_unique_scope_day")]

    def __str__(self) -> str:
        return f"{self.day:%Y-%m-%d} {self.scope}"


class MemberStars(models.Model):
    """评星定级: a member's stars for a year and the components they came from (rankings.stars),
    recomputed every night for the whole city."""

    year = models.PositiveSmallIntegerField("年度")
    member = models.ForeignKey("grids.Member", verbose_name="党员", on_delete=models.CASCADE, related_name="+")
    stars = models.PositiveSmallIntegerField("星级")
    minutes = models.PositiveIntegerField("工作时间以外服务时长（分钟）", default=0)
    quarters = models.PositiveSmallIntegerField("报到季度数", default=0)
    outcomes = models.PositiveIntegerField("成效（办结件数）", default=0)
    likes = models.PositiveIntegerField("点赞数", default=0)
    computed_at = models.DateTimeField("计算时间", default=timezone.now)

    class Meta:
        verbose_name = "党员星级"
        verbose_name_plural = "党员星级"
        constraints = [
            models.UniqueConstraint(fields=["member", "year"], name="memberstars_one_per_year"),
            models.CheckConstraint(condition=Q(stars__gte=1, stars__lte=5), name="memberstars_one_to_five"),
        ]
        indexes = [models.Index(fields=["year", "stars"], name="memberstars_year_stars")]

    def __str__(self) -> str:
        return f"{self.member_id} {self.year}年 {self.stars}星"

    @property
    def hours(self) -> float:
        return round(self.minutes / 60, 1)
