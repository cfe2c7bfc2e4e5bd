"""Delivery of one-time sign-in codes.

``settings.SMS_CODE_SENDER`` names the class: ``LogCodeSender`` (the default) writes the code to
the log, which is what development and the demo want; ``TencentCodeSender`` and
``AliyunCodeSender`` send it by SMS through the providers' SDKs (``core.sms_providers``).

A sender returns when the provider accepted the message and otherwise raises a domain error the
user can read: ``SmsThrottled`` (429) when the provider refuses the number for now,
``SmsBadNumber`` (400) when the number cannot receive messages, ``SmsUnavailable`` (503) for
anything else. ``accounts.services.signin_code_send`` then takes the code back, so that a code
that never went out counts against none of the sending limits.
"""

from __future__ import annotations

import logging

from django.conf import settings
from django.utils.module_loading import import_string

from accounts.phone import mask_phone
from core.errors import DomainError, Throttled, ValidationFailed
from core.sms_providers import AliyunSms, SmsError, SmsProvider, TencentSms

logger = logging.getLogger("accounts.sms")


class SmsThrottled(Throttled):
    """The provider refuses to send to this number for now (its own frequency limits)."""

    code = "sms_throttled"


class SmsBadNumber(ValidationFailed):
    """The provider says the number cannot receive messages."""

    code = "sms_bad_number"


class SmsUnavailable(DomainError):
    """The provider could not be reached, failed, or refused our account, signature or template."""

    status = 503
    code = "sms_unavailable"


SMS_THROTTLED_MESSAGE = "短信发送太频繁，请稍后再试。"
SMS_BAD_NUMBER_MESSAGE = "手机号码有误或无法接收短信，请检查后重试。"
SMS_UNAVAILABLE_MESSAGE = "短信服务暂时不可用，请稍后再试。"


def sms_failure(exc: SmsError) -> DomainError:
    """The error the user sees for a provider's refusal."""
    if exc.kind == SmsError.THROTTLED:
        return SmsThrottled(SMS_THROTTLED_MESSAGE)
    if exc.kind == SmsError.BAD_NUMBER:
        return SmsBadNumber(SMS_BAD_NUMBER_MESSAGE, field="phone")
    return SmsUnavailable(SMS_UNAVAILABLE_MESSAGE)


class CodeSender:
    def send(self, *, phone: str, code: str) -> None:  # pragma: no cover - interface
        raise NotImplementedError


class LogCodeSender(CodeSender):
    def send(self, *, phone: str, code: str) -> None:
        logger.info("登录验证码 %s → %s", code, mask_phone(phone))


class ProviderCodeSender(CodeSender):
    """Sends the code template with two parameters: the code and its life in minutes."""

    provider: type[SmsProvider]

    def template(self) -> str:  # pragma: no cover - interface
        raise NotImplementedError

    def send(self, *, phone: str, code: str) -> None:
        minutes = max(1, settings.SIGNIN_CODE_TTL_SECONDS // 60)
        try:
            self.provider().send(phone=phone, template=self.template(), params={"code": code, "minutes": str(minutes)})
        except SmsError as exc:
            # A refused number is the user's business; anything else needs the operators.
            level = logging.WARNING if exc.kind in (SmsError.THROTTLED, SmsError.BAD_NUMBER) else logging.ERROR
            logger.log(level, "登录验证码未发出（%s）→ %s：%s", self.provider.name, mask_phone(phone), exc.detail)
            raise sms_failure(exc) from exc


class TencentCodeSender(ProviderCodeSender):
    provider = TencentSms

    def template(self) -> str:
        return settings.TENCENT_SMS_CODE_TEMPLATE_ID


class AliyunCodeSender(ProviderCodeSender):
    provider = AliyunSms

    def template(self) -> str:
        return settings.ALIYUN_SMS_CODE_TEMPLATE_CODE


def get_sender() -> CodeSender:
    return import_string(settings.SMS_CODE_SENDER)()
