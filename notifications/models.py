"""The in-app inbox and the record of what went out through which channel.

It sits just above ``accounts``: any app may notify a user; this app knows nothing of them.
"""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone


class Notification(models.Model):
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name="接收人", on_delete=models.CASCADE, related_name="notifications"
    )
    kind = models.CharField("类型", max_length=40)
    title = models.CharField("标题", max_length=100)
    body = models.CharField("内容", max_length=500, blank=True)
    url = models.CharField("链接", max_length=200, blank=True)
    created_at = models.DateTimeField("时间", default=timezone.now)
    read_at = models.DateTimeField("已读时间", null=True, blank=True)

    class Meta:
        verbose_name = "站内消息"
        verbose_name_plural = "站内消息"
        ordering = ["-created_at", "-id"]
        indexes = [
            models.Index(fields=["user", "-created_at"], name="notification_user_recent"),
            models.Index(fields=["user"], condition=Q(read_at__isnull=True), name="notification_user_unread"),
            # The sweep of undelivered notifications reads a window of recent ones.
            models.Index(fields=["created_at"], name="notification_created"),
        ]

    def __str__(self) -> str:
        return self.title


class Delivery(models.Model):
    """One attempt to push a notification through an outside channel (WeChat, SMS, log)."""

    class Status(models.TextChoices):
        PENDING = "pending", "待发送"
        SENT = "sent", "已发送"
        FAILED = "failed", "发送失败"

    notification = models.ForeignKey(
        Notification, verbose_name="消息", on_delete=models.CASCADE, related_name="deliveries"
    )
    channel = models.CharField("渠道", max_length=30)
    status = models.CharField("状态", max_length=10, choices=Status.choices, default=Status.PENDING)
    attempts = models.PositiveSmallIntegerField("尝试次数", default=0)
    error = models.CharField("错误", max_length=300, blank=True)
    sent_at = models.DateTimeField("发送时间", null=True, blank=True)

    class Meta:
        verbose_name = "消息推送"
        verbose_name_plural = "消息推送"
        constraints = [models.UniqueConstraint(fields=["notification", "channel"], name="delivery_once_per_channel")]

    def __str__(self) -> str:
        return f"{self.notification} → {self.channel}"


class ChannelPreference(models.Model):
    """Whether a user allows one outside channel (WeChat, SMS) for one kind of notification
    (notifications.kinds); without a row, the kind's default applies. The inbox always gets it."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name="用户", on_delete=models.CASCADE, related_name="channel_preferences"
    )
    kind = models.CharField("消息类型", max_length=40)
    channel = models.CharField("渠道", max_length=30)
    allowed = models.BooleanField("接收")
    updated_at = models.DateTimeField("修改时间", default=timezone.now)

    class Meta:
        verbose_name = "消息渠道设置"
        verbose_name_plural = "消息渠道设置"
        constraints = [
            models.UniqueConstraint(fields=["user", "kind", "channel"], name="channelpref_once"),
            models.CheckConstraint(condition=Q(channel__in=["wechat", "sms"]), name="channelpref_optional_channel"),
        ]

    def __str__(self) -> str:
        return f"{self.user} · {self.kind} · {self.channel}：{'接收' if self.allowed else '不接收'}"
