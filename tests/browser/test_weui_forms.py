"""WeUI controls in a real browser at 390 px: the 吹哨 form filled and submitted through its
chips and date-time cells, the order form's uploader (选择图片, never "Choose Files"), the boards'
tab strip that shows it scrolls; and the admin at 1366 px in Chinese, the 服务记录 list on one
line a row. Screenshots in ``test-output/screenshots/roles/``."""

import datetime as dt
import re

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from orders.models import Task
from rankings.models import Board
from tests.browser.conftest import _context, assert_fits, sign_in
from tests.browser.test_role_homes import shot
from tests.rankings.board_support import publish
from tests.reporting.factories import ServiceRecordFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PHONE = {"width": 390, "height": 844}
DESK = {"width": 1366, "height": 768}
PNG = bytes.fromhex(
    "89504e470d0a1a0a0000000d4948445200000001000000010806000000"
    "1f15c4890000000d49444154789c6360f8cf00000301010018dd8db40000000049454e44ae426082"
)


@pytest.fixture
def phone(chromium, live_server):
    context = _context(chromium, live_server, PHONE, is_mobile=True, has_touch=True, device_scale_factor=2)
    page = context.new_page()
    yield page
    context.close()


@pytest.fixture
def desk(chromium, live_server):
    context = _context(chromium, live_server, DESK)
    page = context.new_page()
    yield page
    context.close()


def test_whistle_form_fills_and_submits_with_chips_and_date_time_cells(phone, live_server, secretary, community):
    sign_in(phone, live_server, secretary)
    phone.goto("/work/tasks/new/")
    expect(phone.locator('input[type="datetime-local"], input[type="date"]')).to_have_count(0)
    phone.get_by_role("radiogroup", name="三项重点").get_by_text("抓治理").click()
    phone.get_by_role("radiogroup", name="职责").get_by_text("平安守护").click()
    phone.get_by_role("radiogroup", name="可见范围").locator(".app-chip").last.click()
    phone.locator("#id_title").fill("消防通道排查")
    phone.locator("#id_address").fill("工业中社区 3 栋")
    day = timezone.localdate() + dt.timedelta(days=2)
    phone.locator("#id_starts_at_date").select_option(day.isoformat())
    phone.locator("#id_starts_at_time").select_option("19:00")
    phone.locator("#id_ends_at_date").select_option(day.isoformat())
    phone.locator("#id_ends_at_time").select_option("21:00")
    expect(phone.locator("#id_starts_at_date option:checked")).to_contain_text(f"{day.month}月{day.day}日 周")
    phone.locator("#id_slots").fill("3")
    chip = phone.locator(".app-chip").first.bounding_box()
    assert chip["height"] >= 32  # a thumb can hit it
    assert_fits(phone, PHONE["width"])
    shot(phone, "whistle-form-390")
    button = phone.get_by_role("button", name="发布任务").bounding_box()
    assert abs(button["x"] + button["width"] / 2 - PHONE["width"] / 2) <= 2  # centred
    phone.get_by_role("button", name="发布任务").click()
    expect(phone.locator(".app-message_success")).to_be_visible()
    task = Task.objects.get()
    assert (task.focus, task.duty, task.title) == ("governance", "safety", "消防通道排查")
    assert timezone.localtime(task.starts_at).strftime("%H:%M") == "19:00"


def test_order_form_uploader_says_choose_pictures_in_chinese(phone, live_server, resident):
    sign_in(phone, live_server, resident)
    phone.goto("/order/")
    uploader = phone.locator("[data-uploader]")
    expect(uploader).to_contain_text("选择图片")
    assert "Choose" not in phone.locator("body").inner_text()
    expect(phone.locator("#id_preferred_time_date")).to_be_visible()
    phone.locator("#id_photos").set_input_files(
        [
            {"name": "a.png", "mimeType": "image/png", "buffer": PNG},
            {"name": "b.png", "mimeType": "image/png", "buffer": PNG},
        ]
    )
    expect(uploader.locator("[data-uploader-info]")).to_have_text("已选 2 张，点击可重新选择")
    expect(uploader.locator(".weui-uploader__file")).to_have_count(2)
    assert_fits(phone, PHONE["width"])
    shot(phone, "order-uploader-390")


def test_boards_tab_strip_shows_there_is_more(phone, live_server, member):
    publish(timezone.localdate() - dt.timedelta(days=1), Board.MEMBERS, [{"subject_id": member.pk, "score": 10}])
    sign_in(phone, live_server, member.user)
    phone.goto("/boards/")
    expect(phone.locator(".app-header__title")).to_have_text("排行榜")
    expect(phone.get_by_test_id("board-day")).to_contain_text("生成")
    strip = phone.locator("[data-board-tabs]")
    overflows = strip.evaluate("s => s.scrollWidth > s.clientWidth")
    if overflows:
        expect(strip).to_have_class(re.compile(r"board-tabs_more"))
        strip.evaluate("s => { s.scrollLeft = s.scrollWidth; s.dispatchEvent(new Event('scroll')); }")
        expect(strip).to_have_class(re.compile(r"board-tabs_less"))
        expect(strip).not_to_have_class(re.compile(r"board-tabs_more"))
    shot(phone, "boards-390")


def test_admin_user_and_group_pages_in_chinese_and_record_list_on_one_line(
    desk, live_server, admin_user, placed, community
):
    placed.user.name = "欧阳建国"
    placed.user.save(update_fields=["name"])
    for _ in range(3):
        ServiceRecordFactory(member=placed, community=community)
    sign_in(desk, live_server, admin_user)

    desk.goto("/admin/accounts/user/add/")
    body = desk.locator("body").inner_text()
    assert "After you" not in body and "First, enter" not in body
    shot(desk, "admin-user-add-1366")

    desk.goto("/admin/auth/group/add/")
    expect(desk.locator("#id_permissions_add_all, .selector-chooseall").first).to_be_visible()
    body = desk.locator("body").inner_text()
    assert "Choose all" not in body and "Can change" not in body and "Remove all" not in body
    assert "全选" in body and "可以修改用户" in body
    shot(desk, "admin-group-add-1366")

    desk.goto("/admin/reporting/servicerecord/")
    name = desk.locator("#result_list tbody td.field-member_name, #result_list tbody th.field-member_name").first
    expect(name).to_have_text("欧阳建国")
    line = desk.evaluate(
        "parseFloat(getComputedStyle(document.querySelector('#result_list tbody tr td')).lineHeight) || 20"
    )
    assert name.bounding_box()["height"] < 2.5 * line  # one line, not a character a line
    table = desk.locator("#result_list").bounding_box()
    results = desk.locator("#changelist .results").bounding_box()
    assert (
        table["x"] + table["width"] <= results["x"] + results["width"] + 1
        or desk.evaluate("getComputedStyle(document.querySelector('#changelist .results')).overflowX") == "auto"
    )
    assert desk.evaluate("document.documentElement.scrollWidth") <= DESK["width"]
    shot(desk, "admin-servicerecord-1366")
