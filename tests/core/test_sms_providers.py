"""The two SMS clients against the fake providers: the request each SDK sends, and every answer
turned into one of the failures the callers handle."""

import json

import pytest

from core.sms_providers import AliyunSms, SmsError, TencentSms

PHONE = "13800000001"
PARAMS = {"code": "123456", "minutes": "5"}


def _client(fake):
    return TencentSms() if fake.name == "tencent" else AliyunSms()


def _send(fake, **params):
    template = "2000001" if fake.name == "tencent" else "SMS_000000001"
    return _client(fake).send(phone=PHONE, template=template, params=params or PARAMS)


def test_the_request_is_the_providers_send_sms_signed_with_our_key(sms_provider):
    reference = _send(sms_provider)

    (call,) = sms_provider.calls
    assert call.signature_ok
    assert call.path == "/"
    if sms_provider.name == "tencent":
        assert reference == "2645:4015361519416842193719185"
        assert call.headers["x-tc-action"] == "SendSms"
        assert call.headers["x-tc-version"] == "2021-01-11"
        assert call.headers["x-tc-region"] == "ap-guangzhou"
        assert call.headers["content-type"] == "application/json"
        assert call.json == {
            "PhoneNumberSet": ["+8613800000001"],
            "SmsSdkAppId": "1400000001",
            "SignName": "韶关吹哨报到",
            "TemplateId": "2000001",
            "TemplateParamSet": ["123456", "5"],
        }
    else:
        assert reference == "900619746936498440^0"
        assert call.headers["x-acs-action"] == "SendSms"
        assert call.headers["x-acs-version"] == "2017-05-25"
        assert call.query == {
            "PhoneNumbers": PHONE,
            "SignName": "韶关吹哨报到",
            "TemplateCode": "SMS_000000001",
            "TemplateParam": json.dumps(PARAMS, ensure_ascii=False, separators=(",", ":")),
        }
    assert call.phone().endswith(PHONE) and call.params() == ["123456", "5"]


def test_the_fake_checks_the_signature(sms_provider, settings):
    """A request signed with another secret is seen as such: the check above is not vacuous."""
    if sms_provider.name == "tencent":
        settings.TENCENT_SMS_SECRET_KEY = "another-secret"
    else:
        settings.ALIYUN_SMS_ACCESS_KEY_SECRET = "another-secret"
    _send(sms_provider)
    assert sms_provider.calls[0].signature_ok is False


@pytest.mark.parametrize(
    ("answer", "kind"),
    [
        ("throttled", SmsError.THROTTLED),
        ("bad_number", SmsError.BAD_NUMBER),
        ("account", SmsError.UNAVAILABLE),
        ("http500", SmsError.UNAVAILABLE),
        ("slow", SmsError.UNAVAILABLE),
    ],
)
def test_each_refusal_is_one_kind_of_failure(sms_provider, answer, kind):
    sms_provider.answer = answer
    with pytest.raises(SmsError) as caught:
        _send(sms_provider)
    assert caught.value.kind == kind
    assert caught.value.retryable is (kind != SmsError.BAD_NUMBER)
    assert len(sms_provider.calls) == 1  # the SDKs do not retry on their own


def test_the_providers_codes_are_kept_for_the_log(sms_provider):
    sms_provider.answer = "throttled"
    with pytest.raises(SmsError) as caught:
        _send(sms_provider)
    expected = (
        "LimitExceeded.PhoneNumberThirtySecondLimit" if sms_provider.name == "tencent" else "isv.BUSINESS_LIMIT_CONTROL"
    )
    assert caught.value.detail == expected


@pytest.mark.parametrize("sms_provider", ["tencent"], indirect=True)
def test_tencent_request_level_throttling(sms_provider):
    """Tencent may also refuse the whole request (``Response.Error``) rather than the one number."""
    sms_provider.answer = "throttled_request"
    with pytest.raises(SmsError) as caught:
        _send(sms_provider)
    assert (caught.value.kind, caught.value.detail) == (SmsError.THROTTLED, "LimitExceeded.PhoneNumberOneHourLimit")


def test_a_refused_connection_is_an_outage(sms_provider):
    sms_provider.refuse()
    with pytest.raises(SmsError) as caught:
        _send(sms_provider)
    assert caught.value.kind == SmsError.UNAVAILABLE and caught.value.retryable
    assert sms_provider.calls == []


def test_without_settings_nothing_is_sent(sms_provider, settings):
    if sms_provider.name == "tencent":
        settings.TENCENT_SMS_SDK_APP_ID = ""
    else:
        settings.ALIYUN_SMS_ACCESS_KEY_ID = ""
    with pytest.raises(SmsError) as caught:
        _send(sms_provider)
    assert caught.value.kind == SmsError.NOT_CONFIGURED and not caught.value.retryable
    assert sms_provider.calls == []


def test_an_empty_template_id_is_unconfigured(sms_provider):
    with pytest.raises(SmsError) as caught:
        _client(sms_provider).send(phone=PHONE, template="", params=PARAMS)
    assert caught.value.kind == SmsError.NOT_CONFIGURED
