"""What happened, visibly, at 390 px: the resident reads who did what on their request (taking the
task, check-in, check-out, the like), the member reads why their hours are what they are, and the
likes they received."""

import datetime as dt

import pytest
import time_machine
from playwright.sync_api import expect

from orders.models import Like
from orders.services.acceptances import acceptance_check_in, acceptance_check_out
from orders.services.cascades import request_approve
from orders.services.tasks import task_accept
from tests.accounts.factories import UserFactory
from tests.browser.conftest import _context, assert_fits, screenshot, sign_in
from tests.grids.factories import MemberFactory
from tests.orders.api_support import evening
from tests.orders.factories import ServiceRequestFactory
from tests.orders.support import consent, on_site

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

WIDTH = 390


@pytest.fixture
def page390(chromium, live_server):
    context = _context(
        chromium, live_server, {"width": WIDTH, "height": 844}, is_mobile=True, has_touch=True, device_scale_factor=2
    )
    page = context.new_page()
    yield page
    context.close()


def test_the_story_and_the_hours_at_390(page390, live_server, community, resident, secretary):
    request = ServiceRequestFactory(community=community, requester=resident, title="水管漏水")
    start = evening(2)
    request_approve(
        request=request,
        actor=secretary,
        title="5 栋水管漏水",
        starts_at=start,
        ends_at=start + dt.timedelta(hours=2),
        slots=1,
    )
    request.refresh_from_db()
    task = request.task
    member = MemberFactory(community=community, user=UserFactory(name="王建国"))
    consent(member)
    accepted = task_accept(task=task, member=member)
    with time_machine.travel(task.starts_at - dt.timedelta(minutes=18), tick=False):
        acceptance_check_in(acceptance=accepted, actor=member.user, **on_site(task))
    with time_machine.travel(task.starts_at + dt.timedelta(minutes=4), tick=False):
        acceptance_check_out(acceptance=accepted, actor=member.user)
    Like.objects.create(request=request, member=member)

    sign_in(page390, live_server, resident)
    page390.goto(f"/my/requests/{request.pk}/")
    timeline = page390.get_by_test_id("timeline")
    for text in ("标题由“水管漏水”更正为“5 栋水管漏水”", "陈书记", "到场签到", "签退", "王建国", "居民为王建国点赞"):
        expect(timeline).to_contain_text(text)
    assert_fits(page390, WIDTH)
    screenshot(page390, "request-story-390")

    page390.context.clear_cookies()
    sign_in(page390, live_server, member.user)
    page390.goto("/my/hours/")
    expect(page390.get_by_test_id("record-span")).to_contain_text("计时自任务开始")
    expect(page390.get_by_test_id("counting-rule")).to_contain_text("任务开始前签到的，从任务开始时算起")
    expect(page390.locator("body")).to_contain_text("5 栋水管漏水")
    assert_fits(page390, WIDTH)
    screenshot(page390, "my-hours-390")
    page390.goto("/my/likes/")
    expect(page390.get_by_test_id("my-likes")).to_contain_text("5 栋水管漏水")
    assert_fits(page390, WIDTH)
    screenshot(page390, "my-likes-390")
