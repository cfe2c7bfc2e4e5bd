"""An organisation department officer downloads their district's member sheet from the 数据下载
page, on a phone (390 px) and a desktop (1366 px): 导出 Excel starts the job, its page shows the
progress while the worker is busy, then the 下载 button hands over the sheet of the district's
members — and of no one else's."""

from pathlib import Path

import pytest
from playwright.sync_api import expect

from core import tasks
from core.models import ExportJob
from tests.browser.conftest import _context, assert_fits, screenshot, sign_in
from tests.core import exports_support
from tests.core.exports_support import workbook_of
from tests.grids.factories import CommunityFactory, DistrictFactory, MemberFactory, StreetFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

exports_dir = exports_support.exports_dir


@pytest.mark.parametrize(
    "viewport", [{"width": 390, "height": 844}, {"width": 1366, "height": 800}], ids=["390", "1366"]
)
def test_an_officer_downloads_the_districts_member_sheet(
    chromium, live_server, district_officer, district, community, exports_dir, monkeypatch, viewport
):
    ours = [MemberFactory(community=community, user__name=name) for name in ("李红", "张明")]
    elsewhere = StreetFactory(district=DistrictFactory(code="440204", name="浈江区"))
    MemberFactory(community=CommunityFactory(street=elsewhere, name="别区社区"), user__name="外区人")
    # Hold the job back, as a busy worker would, so the page has a download in progress to show.
    held = []
    monkeypatch.setattr("core.tasks.enqueue", lambda task, *args, **kwargs: held.append((task, args)) or True)

    context = _context(chromium, live_server, viewport, is_mobile=viewport["width"] < 500)
    page = context.new_page()
    try:
        sign_in(page, live_server, district_officer)
        page.goto("/downloads/")
        page.get_by_test_id("downloads-node").select_option(f"district:{district.pk}")
        assert_fits(page, viewport["width"])
        screenshot(page, f"downloads-index-{viewport['width']}")
        page.get_by_test_id("downloads-members-xlsx").click()

        expect(page.get_by_test_id("bar")).to_be_visible()
        job = ExportJob.objects.get(user=district_officer)
        assert job.key == "members" and job.params["node"] == f"district:{district.pk}"
        assert "csrfmiddlewaretoken" not in job.params
        ExportJob.objects.filter(pk=job.pk).update(status="running", rows_done=1, rows_total=2)
        expect(page.get_by_test_id("rows")).to_contain_text("已写入 1 行，共 2 行（50%）", timeout=15_000)
        assert_fits(page, viewport["width"])
        screenshot(page, f"downloads-members-progress-{viewport['width']}")

        # The worker takes it and builds the sheet from the start.
        ExportJob.objects.filter(pk=job.pk).update(status="queued", rows_done=0)
        (task, args) = held.pop()
        tasks.export_xlsx.apply(args=args)
        expect(page.get_by_test_id("done")).to_contain_text("已生成，共 2 行", timeout=15_000)
        with page.expect_download() as info:
            page.get_by_test_id("download").click()
        sheet = workbook_of(Path(info.value.path()).read_bytes()).active
        assert district.name in sheet["A1"].value and "党员名单" in sheet["A1"].value
        assert sheet["B2"].value == "姓名"
        assert sorted(sheet.cell(row=r, column=2).value for r in (3, 4)) == sorted(m.user.name for m in ours)
        assert sheet.max_row == 4  # the title, the header and the district's two members
    finally:
        context.close()
