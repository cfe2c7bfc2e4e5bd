"""Delivery of one-time sign-in codes.

``settings.SMS_CODE_SENDER`` names the class; the default writes the code to the log, which is
what development and the demo want. A production provider (an SMS gateway) subclasses
``CodeSender`` and is configured by that setting alone.
"""

import logging

from django.conf import settings
from django.utils.module_loading import import_string

from accounts.phone import mask_phone

logger = logging.getLogger("accounts.sms")


class CodeSender:
    def send(self, *, phone: str, code: str) -> None:  # pragma: no cover - interface
        raise NotImplementedError


class LogCodeSender(CodeSender):
    def send(self, *, phone: str, code: str) -> None:
        logger.info("登录验证码 %s → %s", code, mask_phone(phone))


def get_sender() -> CodeSender:
    return import_string(settings.SMS_CODE_SENDER)()
