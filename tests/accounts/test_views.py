"""The sign-in pages, through the Django test client."""

import re

import pytest
from django.urls import reverse

from accounts.models import SignInCode, User
from accounts.throttles import configured_rate

pytestmark = pytest.mark.django_db

LOGIN = "/login/"
SEND = "/login/code/"


def _debug_code(html: str) -> str:
    m = re.search(r"验证码（演示环境）：<strong>(\d{6})</strong>", html)
    assert m, "the page shows no demo code"
    return m.group(1)


def test_url_names():
    assert reverse("accounts:login") == LOGIN
    assert reverse("accounts:send_code") == SEND
    assert reverse("accounts:logout") == "/logout/"


def test_login_page_renders_in_chinese_with_tab_bar(client):
    r = client.get(LOGIN)
    html = r.content.decode()
    assert r.status_code == 200
    assert '<html lang="zh-CN">' in html
    assert 'name="viewport"' in html
    assert "vendor/weui/weui.min.css" in html
    assert "获取验证码" in html
    for label in ("首页", "点单", "接单", "我的"):
        assert f'<p class="weui-tabbar__label">{label}</p>' in html


def test_code_sign_in_end_to_end(client, settings):
    settings.SIGNIN_SHOW_CODE = True
    r = client.post(SEND, {"phone": "138 0000 1111", "next": "/me/"})
    html = r.content.decode()
    assert r.status_code == 200
    assert "验证码已发送至 138****1111" in html
    code = _debug_code(html)
    assert SignInCode.objects.filter(phone="13800001111").count() == 1

    r = client.post(LOGIN, {"phone": "13800001111", "code": code, "next": "/me/"})
    assert r.status_code == 302
    assert r["Location"] == "/me/"
    user = User.objects.get(phone="13800001111")
    assert client.session["_auth_user_id"] == str(user.pk)
    assert client.get("/me/").status_code == 200


@pytest.mark.parametrize("debug", [False, True])
def test_the_code_is_shown_by_its_own_setting_whatever_debug(client, settings, debug):
    settings.DEBUG = debug
    settings.SIGNIN_SHOW_CODE = True
    html = client.post(SEND, {"phone": "13800001111"}).content.decode()
    code = _debug_code(html)
    assert client.post(LOGIN, {"phone": "13800001111", "code": code}).status_code == 302


@pytest.mark.parametrize("debug", [False, True])
def test_code_is_not_shown_without_its_setting(client, settings, debug):
    settings.DEBUG = debug
    settings.SIGNIN_SHOW_CODE = False
    r = client.post(SEND, {"phone": "13800001111"})
    html = r.content.decode()
    assert "验证码已发送" in html
    assert "演示环境" not in html
    assert SignInCode.objects.filter(phone="13800001111").exists()


def test_wrong_code_is_refused_in_chinese(client, settings):
    settings.SIGNIN_SHOW_CODE = True
    code = _debug_code(client.post(SEND, {"phone": "13800001111"}).content.decode())
    wrong = f"{(int(code) + 1) % 1_000_000:06d}"
    r = client.post(LOGIN, {"phone": "13800001111", "code": wrong})
    assert "验证码错误，还可尝试 4 次。" in r.content.decode()
    assert "_auth_user_id" not in client.session
    assert SignInCode.objects.get(phone="13800001111").attempts == 1


def test_malformed_phone_sends_nothing(client):
    r = client.post(SEND, {"phone": "12345"})
    assert "请输入正确的 11 位手机号码。" in r.content.decode()
    assert SignInCode.objects.count() == 0


def test_empty_phone_sends_nothing(client):
    r = client.post(SEND, {"phone": ""})
    assert r.status_code == 200
    assert r.content.decode().count("请输入手机号。") == 1
    assert SignInCode.objects.count() == 0


def test_resend_within_a_minute_is_throttled_in_chinese(client, settings):
    settings.SIGNIN_SHOW_CODE = True
    client.post(SEND, {"phone": "13800001111"})
    r = client.post(SEND, {"phone": "13800001111"})
    html = r.content.decode()
    assert re.search(r"验证码已发送，请 \d+ 秒后再试。", html)
    assert "演示环境" not in html
    assert SignInCode.objects.filter(phone="13800001111").count() == 1


def test_per_ip_limit_applies_to_the_page(client, monkeypatch):
    from rest_framework.throttling import SimpleRateThrottle

    monkeypatch.setattr(
        SimpleRateThrottle, "THROTTLE_RATES", {**SimpleRateThrottle.THROTTLE_RATES, "code_ip": "2/hour"}
    )
    for n in range(2):
        client.post(SEND, {"phone": f"1380000100{n}"})
    r = client.post(SEND, {"phone": "13800001009"})
    assert re.search(r"获取验证码过于频繁，请 \d+ 秒后再试。", r.content.decode())
    assert not SignInCode.objects.filter(phone="13800001009").exists()
    assert SignInCode.objects.count() == 2


def test_hourly_limit_per_number_applies_to_the_page(client, settings):
    settings.SIGNIN_CODE_RESEND_SECONDS = 0
    for n in range(configured_rate("code_phone").count):
        client.post(SEND, {"phone": "13800001111"}, REMOTE_ADDR=f"10.5.0.{n + 1}")
    r = client.post(SEND, {"phone": "+86 138 0000 1111"}, REMOTE_ADDR="10.5.9.9")
    assert re.search(r"获取验证码过于频繁，请 \d+ 秒后再试。", r.content.decode())
    assert SignInCode.objects.filter(phone="13800001111").count() == configured_rate("code_phone").count


@pytest.mark.parametrize(
    ("url", "data"),
    [
        (SEND, {"phone": "138\x0000001111"}),
        (LOGIN, {"phone": "13800001111", "code": "12\x003456"}),
        (LOGIN, {"mode": "password", "phone": "13800001111", "password": "pass\x00word"}),
    ],
)
def test_a_nul_byte_is_named_as_what_is_wrong_on_the_pages(client, url, data):
    html = client.post(url, data).content.decode()
    assert "内容包含不允许的空字符（\\x00）。" in html
    assert "空字符串" not in html
    assert not SignInCode.objects.exists()


def test_unsafe_next_goes_home(client, settings):
    settings.SIGNIN_SHOW_CODE = True
    code = _debug_code(client.post(SEND, {"phone": "13800001111"}).content.decode())
    r = client.post(LOGIN, {"phone": "13800001111", "code": code, "next": "https://evil.example.com/"})
    assert r.status_code == 302
    assert r["Location"] == "/"


def test_staff_sign_in_with_password(client, admin_user):
    r = client.get(LOGIN + "?mode=password")
    assert "密码登录" in r.content.decode() or 'type="password"' in r.content.decode()
    r = client.post(LOGIN, {"mode": "password", "phone": admin_user.phone, "password": "pass-word-123"})
    assert r.status_code == 302
    assert client.session["_auth_user_id"] == str(admin_user.pk)


def test_password_sign_in_refused_for_non_staff_and_wrong_password(client, resident, admin_user):
    r = client.post(LOGIN, {"mode": "password", "phone": resident.phone, "password": "pass-word-123"})
    assert "手机号或密码错误。" in r.content.decode()
    r = client.post(LOGIN, {"mode": "password", "phone": admin_user.phone, "password": "wrong-password"})
    assert "手机号或密码错误。" in r.content.decode()
    assert "_auth_user_id" not in client.session


def test_logout_is_post_only(client, resident):
    client.force_login(resident)
    assert client.get("/logout/").status_code == 405
    assert "_auth_user_id" in client.session
    r = client.post("/logout/")
    assert r.status_code == 302 and r["Location"] == "/"
    assert "_auth_user_id" not in client.session


def test_signed_in_user_visiting_login_goes_on(client, resident):
    client.force_login(resident)
    r = client.get(LOGIN + "?next=/tasks/")
    assert r.status_code == 302 and r["Location"] == "/tasks/"
