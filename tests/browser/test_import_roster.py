"""A unit secretary imports a roster with one bad row, reads the report, fixes the row and imports
again — on a phone (390 px) and on a desktop (1366 px)."""

import io
import re

import pytest
from openpyxl import load_workbook
from playwright.sync_api import expect

from grids.models import Member
from tests.browser.conftest import assert_fits, screenshot, sign_in
from tests.grids.import_support import person, roster_world, roster_xlsx

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture(params=[{"width": 390, "height": 844}, {"width": 1366, "height": 900}], ids=["390", "1366"])
def viewport_page(request, chromium, live_server):
    context = chromium.new_context(
        viewport=request.param,
        locale="zh-CN",
        timezone_id="Asia/Shanghai",
        base_url=live_server.url,
        accept_downloads=True,
        is_mobile=request.param["width"] < 768,
        has_touch=request.param["width"] < 768,
    )
    context.set_default_timeout(15_000)
    page = context.new_page()
    yield page, request.param["width"]
    context.close()


def test_unit_secretary_imports_a_roster_fixes_the_bad_row_and_imports_again(
    viewport_page, live_server, community, tmp_path
):
    page, width = viewport_page
    w = roster_world(community)
    sign_in(page, live_server, w.secretary)
    rows = [person(1), person(2), ["王五", "1380013", "在职党员", "", "", ""]]
    bad = tmp_path / "名册.xlsx"
    bad.write_bytes(roster_xlsx(rows))

    page.goto(f"/units/{w.unit.pk}/")
    page.get_by_test_id("unit-import-link").click()
    expect(page).to_have_url(re.compile(rf"/imports/roster/{w.unit.pk}/$"))
    with page.expect_download() as template:
        page.get_by_test_id("import-template").click()
    assert load_workbook(io.BytesIO(template.value.path().read_bytes())).sheetnames == ["名册", "说明", "可选值"]

    page.get_by_test_id("import-file").set_input_files(str(bad))
    page.get_by_test_id("import-submit").click()
    result = page.get_by_test_id("import-result")
    expect(result).to_contain_text("有 1 行数据有误，整个文件未导入")
    expect(page.get_by_test_id("import-errors").locator('[data-row="4"]')).to_contain_text("手机号")
    assert not Member.objects.filter(unit=w.unit).exists()
    assert_fits(page, width)
    screenshot(page, f"import-roster-report-{width}")

    with page.expect_download() as report:
        page.get_by_test_id("import-report").click()
    book = load_workbook(io.BytesIO(report.value.path().read_bytes()))
    cell = book.worksheets[0]["C4"]
    assert cell.value == "1380013" and "11 位手机号" in cell.comment.text

    # Fixed in the report itself (its extra 行号 column is ignored) and uploaded again.
    sheet = book.worksheets[0]
    sheet["C4"].value = "13800130099"
    fixed = tmp_path / "名册-改正.xlsx"
    buf = io.BytesIO()
    book.save(buf)
    fixed.write_bytes(buf.getvalue())
    page.get_by_test_id("import-again").click()
    page.get_by_test_id("import-file").set_input_files(str(fixed))
    page.get_by_test_id("import-check").click()
    expect(page.get_by_test_id("import-result")).to_contain_text("预检通过")
    assert not Member.objects.filter(unit=w.unit).exists()
    page.get_by_test_id("import-again").click()
    page.get_by_test_id("import-file").set_input_files(str(fixed))
    page.get_by_test_id("import-submit").click()
    expect(page.get_by_test_id("import-summary")).to_contain_text("3 人")
    assert Member.objects.filter(unit=w.unit).count() == 3
    assert_fits(page, width)
    screenshot(page, f"import-roster-done-{width}")
