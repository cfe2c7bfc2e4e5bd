"""WeChat mini-program login: the ``jscode2session`` call that turns a ``wx.login`` code into an openid.

Base URL and credentials come from settings (``WECHAT_API_BASE``, ``WECHAT_APPID``,
``WECHAT_SECRET``), so tests and staging can point the client at their own server.
Every failure becomes a domain error with a Chinese message: a bad or spent code is the
client's problem (400), WeChat being down, slow or misconfigured is ours (503).
"""

from __future__ import annotations

import json
import logging
import re
from dataclasses import dataclass

import requests
from django.conf import settings

from core.errors import DomainError, PermissionDenied, Throttled, ValidationFailed

logger = logging.getLogger("accounts.wechat")

# errcode → what the user should hear. Anything else (invalid appid/secret, system busy,
# unknown codes) is reported as WeChat being unavailable and logged for the operators.
_CODE_INVALID = {40029, 40163}  # invalid code; code already used
_RATE_LIMITED = {45011}  # per-user minute quota
_USER_BLOCKED = {40226}  # WeChat's risk control blocked this user's login

# What wx.login hands out (about 32 URL-safe characters); anything else is refused before it
# costs a call to WeChat or reaches a URL.
_JS_CODE = re.compile(r"^[0-9A-Za-z_\-]{1,128}$")


class WechatUnavailable(DomainError):
    """WeChat could not be asked, or answered in a way we cannot use."""

    status = 503
    code = "wechat_unavailable"


@dataclass(frozen=True)
class WechatSession:
    openid: str
    unionid: str | None = None


def code_to_session(js_code: str) -> WechatSession:
    """Exchange a ``wx.login`` code for the user's openid (and unionid when the app has one).

    The response's ``session_key`` is deliberately dropped: we never decrypt user data, and a
    key we do not keep is a key we cannot leak.
    """
    if not isinstance(js_code, str) or not _JS_CODE.match(js_code):
        raise ValidationFailed("微信登录凭证无效或已使用，请重新登录。", code="wechat_code_invalid", field="code")
    appid, secret = settings.WECHAT_APPID, settings.WECHAT_SECRET
    if not appid or not secret:
        raise WechatUnavailable(
            "微信登录尚未配置（缺少小程序 AppID 或 AppSecret），请使用手机号登录或联系管理员。",
            code="wechat_not_configured",
        )
    url = settings.WECHAT_API_BASE.rstrip("/") + "/sns/jscode2session"
    params = {"appid": appid, "secret": secret, "js_code": js_code, "grant_type": "authorization_code"}
    try:
        # WeChat normally answers well within a second; a sign-in should not hang on it.
        resp = requests.get(url, params=params, timeout=settings.WECHAT_TIMEOUT_SECONDS)
    except requests.RequestException as exc:
        # Only the class name: the exception text carries the URL, and the URL the secret.
        logger.warning("jscode2session failed: %s", type(exc).__name__)
        raise WechatUnavailable("微信服务暂时无法连接，请稍后再试。")
    if resp.status_code != 200:
        logger.warning("jscode2session answered HTTP %s", resp.status_code)
        raise WechatUnavailable("微信服务暂时不可用，请稍后再试。")
    try:
        # WeChat labels the JSON as text/plain, so parse the text rather than trust the header.
        data = json.loads(resp.text)
    except ValueError:
        logger.warning("jscode2session answered something that is not JSON")
        raise WechatUnavailable("微信服务返回了无法识别的内容，请稍后再试。")
    if not isinstance(data, dict):
        raise WechatUnavailable("微信服务返回了无法识别的内容，请稍后再试。")

    errcode = data.get("errcode") or 0
    if errcode:
        logger.info("jscode2session errcode=%s errmsg=%s", errcode, str(data.get("errmsg", ""))[:200])
        if errcode in _CODE_INVALID:
            raise ValidationFailed("微信登录凭证无效或已使用，请重新登录。", code="wechat_code_invalid", field="code")
        if errcode in _RATE_LIMITED:
            raise Throttled("微信登录太频繁，请一分钟后再试。", code="wechat_rate_limited", wait=60)
        if errcode in _USER_BLOCKED:
            raise PermissionDenied("该微信账号的登录已被微信安全策略拦截。", code="wechat_user_blocked")
        raise WechatUnavailable("微信服务暂时不可用，请稍后再试。")

    openid = data.get("openid")
    if not isinstance(openid, str) or not openid or len(openid) > 64:
        logger.warning("jscode2session answered without a usable openid")
        raise WechatUnavailable("微信服务返回了无法识别的内容，请稍后再试。")
    unionid = data.get("unionid")
    return WechatSession(openid=openid, unionid=unionid if isinstance(unionid, str) and unionid else None)
