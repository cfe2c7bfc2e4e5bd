"""Members' registration (报到) with a community, their ranked choices and the event rows.

The allowed changes of status are one table in ``grids.machines``; every change goes through
``core.transitions.transition`` and writes a ``RegistrationEvent``.
"""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone

from core.models import TransitionEvent
from grids.models.organisation import Community, Grid
from grids.models.people import Member


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


class RegistrationEvent(TransitionEvent):
    """One row per change of a registration: created, passed on, placed, re-placed, ended.

    ``kind`` says what the status alone does not: ``self_selected`` or ``adjusted`` when it is
    created, ``passed_on`` when a community declines and the next choice is asked,
    ``regridded`` when a placed member moves to another grid, ``adjusted`` when the district
    ends it to send the member elsewhere.
    """

    class Kind(models.TextChoices):
        SELF_SELECTED = "self_selected", "自选报到"
        ADJUSTED = "adjusted", "调剂"
        PASSED_ON = "passed_on", "转下一志愿"
        REGRIDDED = "regridded", "调整网格"

    KIND_LABELS = dict(Kind.choices)

    registration = models.ForeignKey(Registration, verbose_name="报到", on_delete=models.CASCADE, related_name="events")

    class Meta(TransitionEvent.Meta):
        verbose_name = "报到进度"
        verbose_name_plural = "报到进度"
        indexes = [models.Index(fields=["registration", "created_at"], name="regevent_registration_time")]
