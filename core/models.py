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
