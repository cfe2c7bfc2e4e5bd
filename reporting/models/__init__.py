"""The duty ledger: geolocated check-ins, service records (hours), report-for-duty visits.

Reporting knows nothing of tasks or requests. ``orders`` asks it to record a check-in against a
place and a time window and, on completion, a service record; quotas, visits and hours are
counted from these tables alone.
"""

from django.conf import settings
from django.db import models
from django.db.models import F, Q
from django.utils import timezone

from core.models import TransitionEvent
from grids.models import Community, Grid, Member
from grids.vocab import CoordSystem, Duty


class LocationConsent(models.Model):
    """A member's separate consent to processing their precise location (PIPL art. 28–29)."""

    member = models.OneToOneField(
        Member, verbose_name="党员", on_delete=models.CASCADE, related_name="location_consent"
    )
    version = models.CharField("告知书版本", max_length=20)
    granted_at = models.DateTimeField("同意时间", default=timezone.now)
    revoked_at = models.DateTimeField("撤回时间", null=True, blank=True)

    class Meta:
        verbose_name = "位置信息单独同意"
        verbose_name_plural = "位置信息单独同意"

    def __str__(self) -> str:
        return f"{self.member}（{'已撤回' if self.revoked_at else '已同意'}）"

    @property
    def is_active(self) -> bool:
        return self.revoked_at is None


class CheckIn(models.Model):
    """签到打卡 at a place inside a time window; check-out closes it.

    The place, radius and window are copied in by the caller (a task's, or the community
    office's for a report-for-duty visit), so the ledger stands on its own. Raw coordinates are
    kept 180 days, then coarsened: ``lat``/``lng`` cleared, grid and distance kept.
    """

    class Purpose(models.TextChoices):
        SERVICE = "service", "服务签到"
        VISIT = "visit", "报到签到"

    member = models.ForeignKey(Member, verbose_name="党员", on_delete=models.PROTECT, related_name="checkins")
    community = models.ForeignKey(Community, verbose_name="社区", on_delete=models.PROTECT, related_name="checkins")
    grid = models.ForeignKey(
        Grid, verbose_name="网格", on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    purpose = models.CharField("用途", max_length=10, choices=Purpose.choices, default=Purpose.SERVICE)
    place_lat = models.FloatField("地点纬度")
    place_lng = models.FloatField("地点经度")
    radius_m = models.PositiveIntegerField("签到范围（米）")
    opens_at = models.DateTimeField("可签到开始")
    closes_at = models.DateTimeField("可签到截止")
    lat = models.FloatField("签到纬度（WGS-84）", null=True, blank=True)
    lng = models.FloatField("签到经度（WGS-84）", null=True, blank=True)
    coord_system = models.CharField("终端坐标系", max_length=5, choices=CoordSystem.choices, default=CoordSystem.WGS84)
    distance_m = models.PositiveIntegerField("距签到点（米）")
    checked_in_at = models.DateTimeField("签到时间", default=timezone.now)
    checked_out_at = models.DateTimeField("签退时间", null=True, blank=True)
    auto_checked_out = models.BooleanField("系统自动签退", default=False)
    coarsened_at = models.DateTimeField("坐标脱敏时间", null=True, blank=True)

    class Meta:
        verbose_name = "签到"
        verbose_name_plural = "签到"
        ordering = ["-checked_in_at"]
        constraints = [
            models.CheckConstraint(condition=Q(closes_at__gt=F("opens_at")), name="checkin_window_valid"),
            models.CheckConstraint(
                condition=Q(checked_out_at__isnull=True) | Q(checked_out_at__gte=F("checked_in_at")),
                name="checkin_out_after_in",
            ),
            models.CheckConstraint(
                condition=Q(lat__isnull=True, lng__isnull=True) | Q(lat__isnull=False, lng__isnull=False),
                name="checkin_latlng_both_or_neither",
            ),
            models.CheckConstraint(
                condition=Q(coarsened_at__isnull=False) | Q(lat__isnull=False), name="checkin_raw_until_coarsened"
            ),
        ]
        indexes = [
            models.Index(fields=["member", "-checked_in_at"], name="checkin_member_recent"),
            models.Index(fields=["checked_in_at"], condition=Q(coarsened_at__isnull=True), name="checkin_to_coarsen"),
        ]

    def __str__(self) -> str:
        return f"{self.member} @ {self.community}（{timezone.localtime(self.checked_in_at):%Y-%m-%d %H:%M}）"


class ServiceRecord(models.Model):
    """服务时长: one completed service, the ledger behind quotas and rankings.

    Minutes count only once confirmed — by the community (who may correct them, with a reason)
    or by the resident's confirmation of the request served.
    """

    class Source(models.TextChoices):
        TASK = "task", "任务服务"
        MANUAL = "manual", "社区补录"

    class Status(models.TextChoices):
        PENDING = "pending", "待确认"
        CONFIRMED = "confirmed", "已确认"
        REJECTED = "rejected", "不予认定"

    class ConfirmedVia(models.TextChoices):
        COMMUNITY = "community", "社区确认"
        RESIDENT = "resident", "居民确认"

    member = models.ForeignKey(Member, verbose_name="党员", on_delete=models.PROTECT, related_name="service_records")
    community = models.ForeignKey(
        Community, verbose_name="社区", on_delete=models.PROTECT, related_name="service_records"
    )
    duty = models.CharField("职责", max_length=30, choices=Duty.choices)
    # Copied when the record is made (a task's title), so the ledger's pages need no task.
    title = models.CharField("服务内容", max_length=200, blank=True)
    source = models.CharField("来源", max_length=10, choices=Source.choices, default=Source.TASK)
    checkin = models.OneToOneField(
        CheckIn, verbose_name="签到", on_delete=models.PROTECT, null=True, blank=True, related_name="record"
    )
    started_at = models.DateTimeField("开始时间")
    ended_at = models.DateTimeField("结束时间")
    minutes = models.PositiveIntegerField("认定时长（分钟）")
    reported_minutes = models.PositiveIntegerField("打卡时长（分钟）")
    outside_working_hours = models.BooleanField("八小时之外", default=True)
    # The part of ``minutes`` outside working time (reporting.workdays), set whenever a record is
    # confirmed or corrected; NULL until then (or for rows written in bulk), when readers compute it.
    quota_minutes = models.PositiveIntegerField("计入年度要求时长（分钟）", null=True, blank=True)
    auto_checked_out = models.BooleanField("系统自动签退", default=False)
    status = models.CharField("状态", max_length=10, choices=Status.choices, default=Status.PENDING)
    confirmed_via = models.CharField("确认方式", max_length=10, choices=ConfirmedVia.choices, blank=True)
    confirmed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name="确认人",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    confirmed_at = models.DateTimeField("确认时间", null=True, blank=True)
    correction_reason = models.CharField("更正理由", max_length=200, blank=True)
    rejected_at = models.DateTimeField("不予认定时间", null=True, blank=True)
    reject_reason = models.CharField("不予认定理由", max_length=200, blank=True)
    created_at = models.DateTimeField("记录时间", default=timezone.now)

    class Meta:
        verbose_name = "服务记录"
        verbose_name_plural = "服务记录"
        ordering = ["-started_at"]
        constraints = [
            models.CheckConstraint(condition=Q(ended_at__gte=F("started_at")), name="record_end_after_start"),
            models.CheckConstraint(condition=Q(minutes__lte=24 * 60), name="record_minutes_at_most_a_day"),
            models.CheckConstraint(
                condition=~Q(status="confirmed") | Q(confirmed_at__isnull=False) & ~Q(confirmed_via=""),
                name="record_confirmed_has_when_and_how",
            ),
            models.CheckConstraint(
                condition=Q(minutes=F("reported_minutes")) | ~Q(correction_reason=""),
                name="record_correction_has_reason",
            ),
            models.CheckConstraint(
                condition=~Q(status="rejected") | Q(rejected_at__isnull=False) & ~Q(reject_reason=""),
                name="record_rejected_has_when_and_why",
            ),
        ]
        indexes = [
            models.Index(fields=["member", "status", "started_at"], name="record_member_status_start"),
            models.Index(fields=["community", "status", "started_at"], name="record_comm_status_start"),
        ]

    def __str__(self) -> str:
        return f"{self.member} · {self.get_duty_display()} · {self.minutes} 分钟"


class ServiceRecordEvent(TransitionEvent):
    """A record's history: made at check-out, confirmed (how, with what correction) or rejected,
    and every correction after confirming (``corrected``, confirmed → confirmed)."""

    # What the services write as ``kind`` (a rejection is a plain change of status: no kind).
    KIND_LABELS = {
        "checked_out": "签退",
        "auto_checked_out": "系统自动签退",
        "community_confirmed": "社区确认",
        "resident_confirmed": "居民确认",
        "corrected": "更正时长后确认",
    }

    record = models.ForeignKey(ServiceRecord, verbose_name="服务记录", on_delete=models.CASCADE, related_name="events")
    # A correction's minutes, as fields rather than only words in the note (which keeps the
    # reason): set on every ``corrected`` event and on no other, as the check below holds.
    minutes_before = models.PositiveIntegerField("更正前时长（分钟）", null=True, blank=True)
    minutes_after = models.PositiveIntegerField("更正后时长（分钟）", null=True, blank=True)

    class Meta(TransitionEvent.Meta):
        verbose_name = "服务记录进度"
        verbose_name_plural = "服务记录进度"
        indexes = [models.Index(fields=["record", "created_at"], name="recordevent_record_time")]
        constraints = [
            models.CheckConstraint(
                condition=(
                    models.Q(kind="corrected", minutes_before__isnull=False, minutes_after__isnull=False)
                    | (~models.Q(kind="corrected") & models.Q(minutes_before__isnull=True, minutes_after__isnull=True))
                ),
                name="recordevent_correction_minutes",
            )
        ]


class VisitCode(models.Model):
    """The token behind a community office's report-for-duty QR code; rotating it voids old prints."""

    community = models.OneToOneField(
        Community, verbose_name="社区", on_delete=models.CASCADE, related_name="visit_code"
    )
    token = models.CharField("二维码令牌", max_length=64, unique=True)
    rotated_at = models.DateTimeField("生成时间", default=timezone.now)

    class Meta:
        verbose_name = "报到二维码"
        verbose_name_plural = "报到二维码"

    def __str__(self) -> str:
        return f"{self.community}报到二维码"


class Visit(models.Model):
    """A report-for-duty visit (到社区报到) — counts toward "at least once a quarter", not hours."""

    class Method(models.TextChoices):
        QR = "qr", "扫码"
        LOCATION = "location", "定位"

    member = models.ForeignKey(Member, verbose_name="党员", on_delete=models.PROTECT, related_name="visits")
    community = models.ForeignKey(Community, verbose_name="社区", on_delete=models.PROTECT, related_name="visits")
    method = models.CharField("方式", max_length=10, choices=Method.choices)
    checkin = models.OneToOneField(
        CheckIn, verbose_name="定位签到", on_delete=models.PROTECT, null=True, blank=True, related_name="visit"
    )
    visited_at = models.DateTimeField("报到时间", default=timezone.now)
    visited_on = models.DateField("报到日期")
    quarter = models.CharField("季度", max_length=7, help_text="如 2026Q4")

    class Meta:
        verbose_name = "到社区报到"
        verbose_name_plural = "到社区报到"
        ordering = ["-visited_at"]
        constraints = [
            # Repeated scans on one day are one visit.
            models.UniqueConstraint(fields=["member", "community", "visited_on"], name="visit_one_per_day"),
            models.CheckConstraint(condition=Q(quarter__regex=r"^[0-9]{4}Q[1-4]$"), name="visit_quarter_format"),
        ]
        indexes = [models.Index(fields=["member", "quarter"], name="visit_member_quarter")]

    def __str__(self) -> str:
        return f"{self.member} → {self.community}（{self.visited_on}）"


class WorkdayOverride(models.Model):
    """A day the holiday calendar gets wrong or does not know yet (a year beyond its data):
    whether it is a working day. Overrides win over the calendar (reporting.workdays)."""

    day = models.DateField("日期", unique=True)
    is_workday = models.BooleanField(
        "是否工作日", help_text="勾选：工作日（含调休上班）；不勾选：休息日（含法定节假日）"
    )
    note = models.CharField("说明", max_length=100, blank=True, help_text="如：2027年春节、春节调休上班")

    class Meta:
        verbose_name = "工作日调整"
        verbose_name_plural = "工作日调整"
        ordering = ["-day"]

    def __str__(self) -> str:
        return f"{self.day:%Y-%m-%d}：{'工作日' if self.is_workday else '休息日'}"


from reporting.models.reminders import QuarterList, QuotaReminder  # noqa: E402, F401
