"""调剂 rounds: an officer's proposal of moves, and what was accepted of it.

A round covers one district, or the whole city (``district`` empty). It is created ``solving``
(a Celery job on the ``adjustment`` queue solves it), becomes ``open`` with its proposal, or
``failed`` with a reason; an open round is accepted or cancelled. Its statuses change only
through ``core.transitions`` (``grids.machines.ADJUSTMENT_ROUND``), which writes an
``AdjustmentRoundEvent`` per change.

At most one round is solving or open per district and one for the city (a partial unique
index); a city round and a district round exclude each other too, which no index can say across
rows: ``grids.services.adjustment`` checks it while holding locks on the district rows.
"""

from django.conf import settings
from django.db import models
from django.db.models import Q, Value
from django.db.models.functions import Coalesce
from django.utils import timezone

from core.models import TransitionEvent
from grids.models.organisation import Community, District
from grids.models.people import Member
from grids.models.registration import Registration


class AdjustmentRound(models.Model):
    class Status(models.TextChoices):
        SOLVING = "solving", "求解中"
        OPEN = "open", "待确认"
        ACCEPTED = "accepted", "已确认"
        CANCELLED = "cancelled", "已取消"
        FAILED = "failed", "求解失败"

    # A round in one of these holds its district (or the city): no other round may start.
    BUSY = (Status.SOLVING, Status.OPEN)

    class Phase(models.TextChoices):
        QUEUED = "queued", "排队等待求解"
        READ = "read", "正在读取报到数据"
        BUILD = "build", "正在构建候选社区"
        SOLVE = "solve", "正在求解最小费用流"
        WRITE = "write", "正在写入方案"
        DONE = "done", "已完成"

    district = models.ForeignKey(
        District,
        verbose_name="区/县(市)",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="adjustment_rounds",
        help_text="为空表示全市统筹调剂。",
    )
    status = models.CharField("状态", max_length=20, choices=Status.choices, default=Status.SOLVING)
    phase = models.CharField("求解进度", max_length=20, choices=Phase.choices, default=Phase.QUEUED)
    solve_started_at = models.DateTimeField("开始求解时间", null=True, blank=True)
    failure = models.CharField("失败原因", max_length=300, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name="发起人", on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField("发起时间", default=timezone.now)
    proposed_at = models.DateTimeField("方案生成时间", null=True, blank=True)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name="确认/取消人",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    decided_at = models.DateTimeField("确认/取消时间", null=True, blank=True)
    members_count = models.PositiveIntegerField("参与调剂人数", default=0)
    moves_count = models.PositiveIntegerField("调整人数", default=0)
    unplaced_count = models.PositiveIntegerField("仍未安排人数", default=0)
    accepted_count = models.PositiveIntegerField("已确认调整人数", default=0)
    total_cost = models.BigIntegerField("方案总代价", null=True, blank=True)
    lower_bound = models.BigIntegerField("代价下界", null=True, blank=True)
    communities = models.JSONField(
        "各社区调整前后人数",
        default=list,
        blank=True,
        help_text="[{id, name, needed, before, after}]，按社区排序。",
    )
    timings = models.JSONField("耗时（秒）", default=dict, blank=True)

    class Meta:
        verbose_name = "调剂方案"
        verbose_name_plural = "调剂方案"
        ordering = ["-created_at", "-pk"]
        constraints = [
            # One solving-or-open round per district, and one for the city (district empty → 0).
            models.UniqueConstraint(
                Coalesce("district", Value(0)),
                condition=Q(status__in=["solving", "open"]),
                name="adjustmentround_one_busy_per_scope",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.district or '全市'}调剂（{self.get_status_display()}）"

    @property
    def scope_label(self) -> str:
        return self.district.name if self.district_id else "全市"

    @property
    def is_busy(self) -> bool:
        return self.status in self.BUSY


class AdjustmentRoundEvent(TransitionEvent):
    """One row per change of a round: solving → open (proposal written) or failed (with the
    reason), open → accepted or cancelled, a stuck solving round cancelled."""

    KIND_LABELS = {}

    round = models.ForeignKey(AdjustmentRound, verbose_name="调剂方案", on_delete=models.CASCADE, related_name="events")

    class Meta(TransitionEvent.Meta):
        verbose_name = "调剂方案进度"
        verbose_name_plural = "调剂方案进度"
        indexes = [models.Index(fields=["round", "created_at"], name="adjroundevent_round_time")]


class AdjustmentMove(models.Model):
    """One member the proposal moves (or could not place), with why and how far."""

    class Reason(models.TextChoices):
        OVERFLOW = "overflow", "超额调出"
        UNPLACED = "unplaced", "未编入"
        BALANCE = "balance", "均衡调剂"
        NO_CANDIDATE = "no_candidate", "无可安排社区"

    class Status(models.TextChoices):
        PROPOSED = "proposed", "待确认"
        ACCEPTED = "accepted", "已确认"
        REJECTED = "rejected", "未采纳"

    round = models.ForeignKey(AdjustmentRound, verbose_name="调剂方案", on_delete=models.CASCADE, related_name="moves")
    registration = models.ForeignKey(
        Registration, verbose_name="原报到", on_delete=models.CASCADE, related_name="adjustment_moves"
    )
    member = models.ForeignKey(Member, verbose_name="党员", on_delete=models.CASCADE, related_name="+")
    from_community = models.ForeignKey(
        Community, verbose_name="原社区", on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    to_community = models.ForeignKey(
        Community,
        verbose_name="调往社区",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        help_text="为空表示仍无法安排。确认时可改为候选社区中的另一个。",
    )
    proposed_community = models.ForeignKey(
        Community, verbose_name="方案建议社区", on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    reason = models.CharField("原因", max_length=20, choices=Reason.choices)
    detail = models.CharField("说明", max_length=200, blank=True)
    distance_m = models.PositiveIntegerField("距居住地/单位（米）", null=True, blank=True)
    choice_rank = models.PositiveSmallIntegerField("志愿顺序", null=True, blank=True)
    paired = models.BooleanField("单位结对社区", default=False)
    candidates = models.JSONField("候选社区", default=list, blank=True)
    registration_status = models.CharField("生成时报到状态", max_length=20)
    registration_event_id = models.BigIntegerField("生成时最新进度", default=0)
    status = models.CharField("状态", max_length=20, choices=Status.choices, default=Status.PROPOSED)
    new_registration = models.ForeignKey(
        Registration,
        verbose_name="调剂后报到",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )

    class Meta:
        verbose_name = "调剂调整"
        verbose_name_plural = "调剂调整"
        ordering = ["round_id", "pk"]
        constraints = [
            models.UniqueConstraint(fields=["round", "registration"], name="adjustmentmove_once_per_round"),
        ]

    def __str__(self) -> str:
        return f"{self.member} → {self.to_community or '无法安排'}"
