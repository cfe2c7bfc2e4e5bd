"""What the quota's follow-up jobs sent, one row per member and week, per node and quarter: the
rows that make the jobs safe to run twice (reporting.services.reminders)."""

from django.db import models
from django.db.models import Q
from django.utils import timezone

from grids.models import Community, Member, Unit


class QuotaReminder(models.Model):
    """A weekly reminder sent to a member behind the year's hours pace or without this quarter's
    visit (reporting.services.reminders). The unique (member, ISO week) is what holds "at most
    one a week": a second run of the job, even one racing the first, inserts nothing and sends nothing."""

    member = models.ForeignKey(Member, verbose_name="党员", on_delete=models.CASCADE, related_name="quota_reminders")
    week = models.CharField("周", max_length=8, help_text="ISO 周，如 2026-W49")
    hours_behind = models.BooleanField("服务时长落后")
    visit_missing = models.BooleanField("本季度未报到")
    counted_minutes = models.PositiveIntegerField("计入要求的时长（分钟）")
    created_at = models.DateTimeField("发送时间", default=timezone.now)

    class Meta:
        verbose_name = "履职提醒"
        verbose_name_plural = "履职提醒"
        ordering = ["-created_at"]
        constraints = [
            models.UniqueConstraint(fields=["member", "week"], name="quotareminder_once_a_week"),
            models.CheckConstraint(condition=Q(week__regex=r"^[0-9]{4}-W[0-9]{2}$"), name="quotareminder_week_format"),
            models.CheckConstraint(
                condition=Q(hours_behind=True) | Q(visit_missing=True), name="quotareminder_has_a_reason"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.member}（{self.week}）"


class QuarterList(models.Model):
    """A quarter's list of members with no report-for-duty visit yet, sent to the secretaries of
    one community or one unit a month before the quarter ends; one per node and quarter (the
    unique constraints), however often the daily job runs."""

    quarter = models.CharField("季度", max_length=7, help_text="如 2026Q4")
    community = models.ForeignKey(
        Community, verbose_name="社区", on_delete=models.CASCADE, null=True, blank=True, related_name="+"
    )
    unit = models.ForeignKey(
        Unit, verbose_name="单位", on_delete=models.CASCADE, null=True, blank=True, related_name="+"
    )
    members = models.PositiveIntegerField("未报到人数")
    recipients = models.PositiveIntegerField("接收人数")
    created_at = models.DateTimeField("发送时间", default=timezone.now)

    class Meta:
        verbose_name = "季度未报到名单"
        verbose_name_plural = "季度未报到名单"
        ordering = ["-created_at"]
        constraints = [
            models.CheckConstraint(
                condition=Q(community__isnull=False, unit__isnull=True) | Q(community__isnull=True, unit__isnull=False),
                name="quarterlist_one_node",
            ),
            models.UniqueConstraint(
                fields=["quarter", "community"], condition=Q(community__isnull=False), name="quarterlist_once_community"
            ),
            models.UniqueConstraint(
                fields=["quarter", "unit"], condition=Q(unit__isnull=False), name="quarterlist_once_unit"
            ),
            models.CheckConstraint(condition=Q(quarter__regex=r"^[0-9]{4}Q[1-4]$"), name="quarterlist_quarter_format"),
        ]

    def __str__(self) -> str:
        return f"{self.community or self.unit} {self.quarter}"
