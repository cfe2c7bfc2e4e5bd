"""Sign-in: one-time codes by SMS, passwords for staff, WeChat mini-program login.

Codes are six digits, stored as salted hashes, live ``SIGNIN_CODE_TTL_SECONDS`` (5 minutes),
and die after ``SIGNIN_CODE_MAX_ATTEMPTS`` (5) wrong tries. Issuing a code replaces the
previous one. Sending is throttled per number here (one per ``SIGNIN_CODE_RESEND_SECONDS``)
and per number and IP by the API's throttles.
"""

from __future__ import annotations

import secrets
from datetime import timedelta

from django.conf import settings
from django.contrib.auth import authenticate
from django.contrib.auth.hashers import check_password, make_password
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from rest_framework.authtoken.models import Token

from accounts.models import SignInCode, User
from accounts.phone import normalize_phone
from accounts.sms import get_sender
from shaoguan.errors import Throttled, ValidationFailed


def phone_normalize(raw: str, *, field: str = "phone") -> str:
    try:
        return normalize_phone(raw)
    except ValidationError as exc:
        raise ValidationFailed(exc.messages[0], code="invalid_phone", field=field) from exc


def signin_code_send(*, phone: str, ip: str | None = None) -> str:
    """Issue and send a new code; returns it (shown only in DEBUG, for the demo and tests)."""
    phone = phone_normalize(phone)
    now = timezone.now()
    last = SignInCode.objects.filter(phone=phone).order_by("-created_at").first()
    if last and (now - last.created_at).total_seconds() < settings.SIGNIN_CODE_RESEND_SECONDS:
        wait = settings.SIGNIN_CODE_RESEND_SECONDS - int((now - last.created_at).total_seconds())
        raise Throttled(f"验证码已发送，请 {wait} 秒后再试。", wait=wait)
    code = f"{secrets.randbelow(1_000_000):06d}"
    with transaction.atomic():
        # One live code per number: older ones stop working the moment a new one is issued.
        SignInCode.objects.filter(phone=phone, used_at__isnull=True).update(used_at=now)
        SignInCode.objects.create(
            phone=phone,
            code_hash=make_password(code),
            created_at=now,
            expires_at=now + timedelta(seconds=settings.SIGNIN_CODE_TTL_SECONDS),
            requested_ip=ip,
        )
        transaction.on_commit(lambda: get_sender().send(phone=phone, code=code))
    return code


def signin_code_verify(*, phone: str, code: str) -> str:
    """Check a code and spend it. Returns the normalised phone; raises ``ValidationFailed``."""
    phone = phone_normalize(phone)
    code = (code or "").strip()
    with transaction.atomic():
        # Locked so that parallel guesses each count against the 5 tries.
        current = (
            SignInCode.objects.select_for_update()
            .filter(phone=phone, used_at__isnull=True)
            .order_by("-created_at")
            .first()
        )
        now = timezone.now()
        if current is None:
            raise ValidationFailed("验证码无效，请重新获取。", code="code_invalid", field="code")
        if current.expires_at <= now:
            raise ValidationFailed("验证码已过期，请重新获取。", code="code_expired", field="code")
        if current.attempts >= settings.SIGNIN_CODE_MAX_ATTEMPTS:
            raise ValidationFailed("错误次数过多，请重新获取验证码。", code="code_locked", field="code")
        if not (code.isdigit() and len(code) == 6 and check_password(code, current.code_hash)):
            current.attempts += 1
            current.save(update_fields=["attempts"])
            left = settings.SIGNIN_CODE_MAX_ATTEMPTS - current.attempts
            if left <= 0:
                raise ValidationFailed("错误次数过多，请重新获取验证码。", code="code_locked", field="code")
            raise ValidationFailed(f"验证码错误，还可尝试 {left} 次。", code="code_wrong", field="code")
        current.used_at = now
        current.save(update_fields=["used_at"])
    return phone


@transaction.atomic
def user_get_or_create_by_phone(*, phone: str) -> User:
    user, _ = User.objects.get_or_create(phone=phone_normalize(phone))
    if not user.is_active:
        raise ValidationFailed("该账号已停用，请联系社区。", code="inactive", field="phone")
    return user


def signin_with_code(*, phone: str, code: str) -> User:
    """Verify the code and return the user, creating an account for a new number."""
    phone = signin_code_verify(phone=phone, code=code)
    user = user_get_or_create_by_phone(phone=phone)
    User.objects.filter(pk=user.pk).update(last_login=timezone.now())
    return user


def signin_with_password(*, phone: str, password: str, request=None) -> User:
    """Staff only: phone + password."""
    phone = phone_normalize(phone)
    user = authenticate(request, phone=phone, password=password)
    if user is None or not user.is_staff:
        raise ValidationFailed("手机号或密码错误。", code="bad_credentials", field="password")
    return user


def token_for(user: User) -> str:
    token, _ = Token.objects.get_or_create(user=user)
    return token.key


def signin_codes_purge(*, older_than_days: int = 7) -> int:
    """Delete codes that are long dead; they are of no use and hold phone numbers."""
    cutoff = timezone.now() - timedelta(days=older_than_days)
    deleted, _ = SignInCode.objects.filter(expires_at__lt=cutoff).delete()
    return deleted
