"""我的 → 登录设备: the signed-in devices with their name and last use, revocable one by one or
all at once, by their owner alone."""

from datetime import timedelta

import pytest
import time_machine
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from accounts.device_tokens import device_token_issue
from accounts.models import DeviceToken
from tests.pages import browser_for

pytestmark = pytest.mark.django_db

ME_URL = "/api/v1/me/"


def works(token: str) -> bool:
    return Client().get(ME_URL, HTTP_AUTHORIZATION=f"Token {token}").status_code == 200


def test_url_names():
    assert reverse("portal:devices") == "/me/devices/"
    assert reverse("portal:device_revoke", args=[7]) == "/me/devices/7/revoke/"
    assert reverse("portal:devices_revoke_all") == "/me/devices/revoke-all/"


def test_profile_links_to_the_devices(resident):
    html = browser_for(resident).get(reverse("portal:profile")).content.decode()
    assert reverse("portal:devices") in html
    assert "登录设备" in html


def test_visitor_is_sent_to_sign_in():
    resp = Client().get(reverse("portal:devices"))
    assert resp.status_code == 302
    assert resp["Location"].startswith(reverse("accounts:login"))


def test_lists_name_and_last_use_with_a_flat_query_count(resident, outsider):
    with time_machine.travel("2026-03-02 09:05 +0800", tick=False):
        device_token_issue(user=resident, device_name="iPhone Safari")
        device_token_issue(user=outsider, device_name="别人的电脑")
        browser = browser_for(resident)
        browser.get(reverse("portal:devices"))

        def render():
            with CaptureQueriesContext(connection) as ctx:
                resp = browser.get(reverse("portal:devices"))
            assert resp.status_code == 200
            return resp.content.decode(), len(ctx)

        html, few = render()
        assert "iPhone Safari" in html
        assert "2026-03-02 09:05" in html
        assert "别人的电脑" not in html
        for n in range(10):
            device_token_issue(user=resident, device_name=f"设备{n}")
        html, many = render()
    assert "设备9" in html
    assert many == few


def test_revoked_and_expired_devices_are_not_listed(resident, settings):
    settings.TOKEN_IDLE_DAYS = 30
    with time_machine.travel("2026-03-02 09:00 +0800", tick=False) as t:
        device_token_issue(user=resident, device_name="旧手机")
        t.shift(timedelta(days=31))
        gone = device_token_issue(user=resident, device_name="已退出")
        DeviceToken.objects.filter(pk=gone.token.pk).update(revoked_at=timezone.now())
        device_token_issue(user=resident, device_name="新手机")
        html = browser_for(resident).get(reverse("portal:devices")).content.decode()
    assert "新手机" in html
    assert "旧手机" not in html and "已退出" not in html


def test_revoke_one(resident):
    phone = device_token_issue(user=resident, device_name="手机")
    laptop = device_token_issue(user=resident, device_name="电脑")
    resp = browser_for(resident).post(reverse("portal:device_revoke", args=[phone.token.pk]))
    assert resp.status_code == 302
    assert resp["Location"] == reverse("portal:devices")
    assert not works(phone.plain)
    assert works(laptop.plain)


def test_revoke_all(resident, outsider):
    mine = [device_token_issue(user=resident, device_name=f"设备{n}") for n in range(3)]
    theirs = device_token_issue(user=outsider, device_name="别人的")
    browser = browser_for(resident)
    assert browser.post(reverse("portal:devices_revoke_all")).status_code == 302
    assert not any(works(d.plain) for d in mine)
    assert works(theirs.plain)
    # The page itself runs on the session, which stays.
    assert browser.get(reverse("portal:devices")).status_code == 200


def test_another_user_cannot_revoke_my_device(resident, outsider):
    mine = device_token_issue(user=resident, device_name="手机")
    resp = browser_for(outsider).post(reverse("portal:device_revoke", args=[mine.token.pk]))
    assert resp.status_code == 404
    assert works(mine.plain)


def test_revoking_is_post_only(resident):
    mine = device_token_issue(user=resident, device_name="手机")
    browser = browser_for(resident)
    assert browser.get(reverse("portal:device_revoke", args=[mine.token.pk])).status_code == 405
    assert browser.get(reverse("portal:devices_revoke_all")).status_code == 405
    assert works(mine.plain)


def test_each_device_shows_when_it_ends_at_the_latest(resident, settings):
    settings.TOKEN_MAX_DAYS = 180
    with time_machine.travel("2026-03-02 09:05 +0800", tick=False):
        device_token_issue(user=resident, device_name="iPhone Safari")
        html = browser_for(resident).get(reverse("portal:devices")).content.decode()
    assert "最迟 2026-08-29 09:05 退出" in html
    assert "登录满 180 天须重新登录" in html


def test_a_device_past_its_full_life_is_not_listed(resident, settings):
    settings.TOKEN_IDLE_DAYS, settings.TOKEN_MAX_DAYS = 30, 180
    with time_machine.travel("2026-03-02 09:00 +0800", tick=False) as t:
        old = device_token_issue(user=resident, device_name="旧手机")
        t.shift(timedelta(days=181))
        DeviceToken.objects.filter(pk=old.token.pk).update(
            last_used_at=timezone.now(), expires_at=timezone.now() + timedelta(days=30)
        )
        device_token_issue(user=resident, device_name="新手机")
        html = browser_for(resident).get(reverse("portal:devices")).content.decode()
    assert "新手机" in html and "旧手机" not in html
    assert not works(old.plain)
