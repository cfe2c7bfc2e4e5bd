"""Tokens per device: each sign-in issues a new one, stored only as a hash, with a sliding
expiry; signing out ends only the current one; my devices are listed and revocable, by me alone."""

from datetime import timedelta

import pytest
import time_machine
from django.core.management import call_command
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from accounts.device_tokens import device_name_from, device_token_issue
from accounts.models import DeviceToken
from tests.accounts.factories import UserFactory

TOKEN_URL = "/api/v1/auth/token/"
LOGOUT_URL = "/api/v1/auth/logout/"
DEVICES_URL = "/api/v1/auth/devices/"
ME_URL = "/api/v1/me/"
PHONE = "13900000123"
EXPIRED = "登录凭证无效或已过期，请重新登录。"
IPHONE_SAFARI = (
    "Mozilla/5.0 (iPhone; CPU iPhone OS 17_4 like Mac OS X) AppleWebKit/605.1.15 "
    "(KHTML, like Gecko) Version/17.4 Mobile/15E148 Safari/604.1"
)
ANDROID_CHROME = (
    "Mozilla/5.0 (Linux; Android 14; Pixel 8) AppleWebKit/537.36 (KHTML, like Gecko) "
    "Chrome/124.0.0.0 Mobile Safari/537.36"
)

pytestmark = pytest.mark.django_db


@pytest.fixture
def staff(db):
    return UserFactory(phone=PHONE, name="陈书记", is_staff=True)


def password_sign_in(client, *, phone=PHONE, ua=None, **extra):
    meta = {"HTTP_USER_AGENT": ua} if ua else {}
    resp = client.post(TOKEN_URL, {"phone": phone, "password": "pass-word-123", **extra}, format="json", **meta)
    assert resp.status_code == 200, resp.content
    return resp.json()


def code_sign_in(client, settings, *, phone=PHONE, **extra) -> dict:
    settings.SIGNIN_SHOW_CODE = True
    code = client.post("/api/v1/auth/code/", {"phone": phone}, format="json").json()["debug_code"]
    resp = client.post(TOKEN_URL, {"phone": phone, "code": code, **extra}, format="json")
    assert resp.status_code == 200, resp.content
    return resp.json()


def with_token(api, token):
    api.credentials(HTTP_AUTHORIZATION=f"Token {token}")
    return api


class TestSignInIssuesATokenPerDevice:
    def test_two_devices_get_two_tokens_both_working(self, api, staff):
        phone_body = password_sign_in(api, ua=IPHONE_SAFARI)
        laptop_body = password_sign_in(api, device_name="办公室电脑")
        assert phone_body["token"] != laptop_body["token"]
        assert set(phone_body) == {"token", "expires", "user"}
        assert phone_body["user"]["id"] == staff.id
        for token in (phone_body["token"], laptop_body["token"]):
            assert with_token(api, token).get(ME_URL).status_code == 200
        names = set(DeviceToken.objects.filter(user=staff).values_list("device_name", flat=True))
        assert names == {"iPhone Safari", "办公室电脑"}

    def test_code_sign_in_on_a_second_device_keeps_the_first(self, api, settings):
        with time_machine.travel("2026-03-02 09:00 +0800", tick=False) as t:
            first = code_sign_in(api, settings)["token"]
            t.shift(timedelta(minutes=2))
            second = code_sign_in(api, settings)["token"]
            assert first != second
            assert with_token(api, first).get(ME_URL).status_code == 200
            assert with_token(api, second).get(ME_URL).status_code == 200

    def test_expires_is_the_idle_length_from_now(self, api, staff, settings):
        settings.TOKEN_IDLE_DAYS = 30
        with time_machine.travel("2026-03-02 09:00 +0800", tick=False):
            body = password_sign_in(api)
            assert body["expires"] == "2026-04-01T09:00:00+08:00"

    def test_signing_out_ends_only_this_device(self, api, staff):
        phone_token = password_sign_in(api)["token"]
        laptop_token = password_sign_in(api)["token"]
        assert with_token(api, phone_token).post(LOGOUT_URL).status_code == 204
        resp = with_token(api, phone_token).get(ME_URL)
        assert resp.status_code == 401
        assert resp.json()["detail"] == EXPIRED
        assert with_token(api, laptop_token).get(ME_URL).status_code == 200
        # The row stays, marked revoked: the list of devices no longer shows it.
        assert DeviceToken.objects.filter(user=staff, revoked_at__isnull=False).count() == 1

    def test_the_token_is_stored_only_hashed(self, api, staff, capsys):
        token = password_sign_in(api)["token"]
        assert len(token) >= 40
        row = DeviceToken.objects.get(user=staff)
        assert token not in {str(v) for v in DeviceToken.objects.values().get(pk=row.pk).values()}
        assert token[: len(row.prefix)] == row.prefix and len(row.prefix) <= 8
        capsys.readouterr()
        call_command("dumpdata", "accounts", "auth", "sessions", "contenttypes")
        assert token not in capsys.readouterr().out
        with connection.cursor() as cursor:
            cursor.execute("SELECT * FROM accounts_devicetoken")
            assert token not in repr(cursor.fetchall())


class TestExpiry:
    def test_an_expired_token_is_401(self, api, staff, settings):
        settings.TOKEN_IDLE_DAYS = 30
        with time_machine.travel("2026-03-02 09:00 +0800", tick=False) as t:
            token = password_sign_in(api)["token"]
            t.shift(timedelta(days=30, seconds=1))
            resp = with_token(api, token).get(ME_URL)
        assert resp.status_code == 401
        assert resp.json() == {"detail": EXPIRED, "code": "authentication_failed"}

    def test_use_slides_the_expiry(self, api, staff, settings):
        settings.TOKEN_IDLE_DAYS = 30
        with time_machine.travel("2026-03-02 09:00 +0800", tick=False) as t:
            token = password_sign_in(api)["token"]
            for _ in range(3):  # 87 days in all, never idle 30
                t.shift(timedelta(days=29))
                assert with_token(api, token).get(ME_URL).status_code == 200
            row = DeviceToken.objects.get(user=staff)
            assert row.last_used_at == timezone.now()
            assert row.expires_at == timezone.now() + timedelta(days=30)
            t.shift(timedelta(days=30, seconds=1))
            assert with_token(api, token).get(ME_URL).status_code == 401

    def test_a_token_in_constant_use_dies_its_full_life_after_issue(self, api, staff, settings):
        settings.TOKEN_IDLE_DAYS, settings.TOKEN_MAX_DAYS = 30, 180
        with time_machine.travel("2026-03-02 09:00 +0800", tick=False) as t:
            issued = timezone.now()
            token = password_sign_in(api)["token"]
            for _ in range(6):  # 174 days, never idle 30
                t.shift(timedelta(days=29))
                assert with_token(api, token).get(ME_URL).status_code == 200
            row = DeviceToken.objects.get(user=staff)
            # The slide stops at the cap: 6 days on, not 30.
            assert row.expires_at == issued + timedelta(days=180) == row.ends_at
            t.shift(timedelta(days=6, seconds=-1))
            assert with_token(api, token).get(ME_URL).status_code == 200
            t.shift(timedelta(seconds=1))
            resp = with_token(api, token).get(ME_URL)
        assert resp.status_code == 401
        assert resp.json() == {"detail": EXPIRED, "code": "authentication_failed"}

    def test_a_lowered_cap_ends_tokens_already_issued(self, api, staff, settings):
        settings.TOKEN_IDLE_DAYS, settings.TOKEN_MAX_DAYS = 30, 180
        with time_machine.travel("2026-03-02 09:00 +0800", tick=False) as t:
            token = password_sign_in(api)["token"]
            other = password_sign_in(api)["token"]
            for _ in range(3):  # 87 days; the expiry is written as day 117
                t.shift(timedelta(days=29))
                assert with_token(api, token).get(ME_URL).status_code == 200
            t.shift(timedelta(days=4))  # day 91
            settings.TOKEN_MAX_DAYS = 90
            assert with_token(api, token).get(ME_URL).status_code == 401
            assert with_token(api, other).get(ME_URL).status_code == 401
            fresh = password_sign_in(api)["token"]  # day 91: ends 90 days on
            assert with_token(api, fresh).get(ME_URL).status_code == 200
            assert [r["ends_at"] for r in api.get(DEVICES_URL).json()["results"]] == ["2026-08-30T09:00:00+08:00"]

    def test_use_is_written_at_most_once_a_minute(self, api, staff):
        with time_machine.travel("2026-03-02 09:00 +0800", tick=False) as t:
            token = password_sign_in(api)["token"]
            t.shift(timedelta(minutes=5))
            with_token(api, token)

            def writes() -> int:
                with CaptureQueriesContext(connection) as ctx:
                    assert api.get(ME_URL).status_code == 200
                return sum(
                    1 for q in ctx.captured_queries if "accounts_devicetoken" in q["sql"] and "UPDATE" in q["sql"]
                )

            assert writes() == 1
            t.shift(timedelta(seconds=30))
            assert writes() == 0
            t.shift(timedelta(seconds=31))
            assert writes() == 1

    def test_a_revoked_token_is_401(self, api, staff):
        token = password_sign_in(api)["token"]
        DeviceToken.objects.update(revoked_at=timezone.now())
        assert with_token(api, token).get(ME_URL).status_code == 401

    def test_an_inactive_users_token_is_401(self, api, staff):
        token = password_sign_in(api)["token"]
        staff.is_active = False
        staff.save()
        assert with_token(api, token).get(ME_URL).status_code == 401

    @pytest.mark.parametrize("header", ["Token ", "Token a b", "Token " + "x" * 43, "Token \xe9\xe9"])
    def test_garbage_is_401(self, api, staff, header):
        password_sign_in(api)
        api.credentials(HTTP_AUTHORIZATION=header)
        assert api.get(ME_URL).status_code == 401


class TestDevicesAPI:
    def test_lists_my_live_devices_with_name_and_last_use(self, api, staff, resident):
        with time_machine.travel("2026-03-02 09:00 +0800", tick=False) as t:
            phone_token = password_sign_in(api, ua=IPHONE_SAFARI)["token"]
            t.shift(timedelta(hours=1))
            laptop_token = password_sign_in(api, device_name="办公室电脑")["token"]
            gone = password_sign_in(api)["token"]
            with_token(api, gone).post(LOGOUT_URL)
            device_token_issue(user=resident, device_name="别人的手机")
            resp = with_token(api, laptop_token).get(DEVICES_URL)
        assert resp.status_code == 200
        rows = resp.json()["results"]
        assert [r["device_name"] for r in rows] == ["办公室电脑", "iPhone Safari"]
        assert rows[0]["current"] is True and rows[1]["current"] is False
        assert rows[1]["last_used_at"] == "2026-03-02T09:00:00+08:00"
        assert set(rows[0]) == {"id", "device_name", "created_at", "last_used_at", "expires_at", "ends_at", "current"}
        assert phone_token not in resp.content.decode()

    def test_revoke_one(self, api, staff):
        phone_token = password_sign_in(api)["token"]
        laptop_token = password_sign_in(api)["token"]
        phone = DeviceToken.objects.get(user=staff, prefix=phone_token[:8])
        resp = with_token(api, laptop_token).post(f"{DEVICES_URL}{phone.pk}/revoke/")
        assert resp.status_code == 204
        assert with_token(api, phone_token).get(ME_URL).status_code == 401
        assert with_token(api, laptop_token).get(ME_URL).status_code == 200
        # Revoking it again: it is no longer one of my devices.
        assert api.post(f"{DEVICES_URL}{phone.pk}/revoke/").status_code == 404

    def test_revoke_all_ends_every_device_including_this_one(self, api, staff):
        tokens = [password_sign_in(api)["token"] for _ in range(3)]
        resp = with_token(api, tokens[0]).post(f"{DEVICES_URL}revoke-all/")
        assert resp.status_code == 204
        for token in tokens:
            assert with_token(api, token).get(ME_URL).status_code == 401
        assert not DeviceToken.objects.filter(revoked_at__isnull=True).exists()

    def test_another_user_can_neither_see_nor_revoke_my_devices(self, api, staff, resident):
        mine = device_token_issue(user=staff, device_name="我的手机")
        theirs = device_token_issue(user=resident, device_name="居民手机")
        with_token(api, theirs.plain)
        assert [r["device_name"] for r in api.get(DEVICES_URL).json()["results"]] == ["居民手机"]
        resp = api.post(f"{DEVICES_URL}{mine.token.pk}/revoke/")
        assert resp.status_code == 404
        api.post(f"{DEVICES_URL}revoke-all/")
        assert with_token(api, mine.plain).get(ME_URL).status_code == 200

    def test_anonymous_is_401(self, api):
        assert api.get(DEVICES_URL).status_code == 401
        assert api.post(f"{DEVICES_URL}1/revoke/").status_code == 401
        assert api.post(f"{DEVICES_URL}revoke-all/").status_code == 401

    def test_session_user_sees_the_devices_none_current(self, api, staff):
        password_sign_in(api)
        api.force_login(staff)
        rows = api.get(DEVICES_URL).json()["results"]
        assert len(rows) == 1 and rows[0]["current"] is False

    def test_list_queries_do_not_grow_with_devices(self, api, staff):
        token = device_token_issue(user=staff, device_name="一").plain
        with_token(api, token)
        api.get(ME_URL)

        def count() -> int:
            with CaptureQueriesContext(connection) as ctx:
                assert api.get(DEVICES_URL).status_code == 200
            return len(ctx)

        few = count()
        for n in range(10):
            device_token_issue(user=staff, device_name=f"设备{n}")
        assert count() == few


class TestDeviceNames:
    @pytest.mark.parametrize(
        "meta,name",
        [
            ({"HTTP_USER_AGENT": IPHONE_SAFARI}, "iPhone Safari"),
            ({"HTTP_USER_AGENT": ANDROID_CHROME}, "Android Chrome"),
            (
                {
                    "HTTP_USER_AGENT": IPHONE_SAFARI.replace(
                        "Safari/604.1", "MicroMessenger/8.0.47 MiniProgramEnv/iOS"
                    ),
                },
                "微信小程序",
            ),
            ({"HTTP_REFERER": "https://servicewechat.com/wx123/0/page-frame.html"}, "微信小程序"),
            ({"HTTP_USER_AGENT": IPHONE_SAFARI.replace("Safari/604.1", "MicroMessenger/8.0.47")}, "iPhone 微信"),
            (
                {"HTTP_USER_AGENT": "Mozilla/5.0 (Windows NT 10.0; Win64; x64) Chrome/124.0 Safari/537.36 Edg/124.0"},
                "Windows Edge",
            ),
            ({"HTTP_USER_AGENT": "curl/8.5.0"}, "未知设备"),
            ({}, "未知设备"),
        ],
    )
    def test_derived_from_the_request(self, rf, meta, name):
        assert device_name_from(rf.get("/", **meta)) == name

    def test_a_sent_name_wins_and_is_kept_short(self, api, staff):
        password_sign_in(api, device_name="  张三的华为手机  ", ua=IPHONE_SAFARI)
        assert DeviceToken.objects.get().device_name == "张三的华为手机"
        resp = api.post(
            TOKEN_URL, {"phone": PHONE, "password": "pass-word-123", "device_name": "长" * 41}, format="json"
        )
        assert resp.status_code == 400
        assert resp.json()["fields"]["device_name"] == ["设备名称过长。"]


class TestWechatSignIn:
    def test_each_wechat_sign_in_is_a_new_mini_program_token(self, api, wechat_server, resident):
        resident.wechat_openid = "oabc"
        resident.save()
        first = api.post("/api/v1/auth/wechat/", {"code": "ok-abc"}, format="json").json()["token"]
        second = api.post("/api/v1/auth/wechat/", {"code": "ok-abc", "device_name": "我的手机"}, format="json")
        assert second.status_code == 200
        assert first != second.json()["token"]
        names = sorted(DeviceToken.objects.filter(user=resident).values_list("device_name", flat=True))
        assert names == ["微信小程序", "我的手机"]
        assert with_token(api, first).get(ME_URL).status_code == 200

    def test_binding_issues_a_new_token_too(self, api, wechat_server, settings):
        ticket = api.post("/api/v1/auth/wechat/", {"code": "ok-new"}, format="json").json()["ticket"]
        settings.SIGNIN_SHOW_CODE = True
        code = api.post("/api/v1/auth/code/", {"phone": PHONE}, format="json").json()["debug_code"]
        resp = api.post("/api/v1/auth/wechat/bind/", {"ticket": ticket, "phone": PHONE, "code": code}, format="json")
        assert resp.status_code == 200
        assert DeviceToken.objects.get().device_name == "微信小程序"
        assert with_token(api, resp.json()["token"]).get(ME_URL).status_code == 200


def test_dead_tokens_are_purged_after_a_while(staff, settings):
    from accounts.tasks import purge_dead_tokens

    settings.TOKEN_IDLE_DAYS = 30
    with time_machine.travel("2026-03-02 09:00 +0800", tick=False) as t:
        expired = device_token_issue(user=staff, device_name="旧").token
        t.shift(timedelta(days=40))
        revoked = device_token_issue(user=staff, device_name="已退出").token
        DeviceToken.objects.filter(pk=revoked.pk).update(revoked_at=timezone.now())
        live = device_token_issue(user=staff, device_name="在用").token
        t.shift(timedelta(days=25))
        assert purge_dead_tokens.delay().get() == 1  # expired 35 days ago; revoked only 25
        assert set(DeviceToken.objects.values_list("pk", flat=True)) == {revoked.pk, live.pk}
        assert expired.pk not in DeviceToken.objects.values_list("pk", flat=True)


def test_tokens_past_their_full_life_are_purged_whatever_their_expiry_says(staff, settings):
    from accounts.tasks import purge_dead_tokens

    settings.TOKEN_IDLE_DAYS, settings.TOKEN_MAX_DAYS = 30, 180
    with time_machine.travel("2026-03-02 09:00 +0800", tick=False) as t:
        old = device_token_issue(user=staff, device_name="旧").token
        t.shift(timedelta(days=200))
        # An expiry written before the cap existed, still ahead.
        DeviceToken.objects.filter(pk=old.pk).update(expires_at=timezone.now() + timedelta(days=10))
        live = device_token_issue(user=staff, device_name="在用").token
        assert purge_dead_tokens.delay().get() == 0  # dead 20 days: kept 30, like the others
        t.shift(timedelta(days=11))
        assert purge_dead_tokens.delay().get() == 1
        assert list(DeviceToken.objects.values_list("pk", flat=True)) == [live.pk]
