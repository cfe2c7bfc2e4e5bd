"""The order form's "是我的问题" in a real browser: the join form the script builds carries the
position the nearby lookup used, so a resident at the place follows the request."""

import re

import pytest
from playwright.sync_api import expect

from grids.vocab import Duty
from orders.models import RequestFollower
from tests.accounts.factories import UserFactory
from tests.browser.conftest import sign_in
from tests.orders.factories import ServiceRequestFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_a_resident_at_the_place_follows_from_the_order_form(phone, live_server, community):
    same = ServiceRequestFactory(community=community, duty=Duty.CONVENIENCE, title="3 栋水管漏水")
    neighbour = UserFactory(phone="13800000011", name="邻居")
    sign_in(phone, live_server, neighbour)
    phone.goto("/order/")
    phone.locator("#id_duty").select_option(Duty.CONVENIENCE)
    phone.get_by_role("button", name="使用当前位置").click()
    expect(phone.get_by_test_id("dupes")).to_contain_text("3 栋水管漏水")
    phone.get_by_role("button", name="是我的问题").click()
    expect(phone).to_have_url(re.compile(rf"/my/requests/{same.pk}/$"))
    expect(phone.locator("body")).to_contain_text("3 栋水管漏水")
    assert RequestFollower.objects.filter(request=same, user=neighbour).exists()
