"""调剂 on a phone (390 px): a district officer starts a round, watches it being solved, accepts
part of the proposal, and sees the result; the members moved find it in their inbox."""

import re

import pytest
from playwright.sync_api import expect

from grids import tasks
from grids.models import AdjustmentMove, AdjustmentRound, Registration
from tests.browser.conftest import _context, assert_fits, screenshot, sign_in
from tests.grids import conftest as adjustment_fixtures

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

# 工业中社区 with three placed where one is needed, 东堤社区 empty, one member waiting unplaced.
crowded = adjustment_fixtures.crowded

PHONE_390 = {"width": 390, "height": 844}


@pytest.fixture
def phone390(chromium, live_server):
    context = _context(chromium, live_server, PHONE_390, is_mobile=True, has_touch=True, device_scale_factor=2)
    page = context.new_page()
    page.on("dialog", lambda dialog: dialog.accept())
    yield page
    context.close()


def test_district_officer_runs_an_adjustment_and_accepts_part_of_it(
    phone390, live_server, crowded, district, district_officer, monkeypatch
):
    # Hold the job back, as a busy worker would, so the page has a solving round to show.
    held = []
    monkeypatch.setattr("core.tasks.enqueue", lambda task, *args, **kwargs: held.append((task, args)) or True)
    page = phone390
    sign_in(page, live_server, district_officer)
    page.goto("/grids/adjustments/")
    expect(page.get_by_text("还没有调剂方案。")).to_be_visible()
    page.locator("[data-testid=run] select[name=district]").select_option(str(district.pk))
    assert_fits(page, PHONE_390["width"])
    page.get_by_role("button", name="生成调剂方案").click()

    expect(page).to_have_url(re.compile(r"/grids/adjustments/\d+/$"))
    expect(page.get_by_text("已发起武江区调剂，正在后台求解")).to_be_visible()
    expect(page.get_by_test_id("phase")).to_contain_text("排队等待求解")
    assert_fits(page, PHONE_390["width"])
    screenshot(page, "adjustment-solving-390")

    # The worker takes the job; the page, asking every two seconds, reloads with the proposal.
    (task, args) = held.pop()
    assert task.name == "grids.tasks.solve_adjustment_round"
    tasks.solve_adjustment_round.apply(args=args)
    expect(page.get_by_test_id("summary")).to_contain_text("建议调整 3 人", timeout=15_000)
    expect(page.get_by_test_id("communities")).to_contain_text("东堤社区")
    assert_fits(page, PHONE_390["width"])
    screenshot(page, "adjustment-proposal-390")

    round_ = AdjustmentRound.objects.get()
    unplaced = round_.moves.select_related("member__user").get(reason="unplaced")
    overflow = list(round_.moves.select_related("member__user").filter(reason="overflow").order_by("pk"))
    taken, left = overflow
    page.get_by_label(f"确认{unplaced.member.user.name}的调整").check()
    page.get_by_label(f"确认{taken.member.user.name}的调整").check()
    page.get_by_role("button", name="确认勾选的调整").click()

    expect(page.get_by_text("已确认 2 项调整，已通知相关党员。")).to_be_visible()
    expect(page.locator(".app-header__sub")).to_contain_text("已确认")
    expect(page.get_by_test_id("summary")).to_contain_text("已确认 2 人")
    rows = page.get_by_test_id("moves").locator("tbody tr")
    expect(rows.filter(has_text=unplaced.member.user.name)).to_contain_text("已确认")
    expect(rows.filter(has_text=taken.member.user.name)).to_contain_text("已确认")
    expect(rows.filter(has_text=left.member.user.name)).to_contain_text("未采纳")
    assert_fits(page, PHONE_390["width"])
    screenshot(page, "adjustment-accepted-390")

    statuses = dict(round_.moves.values_list("pk", "status"))
    assert statuses == {
        unplaced.pk: AdjustmentMove.Status.ACCEPTED,
        taken.pk: AdjustmentMove.Status.ACCEPTED,
        left.pk: AdjustmentMove.Status.REJECTED,
    }
    assert Registration.objects.get(member=left.member, status__in=Registration.ACTIVE).status == "placed"

    # The members moved are told; the one left where they were is not.
    monkeypatch.undo()
    for move, told in ((left, False), (unplaced, True), (taken, True)):
        page.context.clear_cookies()
        sign_in(page, live_server, move.member.user)
        page.goto("/inbox/")
        notice = page.get_by_text("您的报到社区已调剂为东堤社区")
        if told:
            expect(notice).to_be_visible()
        else:
            expect(notice).to_have_count(0)
    assert_fits(page, PHONE_390["width"])
    screenshot(page, "adjustment-inbox-390")
