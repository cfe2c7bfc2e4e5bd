"""Text messages through Tencent Cloud SMS and Alibaba Cloud SMS (Dysmsapi), with their official SDKs.

Sign-in codes (``accounts.sms``) and notifications (``notifications.channels``) both go out through
these clients. A client sends one templated message to one mainland number and returns the
provider's id for it, or raises ``SmsError`` with one of four kinds:

- ``throttled``: the provider refuses this number for now (its per-number frequency limits);
- ``bad_number``: the number cannot receive messages (malformed, unsubscribed, not served);
- ``unavailable``: anything else the provider answers, or no answer at all: a refused
  connection, a timeout, HTTP 5xx, an account, signature or template it does not accept;
- ``not_configured``: the settings the client needs are empty; nothing was sent.

Each provider's settings come from the environment (``TENCENT_SMS_*``, ``ALIYUN_SMS_*``, see
the README, "Sending SMS"); ``*_ENDPOINT`` is the API host, or a full ``http://host:port`` URL,
which is how the tests point the SDKs at a local fake server. The clients never retry on their
own: the sign-in reports a failure at once, the notification task retries with its backoff.
"""

from __future__ import annotations

import json
import logging
from urllib.parse import urlsplit

from django.conf import settings

logger = logging.getLogger("core.sms_providers")


class SmsError(Exception):
    THROTTLED = "throttled"
    BAD_NUMBER = "bad_number"
    UNAVAILABLE = "unavailable"
    NOT_CONFIGURED = "not_configured"

    def __init__(self, kind: str, detail: str):
        super().__init__(f"{kind}: {detail}")
        self.kind = kind
        # The provider's error code (or the exception's class name): for the log, never the user.
        self.detail = detail

    @property
    def retryable(self) -> bool:
        """Whether the same message may go through later: not to a bad number, nor unconfigured."""
        return self.kind in (self.THROTTLED, self.UNAVAILABLE)


def _split_endpoint(endpoint: str) -> tuple[str, str]:
    """``"http://127.0.0.1:9000"`` → ``("http", "127.0.0.1:9000")``; a bare host means HTTPS."""
    if "://" in endpoint:
        parts = urlsplit(endpoint)
        return parts.scheme or "https", parts.netloc
    return "https", endpoint.strip("/")


class SmsProvider:
    """One provider: ``send`` delivers ``params`` into the template ``template`` for ``phone``."""

    name = ""

    def send(self, *, phone: str, template: str, params: dict[str, str]) -> str:  # pragma: no cover
        raise NotImplementedError


# --- Tencent Cloud SMS (API 2021-01-11) ---------------------------------------------------------

# Error codes, in ``Response.Error.Code`` or per number in ``SendStatusSet[].Code``.
_TENCENT_THROTTLED = frozenset(
    {
        "LimitExceeded.PhoneNumberThirtySecondLimit",
        "LimitExceeded.PhoneNumberOneHourLimit",
        "LimitExceeded.PhoneNumberDailyLimit",
        "LimitExceeded.PhoneNumberSameContentDailyLimit",
        "LimitExceeded.DeliveryFrequencyLimit",
    }
)
_TENCENT_BAD_NUMBER = frozenset(
    {
        "InvalidParameterValue.IncorrectPhoneNumber",
        "FailedOperation.PhoneNumberParseFail",
        "FailedOperation.PhoneNumberInBlacklist",
        "UnsupportedOperation.UnsupportedRegion",
    }
)


def _tencent_kind(code: str) -> str:
    if code in _TENCENT_THROTTLED:
        return SmsError.THROTTLED
    if code in _TENCENT_BAD_NUMBER:
        return SmsError.BAD_NUMBER
    return SmsError.UNAVAILABLE


class TencentSms(SmsProvider):
    """``SendSms`` of Tencent Cloud SMS through ``tencentcloud-sdk-python-sms``.

    Settings: ``TENCENT_SMS_SECRET_ID``, ``TENCENT_SMS_SECRET_KEY`` (a CAM key allowed
    ``sms:SendSms``), ``TENCENT_SMS_SDK_APP_ID`` (the SMS application), ``TENCENT_SMS_SIGN_NAME``
    (the approved signature's text), ``TENCENT_SMS_REGION``, ``TENCENT_SMS_ENDPOINT``. Template
    parameters go as ``TemplateParamSet`` in the order given: ``{1}``, ``{2}``, …
    """

    name = "tencent"

    def _client(self):
        from tencentcloud.common import credential
        from tencentcloud.common.profile.client_profile import ClientProfile
        from tencentcloud.common.profile.http_profile import HttpProfile
        from tencentcloud.sms.v20210111 import sms_client

        scheme, host = _split_endpoint(settings.TENCENT_SMS_ENDPOINT)
        http = HttpProfile(protocol=scheme, endpoint=host, reqTimeout=settings.SMS_TIMEOUT_SECONDS)
        return sms_client.SmsClient(
            credential.Credential(settings.TENCENT_SMS_SECRET_ID, settings.TENCENT_SMS_SECRET_KEY),
            settings.TENCENT_SMS_REGION,
            ClientProfile(httpProfile=http),
        )

    def send(self, *, phone: str, template: str, params: dict[str, str]) -> str:
        from tencentcloud.common.exception.tencent_cloud_sdk_exception import TencentCloudSDKException
        from tencentcloud.sms.v20210111 import models

        if not (
            settings.TENCENT_SMS_SECRET_ID
            and settings.TENCENT_SMS_SECRET_KEY
            and settings.TENCENT_SMS_SDK_APP_ID
            and settings.TENCENT_SMS_SIGN_NAME
            and template
        ):
            raise SmsError(SmsError.NOT_CONFIGURED, "TENCENT_SMS_* settings are incomplete")
        req = models.SendSmsRequest()
        req.SmsSdkAppId = settings.TENCENT_SMS_SDK_APP_ID
        req.SignName = settings.TENCENT_SMS_SIGN_NAME
        req.TemplateId = template
        req.TemplateParamSet = [str(v) for v in params.values()]
        req.PhoneNumberSet = [f"+86{phone}"]
        try:
            resp = self._client().SendSms(req)
        except TencentCloudSDKException as exc:
            code = exc.get_code() or "TencentCloudSDKException"
            # ClientNetworkError: no answer (refused, timeout); ServerNetworkError: HTTP not 200.
            raise SmsError(_tencent_kind(code), code) from exc
        except Exception as exc:  # an answer the SDK could not read
            raise SmsError(SmsError.UNAVAILABLE, type(exc).__name__) from exc
        statuses = resp.SendStatusSet or []
        if not statuses:
            raise SmsError(SmsError.UNAVAILABLE, "empty SendStatusSet")
        status = statuses[0]
        if status.Code != "Ok":
            code = status.Code or "?"
            raise SmsError(_tencent_kind(code), code)
        return status.SerialNo or resp.RequestId or ""


# --- Alibaba Cloud SMS (Dysmsapi 2017-05-25) ------------------------------------------------------

_ALIYUN_THROTTLED = frozenset({"isv.BUSINESS_LIMIT_CONTROL", "isv.DAY_LIMIT_CONTROL"})
_ALIYUN_BAD_NUMBER = frozenset({"isv.MOBILE_NUMBER_ILLEGAL"})


def _aliyun_kind(code: str) -> str:
    if code in _ALIYUN_THROTTLED:
        return SmsError.THROTTLED
    if code in _ALIYUN_BAD_NUMBER:
        return SmsError.BAD_NUMBER
    return SmsError.UNAVAILABLE


class AliyunSms(SmsProvider):
    """``SendSms`` of Alibaba Cloud SMS through ``alibabacloud-dysmsapi20170525``.

    Settings: ``ALIYUN_SMS_ACCESS_KEY_ID``, ``ALIYUN_SMS_ACCESS_KEY_SECRET`` (a RAM user's key
    allowed ``dysms:SendSms``), ``ALIYUN_SMS_SIGN_NAME``, ``ALIYUN_SMS_ENDPOINT``. Template
    parameters go as the ``TemplateParam`` JSON object, by name: ``${code}``, ``${title}``, …
    """

    name = "aliyun"

    def _client(self):
        from alibabacloud_dysmsapi20170525.client import Client
        from alibabacloud_tea_openapi import models as open_api_models

        scheme, host = _split_endpoint(settings.ALIYUN_SMS_ENDPOINT)
        timeout_ms = int(settings.SMS_TIMEOUT_SECONDS * 1000)
        config = open_api_models.Config(
            access_key_id=settings.ALIYUN_SMS_ACCESS_KEY_ID,
            access_key_secret=settings.ALIYUN_SMS_ACCESS_KEY_SECRET,
            endpoint=host,
            protocol=scheme,
            connect_timeout=timeout_ms,
            read_timeout=timeout_ms,
        )
        return Client(config)

    def send(self, *, phone: str, template: str, params: dict[str, str]) -> str:
        from alibabacloud_dysmsapi20170525 import models

        if not (
            settings.ALIYUN_SMS_ACCESS_KEY_ID
            and settings.ALIYUN_SMS_ACCESS_KEY_SECRET
            and settings.ALIYUN_SMS_SIGN_NAME
            and template
        ):
            raise SmsError(SmsError.NOT_CONFIGURED, "ALIYUN_SMS_* settings are incomplete")
        req = models.SendSmsRequest(
            phone_numbers=phone,
            sign_name=settings.ALIYUN_SMS_SIGN_NAME,
            template_code=template,
            template_param=json.dumps(
                {k: str(v) for k, v in params.items()}, ensure_ascii=False, separators=(",", ":")
            ),
        )
        try:
            resp = self._client().send_sms(req)
        except Exception as exc:
            # ClientException / ServerException / ThrottlingException carry the code of an HTTP
            # 4xx/5xx answer; UnretryableException wraps a refused connection or a timeout.
            code = getattr(exc, "code", None)
            code = code if isinstance(code, str) and code and code != "None" else type(exc).__name__
            raise SmsError(_aliyun_kind(code), code) from exc
        body = resp.body
        code = (body.code if body else None) or "?"
        if code != "OK":
            raise SmsError(_aliyun_kind(code), code)
        return body.biz_id or body.request_id or ""
