"""The XLSX downloads' writes: start a job, build its file, hand it out, expire it.

A job is started in the request (the dataset is built once there, so a scope or a parameter the
user may not have is refused at once with the builder's Chinese message), then built by the Celery
task ``core.tasks.export_xlsx`` on the ``exports`` queue, which builds the dataset again as the
job's user (scope checked again: a post may have ended meanwhile) and streams it to a temporary
file, then into the private ``exports`` storage. The hand-out (``export_job_hand_out``) checks the
owner and the scope a third time and writes the audit row of the download.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import logging
import os
import tempfile
from collections.abc import Mapping

from django.conf import settings
from django.core.files import File
from django.core.files.storage import storages
from django.db import IntegrityError, transaction
from django.utils import timezone

from core import audit, exports
from core.downloads.xlsx import write_xlsx
from core.errors import Conflict, DomainError, Gone, NotFound, PermissionDenied, Throttled, ValidationFailed
from core.models import ExportJob
from core.tasks import EXPORT_TIME_LIMIT, enqueue, enqueue_on_commit, export_xlsx

logger = logging.getLogger("core.downloads")

ALREADY_RUNNING = "已有相同的下载正在生成"
UNKNOWN_DATASET = "没有这种下载。"
GONE_DATASET = "这种下载已不再提供。"
EXPIRED = "文件已过期删除（只保留一天），请重新生成。"
FAILED = "文件生成失败：{error}"
NOT_READY = "文件还在生成中，请稍候。"
SCOPE_LOST = "您已无权下载该范围的数据：{message}"
TOO_MANY_PARAMS = "下载参数过多。"
PARAM_TOO_LONG = "下载参数过长。"
TOO_MANY_ACTIVE = "您已有 {n} 个下载正在生成，请等其完成后再发起新的下载。"
BROKEN = "生成出错，请重新生成；如仍失败请联系系统管理员。"

PROGRESS_EVERY = 2000  # rows between two progress writes: one UPDATE by primary key each
MAX_PARAMS, MAX_PARAM_LENGTH = 20, 200
REQUEUE_AFTER = dt.timedelta(minutes=10)
MAX_ACTIVE = 3  # downloads one person may have queued or running at once
IGNORED_PARAMS = frozenset({"csrfmiddlewaretoken", "next", "format", "page"})


def storage():
    return storages["exports"]


def clean_params(params: Mapping) -> dict[str, str]:
    """The download's parameters as plain strings, sorted; framework fields left out."""
    getter = getattr(params, "getlist", None)
    out = {}
    for name in sorted(params):
        if name in IGNORED_PARAMS:
            continue
        value = getter(name)[-1] if getter else params[name]
        value = "" if value is None else str(value)
        if len(name) > MAX_PARAM_LENGTH or len(value) > MAX_PARAM_LENGTH:
            raise ValidationFailed(PARAM_TOO_LONG, code="params_too_long")
        if value != "":
            out[str(name)] = value
    if len(out) > MAX_PARAMS:
        raise ValidationFailed(TOO_MANY_PARAMS, code="too_many_params")
    return out


def digest(params: Mapping[str, str]) -> str:
    return hashlib.sha256(json.dumps(params, sort_keys=True, ensure_ascii=False).encode()).hexdigest()


def dataset_for(*, key: str, user, params: Mapping[str, str]) -> exports.Dataset:
    """The registered dataset, or the domain error a page and the API show (404 for a key nobody offers)."""
    try:
        return exports.build(key, user=user, params=params)
    except LookupError:
        raise NotFound(UNKNOWN_DATASET, code="unknown_dataset") from None


def keep_for() -> dt.timedelta:
    return dt.timedelta(hours=settings.EXPORT_KEEP_HOURS)


def export_job_start(*, user, key: str, params: Mapping) -> tuple[ExportJob, bool]:
    """Start building ``key`` for ``user``; ``(job, True)`` for a new job, ``(the running one, False)``
    when the same download (same dataset and parameters) is already queued or being built.

    Raises the builder's ``DomainError`` for a scope or parameter the user may not have."""
    params = clean_params(params)
    dataset = dataset_for(key=key, user=user, params=params)
    params_digest = digest(params)
    running = ExportJob.objects.filter(user=user, key=key, params_digest=params_digest, status__in=ExportJob.ACTIVE)
    now = timezone.now()
    with transaction.atomic():
        existing = running.first()
        if existing is not None:
            return existing, False
        if ExportJob.objects.filter(user=user, status__in=ExportJob.ACTIVE).count() >= MAX_ACTIVE:
            raise Throttled(TOO_MANY_ACTIVE.format(n=MAX_ACTIVE), code="too_many_exports", wait=60)
        try:
            with transaction.atomic():  # a savepoint: the unique constraint settles a double click
                job = ExportJob.objects.create(
                    user=user,
                    key=key,
                    params=params,
                    params_digest=params_digest,
                    title=dataset.filename_stem[:200] or dataset.title,
                    created_at=now,
                    expires_at=now + keep_for(),
                )
        except IntegrityError:
            return running.get(), False
        enqueue_on_commit(export_xlsx, str(job.pk))
    return job, True


def _claim(job_id, *, resume: bool) -> ExportJob | None:
    """Mark the job running; None when it is settled or another worker is building it.

    A job running for longer than the task's hard time limit lost its worker (killed: the message
    comes back after the broker's visibility timeout) and is built again from the start; so is
    one whose own run is retried (``resume``) after a database error."""
    now = timezone.now()
    with transaction.atomic():
        job = ExportJob.objects.select_for_update().filter(pk=job_id).first()
        if job is None or not job.is_active:
            return None
        alive = job.started_at is not None and job.started_at > now - dt.timedelta(seconds=EXPORT_TIME_LIMIT)
        if job.status == ExportJob.Status.RUNNING and alive and not resume:
            return None
        job.status, job.started_at, job.rows_done, job.rows_total = ExportJob.Status.RUNNING, now, 0, None
        job.save(update_fields=["status", "started_at", "rows_done", "rows_total"])
    return job


def export_job_run(*, job_id, resume: bool = False) -> ExportJob | None:
    """Build the job's file; safe to run twice (a settled job is left as it is, a job whose first
    run died is built again from the start). DatabaseError propagates, for the task to retry
    (with ``resume``)."""
    job = _claim(job_id, resume=resume)
    if job is None:
        return ExportJob.objects.filter(pk=job_id).first()
    try:
        dataset = exports.build(job.key, user=job.user, params=job.params)
    except LookupError:
        return export_job_fail(job_id=job.pk, reason=GONE_DATASET)
    except DomainError as exc:
        return export_job_fail(job_id=job.pk, reason=SCOPE_LOST.format(message=exc.message))
    total = dataset.count() if dataset.count is not None else None
    if total is not None:
        ExportJob.objects.filter(pk=job.pk).update(rows_total=total)

    def progress(rows: int) -> None:
        ExportJob.objects.filter(pk=job.pk).update(rows_done=rows if total is None else min(rows, total))

    handle, path = tempfile.mkstemp(prefix="export-", suffix=".xlsx", dir=settings.EXPORT_TMP_DIR or None)
    os.close(handle)
    try:
        try:
            rows = write_xlsx(
                dataset,
                path,
                generated_at=timezone.now(),
                progress=progress,
                every=PROGRESS_EVERY,
                tmpdir=settings.EXPORT_TMP_DIR or None,
            )
        except ValidationFailed as exc:
            return export_job_fail(job_id=job.pk, reason=exc.message)
        with open(path, "rb") as fh:
            name = storage().save(f"{job.pk}.xlsx", File(fh))
        size = os.path.getsize(path)
    finally:
        os.unlink(path)
    return _finish(job, dataset, name=name, rows=rows, size=size)


def _finish(job: ExportJob, dataset: exports.Dataset, *, name: str, rows: int, size: int) -> ExportJob:
    with transaction.atomic():
        locked = ExportJob.objects.select_for_update().get(pk=job.pk)
        if locked.status != ExportJob.Status.RUNNING:
            # Settled meanwhile (expired, or a second run finished first): this file is nobody's.
            transaction.on_commit(lambda: storage().delete(name))
            return locked
        stale = locked.file
        locked.status, locked.file, locked.size = ExportJob.Status.DONE, name, size
        locked.rows_done, locked.rows_total, locked.finished_at = rows, rows, timezone.now()
        locked.save(update_fields=["status", "file", "size", "rows_done", "rows_total", "finished_at"])
        with audit.origin(channel=audit.CHANNEL_JOB):
            audit.record(
                audit.Action.EXPORT,
                actor=locked.user,
                object_type="download",
                object_id=locked.pk,
                object_repr=f"{locked.title}.xlsx",
                changes={"filters": {"dataset": locked.key, **dataset.filters}, "rows": rows, "format": "xlsx"},
                note="生成 XLSX 文件",
            )
    if stale and stale != name:
        storage().delete(stale)
    return locked


def export_job_fail(*, job_id, reason: str) -> ExportJob | None:
    """Mark an unfinished job failed with a Chinese ``reason`` the owner reads on its page."""
    with transaction.atomic():
        job = ExportJob.objects.select_for_update().filter(pk=job_id).first()
        if job is None or not job.is_active:
            return job
        job.status, job.error, job.finished_at = ExportJob.Status.FAILED, reason[:500], timezone.now()
        job.save(update_fields=["status", "error", "finished_at"])
    return job


def export_job_hand_out(*, job: ExportJob, user, now: dt.datetime | None = None) -> exports.Dataset:
    """Check that ``user`` may take the job's file now, and write the audit row of the download.

    The owner only (anyone else: not found), the file still kept, and the scope still the user's
    (the dataset is built again, cheaply: builders read rows only when asked)."""
    now = now or timezone.now()
    if job.user_id != getattr(user, "pk", None):
        raise NotFound("未找到该下载。")
    if job.is_expired(now):
        raise Gone(EXPIRED, code="expired")
    if job.status == ExportJob.Status.FAILED:
        raise Gone(FAILED.format(error=job.error), code="failed")
    if job.status != ExportJob.Status.DONE:
        raise Conflict(NOT_READY, code="not_ready")
    if not storage().exists(job.file):  # removed by hand: say it as the sweep would have
        raise Gone(EXPIRED, code="expired")
    try:
        dataset = exports.build(job.key, user=user, params=job.params)
    except LookupError:
        raise Gone(GONE_DATASET, code="unknown_dataset") from None
    except DomainError as exc:
        raise PermissionDenied(SCOPE_LOST.format(message=exc.message)) from exc
    audit.record(
        audit.Action.EXPORT,
        actor=user,
        object_type="download",
        object_id=job.pk,
        object_repr=f"{job.title}.xlsx",
        changes={"filters": {"dataset": job.key, **dataset.filters}, "rows": job.rows_done, "format": "xlsx"},
        note="下载 XLSX 文件",
    )
    return dataset


def export_jobs_expire(*, now: dt.datetime | None = None) -> int:
    """Delete the files of jobs past their day and mark them expired (a job still queued or running
    a day on is surely dead: its hard time limit is minutes); then remove files no job holds."""
    now = now or timezone.now()
    expired = 0
    for job_id in (
        ExportJob.objects.filter(expires_at__lte=now)
        .exclude(status=ExportJob.Status.EXPIRED)
        .values_list("pk", flat=True)
    ):
        with transaction.atomic():
            job = ExportJob.objects.select_for_update().filter(pk=job_id).first()
            if job is None or job.status == ExportJob.Status.EXPIRED:
                continue
            name = job.file
            job.status, job.file = ExportJob.Status.EXPIRED, ""
            job.save(update_fields=["status", "file"])
            if name:
                transaction.on_commit(lambda name=name: storage().delete(name))
            expired += 1
    _sweep_orphans(now)
    return expired


def export_jobs_requeue(*, now: dt.datetime | None = None) -> int:
    """Queue again the jobs still queued after ``REQUEUE_AFTER``: their message never reached a
    worker (the broker refused it, ``core.tasks.enqueue``). A job that is merely waiting behind
    others runs twice at worst, and the second run finds it settled."""
    now = now or timezone.now()
    stuck = ExportJob.objects.filter(
        status=ExportJob.Status.QUEUED, created_at__lte=now - REQUEUE_AFTER, expires_at__gt=now
    ).values_list("pk", flat=True)
    return sum(enqueue(export_xlsx, str(pk)) for pk in stuck)


def _sweep_orphans(now: dt.datetime) -> None:
    """Files older than a day that no job points at (a job's user deleted, a run killed after saving)."""
    store = storage()
    try:
        _, names = store.listdir("")
    except FileNotFoundError:
        return
    held = set(ExportJob.objects.exclude(file="").values_list("file", flat=True))
    for name in names:
        if name in held:
            continue
        try:
            if store.get_modified_time(name) <= now - keep_for():
                store.delete(name)
        except (FileNotFoundError, NotImplementedError):
            continue
