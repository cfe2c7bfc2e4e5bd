"""An XLSX download in the browser, on a phone (390 px) and a desktop (1366 px): the job page shows
its progress while the worker is busy, turns into a 下载 button once the file is built, and the
file that arrives is the sheet."""

from pathlib import Path

import pytest
from playwright.sync_api import expect

from core import tasks
from core.downloads import services
from core.models import ExportJob
from tests.accounts.factories import UserFactory
from tests.browser.conftest import _context, assert_fits, screenshot, sign_in
from tests.core import exports_support
from tests.core.exports_support import KEY, workbook_of

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

# The registered test dataset and the private storage in a temporary folder.
sheet = exports_support.sheet
exports_dir = exports_support.exports_dir


@pytest.mark.parametrize(
    "viewport", [{"width": 390, "height": 844}, {"width": 1366, "height": 800}], ids=["390", "1366"]
)
def test_an_officer_follows_an_excel_download_to_the_file(
    chromium, live_server, sheet, exports_dir, monkeypatch, viewport
):
    officer = UserFactory(name="吴组织")
    sheet.grant(officer, "c1")
    # Hold the job back, as a busy worker would, so the page has a queued download to show.
    held = []
    monkeypatch.setattr("core.tasks.enqueue", lambda task, *args, **kwargs: held.append((task, args)) or True)
    job, _ = services.export_job_start(user=officer, key=KEY, params={"node": "c1"})
    ExportJob.objects.filter(pk=job.pk).update(status="running", rows_done=1, rows_total=3)

    context = _context(chromium, live_server, viewport, is_mobile=viewport["width"] < 500)
    page = context.new_page()
    try:
        sign_in(page, live_server, officer)
        page.goto(f"/downloads/jobs/{job.pk}/")
        expect(page.get_by_test_id("rows")).to_contain_text("已写入 1 行，共 3 行（33%）")
        assert page.get_by_test_id("bar").get_attribute("style") == "width: 33%"
        assert_fits(page, viewport["width"])
        screenshot(page, f"export-progress-{viewport['width']}")

        # A worker takes it (one that died left it running: built again from the start).
        ExportJob.objects.filter(pk=job.pk).update(status="queued")
        (task, args) = held.pop()
        assert task.name == "core.tasks.export_xlsx"
        tasks.export_xlsx.apply(args=args)
        expect(page.get_by_test_id("done")).to_contain_text("已生成，共 3 行", timeout=15_000)
        assert_fits(page, viewport["width"])
        screenshot(page, f"export-done-{viewport['width']}")

        with page.expect_download() as info:
            page.get_by_test_id("download").click()
        download = info.value
        assert download.suggested_filename == "c1社区-测试名单-2026-01-01-2026-03-31.xlsx"
        sheet_ = workbook_of(Path(download.path()).read_bytes()).active
        assert sheet_["A2"].value == "编号" and sheet_["B3"].value == "'=1+1"

        page.goto("/downloads/jobs/")
        expect(page.get_by_test_id("jobs")).to_contain_text("可下载")
        assert_fits(page, viewport["width"])
    finally:
        context.close()
