"""到场签到 is offered only while the check-in window is open (reporting's rule: from
``CHECKIN_EARLY_MINUTES`` before the start to the end); before it the page says when it opens."""

import datetime as dt

import pytest
import time_machine
from django.utils import timezone

from reporting.models import LocationConsent
from tests.orders.factories import AcceptanceFactory, TaskFactory
from tests.pages import browser_for, html

pytestmark = pytest.mark.django_db

BUTTON = "data-geo-submit>到场签到</button>"


@pytest.fixture
def accepted(placed, community, settings):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    settings.CHECKIN_EARLY_MINUTES = 30
    start = timezone.now().replace(microsecond=0) + dt.timedelta(days=1)
    task = TaskFactory(community=community, starts_at=start, ends_at=start + dt.timedelta(hours=2))
    acc = AcceptanceFactory(task=task, member=placed)
    LocationConsent.objects.create(member=placed, version="v1")
    return acc


def _page(acc) -> str:
    return html(browser_for(acc.member.user).get(f"/tasks/{acc.task_id}/"))


def test_a_day_early_no_button_and_the_opening_time_is_shown(accepted):
    page = _page(accepted)
    assert BUTTON not in page
    opens = timezone.localtime(accepted.starts_at - dt.timedelta(minutes=30))
    assert f"到场签到 {opens.month}月{opens.day}日 {opens:%H:%M} 起开放" in page
    assert "任务开始前 30 分钟" in page


def test_a_minute_before_the_window_still_no_button(accepted):
    with time_machine.travel(accepted.starts_at - dt.timedelta(minutes=31)):
        assert BUTTON not in _page(accepted)


@pytest.mark.parametrize("offset", [dt.timedelta(minutes=-30), dt.timedelta(0), dt.timedelta(minutes=119)])
def test_inside_the_window_the_button_is_offered(accepted, offset):
    with time_machine.travel(accepted.starts_at + offset):
        page = _page(accepted)
    assert BUTTON in page and 'data-testid="checkin-later"' not in page


def test_after_the_window_it_says_check_in_has_closed(accepted):
    with time_machine.travel(accepted.ends_at + dt.timedelta(minutes=1)):
        page = _page(accepted)
    assert BUTTON not in page and "签到已于" in page and "截止" in page
