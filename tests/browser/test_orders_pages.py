"""The 三单 flow in a real browser at 375 px: a resident orders (and is shown the same problem
nearby), the secretary approves it into a task, a member accepts, consents, checks in and out,
the secretary completes the task and the resident confirms and rates."""

import datetime as dt
import re

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from grids.vocab import Duty
from orders.models import Acceptance, ServiceRequest
from tests.browser.conftest import PHONE, assert_fits, screenshot, sign_in
from tests.orders.factories import ServiceRequestFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_order_to_rating_at_375(phone, live_server, resident, secretary, member, community, grid, other_community):
    member.community, member.grid = community, grid
    member.save(update_fields=["community", "grid"])
    same = ServiceRequestFactory(community=community, duty=Duty.CONVENIENCE, title="3 栋水管漏水")

    # 点单: location → nearest community proposed and the same problem nearby shown.
    sign_in(phone, live_server, resident)
    phone.goto("/order/")
    expect(phone.locator(".weui-bar__item_on")).to_contain_text("点单")
    phone.locator("#id_duty").select_option(Duty.CONVENIENCE)
    phone.get_by_role("button", name="使用当前位置").click()
    expect(phone.locator("[data-geo-status]")).to_contain_text("已获取当前位置")
    expect(phone.get_by_test_id("dupes")).to_be_visible()
    expect(phone.get_by_test_id("dupes")).to_contain_text("3 栋水管漏水")
    expect(phone.locator("#id_community option:checked")).to_contain_text("工业中社区")
    phone.locator("#id_title").fill("家里水管漏水")
    phone.locator("#id_description").fill("厨房水管漏水，老人独居。")
    phone.locator("#id_address").fill("工业中社区 5 栋 101")
    assert_fits(phone, PHONE["width"])
    screenshot(phone, "order-form-375")
    phone.get_by_role("button", name="提交点单").click()
    expect(phone).to_have_url(re.compile(r"/my/requests/\d+/$"))
    expect(phone.get_by_test_id("status")).to_have_text("待审核")
    req = ServiceRequest.objects.exclude(pk=same.pk).get()
    assert req.community == community

    # 审核派单 by the secretary (also on a phone).
    start = timezone.localtime(timezone.now() + dt.timedelta(days=2)).replace(
        hour=19, minute=0, second=0, microsecond=0
    )
    phone.context.clear_cookies()
    sign_in(phone, live_server, secretary)
    phone.goto("/work/requests/")
    phone.locator(f'[data-request="{req.pk}"] a').click()
    expect(phone.get_by_test_id("request")).to_contain_text("13800000001")
    end = start + dt.timedelta(hours=2)
    phone.locator("#id_starts_at_date").select_option(start.date().isoformat())
    phone.locator("#id_starts_at_time").select_option(f"{start:%H:%M}")
    phone.locator("#id_ends_at_date").select_option(end.date().isoformat())
    phone.locator("#id_ends_at_time").select_option(f"{end:%H:%M}")
    phone.locator("#a_slots").fill("1")
    assert_fits(phone, PHONE["width"])
    screenshot(phone, "review-375")
    phone.get_by_role("button", name="受理并派单").click()
    expect(phone.locator(".app-message_success")).to_contain_text("已受理并派单")
    req.refresh_from_db()
    task = req.task
    assert task is not None

    # 接单 by the member: hall → detail → accept → consent.
    phone.context.clear_cookies()
    sign_in(phone, live_server, member.user)
    phone.goto("/tasks/")
    phone.locator(f'[data-task="{task.pk}"]').click()
    expect(phone.get_by_test_id("map-link")).to_have_attribute("href", re.compile(r"^https://uri\.amap\.com/marker"))
    phone.get_by_role("button", name="我要接单").click()
    expect(phone.get_by_test_id("consent")).to_be_visible()
    assert_fits(phone, PHONE["width"])
    screenshot(phone, "task-consent-375")
    phone.get_by_role("button", name="同意并继续").click()
    # The task starts in two days: check-in is not offered yet, the page says when it opens.
    expect(phone.get_by_test_id("checkin-later")).to_contain_text("起开放")
    expect(phone.get_by_role("button", name="到场签到")).to_have_count(0)
    acc = Acceptance.objects.get(task=task)
    assert acc.status == Acceptance.Status.ACCEPTED

    # The browser's check-in happens at the task's time; the services are called as the pages
    # would (the live server cannot travel in time), then the resident closes the loop.
    import time_machine

    from orders.services.acceptances import acceptance_check_in, acceptance_check_out
    from orders.services.cascades import task_complete

    with time_machine.travel(start + dt.timedelta(minutes=1)):
        acceptance_check_in(acceptance=acc, actor=member.user, lat=task.lat, lng=task.lng, coord_system="wgs84")
    with time_machine.travel(start + dt.timedelta(minutes=90)):
        acc.refresh_from_db()
        acceptance_check_out(acceptance=acc, actor=member.user)
        task.refresh_from_db()
        task_complete(task=task, actor=secretary)

    phone.context.clear_cookies()
    sign_in(phone, live_server, resident)
    phone.goto(f"/my/requests/{req.pk}/")
    expect(phone.get_by_test_id("status")).to_have_text("已办结")
    phone.get_by_role("button", name="确认已解决").click()
    expect(phone.get_by_test_id("rate-form")).to_contain_text("王党员")
    phone.get_by_label("评价内容").fill("很及时，谢谢！")
    phone.get_by_role("button", name="提交评价").click()
    expect(phone.get_by_test_id("status")).to_have_text("已评价")
    expect(phone.get_by_test_id("timeline")).to_contain_text("已受理")
    assert_fits(phone, PHONE["width"])
    screenshot(phone, "request-rated-375")
    req.refresh_from_db()
    assert req.status == ServiceRequest.Status.RATED
    assert req.likes.filter(member=member).exists()
