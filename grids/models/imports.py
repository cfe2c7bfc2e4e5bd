"""Uploads of XLSX sheets into the organisation: a unit's member roster, a street's grids and buildings.

One row per upload, dry runs (预检) included: who sent which file (its SHA-256) for which unit
or street, and what came of it — the counts created and changed, or the bad rows with the
report that marks them. The organisation's own rows are written only by the import services
(``grids.services.imports``), in one transaction, and each of them has its audit row there.

While an import runs its row is ``running``; a partial unique index allows one running import
of the same file for the same unit or street, so a second submission of the file (a double
tap, a second tab) is refused at once instead of importing twice.
"""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone

from grids.models.organisation import Street, Unit


class ImportRun(models.Model):
    class Kind(models.TextChoices):
        ROSTER = "roster", "单位党员名册"
        GRIDS = "grids", "街道网格与楼栋"

    class Status(models.TextChoices):
        RUNNING = "running", "正在导入"
        CHECKED = "checked", "预检通过"
        DONE = "done", "已导入"
        REJECTED = "rejected", "有错误，未导入"
        FAILED = "failed", "导入失败"

    kind = models.CharField("类型", max_length=10, choices=Kind.choices)
    unit = models.ForeignKey(
        Unit, verbose_name="单位", on_delete=models.CASCADE, null=True, blank=True, related_name="import_runs"
    )
    street = models.ForeignKey(
        Street, verbose_name="街道/镇", on_delete=models.CASCADE, null=True, blank=True, related_name="import_runs"
    )
    dry_run = models.BooleanField("仅预检", default=False)
    file_name = models.CharField("文件名", max_length=200, blank=True)
    content_hash = models.CharField("文件摘要（SHA-256）", max_length=64)
    status = models.CharField("状态", max_length=10, choices=Status.choices, default=Status.RUNNING)
    rows_total = models.PositiveIntegerField("数据行数", default=0)
    summary = models.JSONField("结果", default=dict, blank=True)
    errors = models.JSONField("错误", default=list, blank=True)
    # The file as uploaded, kept only when it was rejected: its report (the file with the bad cells
    # marked) is built from it when asked for. Emptied after a day (grids.tasks.purge_import_uploads).
    upload = models.BinaryField("上传的文件", null=True, blank=True, editable=False)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name="上传人", on_delete=models.SET_NULL, null=True, related_name="+"
    )
    created_at = models.DateTimeField("上传时间", default=timezone.now)
    finished_at = models.DateTimeField("完成时间", null=True, blank=True)
    seconds = models.FloatField("用时（秒）", null=True, blank=True)

    class Meta:
        verbose_name = "导入记录"
        verbose_name_plural = "导入记录"
        ordering = ["-created_at"]
        constraints = [
            models.CheckConstraint(
                condition=Q(kind="roster", unit__isnull=False, street__isnull=True)
                | Q(kind="grids", unit__isnull=True, street__isnull=False),
                name="importrun_target_matches_kind",
            ),
            models.UniqueConstraint(
                fields=["kind", "unit", "content_hash"],
                condition=Q(status="running", unit__isnull=False),
                name="importrun_one_running_per_unit_file",
            ),
            models.UniqueConstraint(
                fields=["kind", "street", "content_hash"],
                condition=Q(status="running", street__isnull=False),
                name="importrun_one_running_per_street_file",
            ),
        ]
        indexes = [
            models.Index(fields=["unit", "-created_at"], name="importrun_unit_time"),
            models.Index(fields=["street", "-created_at"], name="importrun_street_time"),
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} · {self.target} · {self.get_status_display()}"

    @property
    def target(self):
        return self.unit or self.street
