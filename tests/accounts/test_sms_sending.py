"""Sign-in codes sent by SMS through Tencent Cloud and Alibaba Cloud (fake providers on a local
port): what goes out, what the user hears when the provider refuses, and that a code that was
not sent counts against no limit."""

import logging

import pytest

from accounts.models import SignInCode
from accounts.throttles import configured_rate

CODE_URL = "/api/v1/auth/code/"
TOKEN_URL = "/api/v1/auth/token/"
PAGE_SEND = "/login/code/"
PHONE = "13900000123"

pytestmark = pytest.mark.django_db

SENDERS = {"tencent": "accounts.sms.TencentCodeSender", "aliyun": "accounts.sms.AliyunCodeSender"}

THROTTLED = (429, "sms_throttled", "短信发送太频繁，请稍后再试。")
BAD_NUMBER = (400, "sms_bad_number", "手机号码有误或无法接收短信，请检查后重试。")
UNAVAILABLE = (503, "sms_unavailable", "短信服务暂时不可用，请稍后再试。")


@pytest.fixture
def sms(sms_provider, settings):
    """The configured code sender is the provider's; the code is never shown."""
    settings.SMS_CODE_SENDER = SENDERS[sms_provider.name]
    settings.SIGNIN_SHOW_CODE = False
    return sms_provider


def send_code(api, phone=PHONE):
    return api.post(CODE_URL, {"phone": phone}, format="json")


def test_the_code_goes_out_by_sms_and_signs_in(api, sms, caplog):
    caplog.set_level(logging.INFO)
    resp = send_code(api, "139 0000 0123")
    assert resp.status_code == 204, resp.content

    (call,) = sms.calls
    assert call.signature_ok
    assert call.phone() in (PHONE, "+86" + PHONE)
    code, minutes = call.params()
    assert len(code) == 6 and code.isdigit() and minutes == "5"
    if sms.name == "tencent":
        assert call.template() == "2000001"
    else:
        assert call.template() == "SMS_000000001" and call.named_params() == {"code": code, "minutes": "5"}
    assert code not in caplog.text  # a real sender never writes the code to the log
    assert api.post(TOKEN_URL, {"phone": PHONE, "code": code}, format="json").status_code == 200


@pytest.mark.parametrize(
    ("answer", "expected"),
    [
        ("throttled", THROTTLED),
        ("bad_number", BAD_NUMBER),
        ("account", UNAVAILABLE),
        ("http500", UNAVAILABLE),
        ("slow", UNAVAILABLE),
    ],
)
def test_a_refusal_is_a_clear_chinese_error_and_the_code_is_not_counted(api, sms, answer, expected):
    sms.answer = answer
    resp = send_code(api)
    status, code, message = expected
    assert resp.status_code == status, resp.content
    body = resp.json()
    assert (body["code"], body["detail"]) == (code, message)
    if code == "sms_bad_number":
        assert body["fields"] == {"phone": [message]}
    assert "Retry-After" not in resp  # the provider does not say how long
    assert not SignInCode.objects.filter(phone=PHONE).exists()

    # Not sent, so not counted: the next request goes straight out, not in 60 seconds.
    sms.answer = "ok"
    assert send_code(api).status_code == 204
    assert SignInCode.objects.filter(phone=PHONE).count() == 1


def test_a_refused_connection_is_503(api, sms):
    sms.refuse()
    resp = send_code(api)
    assert (resp.status_code, resp.json()["detail"]) == (503, UNAVAILABLE[2])
    assert not SignInCode.objects.exists()


def test_an_outage_does_not_use_up_the_hourly_limits(api, sms, settings):
    settings.SIGNIN_CODE_RESEND_SECONDS = 0
    limit = max(configured_rate("code_phone").count, configured_rate("code_ip").count)
    sms.answer = "http500"
    for _ in range(limit + 1):
        assert send_code(api).status_code == 503
    sms.answer = "ok"
    assert send_code(api).status_code == 204


def test_the_code_a_refused_one_replaced_still_works(api, sms, settings):
    settings.SIGNIN_CODE_RESEND_SECONDS = 0
    assert send_code(api).status_code == 204
    first = sms.calls[0].params()[0]
    sms.answer = "throttled"  # e.g. the provider's own 30-second limit
    assert send_code(api).status_code == 429
    assert SignInCode.objects.filter(phone=PHONE).count() == 1
    assert api.post(TOKEN_URL, {"phone": PHONE, "code": first}, format="json").status_code == 200


def test_unconfigured_provider_is_503_and_sends_nothing(api, sms, settings, caplog):
    settings.TENCENT_SMS_SECRET_ID = settings.ALIYUN_SMS_ACCESS_KEY_ID = ""
    with caplog.at_level(logging.ERROR, logger="accounts.sms"):
        resp = send_code(api)
    assert (resp.status_code, resp.json()["code"]) == (503, "sms_unavailable")
    assert sms.calls == [] and not SignInCode.objects.exists()
    assert "139****0123" in caplog.text and PHONE not in caplog.text


@pytest.mark.parametrize(
    ("answer", "expected"), [("throttled", THROTTLED), ("bad_number", BAD_NUMBER), ("http500", UNAVAILABLE)]
)
def test_the_sign_in_page_says_the_same(client, sms, answer, expected):
    sms.answer = answer
    html = client.post(PAGE_SEND, {"phone": PHONE}).content.decode()
    assert expected[2] in html
    assert "验证码已发送" not in html
    assert not SignInCode.objects.exists()
