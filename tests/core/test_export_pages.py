"""The XLSX downloads' pages: the Excel button, starting a job, its progress, the file handed only
to its owner in scope (X-Accel-Redirect behind nginx), 我的下载, and their query counts."""

from __future__ import annotations

import datetime as dt

import pytest
import time_machine
from django.template.loader import render_to_string
from django.test import RequestFactory
from django.urls import reverse

from core.downloads import services
from core.models import AuditEntry, ExportJob
from tests.accounts.factories import UserFactory
from tests.core.exports_support import KEY, body_of, workbook_of
from tests.pages import browser_for, html, page_queries

pytestmark = pytest.mark.django_db
NOW = dt.datetime(2026, 4, 1, 2, 0, tzinfo=dt.UTC)


@pytest.fixture
def officer(sheet):
    user = UserFactory(name="吴组织")
    sheet.grant(user, "c1")
    return user


@pytest.fixture
def neighbour(sheet):
    """Staff of another node: a download of their own, none of the officer's."""
    user = UserFactory(name="周街道")
    sheet.grant(user, "c2")
    return user


def start_url(params: str = "node=c1") -> str:
    return reverse("downloads:xlsx", args=[KEY]) + f"?{params}"


@pytest.fixture
def job(officer, exports_dir, django_capture_on_commit_callbacks):
    with time_machine.travel(NOW, tick=False), django_capture_on_commit_callbacks(execute=True):
        made, _ = services.export_job_start(user=officer, key=KEY, params={"node": "c1"})
    made.refresh_from_db()
    return made


def test_the_partial_posts_the_pages_parameters_to_the_excel_download(rf: RequestFactory, officer, monkeypatch):
    monkeypatch.setattr("core.exports.may_download", lambda user: True)  # the test sheet's officer holds no post
    request = rf.get("/somewhere/?node=c1&start=2026-01-01")
    request.user = officer
    out = render_to_string("core/_download.html", {"key": KEY, "params": "node=c1&start=2026-01-01"}, request)
    assert f'action="{reverse("downloads:xlsx", args=[KEY])}?node=c1&amp;start=2026-01-01"' in out
    assert 'method="post"' in out and "csrfmiddlewaretoken" in out
    assert 'name="next" value="/somewhere/?node=c1&amp;start=2026-01-01"' in out
    assert "导出 Excel" in out


def test_the_button_starts_a_job_and_lands_on_its_page(officer, exports_dir, django_capture_on_commit_callbacks):
    browser = browser_for(officer)
    with django_capture_on_commit_callbacks(execute=False):
        response = browser.post(start_url(), {"next": "/back/"})
    job = ExportJob.objects.get()
    assert job.params == {"node": "c1"}
    assert response.status_code == 302 and response["Location"] == reverse("downloads:job", args=[job.pk])
    page = html(browser.get(response["Location"]))
    assert 'data-testid="job-progress"' in page and "排队等待生成" in page
    assert f'data-poll-url="{reverse("downloads:job_progress", args=[job.pk])}"' in page
    assert "weui-progress" in page and 'data-testid="download"' not in page
    # A second click: the same job, and a word about it.
    with django_capture_on_commit_callbacks(execute=False):
        again = browser.post(start_url(), {"next": "/back/"}, follow=True)
    assert ExportJob.objects.count() == 1
    assert "已有相同的下载正在生成" in html(again)


def test_a_refused_start_goes_back_with_the_reason(officer, exports_dir):
    browser = browser_for(officer)
    response = browser.post(start_url("node=c9"), {"next": "/back/"})
    assert response.status_code == 302 and response["Location"] == "/back/"
    assert not ExportJob.objects.exists()
    assert browser.get(reverse("downloads:jobs")).status_code == 200
    assert browser.post(reverse("downloads:xlsx", args=["nosuch"])).status_code == 404


@time_machine.travel(NOW + dt.timedelta(minutes=1), tick=False)
def test_progress_fragment_while_running_then_done(job, officer):
    browser = browser_for(officer)
    ExportJob.objects.filter(pk=job.pk).update(status="running", rows_done=2000, rows_total=8000)
    running = html(browser.get(reverse("downloads:job_progress", args=[job.pk])))
    assert "data-poll-url" in running and "width: 25%" in running and "已写入 2000 行，共 8000 行（25%）" in running
    ExportJob.objects.filter(pk=job.pk).update(status="done", rows_done=3, rows_total=3)
    done = html(browser.get(reverse("downloads:job_progress", args=[job.pk])))
    assert "data-done" in done and "data-poll-url" not in done
    assert f'href="{reverse("downloads:file", args=[job.pk])}"' in done and 'data-testid="download"' in done


def test_the_owner_gets_the_file_and_the_hand_out_is_audited(job, officer):
    with time_machine.travel(NOW + dt.timedelta(hours=1), tick=False):
        response = browser_for(officer).get(reverse("downloads:file", args=[job.pk]))
    assert response.status_code == 200
    assert response["Content-Type"] == "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    assert "filename*=utf-8''c1%E7%A4%BE%E5%8C%BA" in response["Content-Disposition"]
    assert response["Cache-Control"] == "private, no-store"
    assert workbook_of(body_of(response)).active["B3"].value == "'=1+1"
    handed = AuditEntry.objects.filter(note="下载 XLSX 文件").get()
    assert handed.actor_id == officer.pk and handed.channel == "page" and handed.object_id == str(job.pk)
    assert handed.changes == {"filters": {"dataset": KEY, "node": "c1"}, "rows": 3, "format": "xlsx"}


def test_behind_nginx_the_file_goes_by_x_accel_redirect(job, officer, settings):
    settings.EXPORTS_X_ACCEL_REDIRECT = True
    settings.EXPORTS_X_ACCEL_PREFIX = "/protected/exports/"
    with time_machine.travel(NOW + dt.timedelta(hours=1), tick=False):
        response = browser_for(officer).get(reverse("downloads:file", args=[job.pk]))
    assert response.status_code == 200
    assert response["X-Accel-Redirect"] == f"/protected/exports/{job.pk}.xlsx"
    assert response.content == b""
    assert response["Content-Disposition"].startswith("attachment;")


@pytest.mark.parametrize("who", ["neighbour", "stranger", "anonymous"])
def test_nobody_else_sees_the_job_or_its_file(job, who, neighbour):
    user = {"neighbour": neighbour, "stranger": UserFactory(), "anonymous": None}[who]
    browser = browser_for(user)
    for name in ("downloads:job", "downloads:job_progress", "downloads:file"):
        response = browser.get(reverse(name, args=[job.pk]))
        assert response.status_code == (302 if user is None else 404), (name, response.status_code)
    assert not AuditEntry.objects.filter(note="下载 XLSX 文件").exists()
    if user is not None:
        assert str(job.pk) not in html(browser.get(reverse("downloads:jobs")))


def test_the_owner_after_the_day_is_told_it_expired(job, officer):
    with time_machine.travel(NOW + dt.timedelta(hours=24, minutes=1), tick=False):
        response = browser_for(officer).get(reverse("downloads:file", args=[job.pk]))
        assert response.status_code == 410
        assert "文件已过期删除（只保留一天），请重新生成。" in html(response)
        services.export_jobs_expire()
        again = browser_for(officer).get(reverse("downloads:file", args=[job.pk]))
    assert again.status_code == 410
    assert not AuditEntry.objects.filter(note="下载 XLSX 文件").exists()


def test_the_owner_out_of_scope_gets_no_file(job, officer, sheet):
    sheet.revoke(officer)
    with time_machine.travel(NOW + dt.timedelta(hours=1), tick=False):
        response = browser_for(officer).get(reverse("downloads:file", args=[job.pk]))
    assert response.status_code == 403 and "您已无权下载该范围的数据" in html(response)


def test_a_failed_job_says_why(officer, exports_dir, sheet, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=False):
        made, _ = services.export_job_start(user=officer, key=KEY, params={"node": "c1"})
    services.export_job_fail(job_id=made.pk, reason="生成超时")
    browser = browser_for(officer)
    assert "生成失败：生成超时" in html(browser.get(reverse("downloads:job", args=[made.pk])))
    response = browser.get(reverse("downloads:file", args=[made.pk]))
    assert response.status_code == 410 and "文件生成失败：生成超时" in html(response)


def test_my_downloads_lists_the_last_day(officer, exports_dir, neighbour, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        with time_machine.travel(NOW - dt.timedelta(hours=30), tick=False):
            old, _ = services.export_job_start(user=officer, key=KEY, params={"node": "c1", "rows": "1"})
        with time_machine.travel(NOW, tick=False):
            new, _ = services.export_job_start(user=officer, key=KEY, params={"node": "c1"})
            theirs, _ = services.export_job_start(user=neighbour, key=KEY, params={"node": "c2"})
    with time_machine.travel(NOW + dt.timedelta(minutes=5), tick=False):
        page = html(browser_for(officer).get(reverse("downloads:jobs")))
    assert f'data-job="{new.pk}"' in page and "可下载" in page
    assert str(old.pk) not in page and str(theirs.pk) not in page


def test_query_counts_of_the_job_page_and_the_list(officer, exports_dir, django_capture_on_commit_callbacks):
    browser = browser_for(officer)
    with django_capture_on_commit_callbacks(execute=True):
        first, _ = services.export_job_start(user=officer, key=KEY, params={"node": "c1"})
    detail = page_queries(browser, reverse("downloads:job", args=[first.pk]))
    listing = page_queries(browser, reverse("downloads:jobs"))
    for n in range(5):
        with django_capture_on_commit_callbacks(execute=True):
            services.export_job_start(user=officer, key=KEY, params={"node": "c1", "rows": str(n)})
    assert page_queries(browser, reverse("downloads:jobs")) == listing  # not one more per job
    assert (detail, listing) == (3, 3)  # the user, the job (or the list), the unread count


def test_the_admin_lists_jobs_read_only(job, admin_user):
    browser = browser_for(admin_user)
    listing = browser.get("/admin/core/exportjob/?status__exact=done")
    assert listing.status_code == 200 and job.title in html(listing)
    assert browser.get("/admin/core/exportjob/add/").status_code == 403
    detail = browser.get(f"/admin/core/exportjob/{job.pk}/change/")
    assert detail.status_code == 200 and "下载任务" in html(detail) and 'name="_save"' not in html(detail)
