import uuid
from typing import ClassVar

from django.conf import settings
from django.db import models
from django.utils import timezone


class TransitionEvent(models.Model):
    """One row per change of a state machine: who, when, what kind, from, to, and the reason.

    ``kind`` names what happened when the status alone does not say it (a registration passed
    on to the next choice, hours confirmed with corrected minutes, a follower joining); for a
    plain change of status it is empty and ``from``/``to`` say it all.
    """

    # Every kind a machine's services write, with its Chinese label: ``transition()`` refuses a
    # kind missing here, so the admin and the timelines can always name it.
    KIND_LABELS: ClassVar[dict[str, str]] = {}

    kind = models.CharField("事件", max_length=30, blank=True, default="")
    from_status = models.CharField("原状态", max_length=20, blank=True)
    to_status = models.CharField("新状态", max_length=20)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name="操作人",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    note = models.CharField("说明", max_length=500, blank=True)
    created_at = models.DateTimeField("时间", default=timezone.now)

    class Meta:
        abstract = True
        ordering = ["created_at", "id"]

    @property
    def kind_label(self) -> str:
        return self.KIND_LABELS.get(self.kind, self.kind)


class AuditQuerySet(models.QuerySet):
    """Audit rows are appended, never changed or removed through the application."""

    def update(self, **kwargs):
        raise PermissionError("审计记录不能修改。")

    def delete(self):
        raise PermissionError("审计记录不能删除。")

    def bulk_update(self, objs, fields, batch_size=None):
        raise PermissionError("审计记录不能修改。")


class AuditEntry(models.Model):
    """One row of the audit trail (``core.audit``): who, when, what (object and fields before →
    after), from where (address, device) and through which entry point.

    No foreign keys: the actor and the object are kept by id and by their name at the time, so
    deleting either keeps the history. Append-only: see ``core.audit`` and migration 0002."""

    class Action(models.TextChoices):
        CREATED = "created", "新建"
        CHANGED = "changed", "修改"
        DELETED = "deleted", "删除"
        TRANSITION = "transition", "状态变更"
        EVENT = "event", "业务事件"
        SIGN_IN = "sign_in", "登录"
        SIGN_IN_FAILED = "sign_in_failed", "登录失败"
        TOKEN_ISSUED = "token_issued", "签发登录凭证"
        TOKEN_REVOKED = "token_revoked", "注销登录凭证"
        EXPORT = "export", "下载导出"
        ADMIN_ADDITION = "admin_addition", "后台新增"
        ADMIN_CHANGE = "admin_change", "后台修改"
        ADMIN_DELETION = "admin_deletion", "后台删除"
        ADMIN_ACTION = "admin_action", "后台批量操作"

    class Channel(models.TextChoices):
        API = "api", "接口（小程序/客户端）"
        PAGE = "page", "网页"
        ADMIN = "admin", "管理后台"
        JOB = "job", "后台任务"

    at = models.DateTimeField("时间", default=timezone.now)
    action = models.CharField("操作", max_length=20, choices=Action.choices)
    actor_id = models.BigIntegerField("操作人编号", null=True, blank=True)
    actor_name = models.CharField("操作人", max_length=150, blank=True)
    object_type = models.CharField("对象类型", max_length=100, blank=True)
    object_id = models.CharField("对象编号", max_length=64, blank=True)
    object_repr = models.CharField("对象", max_length=200, blank=True)
    changes = models.JSONField("变更（原值 → 新值）", default=dict, blank=True)
    note = models.CharField("说明", max_length=500, blank=True)
    channel = models.CharField("入口", max_length=10, choices=Channel.choices)
    ip = models.GenericIPAddressField("来源地址", null=True, blank=True)
    device = models.CharField("设备", max_length=200, blank=True)

    objects = AuditQuerySet.as_manager()

    class Meta:
        verbose_name = verbose_name_plural = "审计日志"
        ordering = ["-at", "-id"]
        indexes = [
            models.Index(fields=["object_type", "object_id", "at"], name="audit_object"),
            models.Index(fields=["actor_id", "at"], name="audit_actor"),
            models.Index(fields=["at"], name="audit_at"),
        ]

    def __str__(self) -> str:
        return f"{self.get_action_display()} {self.object_repr or self.object_type}"

    def save(self, *args, **kwargs):
        if not self._state.adding:
            raise PermissionError("审计记录不能修改。")
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        raise PermissionError("审计记录不能删除。")


class ExportJob(models.Model):
    """One XLSX download being built in the background (``core.downloads``): whose, which dataset
    with which parameters, how far it got, and where the file is kept until it expires.

    The file lives in the private ``exports`` storage (never the public media path) and is handed
    out only by ``downloads:file``, which checks the owner and the scope again. A day after the job
    was started the file is deleted and the job marked expired (beat: ``expire-export-jobs``).
    """

    class Status(models.TextChoices):
        QUEUED = "queued", "排队中"
        RUNNING = "running", "生成中"
        DONE = "done", "已完成"
        FAILED = "failed", "失败"
        EXPIRED = "expired", "已过期"

    ACTIVE = (Status.QUEUED, Status.RUNNING)

    id = models.UUIDField("编号", primary_key=True, default=uuid.uuid4, editable=False)
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name="下载人", on_delete=models.CASCADE, related_name="export_jobs"
    )
    key = models.CharField("数据集", max_length=40)
    params = models.JSONField("参数", default=dict, blank=True)
    # The parameters' canonical JSON, hashed: one running job per person, dataset and parameters.
    params_digest = models.CharField("参数摘要", max_length=64)
    title = models.CharField("文件名", max_length=200)
    status = models.CharField("状态", max_length=10, choices=Status.choices, default=Status.QUEUED)
    rows_done = models.PositiveIntegerField("已写入行数", default=0)
    rows_total = models.PositiveIntegerField("总行数", null=True, blank=True)
    file = models.CharField("文件（私有存储）", max_length=255, blank=True)
    size = models.PositiveBigIntegerField("文件大小（字节）", null=True, blank=True)
    error = models.CharField("失败原因", max_length=500, blank=True)
    created_at = models.DateTimeField("发起时间", default=timezone.now)
    started_at = models.DateTimeField("开始生成", null=True, blank=True)
    finished_at = models.DateTimeField("完成时间", null=True, blank=True)
    expires_at = models.DateTimeField("过期时间")

    class Meta:
        verbose_name = verbose_name_plural = "下载任务"
        ordering = ["-created_at"]
        indexes = [
            models.Index(fields=["user", "created_at"], name="exportjob_user_created"),
            models.Index(fields=["status", "expires_at"], name="exportjob_status_expires"),
        ]
        constraints = [
            models.UniqueConstraint(
                fields=["user", "key", "params_digest"],
                condition=models.Q(status__in=["queued", "running"]),
                name="exportjob_one_active_per_request",
            ),
            models.CheckConstraint(
                condition=models.Q(status__in=["queued", "running", "done", "failed", "expired"]),
                name="exportjob_status_valid",
            ),
            models.CheckConstraint(
                condition=~models.Q(status="done") | (models.Q(finished_at__isnull=False) & ~models.Q(file="")),
                name="exportjob_done_has_file",
            ),
            models.CheckConstraint(
                condition=~models.Q(status="failed") | ~models.Q(error=""), name="exportjob_failed_has_reason"
            ),
            models.CheckConstraint(
                condition=models.Q(rows_total__isnull=True) | models.Q(rows_done__lte=models.F("rows_total")),
                name="exportjob_rows_within_total",
            ),
            models.CheckConstraint(
                condition=models.Q(expires_at__gt=models.F("created_at")), name="exportjob_expires_later"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.title}（{self.get_status_display()}）"

    @property
    def progress(self) -> int | None:
        """Percent done, when the total is known (100 once done)."""
        if self.status == self.Status.DONE:
            return 100
        if not self.rows_total:
            return None
        return min(99, self.rows_done * 100 // self.rows_total)

    @property
    def is_active(self) -> bool:
        return self.status in self.ACTIVE

    def is_expired(self, now=None) -> bool:
        """Past its day: marked so, or done and waiting for the sweep to delete its file."""
        if self.status == self.Status.EXPIRED:
            return True
        return self.status == self.Status.DONE and self.expires_at <= (now or timezone.now())

    @property
    def expired(self) -> bool:
        return self.is_expired()
