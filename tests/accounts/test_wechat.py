"""WeChat mini-program sign-in, against a real HTTP server standing in for WeChat."""

import time
from datetime import timedelta

import pytest
import time_machine
from django.core import signing

from accounts import services
from accounts.device_tokens import token_digest
from accounts.models import DeviceToken, SignInCode, User
from accounts.throttles import TokenIPThrottle
from accounts.wechat import WechatSession, WechatUnavailable, code_to_session
from core.errors import PermissionDenied, Throttled, ValidationFailed
from tests.accounts.factories import UserFactory

WECHAT_URL = "/api/v1/auth/wechat/"
BIND_URL = "/api/v1/auth/wechat/bind/"
CODE_URL = "/api/v1/auth/code/"
PHONE = "13900000123"

pytestmark = pytest.mark.django_db


# --- the jscode2session client ------------------------------------------------------------


class TestClient:
    def test_success_sends_credentials_and_returns_openid(self, wechat_server):
        assert code_to_session("ok-abc") == WechatSession(openid="oabc", unionid=None)
        (call,) = wechat_server.calls
        assert call == {
            "path": "/sns/jscode2session",
            "appid": "wx-test-appid",
            "secret": "test-secret",
            "js_code": "ok-abc",
            "grant_type": "authorization_code",
        }

    def test_unionid_when_present(self, wechat_server):
        assert code_to_session("ok-u-xyz") == WechatSession(openid="ou-xyz", unionid="union-xyz")

    def test_trailing_slash_in_base_url(self, wechat_server, settings):
        settings.WECHAT_API_BASE += "/"
        assert code_to_session("ok-1").openid == "o1"

    @pytest.mark.parametrize("js_code", ["invalid", "used"])
    def test_bad_code_is_400_on_the_code_field(self, wechat_server, js_code):
        with pytest.raises(ValidationFailed) as exc:
            code_to_session(js_code)
        assert (exc.value.status, exc.value.code, exc.value.field) == (400, "wechat_code_invalid", "code")

    def test_rate_limit_is_429(self, wechat_server):
        with pytest.raises(Throttled) as exc:
            code_to_session("limited")
        assert exc.value.status == 429 and exc.value.wait == 60

    def test_blocked_user_is_403(self, wechat_server):
        with pytest.raises(PermissionDenied) as exc:
            code_to_session("blocked")
        assert exc.value.code == "wechat_user_blocked"

    @pytest.mark.parametrize("js_code", ["busy", "hangup", "http500", "garbage", "noopenid"])
    def test_upstream_failures_are_503(self, wechat_server, js_code, caplog):
        with pytest.raises(WechatUnavailable) as exc:
            code_to_session(js_code)
        assert (exc.value.status, exc.value.code) == (503, "wechat_unavailable")
        assert "微信" in exc.value.message
        assert "test-secret" not in caplog.text

    def test_slow_upstream_times_out(self, wechat_server, caplog):
        started = time.monotonic()
        with pytest.raises(WechatUnavailable):
            code_to_session("slow")
        assert time.monotonic() - started < 1.5  # the server would have taken 2 s
        assert "test-secret" not in caplog.text  # the timeout's text carries the URL

    def test_nothing_listening_is_503(self, wechat_server, settings):
        import socket

        with socket.socket() as s:
            s.bind(("127.0.0.1", 0))
            port = s.getsockname()[1]  # free, and nobody listens once closed
        settings.WECHAT_API_BASE = f"http://127.0.0.1:{port}"
        with pytest.raises(WechatUnavailable):
            code_to_session("ok-1")

    @pytest.mark.parametrize("missing", ["WECHAT_APPID", "WECHAT_SECRET"])
    def test_not_configured_is_503_without_a_call(self, wechat_server, settings, missing):
        setattr(settings, missing, "")
        with pytest.raises(WechatUnavailable) as exc:
            code_to_session("ok-1")
        assert exc.value.code == "wechat_not_configured"
        assert "AppID" in exc.value.message
        assert wechat_server.calls == []

    @pytest.mark.parametrize("js_code", ["", "a b", "x" * 129, "码", "a&secret=x", "../x"])
    def test_malformed_code_is_refused_without_a_call(self, wechat_server, js_code):
        with pytest.raises(ValidationFailed):
            code_to_session(js_code)
        assert wechat_server.calls == []


# --- the endpoints ----------------------------------------------------------------------


def wechat(api, js_code):
    return api.post(WECHAT_URL, {"code": js_code}, format="json")


def bind(api, ticket, phone=PHONE, code=None, settings=None):
    if code is None:
        settings.SIGNIN_SHOW_CODE = True
        code = api.post(CODE_URL, {"phone": phone}, format="json").json()["debug_code"]
    return api.post(BIND_URL, {"ticket": ticket, "phone": phone, "code": code}, format="json")


def ticket_for(api, js_code) -> str:
    resp = wechat(api, js_code)
    assert resp.status_code == 409, resp.content
    return resp.json()["ticket"]


class TestSignIn:
    def test_bound_openid_signs_in(self, api, wechat_server, resident):
        User.objects.filter(pk=resident.pk).update(wechat_openid="oabc")
        resp = wechat(api, "ok-abc")
        assert resp.status_code == 200
        body = resp.json()
        assert body["user"] == {"id": resident.id, "phone": resident.phone, "name": "李居民", "is_staff": False}
        assert DeviceToken.objects.get(user=resident).digest == token_digest(body["token"])
        resident.refresh_from_db()
        assert resident.last_login is not None

    def test_unbound_openid_gets_bind_required_with_ticket(self, api, wechat_server):
        resp = wechat(api, "ok-new")
        assert resp.status_code == 409
        body = resp.json()
        assert set(body) == {"detail", "code", "ticket"}
        assert body["code"] == "bind_required"
        assert "绑定" in body["detail"]
        assert services.wechat_ticket_read(ticket=body["ticket"]) == "onew"
        assert not User.objects.exists()
        assert not DeviceToken.objects.exists()

    def test_inactive_bound_user_is_refused(self, api, wechat_server):
        UserFactory(phone=PHONE, wechat_openid="oabc", is_active=False)
        resp = wechat(api, "ok-abc")
        assert resp.status_code == 400
        assert resp.json()["code"] == "inactive"
        assert not DeviceToken.objects.exists()

    @pytest.mark.parametrize(
        "js_code,status,code",
        [
            ("invalid", 400, "wechat_code_invalid"),
            ("limited", 429, "wechat_rate_limited"),
            ("busy", 503, "wechat_unavailable"),
            ("hangup", 503, "wechat_unavailable"),
            ("slow", 503, "wechat_unavailable"),
        ],
    )
    def test_errors(self, api, wechat_server, js_code, status, code):
        resp = wechat(api, js_code)
        assert resp.status_code == status
        assert resp.json()["code"] == code
        assert "微信" in resp.json()["detail"]
        if status == 400:
            assert resp.json()["fields"]["code"]

    def test_not_configured(self, api, settings):
        settings.WECHAT_APPID = ""
        resp = wechat(api, "ok-abc")
        assert resp.status_code == 503
        assert resp.json()["code"] == "wechat_not_configured"

    def test_throttled_per_ip(self, api, wechat_server):
        for _ in range(TokenIPThrottle().num_requests):
            assert wechat(api, "invalid").status_code == 400
        resp = wechat(api, "ok-abc")
        assert resp.status_code == 429
        assert resp.json()["detail"].startswith("操作太频繁")


class TestBind:
    def test_new_number_binds_and_then_signs_in_directly(self, api, wechat_server, settings):
        ticket = ticket_for(api, "ok-new")
        resp = bind(api, ticket, phone="+86 139 0000 0123", settings=settings)
        assert resp.status_code == 200
        user = User.objects.get(phone=PHONE)
        assert user.wechat_openid == "onew"
        assert resp.json()["user"]["id"] == user.id
        assert DeviceToken.objects.get(user=user).digest == token_digest(resp.json()["token"])
        # Next time WeChat alone is enough.
        again = wechat(api, "ok-new")
        assert again.status_code == 200
        assert again.json()["user"]["id"] == user.id

    def test_existing_user_is_bound_not_duplicated(self, api, wechat_server, settings, member):
        ticket = ticket_for(api, "ok-m")
        resp = bind(api, ticket, phone=member.user.phone, settings=settings)
        assert resp.status_code == 200
        assert resp.json()["user"]["id"] == member.user.id
        member.user.refresh_from_db()
        assert member.user.wechat_openid == "om"
        assert User.objects.filter(phone=member.user.phone).count() == 1

    def test_binding_again_to_the_same_openid_is_fine(self, api, wechat_server, settings):
        UserFactory(phone=PHONE, wechat_openid="oabc")
        ticket = services.wechat_ticket_issue(openid="oabc")
        assert bind(api, ticket, settings=settings).status_code == 200

    def test_openid_bound_to_someone_else(self, api, wechat_server, settings, resident):
        ticket = ticket_for(api, "ok-abc")
        # Between the ticket and the bind, the openid was bound to the resident.
        User.objects.filter(pk=resident.pk).update(wechat_openid="oabc")
        resp = bind(api, ticket, settings=settings)
        assert resp.status_code == 409
        assert resp.json()["code"] == "openid_taken"
        assert "微信" in resp.json()["detail"]
        assert not User.objects.filter(phone=PHONE).exists()  # the new account was rolled back

    def test_number_already_bound_to_another_wechat(self, api, wechat_server, settings):
        UserFactory(phone=PHONE, wechat_openid="oold")
        ticket = ticket_for(api, "ok-new")
        resp = bind(api, ticket, settings=settings)
        assert resp.status_code == 409
        assert resp.json()["code"] == "openid_taken"
        assert User.objects.get(phone=PHONE).wechat_openid == "oold"

    def test_wrong_code_binds_nothing_and_counts_the_try(self, api, wechat_server, settings, resident):
        ticket = ticket_for(api, "ok-abc")
        settings.SIGNIN_SHOW_CODE = True
        code = api.post(CODE_URL, {"phone": resident.phone}, format="json").json()["debug_code"]
        wrong = "000000" if code != "000000" else "111111"
        resp = bind(api, ticket, phone=resident.phone, code=wrong)
        assert resp.status_code == 400
        assert resp.json()["code"] == "code_wrong"
        resident.refresh_from_db()
        assert resident.wechat_openid is None
        assert SignInCode.objects.get(phone=resident.phone).attempts == 1

    def test_outsider_with_a_ticket_cannot_take_over_a_number(self, api, wechat_server, resident, outsider):
        # The outsider has WeChat and the resident's number, but not the code sent to it.
        ticket = ticket_for(api, "ok-outsider")
        for guess in ["123456", "654321"]:
            resp = bind(api, ticket, phone=resident.phone, code=guess)
            assert resp.status_code == 400
        resident.refresh_from_db()
        assert resident.wechat_openid is None
        assert User.objects.filter(wechat_openid="ooutsider").count() == 0

    @pytest.mark.parametrize(
        "ticket",
        [
            lambda: "forged",
            lambda: "onew:1tAbCd:AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA",
            lambda: signing.dumps({"openid": "onew"}),  # signed, but for another purpose
            lambda: signing.dumps(
                {"openid": "onew"}, salt="accounts.wechat.bind-ticket", key="another-secret-key-x" * 3
            ),
            lambda: signing.dumps(["onew"], salt="accounts.wechat.bind-ticket"),  # right salt, wrong shape
        ],
        ids=["garbage", "bad-signature", "other-salt", "other-key", "wrong-shape"],
    )
    def test_forged_ticket(self, api, wechat_server, settings, ticket):
        # Signed as the test runs, not as the module is collected: a ticket signed at
        # collection would be past its ten minutes by the time a long suite reached it.
        resp = bind(api, ticket(), settings=settings)
        assert resp.status_code == 400
        assert resp.json()["code"] == "ticket_invalid"
        assert resp.json()["fields"]["ticket"] == ["绑定凭证无效，请重新用微信登录。"]
        assert not User.objects.exists()
        # The code was not spent on a bad ticket.
        assert SignInCode.objects.get().used_at is None

    def test_expired_ticket(self, api, wechat_server, settings):
        with time_machine.travel("2026-03-02 21:00 +0800", tick=False) as t:
            ticket = services.wechat_ticket_issue(openid="onew")
            t.shift(timedelta(seconds=settings.WECHAT_BIND_TICKET_SECONDS - 5))
            assert services.wechat_ticket_read(ticket=ticket) == "onew"
            t.shift(timedelta(seconds=10))
            resp = bind(api, ticket, settings=settings)
        assert resp.status_code == 400
        assert resp.json()["code"] == "ticket_expired"
        assert not User.objects.exists()

    def test_inactive_user_cannot_bind(self, api, wechat_server, settings):
        UserFactory(phone=PHONE, is_active=False)
        ticket = ticket_for(api, "ok-new")
        resp = bind(api, ticket, settings=settings)
        assert resp.status_code == 400
        assert resp.json()["code"] == "inactive"
        assert User.objects.get(phone=PHONE).wechat_openid is None
