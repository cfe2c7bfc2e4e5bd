"""联席会议: what a community cannot solve goes to its street, which brings in departments."""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone

from core.models import TransitionEvent
from grids.models import Community, Street


class Department(models.Model):
    """A department at the street's joint meeting (政法, 住建, 公安 …); editable in admin."""

    name = models.CharField("名称", max_length=30, unique=True)
    is_active = models.BooleanField("启用", default=True)
    sort_order = models.PositiveSmallIntegerField("排序", default=0)

    class Meta:
        verbose_name = "联席会议成员单位"
        verbose_name_plural = "联席会议成员单位"
        ordering = ["sort_order", "name"]

    def __str__(self) -> str:
        return self.name


class Escalation(models.Model):
    class Status(models.TextChoices):
        OPEN = "open", "待分派"
        ASSIGNED = "assigned", "办理中"
        RESOLVED = "resolved", "已办结"

    street = models.ForeignKey(Street, verbose_name="街道/镇", on_delete=models.PROTECT, related_name="escalations")
    community = models.ForeignKey(Community, verbose_name="社区", on_delete=models.PROTECT, related_name="escalations")
    request = models.ForeignKey(
        "orders.ServiceRequest",
        verbose_name="点单",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="escalations",
    )
    task = models.ForeignKey(
        "orders.Task", verbose_name="任务", on_delete=models.PROTECT, null=True, blank=True, related_name="escalations"
    )
    reason = models.CharField("上报理由", max_length=500)
    status = models.CharField("状态", max_length=20, choices=Status.choices, default=Status.OPEN)
    departments = models.ManyToManyField(
        Department, verbose_name="牵头/协办部门", blank=True, related_name="escalations"
    )
    deadline = models.DateTimeField("办理期限", null=True, blank=True)
    overdue = models.BooleanField("已超期", default=False)
    overdue_notified_at = models.DateTimeField("超期提醒时间", null=True, blank=True)
    outcome = models.TextField("会商结果", max_length=2000, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name="上报人",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    created_at = models.DateTimeField("上报时间", default=timezone.now)
    assigned_at = models.DateTimeField("分派时间", null=True, blank=True)
    resolved_at = models.DateTimeField("办结时间", null=True, blank=True)

    class Meta:
        verbose_name = "联席会议事项"
        verbose_name_plural = "联席会议事项"
        ordering = ["-created_at"]
        constraints = [
            models.CheckConstraint(
                condition=Q(request__isnull=False) | Q(task__isnull=False), name="escalation_has_subject"
            ),
            models.CheckConstraint(
                condition=~Q(status="assigned") | Q(deadline__isnull=False), name="escalation_assigned_has_deadline"
            ),
            models.CheckConstraint(
                condition=~Q(status="resolved") | ~Q(outcome=""), name="escalation_resolved_has_outcome"
            ),
            models.UniqueConstraint(
                fields=["request"], condition=Q(status__in=["open", "assigned"]), name="escalation_one_open_per_request"
            ),
            models.UniqueConstraint(
                fields=["task"], condition=Q(status__in=["open", "assigned"]), name="escalation_one_open_per_task"
            ),
        ]
        indexes = [
            models.Index(fields=["street", "status", "created_at"], name="escalation_street_status"),
            models.Index(fields=["status", "deadline"], name="escalation_status_deadline"),
        ]

    def __str__(self) -> str:
        subject = self.request or self.task
        return f"{self.street} · {subject}"


class EscalationResponse(models.Model):
    escalation = models.ForeignKey(Escalation, verbose_name="事项", on_delete=models.CASCADE, related_name="responses")
    department = models.ForeignKey(Department, verbose_name="部门", on_delete=models.PROTECT, related_name="+")
    response = models.TextField("办理意见", max_length=2000)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name="记录人",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    created_at = models.DateTimeField("记录时间", default=timezone.now)

    class Meta:
        verbose_name = "部门办理意见"
        verbose_name_plural = "部门办理意见"
        ordering = ["created_at"]

    def __str__(self) -> str:
        return f"{self.department}：{self.response[:20]}"


class EscalationEvent(TransitionEvent):
    KIND_LABELS = {
        "reassigned": "重新分派",
        "department_response": "部门办理意见",
        "overdue": "超过办理期限",
    }

    escalation = models.ForeignKey(Escalation, verbose_name="事项", on_delete=models.CASCADE, related_name="events")

    class Meta(TransitionEvent.Meta):
        verbose_name = "联席会议进度"
        verbose_name_plural = "联席会议进度"
