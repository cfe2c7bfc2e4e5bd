"""Channels a notification goes out through, besides the in-app inbox.

``settings.NOTIFICATION_CHANNELS`` lists dotted paths of ``Channel`` subclasses; the default
only logs. ``WechatSubscribeChannel`` sends a mini-program subscribe message (订阅消息);
``TencentSmsChannel`` and ``AliyunSmsChannel`` send a text message through Tencent Cloud SMS or
Alibaba Cloud SMS (list one of the two); all are configured by settings alone. A channel's
``send`` returns on success and raises ``ChannelError`` otherwise; ``retry=False`` marks a
failure that trying again cannot fix (the user refused the subscription, a bad number).
"""

from __future__ import annotations

import json
import logging

import requests
from django.conf import settings
from django.core.cache import cache
from django.utils import timezone
from django.utils.module_loading import import_string

from accounts.phone import mask_phone
from core.sms_providers import AliyunSms, SmsError, SmsProvider, TencentSms

logger = logging.getLogger("notifications.channels")


class ChannelError(Exception):
    def __init__(self, message: str, *, retry: bool = True):
        super().__init__(message)
        self.retry = retry


class Channel:
    """One way out. ``name`` is what ``Delivery.channel`` records."""

    name = ""

    def applies_to(self, notification) -> bool:
        """Whether this notification's user can be reached this way at all (no row otherwise)."""
        return True

    def send(self, notification) -> None:  # pragma: no cover - interface
        raise NotImplementedError


class LogChannel(Channel):
    name = "log"

    def send(self, notification) -> None:
        logger.info("消息 #%s → 用户 #%s：%s", notification.pk, notification.user_id, notification.title)


def _post_json(url: str, payload: dict, *, headers: dict | None = None, params: dict | None = None) -> dict:
    try:
        resp = requests.post(
            url,
            params=params,
            data=json.dumps(payload, ensure_ascii=False).encode("utf-8"),
            headers={"Content-Type": "application/json; charset=utf-8", **(headers or {})},
            timeout=settings.NOTIFICATION_TIMEOUT_SECONDS,
        )
    except requests.RequestException as exc:
        # Only the class name: the exception text carries the URL, which may carry a token.
        raise ChannelError(f"连接失败（{type(exc).__name__}）") from exc
    if resp.status_code >= 500 or resp.status_code == 429:
        raise ChannelError(f"HTTP {resp.status_code}")
    if resp.status_code >= 400:
        raise ChannelError(f"HTTP {resp.status_code}", retry=False)
    try:
        data = json.loads(resp.text) if resp.text.strip() else {}
    except ValueError as exc:
        raise ChannelError("返回内容不是 JSON") from exc
    return data if isinstance(data, dict) else {}


class WechatSubscribeChannel(Channel):
    """Mini-program subscribe message through ``/cgi-bin/message/subscribe/send``.

    Needs ``WECHAT_APPID``, ``WECHAT_SECRET`` and ``WECHAT_SUBSCRIBE_TEMPLATE_ID``; the
    template's fields are ``thing1`` (title), ``thing2`` (content) and ``time3`` (time).
    """

    name = "wechat"
    TOKEN_CACHE_KEY = "notifications:wechat-access-token"
    _TOKEN_INVALID = {40001, 40014, 42001}
    _PERMANENT = {40003, 40037, 43101, 47003}  # bad openid / template, user refused, bad data

    def applies_to(self, notification) -> bool:
        return bool(notification.user.wechat_openid)

    def _base(self) -> str:
        return settings.WECHAT_API_BASE.rstrip("/")

    def access_token(self) -> str:
        token = cache.get(self.TOKEN_CACHE_KEY)
        if token:
            return token
        try:
            resp = requests.get(
                self._base() + "/cgi-bin/token",
                params={
                    "grant_type": "client_credential",
                    "appid": settings.WECHAT_APPID,
                    "secret": settings.WECHAT_SECRET,
                },
                timeout=settings.NOTIFICATION_TIMEOUT_SECONDS,
            )
            data = json.loads(resp.text)
        except (requests.RequestException, ValueError) as exc:
            raise ChannelError(f"获取 access_token 失败（{type(exc).__name__}）") from exc
        token = data.get("access_token") if isinstance(data, dict) else None
        if not isinstance(token, str) or not token:
            raise ChannelError(
                f"获取 access_token 失败（errcode {data.get('errcode') if isinstance(data, dict) else '?'}）"
            )
        expires = int(data.get("expires_in") or 7200)
        cache.set(self.TOKEN_CACHE_KEY, token, max(60, expires - 300))
        return token

    def send(self, notification) -> None:
        if not (settings.WECHAT_APPID and settings.WECHAT_SECRET and settings.WECHAT_SUBSCRIBE_TEMPLATE_ID):
            raise ChannelError("微信订阅消息未配置", retry=False)
        payload = {
            "touser": notification.user.wechat_openid,
            "template_id": settings.WECHAT_SUBSCRIBE_TEMPLATE_ID,
            "page": settings.WECHAT_SUBSCRIBE_PAGE,
            "miniprogram_state": settings.WECHAT_MINIPROGRAM_STATE,
            "lang": "zh_CN",
            "data": {
                # "thing" fields hold at most 20 characters.
                "thing1": {"value": notification.title[:20]},
                "thing2": {"value": (notification.body or notification.title)[:20]},
                "time3": {"value": f"{timezone.localtime(notification.created_at):%Y-%m-%d %H:%M}"},
            },
        }
        data = _post_json(
            self._base() + "/cgi-bin/message/subscribe/send", payload, params={"access_token": self.access_token()}
        )
        errcode = data.get("errcode") or 0
        if not errcode:
            return
        if errcode in self._TOKEN_INVALID:
            cache.delete(self.TOKEN_CACHE_KEY)
        raise ChannelError(f"errcode {errcode}", retry=errcode not in self._PERMANENT)


# What a failed SMS records (``Delivery.error``, seen in the admin), before the provider's code.
_SMS_FAILURES = {
    SmsError.THROTTLED: "短信发送太频繁",
    SmsError.BAD_NUMBER: "手机号码有误或无法接收短信",
    SmsError.UNAVAILABLE: "短信服务不可用",
    SmsError.NOT_CONFIGURED: "短信服务未配置",
}


class ProviderSmsChannel(Channel):
    """A text message with the notification's title, through an SMS provider's SDK
    (``core.sms_providers``). The notification template has one parameter, the title, cut to
    ``SMS_NOTIFY_TITLE_MAX_CHARS``. The provider throttling the number or failing is retried
    by the delivery task; a bad number or missing settings are not."""

    name = "sms"
    provider: type[SmsProvider]

    def template(self) -> str:  # pragma: no cover - interface
        raise NotImplementedError

    def applies_to(self, notification) -> bool:
        return bool(notification.user.phone)

    def send(self, notification) -> None:
        phone = notification.user.phone
        title = notification.title[: settings.SMS_NOTIFY_TITLE_MAX_CHARS]
        try:
            self.provider().send(phone=phone, template=self.template(), params={"title": title})
        except SmsError as exc:
            logger.info("短信未发出（%s）→ %s：%s", self.provider.name, mask_phone(phone), exc.detail)
            raise ChannelError(f"{_SMS_FAILURES[exc.kind]}（{exc.detail[:100]}）", retry=exc.retryable) from exc


class TencentSmsChannel(ProviderSmsChannel):
    provider = TencentSms

    def template(self) -> str:
        return settings.TENCENT_SMS_NOTIFY_TEMPLATE_ID


class AliyunSmsChannel(ProviderSmsChannel):
    provider = AliyunSms

    def template(self) -> str:
        return settings.ALIYUN_SMS_NOTIFY_TEMPLATE_CODE


def configured_channels() -> list[Channel]:
    return [import_string(path)() for path in settings.NOTIFICATION_CHANNELS]
