"""XLSX downloads built by a job: the start's checks, the file cell by cell, progress, running the
task twice, scope lost meanwhile, audit rows, and the sweep that deletes files after a day."""

from __future__ import annotations

import datetime as dt
import os
from pathlib import Path

import pytest
import time_machine
from django.conf import settings
from django.core.files.base import ContentFile

from core.downloads import services
from core.downloads import xlsx as xlsx_module
from core.errors import NotFound, PermissionDenied, Throttled, ValidationFailed
from core.models import AuditEntry, ExportJob
from core.tasks import export_xlsx, sweep_export_jobs
from tests.accounts.factories import UserFactory
from tests.core.exports_support import KEY, workbook_of

pytestmark = pytest.mark.django_db
NOW = dt.datetime(2026, 4, 1, 2, 0, tzinfo=dt.UTC)  # 10:00 in Beijing


@pytest.fixture
def officer(sheet):
    user = UserFactory(name="吴组织")
    sheet.grant(user, "c1")
    return user


def start(user, params=None, capture=None):
    return services.export_job_start(user=user, key=KEY, params=params or {"node": "c1"})


@pytest.fixture
def built(officer, exports_dir, django_capture_on_commit_callbacks):
    with time_machine.travel(NOW, tick=False), django_capture_on_commit_callbacks(execute=True):
        job, created = start(officer)
    assert created
    job.refresh_from_db()
    return job


def test_a_started_job_is_built_and_kept_in_the_private_storage(built, exports_dir):
    assert built.status == ExportJob.Status.DONE
    assert (built.rows_done, built.rows_total, built.progress) == (3, 3, 100)
    assert built.title == "c1社区-测试名单-2026-01-01-2026-03-31"
    assert built.file == f"{built.pk}.xlsx"
    path = Path(exports_dir) / built.file
    assert path.exists() and built.size == path.stat().st_size
    assert not str(path).startswith(str(settings.MEDIA_ROOT))
    assert built.expires_at == NOW + dt.timedelta(hours=24)
    assert built.started_at and built.finished_at


def test_the_sheet_is_formatted_for_people(built, exports_dir):
    book = workbook_of((Path(exports_dir) / built.file).read_bytes())
    ws = book.active
    assert ws.title == "测试名单"
    assert ws["A1"].value == "c1社区 · 测试名单 · 2026-01-01 至 2026-03-31 · 生成于 2026-04-01 10:00（北京时间）"
    assert "A1:H1" in {str(r) for r in ws.merged_cells.ranges}
    assert [c.value for c in ws[2]] == [
        "编号", "姓名", "手机号", "报到日期", "签到时间（北京时间）", "时长（小时）", "备注", "最近服务（北京时间）",
    ]  # fmt: skip
    assert ws[2][0].font.b
    assert ws.freeze_panes == "A3"
    widths = {letter: ws.column_dimensions[letter].width for letter in "ABCDEFGH"}
    for letter, expected in zip("ABCDEFGH", (8, 12, 15, 12, 20, 10, 30, 18), strict=True):
        assert abs(widths[letter] - expected) < 1, (letter, widths[letter])

    first, second, third = ws[3], ws[4], ws[5]
    assert first[0].value == 1 and first[0].data_type == "n" and isinstance(first[0].value, int)
    # Formula-looking strings are text with a leading quote, never formulas.
    assert first[1].value == "'=1+1" and first[1].data_type == "s"
    assert first[6].value == "'+86 联系"
    assert second[6].value == "'@SUM(A1)"
    assert third[1].value == "'-李四"
    # Phones are text: the leading zero survives.
    assert first[2].value == "02088886666" and first[2].data_type == "s"
    assert second[2].value == "13800138001" and second[2].data_type == "s"
    # Dates and times are real Excel dates, times in naive Beijing time.
    assert first[3].is_date and first[3].value == dt.datetime(2026, 3, 1)
    assert first[3].number_format == "yyyy-mm-dd"
    assert first[4].is_date and first[4].value == dt.datetime(2026, 3, 1, 9, 30)
    assert second[4].value == dt.datetime(2026, 3, 3, 0, 0)
    assert first[5].value == 2.5 and first[5].data_type == "n"
    assert second[7].value == dt.datetime(2026, 3, 3, 16, 0)
    # Empty cells stay empty.
    assert [c.value for c in third[2:]] == [None] * 6
    assert ws.max_row == 5


def test_the_job_writes_the_audit_row_of_what_went_into_the_file(built, officer):
    (row,) = AuditEntry.objects.filter(action=AuditEntry.Action.EXPORT)
    assert row.actor_id == officer.pk and row.channel == "job"
    assert row.object_type == "download" and row.object_id == str(built.pk)
    assert row.object_repr == f"{built.title}.xlsx"
    assert row.changes == {"filters": {"dataset": KEY, "node": "c1"}, "rows": 3, "format": "xlsx"}


def test_a_bad_scope_or_parameter_fails_at_once_and_starts_nothing(sheet, officer, exports_dir):
    with pytest.raises(PermissionDenied, match="无权"):
        start(officer, {"node": "c2"})
    with pytest.raises(ValidationFailed, match="行数"):
        start(officer, {"node": "c1", "rows": "many"})
    with pytest.raises(NotFound, match="没有这种下载"):
        services.export_job_start(user=officer, key="nosuch", params={})
    assert not ExportJob.objects.exists()


def test_a_second_identical_start_returns_the_running_job(officer, exports_dir, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=False) as queued:
        first, created = start(officer)
        again, created_again = start(officer, {"node": "c1", "csrfmiddlewaretoken": "x", "next": "/"})
        other, created_other = start(officer, {"node": "c1", "rows": "5"})
    assert created and not created_again and created_other
    assert again.pk == first.pk and other.pk != first.pk
    assert len(queued) == 2  # one task per new job
    assert services.ALREADY_RUNNING == "已有相同的下载正在生成"
    assert ExportJob.objects.filter(user=officer).count() == 2


def test_one_person_may_have_only_a_few_downloads_building(officer, exports_dir, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=False):
        for n in range(services.MAX_ACTIVE):
            start(officer, {"node": "c1", "rows": str(n)})
        with pytest.raises(Throttled, match="正在生成"):
            start(officer, {"node": "c1", "rows": "99"})


def test_progress_is_stored_every_few_thousand_rows(
    officer, exports_dir, monkeypatch, django_capture_on_commit_callbacks
):
    seen = []
    real = xlsx_module.write_xlsx

    def spy(dataset, path, *, progress, every, **kwargs):
        def record(rows):
            progress(rows)
            seen.append(ExportJob.objects.values_list("status", "rows_done", "rows_total").get())

        return real(dataset, path, progress=record, every=every, **kwargs)

    monkeypatch.setattr(services, "write_xlsx", spy)
    monkeypatch.setattr(services, "PROGRESS_EVERY", 100)
    with django_capture_on_commit_callbacks(execute=True):
        job, _ = start(officer, {"node": "c1", "rows": "250"})
    assert seen == [("running", 100, 250), ("running", 200, 250)]
    job.refresh_from_db()
    assert (job.status, job.rows_done, job.rows_total) == ("done", 250, 250)


def test_running_the_task_twice_is_safe(built, exports_dir):
    first_file = (Path(exports_dir) / built.file).read_bytes()
    result = export_xlsx.apply(args=[str(built.pk)]).get()
    assert result == {"job": str(built.pk), "status": "done", "rows": 3}
    built.refresh_from_db()
    assert built.status == ExportJob.Status.DONE
    assert (Path(exports_dir) / built.file).read_bytes() == first_file
    assert os.listdir(exports_dir) == [built.file]
    assert AuditEntry.objects.filter(action=AuditEntry.Action.EXPORT).count() == 1


def test_a_job_whose_worker_died_is_built_again(officer, exports_dir, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=False):
        job, _ = start(officer)
    # A worker took it and died: running since longer than the hard time limit.
    ExportJob.objects.filter(pk=job.pk).update(status="running", started_at=NOW - dt.timedelta(hours=2))
    export_xlsx.apply(args=[str(job.pk)])
    job.refresh_from_db()
    assert job.status == "done" and job.rows_done == 3


def test_a_job_another_worker_is_building_is_left_to_it(officer, exports_dir, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=False):
        job, _ = start(officer)
    ExportJob.objects.filter(pk=job.pk).update(status="running", started_at=dt.datetime.now(dt.UTC))
    export_xlsx.apply(args=[str(job.pk)])
    job.refresh_from_db()
    assert job.status == "running" and not os.path.exists(exports_dir)


def test_the_scope_is_checked_again_when_the_job_runs(sheet, officer, exports_dir, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=False):
        job, _ = start(officer)
    sheet.revoke(officer)  # the post ended before a worker took the job
    export_xlsx.apply(args=[str(job.pk)])
    job.refresh_from_db()
    assert job.status == "failed"
    assert job.error == "您已无权下载该范围的数据：您无权下载该范围的数据。"
    assert not AuditEntry.objects.filter(action=AuditEntry.Action.EXPORT).exists()


def test_a_sheet_past_excels_row_limit_fails_with_a_reason(
    officer, exports_dir, monkeypatch, django_capture_on_commit_callbacks
):
    monkeypatch.setattr(xlsx_module, "MAX_ROWS", 10)
    with django_capture_on_commit_callbacks(execute=True):
        job, _ = start(officer, {"node": "c1", "rows": "11"})
    job.refresh_from_db()
    assert job.status == "failed" and "CSV" in job.error
    assert not os.listdir(exports_dir) if os.path.exists(exports_dir) else True


def test_a_broken_builder_fails_the_job_with_a_chinese_reason(
    sheet, officer, exports_dir, monkeypatch, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=False):
        job, _ = start(officer)
    monkeypatch.setattr(services, "write_xlsx", lambda *a, **k: 1 / 0)
    export_xlsx.apply(args=[str(job.pk)])
    job.refresh_from_db()
    assert job.status == "failed" and job.error == services.BROKEN


def test_the_sweep_deletes_files_and_expires_jobs_after_a_day(built, exports_dir, django_capture_on_commit_callbacks):
    path = Path(exports_dir) / built.file
    orphan_at = NOW - dt.timedelta(days=2)
    services.storage().save("orphan.xlsx", ContentFile(b"x"))
    os.utime(Path(exports_dir) / "orphan.xlsx", (orphan_at.timestamp(), orphan_at.timestamp()))
    with time_machine.travel(NOW + dt.timedelta(hours=23), tick=False):
        assert services.export_jobs_expire() == 0
    assert path.exists() and not (Path(exports_dir) / "orphan.xlsx").exists()
    with (
        time_machine.travel(NOW + dt.timedelta(hours=24, minutes=1), tick=False),
        django_capture_on_commit_callbacks(execute=True),
    ):
        assert sweep_export_jobs.apply().get() == {"expired": 1, "requeued": 0}
    built.refresh_from_db()
    assert (built.status, built.file) == ("expired", "")
    assert not path.exists()
    with time_machine.travel(NOW + dt.timedelta(hours=25), tick=False):
        assert services.export_jobs_expire() == 0  # nothing left to do, nothing fails


def test_a_job_whose_message_was_lost_is_queued_again(officer, exports_dir, django_capture_on_commit_callbacks):
    with time_machine.travel(NOW, tick=False), django_capture_on_commit_callbacks(execute=False):
        job, _ = start(officer)
    with time_machine.travel(NOW + dt.timedelta(minutes=5), tick=False):
        assert services.export_jobs_requeue() == 0
    with time_machine.travel(NOW + dt.timedelta(minutes=11), tick=False):
        assert services.export_jobs_requeue() == 1  # run eagerly here
    job.refresh_from_db()
    assert job.status == "done"


def test_the_beat_runs_the_sweep_and_the_builds_go_to_the_exports_queue():
    from shaoguan.celery import app

    entry = settings.CELERY_BEAT_SCHEDULE["sweep-export-jobs"]
    assert entry["task"] == sweep_export_jobs.name == "core.tasks.sweep_export_jobs"
    assert app.amqp.router.route({}, export_xlsx.name)["queue"].name == "exports"
    assert export_xlsx.acks_late and export_xlsx.soft_time_limit < export_xlsx.time_limit


def test_the_job_row_holds_its_rules_in_the_database(officer):
    from django.db import IntegrityError, transaction

    base = {"user": officer, "key": KEY, "params_digest": "d", "title": "t", "expires_at": NOW + dt.timedelta(days=1)}
    ExportJob.objects.create(**base, created_at=NOW)
    with pytest.raises(IntegrityError), transaction.atomic():
        ExportJob.objects.create(**base, created_at=NOW)  # a second active job for the same request
    with pytest.raises(IntegrityError), transaction.atomic():
        ExportJob.objects.create(**{**base, "params_digest": "e"}, created_at=NOW, status="done")  # done, no file
    with pytest.raises(IntegrityError), transaction.atomic():
        ExportJob.objects.create(**{**base, "params_digest": "f"}, created_at=NOW, status="failed")  # no reason
    with pytest.raises(IntegrityError), transaction.atomic():
        ExportJob.objects.create(**{**base, "params_digest": "g"}, created_at=NOW, rows_done=5, rows_total=4)


def test_keyset_values_reads_tuples_in_pages_by_id(django_assert_num_queries):
    from accounts.models import User
    from core.exports import keyset_values

    users = [UserFactory(name=f"用户{i}") for i in range(5)]
    with django_assert_num_queries(3):  # 2 + 2 + 1 rows; the short page is the last
        rows = list(keyset_values(User.objects.order_by("-pk"), "name", size=2))
    assert rows == [(u.pk, u.name) for u in sorted(users, key=lambda u: u.pk)]
