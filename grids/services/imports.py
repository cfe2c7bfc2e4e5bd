"""An upload from start to finish: check the file, hold the file's lock, import (or check), record the run.

``import_upload`` is what the pages call. The file is checked and read before anything else
(``grids.imports.workbook``): a file that is not a sane XLSX, or has the wrong headers, raises
``ValidationFailed`` and leaves no trace. Then an ``ImportRun`` row is written and committed in a
transaction of its own, ``running``: a partial unique index allows one running import of the same
file (SHA-256) for the same unit or street, so a second submission while the first runs gets a
clear message at once instead of waiting to import the same rows again. The import itself
(``grids.services.bulk``) is one transaction; the run row then says what came of it, with the
report of the bad rows when there were any. A dry run (预检) holds no lock and writes only its run row.

Synchronous, in the request: a unit's roster is tens to hundreds of rows (60,000 members in
1,795 units) and imports in well under a second; the 60,000-row file, the largest any import
takes, imports in under a minute (``manage.py bench_imports``), far inside gunicorn's and nginx's
300 s. A run left ``running`` by a killed process is stale after ``STALE_AFTER`` and no longer
blocks the file.
"""

from __future__ import annotations

import hashlib
import time
from datetime import timedelta

from django.db import IntegrityError, transaction
from django.utils import timezone

from core.errors import Conflict, PermissionDenied
from grids.imports import grid_sheet, roster, workbook
from grids.models import ImportRun, Street, Unit
from grids.selectors.scope import scope_for
from grids.services import bulk

# Twice gunicorn's timeout: a running import older than this was killed with its worker.
STALE_AFTER = timedelta(minutes=10)
REPORT_TITLES = {ImportRun.Kind.ROSTER: "名册", ImportRun.Kind.GRIDS: "网格"}
BUSY = "同一个文件正在导入中，请稍候刷新页面查看结果，不要重复提交。"


def can_import_roster(user, unit: Unit) -> bool:
    """The unit's own party organisation (secretary, organiser) and the city's organisation department."""
    scope = scope_for(user)
    return unit.pk in scope.unit_ids or scope.city


def can_import_grids(user, street: Street) -> bool:
    """Staff of the street, of its district, or of the city."""
    scope = scope_for(user)
    return scope.city or street.pk in scope.street_ids or street.district_id in scope.district_ids


def columns_of(kind: str):
    return roster.COLUMNS if kind == ImportRun.Kind.ROSTER else grid_sheet.COLUMNS


def _start(run: ImportRun) -> ImportRun:
    target = {"unit": run.unit} if run.unit_id else {"street": run.street}
    with transaction.atomic():
        ImportRun.objects.filter(
            kind=run.kind,
            content_hash=run.content_hash,
            status=ImportRun.Status.RUNNING,
            created_at__lt=timezone.now() - STALE_AFTER,
            **target,
        ).update(status=ImportRun.Status.FAILED, summary={"reason": "导入进程中断"}, finished_at=timezone.now())
    try:
        with transaction.atomic():
            run.save(force_insert=True)
    except IntegrityError as exc:
        raise Conflict(BUSY, code="import_running") from exc
    return run


def import_upload(
    *,
    actor,
    kind: str,
    unit: Unit | None = None,
    street: Street | None = None,
    data: bytes,
    file_name: str,
    dry_run: bool,
) -> ImportRun:
    """Import (or with ``dry_run`` only check) one uploaded sheet for a unit or a street.

    Called outside any transaction (a page, a command), so that the run row is committed, and
    seen by a second submission, before the import starts."""
    if kind == ImportRun.Kind.ROSTER:
        if unit is None or not can_import_roster(actor, unit):
            raise PermissionDenied("您不是该单位党组织的书记或组织委员，不能导入其名册。")
    elif street is None or not can_import_grids(actor, street):
        raise PermissionDenied("您没有该街道的职务，不能导入其网格。")
    started = time.perf_counter()
    header, rows = workbook.read_sheet(data, columns_of(kind))
    run = ImportRun(
        kind=kind,
        unit=unit,
        street=street,
        dry_run=dry_run,
        file_name=(file_name or "")[:200],
        content_hash=hashlib.sha256(data).hexdigest(),
        rows_total=len(rows),
        created_by=actor,
        status=ImportRun.Status.RUNNING,
    )
    if not dry_run:
        run = _start(run)
    try:
        if kind == ImportRun.Kind.ROSTER:
            p = bulk.members_import(actor=actor, unit=unit, rows=rows, dry_run=dry_run)
        else:
            p = bulk.grids_import(actor=actor, street=street, rows=rows, dry_run=dry_run)
    except Exception as exc:
        if run.pk:
            reason = getattr(exc, "message", "导入失败，未导入任何数据。")
            _finish(run, ImportRun.Status.FAILED, started, summary={"reason": reason})
        raise
    if p.errors:
        run.errors = [list(e) for e in p.errors]
        run.upload = data
        status = ImportRun.Status.REJECTED
    else:
        status = ImportRun.Status.CHECKED if dry_run else ImportRun.Status.DONE
    return _finish(run, status, started, summary=p.summary() if not p.errors else {})


def import_report_build(*, run: ImportRun) -> bytes | None:
    """The rejected file with its bad cells filled red and their reasons as comments, and the list
    of errors; None once the upload is purged. Built when asked for, not while the upload waits."""
    data = ImportRun.objects.filter(pk=run.pk).values_list("upload", flat=True).first()
    if not data or not run.errors:
        return None
    header, rows = workbook.read_sheet(bytes(data), columns_of(run.kind))
    return workbook.report(header, rows, run.errors, title=REPORT_TITLES[run.kind])


def import_uploads_purge(*, older_than: timedelta = timedelta(days=1)) -> int:
    """Rejected files hold people's numbers: they are kept a day for their report, then dropped."""
    cutoff = timezone.now() - older_than
    return ImportRun.objects.filter(upload__isnull=False, created_at__lt=cutoff).update(upload=None)


def _finish(run: ImportRun, status: str, started: float, *, summary: dict) -> ImportRun:
    run.status = status
    run.summary = summary
    run.finished_at = timezone.now()
    run.seconds = round(time.perf_counter() - started, 2)
    if run.pk:
        run.save(update_fields=["status", "summary", "errors", "upload", "finished_at", "seconds"])
    else:
        run.save(force_insert=True)
    return run
