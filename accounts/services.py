"""Sign-in: one-time codes by SMS, passwords for staff, WeChat mini-program login.

Codes are six digits, stored as salted hashes, live ``SIGNIN_CODE_TTL_SECONDS`` (5 minutes),
and die after ``SIGNIN_CODE_MAX_ATTEMPTS`` (5) wrong tries. Issuing a code replaces the
previous one. Sending is limited per number and per address, atomically, under a row lock in
the database (``accounts.send_limits``), for the API and the page alike.

Every sign-in and every failed one is a line in the audit trail (``core.audit``), written by
``accounts.signin_audit.audited_signin`` around the four ways in, whatever entry point called them.
"""

from __future__ import annotations

import secrets
import unicodedata
from datetime import timedelta

from django.conf import settings
from django.contrib.auth import authenticate
from django.contrib.auth.hashers import check_password, make_password
from django.core import signing
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone

from accounts.models import SignInCode, User
from accounts.phone import normalize_phone
from accounts.send_limits import lock_and_check, locks_purge
from accounts.signin_audit import METHOD_CODE, METHOD_PASSWORD, METHOD_WECHAT, METHOD_WECHAT_BIND, audited_signin
from accounts.sms import get_sender
from accounts.throttles import signin_attempts_purge
from accounts.wechat import code_to_session
from core.errors import Conflict, ValidationFailed


def phone_normalize(raw: str, *, field: str = "phone") -> str:
    try:
        return normalize_phone(raw)
    except ValidationError as exc:
        raise ValidationFailed(exc.messages[0], code="invalid_phone", field=field) from exc


def signin_code_send(*, phone: str, ip: str | None = None) -> str:
    """Issue and send a new code; returns it (shown only with ``SIGNIN_SHOW_CODE``, for the demo).

    The limits (one per ``SIGNIN_CODE_RESEND_SECONDS`` and ``THROTTLE_CODE_PHONE`` per number,
    ``THROTTLE_CODE_IP`` per address) are checked and the code written in one transaction that
    holds a PostgreSQL row lock on the number and on the address (``accounts.send_limits``):
    simultaneous requests for one number queue on the lock, each counting the codes committed
    before it, so a burst sends exactly what the limits allow. A database lock and not Redis
    ``SET NX``, because the counts are of the code rows this transaction writes, and because
    sending codes must keep working when Redis is down. Refusals raise ``Throttled`` (429).

    The code goes to the provider after that commit, so no lock is held while the provider is
    asked. When it is not sent (the provider refuses the number, is down, or is not configured)
    the new row is deleted and the code it replaced works again, so a code that never arrived
    counts against no limit; the sender's domain error (429, 400 or 503) is raised.
    """
    phone = phone_normalize(phone)
    code = f"{secrets.randbelow(1_000_000):06d}"
    with transaction.atomic():
        now = lock_and_check(phone=phone, ip=ip)
        # One live code per number: older ones stop working the moment a new one is issued.
        replaced = list(SignInCode.objects.filter(phone=phone, used_at__isnull=True).values_list("pk", flat=True))
        SignInCode.objects.filter(pk__in=replaced).update(used_at=now)
        issued = SignInCode.objects.create(
            phone=phone,
            code_hash=make_password(code),
            created_at=now,
            expires_at=now + timedelta(seconds=settings.SIGNIN_CODE_TTL_SECONDS),
            requested_ip=ip,
        )
    try:
        get_sender().send(phone=phone, code=code)
    except Exception:
        _signin_code_unsend(issued=issued, replaced=replaced)
        raise
    return code


def _signin_code_unsend(*, issued: SignInCode, replaced: list[int]) -> None:
    """Take back a code that was not sent: delete it, and bring back the one it replaced (the
    last code that did arrive) unless a newer code has been issued since."""
    with transaction.atomic():
        SignInCode.objects.filter(pk=issued.pk).delete()
        if not SignInCode.objects.filter(phone=issued.phone, created_at__gt=issued.created_at).exists():
            SignInCode.objects.filter(pk__in=replaced, used_at=issued.created_at).update(used_at=None)


def signin_code_verify(*, phone: str, code: str) -> str:
    """Check a code and spend it. Returns the normalised phone; raises ``ValidationFailed``.

    A wrong try is committed before the error is raised, so callers must not wrap this in a
    transaction of their own that the error would roll back (that would hand the tries back).
    """
    phone = phone_normalize(phone)
    code = unicodedata.normalize("NFKC", code or "").strip()  # full-width digits from an IME
    error: ValidationFailed | None = None
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
            error = ValidationFailed("验证码无效，请重新获取。", code="code_invalid", field="code")
        elif current.expires_at <= now:
            error = ValidationFailed("验证码已过期，请重新获取。", code="code_expired", field="code")
        elif current.attempts >= settings.SIGNIN_CODE_MAX_ATTEMPTS:
            error = ValidationFailed("错误次数过多，请重新获取验证码。", code="code_locked", field="code")
        elif not (code.isascii() and code.isdigit() and len(code) == 6 and check_password(code, current.code_hash)):
            current.attempts += 1
            current.save(update_fields=["attempts"])
            left = settings.SIGNIN_CODE_MAX_ATTEMPTS - current.attempts
            if left <= 0:
                error = ValidationFailed("错误次数过多，请重新获取验证码。", code="code_locked", field="code")
            else:
                error = ValidationFailed(f"验证码错误，还可尝试 {left} 次。", code="code_wrong", field="code")
        else:
            current.used_at = now
            current.save(update_fields=["used_at"])
    # Raised only after the block has committed: raising inside it would roll the wrong try back.
    if error is not None:
        raise error
    return phone


@transaction.atomic
def user_get_or_create_by_phone(*, phone: str) -> User:
    user, _ = User.objects.get_or_create(phone=phone_normalize(phone))
    if not user.is_active:
        raise ValidationFailed("该账号已停用，请联系社区。", code="inactive", field="phone")
    return user


@audited_signin(METHOD_CODE)
def signin_with_code(*, phone: str, code: str) -> User:
    """Verify the code and return the user, creating an account for a new number."""
    phone = signin_code_verify(phone=phone, code=code)
    user = user_get_or_create_by_phone(phone=phone)
    User.objects.filter(pk=user.pk).update(last_login=timezone.now())
    return user


@audited_signin(METHOD_PASSWORD)
def signin_with_password(*, phone: str, password: str, request=None) -> User:
    """Staff only: phone + password."""
    phone = phone_normalize(phone)
    user = authenticate(request, phone=phone, password=password)
    if user is None or not user.is_staff:
        raise ValidationFailed("手机号或密码错误。", code="bad_credentials", field="password")
    return user


def signin_codes_purge(*, older_than_days: int = 7) -> int:
    """Delete codes that are long dead, the locks unused as long, and sign-in attempts as old;
    all hold phone numbers or addresses.

    Returns the number of codes deleted.
    """
    cutoff = timezone.now() - timedelta(days=older_than_days)
    deleted, _ = SignInCode.objects.filter(expires_at__lt=cutoff).delete()
    locks_purge(older_than=cutoff)
    signin_attempts_purge(older_than=cutoff)
    return deleted


# --- WeChat mini-program sign-in ---------------------------------------------------------
#
# ``wx.login`` gives the mini program a code; ``wechat_signin`` trades it for the openid. A
# known openid signs its user in. An unknown one gets a short-lived signed ticket instead,
# which ``wechat_bind`` accepts together with a phone number and its one-time code: the
# openid is bound to the phone-verified user only after the code proves the phone.

_WECHAT_TICKET_SALT = "accounts.wechat.bind-ticket"


class WechatBindRequired(Conflict):
    """The openid is bound to nobody yet; ``ticket`` lets the client bind it to a phone."""

    code = "bind_required"

    def __init__(self, message: str, *, ticket: str):
        super().__init__(message)
        self.ticket = ticket


def wechat_ticket_issue(*, openid: str) -> str:
    return signing.dumps({"openid": openid}, salt=_WECHAT_TICKET_SALT)


def wechat_ticket_read(*, ticket: str) -> str:
    """The openid a ticket vouches for; ``ValidationFailed`` if it is forged or too old."""
    try:
        payload = signing.loads(ticket or "", salt=_WECHAT_TICKET_SALT, max_age=settings.WECHAT_BIND_TICKET_SECONDS)
    except signing.SignatureExpired:
        raise ValidationFailed("绑定凭证已过期，请重新用微信登录。", code="ticket_expired", field="ticket")
    except (signing.BadSignature, ValueError, TypeError):
        raise ValidationFailed("绑定凭证无效，请重新用微信登录。", code="ticket_invalid", field="ticket")
    openid = payload.get("openid") if isinstance(payload, dict) else None
    if not isinstance(openid, str) or not openid:
        raise ValidationFailed("绑定凭证无效，请重新用微信登录。", code="ticket_invalid", field="ticket")
    return openid


def _signed_in(user: User) -> User:
    if not user.is_active:
        raise ValidationFailed("该账号已停用，请联系社区。", code="inactive")
    now = timezone.now()
    User.objects.filter(pk=user.pk).update(last_login=now)
    user.last_login = now
    return user


@audited_signin(METHOD_WECHAT)
def wechat_signin(*, js_code: str) -> User:
    """Sign in the user bound to this WeChat account, or raise ``WechatBindRequired`` with a ticket."""
    session = code_to_session(js_code)
    user = User.objects.filter(wechat_openid=session.openid).first()
    if user is None:
        raise WechatBindRequired(
            "首次使用微信登录，请先验证手机号完成绑定。", ticket=wechat_ticket_issue(openid=session.openid)
        )
    return _signed_in(user)


@audited_signin(METHOD_WECHAT_BIND)
def wechat_bind(*, ticket: str, phone: str, code: str) -> User:
    """Bind the ticket's openid to the user who proves ``phone`` with ``code`` (created if new)."""
    openid = wechat_ticket_read(ticket=ticket)
    # The code is checked (and spent, or its wrong try counted) in its own transaction, before
    # anything below can roll back: a failed bind must not give the guesser their tries back.
    phone = signin_code_verify(phone=phone, code=code)
    try:
        with transaction.atomic():
            user = user_get_or_create_by_phone(phone=phone)
            user = User.objects.select_for_update().get(pk=user.pk)
            if User.objects.filter(wechat_openid=openid).exclude(pk=user.pk).exists():
                raise Conflict("该微信已绑定其他手机号，请用该手机号登录。", code="openid_taken")
            if user.wechat_openid and user.wechat_openid != openid:
                raise Conflict("该手机号已绑定其他微信账号。", code="openid_taken")
            if user.wechat_openid != openid:
                user.wechat_openid = openid
                user.save(update_fields=["wechat_openid"])
    except IntegrityError:
        # Two binds of one openid raced past the check above; the unique index decided.
        raise Conflict("该微信已绑定其他手机号，请用该手机号登录。", code="openid_taken")
    return _signed_in(user)
