"""Sign-ins and failed sign-ins in the audit trail (``core.audit``): a decorator around the
services' four ways in, and the handlers of Django's own sign-in signals for the admin's form."""

from __future__ import annotations

import contextlib
import functools

from django.core.exceptions import ValidationError

from accounts.models import User
from accounts.phone import mask_phone, normalize_phone
from core import audit
from core.errors import DomainError

METHOD_CODE, METHOD_PASSWORD, METHOD_WECHAT, METHOD_WECHAT_BIND = "验证码", "密码", "微信", "微信绑定手机号"


def audited_signin(method: str):
    """Write the sign-in, or the failed one (with the account it aimed at, if any), to the trail.

    A failure is written outside any transaction of the sign-in's (they have ended when the
    error is raised), so it stays when the error is answered.
    """

    def wrap(func):
        @functools.wraps(func)
        def signin(**kwargs):
            try:
                user = func(**kwargs)
            except DomainError as error:
                if error.code == "bind_required":
                    raise  # WeChat's first sign-in: not a failure, the first step of binding
                phone = kwargs.get("phone") or ""
                with contextlib.suppress(ValidationError):
                    phone = normalize_phone(phone)
                target = User.objects.filter(phone=phone).values_list("pk", flat=True).first() if phone else None
                audit.record(
                    audit.Action.SIGN_IN_FAILED,
                    object_type=User._meta.label_lower,
                    object_id=target or "",
                    object_repr=mask_phone(phone) if phone else method,
                    note=f"{method}：{error.message}",
                )
                raise
            audit.record(audit.Action.SIGN_IN, obj=user, actor=user, note=method)
            return user

        return signin

    return wrap


def admin_signin_recorded(sender, request=None, user=None, **kwargs) -> None:
    """Django's own sign-in form (the admin's) bypasses the services; its signals are
    written to the trail here. Only for the admin: the pages' ``login()`` is already written."""
    if audit.current_origin().channel == audit.CHANNEL_ADMIN and user is not None:
        audit.record(audit.Action.SIGN_IN, obj=user, actor=user, note="管理后台密码")


def admin_signin_failed(sender, credentials=None, request=None, **kwargs) -> None:
    if audit.current_origin().channel == audit.CHANNEL_ADMIN:
        phone = (credentials or {}).get("username") or (credentials or {}).get("phone") or ""
        audit.record(
            audit.Action.SIGN_IN_FAILED,
            object_type=User._meta.label_lower,
            object_repr=mask_phone(phone)[:200],
            note="管理后台密码：手机号或密码错误。",
        )
