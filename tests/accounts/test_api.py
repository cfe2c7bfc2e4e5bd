"""The sign-in API: codes, tokens, sign-out, throttles, bad input, and the schema."""

import json
import re
from datetime import timedelta

import pytest
import time_machine
from django.db import connection
from django.test import override_settings
from django.test.utils import CaptureQueriesContext

from accounts.device_tokens import device_token_issue, token_digest
from accounts.models import DeviceToken, SignInCode, User
from accounts.throttles import TokenIPThrottle, configured_rate
from tests.accounts.factories import UserFactory

CODE_URL = "/api/v1/auth/code/"
TOKEN_URL = "/api/v1/auth/token/"
LOGOUT_URL = "/api/v1/auth/logout/"
PHONE = "13900000123"

pytestmark = pytest.mark.django_db


def _chinese(text: str) -> bool:
    return any("\u4e00" <= ch <= "\u9fff" for ch in text)


def send_code(api, phone=PHONE, **extra):
    return api.post(CODE_URL, {"phone": phone}, format="json", **extra)


def debug_code(api, settings, phone=PHONE) -> str:
    settings.SIGNIN_SHOW_CODE = True
    resp = send_code(api, phone)
    assert resp.status_code == 200, resp.content
    return resp.json()["debug_code"]


# --- sending codes -------------------------------------------------------------------


class TestSendCode:
    @pytest.mark.parametrize("debug", [False, True])
    def test_show_code_returns_the_code_whatever_debug(self, api, settings, debug):
        settings.DEBUG = debug
        settings.SIGNIN_SHOW_CODE = True
        resp = send_code(api, "+86 139 0000 0123")
        assert resp.status_code == 200
        code = resp.json()["debug_code"]
        assert re.fullmatch(r"\d{6}", code)
        assert SignInCode.objects.get(phone=PHONE).requested_ip == "127.0.0.1"
        assert api.post(TOKEN_URL, {"phone": PHONE, "code": code}, format="json").status_code == 200

    @pytest.mark.parametrize("debug", [False, True])
    def test_without_show_code_the_code_is_never_returned(self, api, settings, sent_codes, debug):
        settings.DEBUG = debug  # DEBUG has no say in it
        settings.SIGNIN_SHOW_CODE = False
        resp = send_code(api)
        assert resp.status_code == 204
        assert resp.content == b""
        # It went through the sender and nowhere else.
        assert [phone for phone, _ in sent_codes] == [PHONE]
        code = sent_codes[0][1]
        assert code.encode() not in resp.content
        assert api.post(TOKEN_URL, {"phone": PHONE, "code": code}, format="json").status_code == 200

    @pytest.mark.parametrize("phone", ["12345", "23800138000", "138001380001", "phone", ""])
    def test_malformed_phone(self, api, phone):
        resp = send_code(api, phone)
        assert resp.status_code == 400
        body = resp.json()
        assert body["code"] in {"invalid", "invalid_phone"}
        assert _chinese(body["fields"]["phone"][0])
        assert not SignInCode.objects.exists()

    def test_resend_interval_is_429(self, api, settings):
        settings.SIGNIN_SHOW_CODE = False
        assert send_code(api).status_code == 204
        resp = send_code(api, "139 0000 0123")
        assert resp.status_code == 429
        assert resp.json()["code"] == "throttled"
        assert "秒后再试" in resp.json()["detail"]
        assert 55 <= int(resp["Retry-After"]) <= 60
        assert SignInCode.objects.count() == 1


class TestSendThrottles:
    @pytest.fixture(autouse=True)
    def _no_resend_interval(self, settings):
        # The service's own one-per-minute rule would answer first; these tests are about the throttles.
        settings.SIGNIN_CODE_RESEND_SECONDS = 0

    def test_per_phone_however_written_and_from_wherever(self, api):
        limit = configured_rate("code_phone").count
        spellings = [PHONE, "+86 139 0000 0123", "139-0000-0123", "008613900000123"]
        for i in range(limit):
            resp = send_code(api, spellings[i % len(spellings)], REMOTE_ADDR=f"10.0.0.{i + 1}")
            assert resp.status_code == 204, resp.content
        resp = send_code(api, "+86 13900000123", REMOTE_ADDR="10.9.9.9")
        assert resp.status_code == 429
        assert resp.json()["detail"].startswith("操作太频繁")
        assert int(resp["Retry-After"]) > 0
        assert SignInCode.objects.filter(phone=PHONE).count() == limit
        # Another number is not affected.
        assert send_code(api, "13900000999", REMOTE_ADDR="10.9.9.9").status_code == 204

    def test_per_ip(self, api):
        limit = configured_rate("code_ip").count
        for i in range(limit):
            assert send_code(api, f"139{i:08d}", REMOTE_ADDR="10.1.1.1").status_code == 204
        resp = send_code(api, "13811111111", REMOTE_ADDR="10.1.1.1")
        assert resp.status_code == 429
        assert _chinese(resp.json()["detail"])
        assert "Retry-After" in resp
        assert not SignInCode.objects.filter(phone="13811111111").exists()
        # Another address may still ask.
        assert send_code(api, "13811111111", REMOTE_ADDR="10.1.1.2").status_code == 204

    def test_forwarded_for_header_does_not_dodge_the_ip_limit(self, api):
        limit = configured_rate("code_ip").count
        for i in range(limit):
            resp = send_code(api, f"139{i:08d}", REMOTE_ADDR="10.1.1.1", HTTP_X_FORWARDED_FOR=f"192.0.2.{i}")
            assert resp.status_code == 204
        resp = send_code(api, "13811111111", REMOTE_ADDR="10.1.1.1", HTTP_X_FORWARDED_FOR="198.51.100.7")
        assert resp.status_code == 429

    def test_limits_hold_with_the_cache_unreachable(self, api):
        # Sending codes touches no cache: its limits are counted in the database.
        closed = {"BACKEND": "django.core.cache.backends.redis.RedisCache", "LOCATION": "redis://127.0.0.1:9/0"}
        limit = configured_rate("code_phone").count
        with override_settings(CACHES={"default": closed}):
            for i in range(limit):
                assert send_code(api, REMOTE_ADDR=f"10.2.0.{i + 1}").status_code == 204
            resp = send_code(api, REMOTE_ADDR="10.2.9.9")
        assert resp.status_code == 429
        assert resp.json()["detail"].startswith("操作太频繁")

    def test_throttle_window_passes(self, api):
        limit = configured_rate("code_phone").count
        with time_machine.travel("2026-03-02 12:00 +0800", tick=False) as t:
            for _ in range(limit):
                assert send_code(api).status_code == 204
            assert send_code(api).status_code == 429
            t.shift(timedelta(hours=1, seconds=1))
            assert send_code(api).status_code == 204


# --- signing in ----------------------------------------------------------------------


class TestToken:
    def test_code_sign_in_creates_the_user_and_returns_a_token(self, api, settings):
        code = debug_code(api, settings)
        resp = api.post(TOKEN_URL, {"phone": "+86 139 0000 0123", "code": code}, format="json")
        assert resp.status_code == 200
        body = resp.json()
        user = User.objects.get(phone=PHONE)
        assert body["user"] == {"id": user.id, "phone": PHONE, "name": "", "is_staff": False}
        assert DeviceToken.objects.get(user=user).digest == token_digest(body["token"])

    def test_existing_user_gets_the_same_account(self, api, settings, resident):
        code = debug_code(api, settings, resident.phone)
        resp = api.post(TOKEN_URL, {"phone": resident.phone, "code": code}, format="json")
        assert resp.json()["user"]["id"] == resident.id
        assert resp.json()["user"]["name"] == "李居民"
        assert User.objects.count() == 1

    def test_wrong_code(self, api, settings):
        code = debug_code(api, settings)
        wrong = "000000" if code != "000000" else "111111"
        resp = api.post(TOKEN_URL, {"phone": PHONE, "code": wrong}, format="json")
        assert resp.status_code == 400
        assert resp.json() == {
            "detail": "验证码错误，还可尝试 4 次。",
            "code": "code_wrong",
            "fields": {"code": ["验证码错误，还可尝试 4 次。"]},
        }
        assert not User.objects.exists()

    def test_locked_after_five_wrong_even_with_right_code(self, api, settings):
        code = debug_code(api, settings)
        wrong = "000000" if code != "000000" else "111111"
        for _ in range(5):
            assert api.post(TOKEN_URL, {"phone": PHONE, "code": wrong}, format="json").status_code == 400
        resp = api.post(TOKEN_URL, {"phone": PHONE, "code": code}, format="json")
        assert resp.status_code == 400
        assert resp.json()["code"] == "code_locked"
        assert _chinese(resp.json()["fields"]["code"][0])
        assert not DeviceToken.objects.exists()

    def test_expired_code(self, api, settings):
        with time_machine.travel("2026-03-02 21:00 +0800", tick=False) as t:
            code = debug_code(api, settings)
            t.shift(timedelta(minutes=5, seconds=1))
            resp = api.post(TOKEN_URL, {"phone": PHONE, "code": code}, format="json")
        assert resp.status_code == 400
        assert resp.json()["code"] == "code_expired"
        assert resp.json()["fields"]["code"] == ["验证码已过期，请重新获取。"]

    def test_no_code_was_sent(self, api):
        resp = api.post(TOKEN_URL, {"phone": PHONE, "code": "123456"}, format="json")
        assert resp.status_code == 400
        assert resp.json()["code"] == "code_invalid"

    def test_malformed_phone(self, api):
        resp = api.post(TOKEN_URL, {"phone": "1234", "code": "123456"}, format="json")
        assert resp.status_code == 400
        assert resp.json()["fields"]["phone"] == ["请输入正确的 11 位手机号码。"]

    @pytest.mark.parametrize(
        "body",
        [
            {"phone": PHONE},
            {"phone": PHONE, "code": "", "password": ""},
            {"phone": PHONE, "code": "1", "password": "x"},
        ],
    )
    def test_code_or_password_exactly_one(self, api, body):
        resp = api.post(TOKEN_URL, body, format="json")
        assert resp.status_code == 400
        assert _chinese(resp.json()["fields"]["code"][0])

    def test_staff_password_sign_in(self, api):
        staff = UserFactory(phone=PHONE, is_staff=True)
        resp = api.post(TOKEN_URL, {"phone": PHONE, "password": "pass-word-123"}, format="json")
        assert resp.status_code == 200
        assert resp.json()["user"]["id"] == staff.id
        assert resp.json()["user"]["is_staff"] is True

    def test_password_sign_in_is_for_staff_only(self, api, resident):
        # The resident has a usable password (the factory sets one) and still may not use it here.
        assert resident.check_password("pass-word-123")
        resp = api.post(TOKEN_URL, {"phone": resident.phone, "password": "pass-word-123"}, format="json")
        assert resp.status_code == 400
        assert resp.json() == {
            "detail": "手机号或密码错误。",
            "code": "bad_credentials",
            "fields": {"password": ["手机号或密码错误。"]},
        }
        assert not DeviceToken.objects.exists()

    def test_form_with_a_blank_code_signs_in_by_password(self, api):
        UserFactory(phone=PHONE, is_staff=True)
        resp = api.post(TOKEN_URL, {"phone": PHONE, "code": "", "password": "pass-word-123"})
        assert resp.status_code == 200

    def test_wrong_password(self, api):
        UserFactory(phone=PHONE, is_staff=True)
        resp = api.post(TOKEN_URL, {"phone": PHONE, "password": "nope-nope"}, format="json")
        assert resp.status_code == 400
        assert resp.json()["code"] == "bad_credentials"

    def test_inactive_user_refused(self, api, settings):
        UserFactory(phone=PHONE, is_active=False, is_staff=True)
        code = debug_code(api, settings)
        resp = api.post(TOKEN_URL, {"phone": PHONE, "code": code}, format="json")
        assert resp.status_code == 400
        assert resp.json()["code"] == "inactive"
        assert "停用" in resp.json()["detail"]
        resp = api.post(TOKEN_URL, {"phone": PHONE, "password": "pass-word-123"}, format="json")
        assert resp.status_code == 400
        assert not DeviceToken.objects.exists()

    def test_stale_token_does_not_block_signing_in_again(self, api, settings):
        code = debug_code(api, settings)
        api.credentials(HTTP_AUTHORIZATION="Token not-a-real-token")
        resp = api.post(TOKEN_URL, {"phone": PHONE, "code": code}, format="json")
        assert resp.status_code == 200

    def test_per_ip_throttle(self, api):
        limit = TokenIPThrottle().num_requests
        for _ in range(limit):
            resp = api.post(TOKEN_URL, {"phone": PHONE, "code": "123456"}, format="json", REMOTE_ADDR="10.2.2.2")
            assert resp.status_code == 400
        resp = api.post(TOKEN_URL, {"phone": PHONE, "code": "123456"}, format="json", REMOTE_ADDR="10.2.2.2")
        assert resp.status_code == 429
        assert resp.json()["code"] == "throttled"
        assert _chinese(resp.json()["detail"])
        other = api.post(TOKEN_URL, {"phone": PHONE, "code": "123456"}, format="json", REMOTE_ADDR="10.2.2.3")
        assert other.status_code == 400

    def test_query_count_does_not_grow_with_users(self, api, settings):
        def sign_in_queries(phone) -> int:
            code = debug_code(api, settings, phone)
            with CaptureQueriesContext(connection) as ctx:
                assert api.post(TOKEN_URL, {"phone": phone, "code": code}, format="json").status_code == 200
            return len(ctx)

        # Numbers outside the factory's sequence (139…), so that neither is an existing user.
        first = sign_in_queries("13700000001")
        UserFactory.create_batch(30)
        assert sign_in_queries("13700000002") == first
        assert first <= 20  # five of them count and record the attempt per address (in the database)


# --- the token at work, and signing out ------------------------------------------------


def live(key: str) -> bool:
    return DeviceToken.objects.filter(digest=token_digest(key), revoked_at__isnull=True).exists()


class TestLogout:
    def _token(self, user) -> str:
        return device_token_issue(user=user, device_name="测试设备").plain

    def test_token_auth_and_logout(self, api, resident):
        key = self._token(resident)
        api.credentials(HTTP_AUTHORIZATION=f"Token {key}")
        assert api.post(LOGOUT_URL).status_code == 204
        assert not live(key)
        resp = api.post(LOGOUT_URL)
        assert resp.status_code == 401
        assert resp.json()["code"] == "authentication_failed"

    def test_signed_in_token_works_end_to_end(self, api, settings):
        code = debug_code(api, settings)
        token = api.post(TOKEN_URL, {"phone": PHONE, "code": code}, format="json").json()["token"]
        api.credentials(HTTP_AUTHORIZATION=f"Token {token}")
        assert api.post(LOGOUT_URL).status_code == 204

    def test_anonymous_is_401(self, api):
        resp = api.post(LOGOUT_URL)
        assert resp.status_code == 401
        assert resp.json() == {"detail": "请先登录。", "code": "not_authenticated"}

    def test_garbage_token_is_401(self, api):
        api.credentials(HTTP_AUTHORIZATION="Token 0000")
        assert api.post(LOGOUT_URL).status_code == 401

    def test_inactive_users_token_is_refused(self, api, resident):
        key = self._token(resident)
        User.objects.filter(pk=resident.pk).update(is_active=False)
        api.credentials(HTTP_AUTHORIZATION=f"Token {key}")
        resp = api.post(LOGOUT_URL)
        assert resp.status_code == 401
        assert _chinese(resp.json()["detail"])

    def test_session_logout_ends_the_session_and_keeps_the_token(self, api, resident):
        key = self._token(resident)
        api.force_login(resident)
        assert api.post(LOGOUT_URL).status_code == 204
        assert api.post(LOGOUT_URL).status_code == 401
        # Signing out of the H5 pages does not sign the mini program out.
        assert live(key)

    def test_outsider_signing_out_leaves_others_signed_in(self, api, resident, outsider):
        resident_key, outsider_key = self._token(resident), self._token(outsider)
        api.credentials(HTTP_AUTHORIZATION=f"Token {outsider_key}")
        assert api.post(LOGOUT_URL).status_code == 204
        assert live(resident_key)
        assert not live(outsider_key)


# --- bad input never yields a 500 ---------------------------------------------------------

HUGE = "9" * 200_000
JUNK = [
    ("not-json", b"{phone: 1380", "application/json"),
    ("bad-utf8", b"\xff\xfe\x00{", "application/json"),
    ("list", b"[]", "application/json"),
    ("list-of-objects", b'[{"phone": "13900000123", "code": "123456"}]', "application/json"),
    ("string", b'"13900000123"', "application/json"),
    ("number", b"13900000123", "application/json"),
    ("null", b"null", "application/json"),
    ("empty-object", b"{}", "application/json"),
    ("empty-body", b"", "application/json"),
    (
        "nulls",
        b'{"phone": null, "code": null, "password": null, "ticket": null}',
        "application/json",
    ),
    (
        "wrong-types",
        b'{"phone": true, "code": [1, 2], "password": {"a": 1}, "ticket": 5.5}',
        "application/json",
    ),
    (
        "huge-strings",
        json.dumps({"phone": HUGE, "code": HUGE, "password": HUGE, "ticket": HUGE}).encode(),
        "application/json",
    ),
    (
        "nul-chars",
        b'{"phone": "1390000\\u00000123", "code": "12\\u00003456", "ticket": "a\\u0000"}',
        "application/json",
    ),
    (
        "lone-surrogate",
        b'{"phone": "\\ud800", "code": "\\ud800", "password": "\\ud800", "ticket": "\\ud800"}',
        "application/json",
    ),
    ("deep-nesting", b'{"phone": ' + b"[" * 50_000 + b"]" * 50_000 + b"}", "application/json"),
    ("too-big", b'{"phone": "' + b"1" * 3_000_000 + b'"}', "application/json"),
    ("nan", b'{"phone": NaN, "code": Infinity}', "application/json"),
    ("text-plain", b"phone=13900000123", "text/plain"),
    ("xml", b"<phone>13900000123</phone>", "application/xml"),
    ("form-junk", b"phone=%ff%fe&code=%00&ticket=", "application/x-www-form-urlencoded"),
    ("multipart-broken", b"--x\r\nContent-Disposition: form-data\r\n\r\n", "multipart/form-data; boundary=x"),
]
ENDPOINTS = [CODE_URL, TOKEN_URL, "/api/v1/auth/wechat/", "/api/v1/auth/wechat/bind/", LOGOUT_URL]


@pytest.mark.parametrize("url", ENDPOINTS)
@pytest.mark.parametrize("name,body,content_type", JUNK, ids=[j[0] for j in JUNK])
def test_junk_is_a_4xx_json_error(url, name, body, content_type, settings):
    from rest_framework.test import APIClient

    settings.WECHAT_APPID, settings.WECHAT_SECRET = "wx-test", "secret"
    settings.WECHAT_API_BASE = "http://127.0.0.1:9"  # never reached: junk is refused first
    api = APIClient(raise_request_exception=False)
    resp = api.generic("POST", url, body, content_type=content_type)
    assert 400 <= resp.status_code < 500, (resp.status_code, resp.content[:300])
    assert resp["Content-Type"].startswith("application/json")
    body = resp.json()
    assert _chinese(body["detail"]) and body["code"]
    assert not SignInCode.objects.exists()
    assert not User.objects.exists()


# --- OpenAPI ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("url", "body", "field"),
    [
        (CODE_URL, {"phone": "139\x0000000123"}, "phone"),
        (TOKEN_URL, {"phone": PHONE, "password": "pass\x00word"}, "password"),
        (TOKEN_URL, {"phone": PHONE, "code": "12\x003456"}, "code"),
    ],
)
def test_a_nul_byte_is_named_as_what_is_wrong(api, url, body, field):
    # Django's Chinese for "Null characters are not allowed." reads "no empty strings allowed".
    resp = api.post(url, body, format="json")
    assert resp.status_code == 400
    expected = "内容包含不允许的空字符（\\x00）。"
    assert resp.json() == {"detail": expected, "code": "invalid", "fields": {field: [expected]}}
    assert "空字符串" not in resp.content.decode()
    assert not SignInCode.objects.exists()


def test_schema_documents_the_sign_in_endpoints(api):
    resp = api.get("/api/schema/", HTTP_ACCEPT="application/vnd.oai.openapi+json")
    assert resp.status_code == 200
    schema = resp.json()
    paths = schema["paths"]
    for url in ENDPOINTS:
        assert url in paths, url
        assert "post" in paths[url]
    token_post = paths[TOKEN_URL]["post"]
    request_ref = token_post["requestBody"]["content"]["application/json"]["schema"]["$ref"]
    request_schema = schema["components"]["schemas"][request_ref.rsplit("/", 1)[1]]
    assert {"phone", "code", "password"} <= set(request_schema["properties"])
    ok_ref = token_post["responses"]["200"]["content"]["application/json"]["schema"]["$ref"]
    assert set(schema["components"]["schemas"][ok_ref.rsplit("/", 1)[1]]["properties"]) == {"token", "expires", "user"}
    wechat = paths["/api/v1/auth/wechat/"]["post"]["responses"]
    ref = wechat["409"]["content"]["application/json"]["schema"]["$ref"]
    assert "ticket" in schema["components"]["schemas"][ref.rsplit("/", 1)[1]]["properties"]
    assert {"204", "200", "429"} <= set(paths[CODE_URL]["post"]["responses"])


def test_swagger_ui_uses_only_local_assets(api):
    resp = api.get("/api/docs/")
    assert resp.status_code == 200
    html = resp.content.decode()
    assert "cdn" not in html.lower()
    assets = re.findall(r'(?:src|href)\s*=\s*["\']([^"\']+)', html)
    assert assets, "the page loads Swagger UI from somewhere"
    for asset in assets:
        assert asset.startswith("/static/"), asset
    # The only URL in the page's script is the schema's, and it is relative.
    assert re.findall(r"https?://", html) == []
    assert '"/api/schema/"' in html
