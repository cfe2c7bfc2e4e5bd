"""下单/吹哨 and 接单: tasks a community dispatches, and members' acceptances of their slots.

Slots never overfill: ``taken`` only moves by a conditional UPDATE (``taken < slots``) and a
CHECK keeps it within ``0..slots``. A member never holds two overlapping tasks: acceptances copy
their task's times, the member row is locked while accepting, and on PostgreSQL an exclusion
constraint over (member, [starts_at, ends_at)) holds it even against code that forgets the lock
(migration 0002).
"""

from django.conf import settings
from django.db import models
from django.db.models import F, Q
from django.utils import timezone

from core.models import TransitionEvent
from grids.models import Community, Grid, Member, VanguardTeam
from grids.vocab import Duty, Focus
from reporting.models import CheckIn, ServiceRecord


class Task(models.Model):
    class Status(models.TextChoices):
        OPEN = "open", "招募中"
        FULL = "full", "已满员"
        IN_PROGRESS = "in_progress", "进行中"
        COMPLETED = "completed", "已完成"
        CANCELLED = "cancelled", "已取消"

    class Visibility(models.TextChoices):
        COMMUNITY = "community", "本社区党员"
        PAIRED = "paired", "本社区及结对单位党员"
        CITY = "city", "全市党员"
        TEAM = "team", "本先锋队队员"

    ACTIVE = [Status.OPEN, Status.FULL, Status.IN_PROGRESS]
    # What a community may choose for a task of its own; ``team`` is chosen by naming a team.
    PUBLIC_VISIBILITIES = [(v, label) for v, label in Visibility.choices if v != "team"]

    community = models.ForeignKey(Community, verbose_name="社区", on_delete=models.PROTECT, related_name="tasks")
    grid = models.ForeignKey(
        Grid, verbose_name="网格", on_delete=models.SET_NULL, null=True, blank=True, related_name="tasks"
    )
    focus = models.CharField("重点", max_length=20, choices=Focus.choices)
    duty = models.CharField("职责", max_length=30, choices=Duty.choices)
    title = models.CharField("标题", max_length=80)
    description = models.TextField("内容", max_length=4000, blank=True)
    address = models.CharField("地点", max_length=200)
    lat = models.FloatField("纬度（WGS-84）")
    lng = models.FloatField("经度（WGS-84）")
    geofence_radius_m = models.PositiveIntegerField("签到范围（米）", default=300)
    starts_at = models.DateTimeField("开始时间")
    ends_at = models.DateTimeField("结束时间")
    slots = models.PositiveIntegerField("名额")
    taken = models.PositiveIntegerField("已接单", default=0)
    skills_wanted = models.JSONField("所需专长", default=list, blank=True)
    visibility = models.CharField("可见范围", max_length=10, choices=Visibility.choices, default=Visibility.COMMUNITY)
    # A task whistled to one vanguard team (visibility ``team``): only its members see and take it.
    team = models.ForeignKey(
        VanguardTeam, verbose_name="先锋队", on_delete=models.PROTECT, null=True, blank=True, related_name="tasks"
    )
    status = models.CharField("状态", max_length=20, choices=Status.choices, default=Status.OPEN)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name="发布人", on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField("发布时间", default=timezone.now)
    widened_at = models.DateTimeField("扩大范围时间", null=True, blank=True)
    completed_at = models.DateTimeField("完成时间", null=True, blank=True)
    cancel_reason = models.CharField("取消理由", max_length=200, blank=True)

    class Meta:
        verbose_name = "任务"
        verbose_name_plural = "任务"
        ordering = ["starts_at", "id"]
        constraints = [
            models.CheckConstraint(condition=Q(slots__gte=1, slots__lte=500), name="task_slots_1_to_500"),
            models.CheckConstraint(
                condition=Q(taken__gte=0) & Q(taken__lte=F("slots")), name="task_taken_within_slots"
            ),
            models.CheckConstraint(condition=Q(ends_at__gt=F("starts_at")), name="task_ends_after_start"),
            models.CheckConstraint(
                condition=Q(geofence_radius_m__gte=20, geofence_radius_m__lte=5000), name="task_geofence_sane"
            ),
            models.CheckConstraint(condition=~Q(status="full") | Q(taken=F("slots")), name="task_full_means_all_taken"),
            models.CheckConstraint(
                condition=~Q(status="cancelled") | ~Q(cancel_reason=""), name="task_cancel_has_reason"
            ),
            # A team is named exactly when the task is for a team only.
            models.CheckConstraint(
                condition=Q(visibility="team", team__isnull=False) | (~Q(visibility="team") & Q(team__isnull=True)),
                name="task_team_iff_team_visibility",
            ),
        ]
        indexes = [
            models.Index(fields=["status", "starts_at"], name="task_status_start"),
            models.Index(fields=["community", "status", "starts_at"], name="task_comm_status_start"),
            models.Index(fields=["lat", "lng"], name="task_latlng"),
            # The task hall ORs "my community", "paired with my unit" and "city-wide": with this
            # index PostgreSQL answers each branch from an index (BitmapOr) instead of reading
            # every open task.
            models.Index(fields=["visibility", "status", "starts_at"], name="task_vis_status_start"),
        ]

    def __str__(self) -> str:
        return self.title

    @property
    def slots_left(self) -> int:
        return self.slots - self.taken


class TaskEvent(TransitionEvent):
    KIND_LABELS = {
        "widened": "扩大招募范围",
        "whistled": "吹哨通知党员",
        "escalated": "上报街道联席会议",
        "slot_released": "名额空出",
        "first_check_in": "首位党员签到",
        "edited": "修改任务信息",
    }

    task = models.ForeignKey(Task, verbose_name="任务", on_delete=models.CASCADE, related_name="events")

    class Meta(TransitionEvent.Meta):
        verbose_name = "任务进度"
        verbose_name_plural = "任务进度"
        indexes = [models.Index(fields=["task", "created_at"], name="taskevent_task_time")]


class Acceptance(models.Model):
    class Status(models.TextChoices):
        ACCEPTED = "accepted", "已接单"
        CHECKED_IN = "checked_in", "已签到"
        COMPLETED = "completed", "已完成"
        CANCELLED = "cancelled", "已退出"
        NO_SHOW = "no_show", "未到场"

    HOLDING = [Status.ACCEPTED, Status.CHECKED_IN]

    task = models.ForeignKey(Task, verbose_name="任务", on_delete=models.PROTECT, related_name="acceptances")
    member = models.ForeignKey(Member, verbose_name="党员", on_delete=models.PROTECT, related_name="acceptances")
    status = models.CharField("状态", max_length=20, choices=Status.choices, default=Status.ACCEPTED)
    # Copied from the task so that "no two overlapping tasks" can be a constraint on this table.
    starts_at = models.DateTimeField("开始时间")
    ends_at = models.DateTimeField("结束时间")
    accepted_at = models.DateTimeField("接单时间", default=timezone.now)
    withdrawn_at = models.DateTimeField("退出时间", null=True, blank=True)
    late_withdrawal = models.BooleanField("临近开始退出", default=False)
    notified_at = models.DateTimeField("提醒时间", null=True, blank=True, help_text="开始前 2 小时提醒的发送时间")
    checkin = models.OneToOneField(
        CheckIn, verbose_name="签到", on_delete=models.PROTECT, null=True, blank=True, related_name="acceptance"
    )
    record = models.OneToOneField(
        ServiceRecord,
        verbose_name="服务记录",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="acceptance",
    )

    class Meta:
        verbose_name = "接单"
        verbose_name_plural = "接单"
        ordering = ["-accepted_at"]
        constraints = [
            models.UniqueConstraint(
                fields=["task", "member"],
                condition=Q(status__in=["accepted", "checked_in", "completed"]),
                name="acceptance_one_live_per_member_and_task",
            ),
            models.CheckConstraint(condition=Q(ends_at__gt=F("starts_at")), name="acceptance_ends_after_start"),
            models.CheckConstraint(
                condition=~Q(status__in=["checked_in", "completed"]) | Q(checkin__isnull=False),
                name="acceptance_checked_in_has_checkin",
            ),
            models.CheckConstraint(
                condition=~Q(status="completed") | Q(record__isnull=False), name="acceptance_completed_has_record"
            ),
        ]
        indexes = [
            models.Index(fields=["member", "status", "starts_at"], name="acceptance_member_status"),
            models.Index(fields=["task", "status"], name="acceptance_task_status"),
        ]

    def __str__(self) -> str:
        return f"{self.member} · {self.task}"


class AcceptanceEvent(TransitionEvent):
    KIND_LABELS = {
        "withdrawn": "党员退出",
        "task_cancelled": "任务取消",
        "task_completed": "任务完成时未签到",
        "auto_check_out": "自动签退",
    }

    acceptance = models.ForeignKey(Acceptance, verbose_name="接单", on_delete=models.CASCADE, related_name="events")

    class Meta(TransitionEvent.Meta):
        verbose_name = "接单进度"
        verbose_name_plural = "接单进度"
