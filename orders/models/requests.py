"""点单: a resident's (or member's, or unit's) service request, its review and its closing."""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone

from core.models import TransitionEvent
from grids.models import Community, Grid, Member, Unit
from grids.vocab import CoordSystem, Duty


class ServiceRequest(models.Model):
    class Status(models.TextChoices):
        SUBMITTED = "submitted", "待审核"
        APPROVED = "approved", "已受理"
        REJECTED = "rejected", "未通过"
        MERGED = "merged", "已合并"
        ESCALATED = "escalated", "已上报街道"
        RESOLVED = "resolved", "已办结"
        CONFIRMED = "confirmed", "居民已确认"
        RATED = "rated", "已评价"
        CLOSED = "closed", "已关闭"

    class RequesterKind(models.TextChoices):
        RESIDENT = "resident", "居民"
        MEMBER = "member", "党员"
        UNIT = "unit", "单位党组织"

    OPEN = [Status.SUBMITTED, Status.APPROVED, Status.ESCALATED]

    requester = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name="点单人", on_delete=models.PROTECT, related_name="service_requests"
    )
    requester_kind = models.CharField(
        "点单身份", max_length=10, choices=RequesterKind.choices, default=RequesterKind.RESIDENT
    )
    unit = models.ForeignKey(
        Unit, verbose_name="点单单位", on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    community = models.ForeignKey(
        Community, verbose_name="社区", on_delete=models.PROTECT, related_name="service_requests"
    )
    grid = models.ForeignKey(
        Grid, verbose_name="网格", on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    duty = models.CharField("职责类别", max_length=30, choices=Duty.choices)
    title = models.CharField("标题", max_length=80)
    description = models.TextField("描述", max_length=2000)
    address = models.CharField("地址", max_length=200)
    lat = models.FloatField("纬度（WGS-84）")
    lng = models.FloatField("经度（WGS-84）")
    coord_system = models.CharField("终端坐标系", max_length=5, choices=CoordSystem.choices, default=CoordSystem.WGS84)
    # A resident who refuses location or is away from the scene chooses the community and
    # describes the place in ``address``; the point is then the community's centre.
    located = models.BooleanField(
        "现场定位", default=True, help_text="位置由定位获得；否则为所选社区的中心，具体地点见地址"
    )
    preferred_time = models.DateTimeField("期望时间", null=True, blank=True)
    contact_phone = models.CharField("联系电话", max_length=11)
    status = models.CharField("状态", max_length=20, choices=Status.choices, default=Status.SUBMITTED)
    task = models.ForeignKey(
        "orders.Task",
        verbose_name="任务",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="source_requests",
    )
    merged_into = models.ForeignKey(
        "self", verbose_name="合并到", on_delete=models.SET_NULL, null=True, blank=True, related_name="merged_requests"
    )
    reject_reason = models.CharField("未通过理由", max_length=200, blank=True)
    reopen_count = models.PositiveSmallIntegerField("重新打开次数", default=0)
    created_at = models.DateTimeField("提交时间", default=timezone.now)
    reviewed_at = models.DateTimeField("审核时间", null=True, blank=True)
    resolved_at = models.DateTimeField("办结时间", null=True, blank=True)
    closed_at = models.DateTimeField("关闭时间", null=True, blank=True, help_text="确认、评价或自动关闭的时间")

    class Meta:
        verbose_name = "居民点单"
        verbose_name_plural = "居民点单"
        ordering = ["-created_at"]
        constraints = [
            models.CheckConstraint(
                condition=~Q(status="merged") | Q(merged_into__isnull=False), name="request_merged_has_target"
            ),
            models.CheckConstraint(
                condition=~Q(status="rejected") | ~Q(reject_reason=""), name="request_rejected_has_reason"
            ),
            models.CheckConstraint(
                condition=~Q(status="approved") | Q(task__isnull=False), name="request_approved_has_task"
            ),
            models.CheckConstraint(
                condition=~Q(requester_kind="unit") | Q(unit__isnull=False), name="request_unit_kind_has_unit"
            ),
            models.CheckConstraint(
                condition=Q(contact_phone__regex=r"^1[3-9][0-9]{9}$"), name="request_contact_phone_valid"
            ),
        ]
        indexes = [
            models.Index(fields=["community", "status", "created_at"], name="request_comm_status_created"),
            models.Index(fields=["duty", "status", "created_at"], name="request_duty_status_created"),
            models.Index(fields=["lat", "lng"], name="request_latlng"),
            models.Index(fields=["requester", "-created_at"], name="request_requester_recent"),
        ]

    def __str__(self) -> str:
        return self.title


class RequestPhoto(models.Model):
    request = models.ForeignKey(ServiceRequest, verbose_name="点单", on_delete=models.CASCADE, related_name="photos")
    image = models.ImageField("照片", upload_to="requests/%Y/%m/")
    width = models.PositiveIntegerField("宽", default=0)
    height = models.PositiveIntegerField("高", default=0)
    created_at = models.DateTimeField("上传时间", default=timezone.now)

    class Meta:
        verbose_name = "点单照片"
        verbose_name_plural = "点单照片"
        ordering = ["id"]

    def __str__(self) -> str:
        return f"{self.request}的照片"


class RequestFollower(models.Model):
    """A resident who joined an existing request ("这是我的问题") or whose duplicate was merged in."""

    request = models.ForeignKey(ServiceRequest, verbose_name="点单", on_delete=models.CASCADE, related_name="followers")
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name="关注人", on_delete=models.CASCADE, related_name="+"
    )
    created_at = models.DateTimeField("关注时间", default=timezone.now)

    class Meta:
        verbose_name = "点单关注人"
        verbose_name_plural = "点单关注人"
        constraints = [models.UniqueConstraint(fields=["request", "user"], name="requestfollower_unique")]

    def __str__(self) -> str:
        return f"{self.user}关注{self.request}"


class RequestLookup(models.Model):
    """One try at finding a request to follow: a "nearby" lookup or a join, counted per person
    against ``NEARBY_LOOKUPS_PER_HOUR`` and ``JOINS_PER_DAY``.

    The limits count rows, as the others do, but neither try leaves one of its own: a lookup
    writes nothing, and a join refused (not at the place, no such request) rolls back — and
    the refused ones are exactly what sweeping locations produces. So each try is a row here,
    kept only as long as the longest window (purged daily).
    """

    class Kind(models.TextChoices):
        NEARBY = "nearby", "查找附近点单"
        JOIN = "join", "关注点单"

    user = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name="用户", on_delete=models.CASCADE, related_name="+")
    kind = models.CharField("类别", max_length=10, choices=Kind.choices)
    at = models.DateTimeField("时间", default=timezone.now)

    class Meta:
        verbose_name = "点单查找记录"
        verbose_name_plural = "点单查找记录"
        indexes = [
            models.Index(fields=["user", "kind", "-at"], name="requestlookup_user_kind_at"),
            models.Index(fields=["at"], name="requestlookup_at"),
        ]
        constraints = [
            models.CheckConstraint(condition=Q(kind__in=["nearby", "join"]), name="requestlookup_kind_valid")
        ]

    def __str__(self) -> str:
        return f"{self.user_id} {self.get_kind_display()} {self.at:%Y-%m-%d %H:%M}"


class RequestEvent(TransitionEvent):
    KIND_LABELS = {
        "follower_joined": "居民附议",
        "merged_in": "合并同类点单",
        "task_created": "派单（新建任务）",
        "task_joined": "派单（并入已有任务）",
        "task_completed": "任务完成",
        "task_cancelled": "任务取消，退回审核",
        "escalation_resolved": "联席会议办结",
        "reopened": "居民重新反映",
        "auto_closed": "到期自动关闭",
    }

    request = models.ForeignKey(ServiceRequest, verbose_name="点单", on_delete=models.CASCADE, related_name="events")

    class Meta(TransitionEvent.Meta):
        verbose_name = "点单进度"
        verbose_name_plural = "点单进度"
        indexes = [models.Index(fields=["request", "created_at"], name="requestevent_request_time")]


class Feedback(models.Model):
    """评价: the requester rates the service once, 1–5, with a comment."""

    request = models.OneToOneField(
        ServiceRequest, verbose_name="点单", on_delete=models.CASCADE, related_name="feedback"
    )
    score = models.PositiveSmallIntegerField("评分")
    comment = models.CharField("评价内容", max_length=500, blank=True)
    created_at = models.DateTimeField("评价时间", default=timezone.now)

    class Meta:
        verbose_name = "评价"
        verbose_name_plural = "评价"
        constraints = [models.CheckConstraint(condition=Q(score__gte=1, score__lte=5), name="feedback_score_1_to_5")]

    def __str__(self) -> str:
        return f"{self.request}：{self.score} 星"


class Like(models.Model):
    """点赞: the requester likes a member who served their request."""

    request = models.ForeignKey(ServiceRequest, verbose_name="点单", on_delete=models.CASCADE, related_name="likes")
    member = models.ForeignKey(Member, verbose_name="党员", on_delete=models.CASCADE, related_name="likes")
    created_at = models.DateTimeField("点赞时间", default=timezone.now)

    class Meta:
        verbose_name = "点赞"
        verbose_name_plural = "点赞"
        constraints = [models.UniqueConstraint(fields=["request", "member"], name="like_once_per_member")]
        indexes = [models.Index(fields=["member", "created_at"], name="like_member_time")]

    def __str__(self) -> str:
        return f"{self.request}为{self.member}点赞"
