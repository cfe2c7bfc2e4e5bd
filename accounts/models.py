from datetime import timedelta

from django.conf import settings
from django.contrib.auth.models import AbstractBaseUser, BaseUserManager, PermissionsMixin
from django.db import models
from django.db.models import Q
from django.utils import timezone

from accounts.phone import mask_phone, normalize_phone, validate_phone
from accounts.pinyin import person_initials


class UserManager(BaseUserManager):
    use_in_migrations = True

    def create_user(self, phone: str, password: str | None = None, **extra):
        user = self.model(phone=normalize_phone(phone), **extra)
        if password:
            user.set_password(password)
        else:
            user.set_unusable_password()
        user.save(using=self._db)
        return user

    def create_superuser(self, phone: str, password: str | None = None, **extra):
        extra.setdefault("is_staff", True)
        extra.setdefault("is_superuser", True)
        return self.create_user(phone, password, **extra)


class User(AbstractBaseUser, PermissionsMixin):
    """A person who signs in: by mobile number and one-time code, or staff by password."""

    phone = models.CharField("手机号", max_length=11, unique=True, validators=[validate_phone])
    name = models.CharField("姓名", max_length=50, blank=True)
    name_initials = models.CharField("姓名拼音首字母", max_length=50, blank=True, db_index=True, editable=False)
    wechat_openid = models.CharField("微信 openid", max_length=64, unique=True, null=True, blank=True)
    is_staff = models.BooleanField("可登录管理后台", default=False)
    is_active = models.BooleanField("有效", default=True)
    date_joined = models.DateTimeField("注册时间", default=timezone.now)

    objects = UserManager()

    USERNAME_FIELD = "phone"
    REQUIRED_FIELDS: list[str] = []

    class Meta:
        verbose_name = "用户"
        verbose_name_plural = "用户"
        constraints = [
            models.CheckConstraint(condition=Q(phone__regex=r"^1[3-9][0-9]{9}$"), name="user_phone_is_mainland_mobile"),
        ]

    def __str__(self) -> str:
        return f"{self.name or '未填姓名'}（{mask_phone(self.phone)}）"

    def save(self, *args, **kwargs):
        self.name_initials = person_initials(self.name)
        if kwargs.get("update_fields") is not None and "name" in kwargs["update_fields"]:
            kwargs["update_fields"] = {*kwargs["update_fields"], "name_initials"}
        super().save(*args, **kwargs)

    @property
    def masked_phone(self) -> str:
        return mask_phone(self.phone)

    def get_full_name(self) -> str:
        return self.name or self.phone

    def get_short_name(self) -> str:
        return self.name or self.phone


class SignInCode(models.Model):
    """A one-time sign-in code, stored hashed. One live code per phone: issuing replaces it."""

    phone = models.CharField("手机号", max_length=11, db_index=True)
    code_hash = models.CharField("验证码摘要", max_length=128)
    created_at = models.DateTimeField("发送时间", default=timezone.now)
    expires_at = models.DateTimeField("过期时间")
    attempts = models.PositiveSmallIntegerField("错误次数", default=0)
    used_at = models.DateTimeField("使用时间", null=True, blank=True)
    requested_ip = models.GenericIPAddressField("请求 IP", null=True, blank=True)

    class Meta:
        verbose_name = "登录验证码"
        verbose_name_plural = "登录验证码"
        indexes = [
            models.Index(fields=["phone", "-created_at"], name="signincode_phone_recent"),
            # The per-address limit counts an address's codes of the last hour.
            models.Index(fields=["requested_ip", "-created_at"], name="signincode_ip_recent"),
        ]

    def __str__(self) -> str:
        return f"{mask_phone(self.phone)} @ {timezone.localtime(self.created_at):%Y-%m-%d %H:%M}"


class SignInCodeLock(models.Model):
    """One row per number and per address that has asked for a code, locked while a code is sent.

    ``key`` is ``phone:<number>`` or ``ip:<address>`` (``ip:unknown`` when the address is not
    known). The row holds nothing of value: it is what ``accounts.send_limits`` locks so that
    the limits on sending codes are checked and the code written as one step per number and
    per address. ``signin:<address>`` is the same for sign-in attempts
    (``accounts.throttles.TokenIPThrottle``). Rows are created on first use and purged with the codes.
    """

    key = models.CharField("键", max_length=64, primary_key=True)
    touched_at = models.DateTimeField("最近请求", default=timezone.now)

    class Meta:
        verbose_name = "验证码发送锁"
        verbose_name_plural = "验证码发送锁"

    def __str__(self) -> str:
        return self.key


class SignInAttempt(models.Model):
    """One sign-in attempt (code, password, WeChat) let through from an address.

    What the per-address sign-in limit (``THROTTLE_TOKEN_IP``, ``accounts.throttles``) counts:
    in the database, so that it holds while Redis is down and after Redis was emptied. ``ip`` is
    null when the address could not be read (all such attempts count as one address). Purged
    with the codes.
    """

    ip = models.GenericIPAddressField("IP", null=True, blank=True)
    at = models.DateTimeField("时间", default=timezone.now)

    class Meta:
        verbose_name = "登录尝试"
        verbose_name_plural = "登录尝试"
        indexes = [models.Index(fields=["ip", "at"], name="signin_attempt_ip_at")]

    def __str__(self) -> str:
        return f"{self.ip or '未知地址'} @ {self.at:%Y-%m-%d %H:%M:%S}"


class DeviceToken(models.Model):
    """An API token of one signed-in device, stored only as the SHA-256 of its secret.

    The client holds the secret (``Authorization: Token <secret>``); the database holds its
    digest, looked up by its unique index, and the first characters (``prefix``) so that a row
    can be recognised without revealing the rest. ``expires_at`` slides: each use moves it to
    ``TOKEN_IDLE_DAYS`` after that use, but never past ``ends_at``, ``TOKEN_MAX_DAYS`` after
    issue, whatever the use (a stolen token that is kept in use still dies). Signing out or
    revoking sets ``revoked_at``; rows long dead are purged with the sign-in codes.
    """

    user = models.ForeignKey(User, verbose_name="用户", on_delete=models.CASCADE, related_name="device_tokens")
    digest = models.CharField("令牌摘要", max_length=64, unique=True, editable=False)
    prefix = models.CharField("令牌前缀", max_length=8, editable=False)
    device_name = models.CharField("设备", max_length=40)
    created_at = models.DateTimeField("登录时间", default=timezone.now)
    last_used_at = models.DateTimeField("最近使用", default=timezone.now)
    expires_at = models.DateTimeField("过期时间")
    revoked_at = models.DateTimeField("作废时间", null=True, blank=True)

    class Meta:
        verbose_name = "登录设备"
        verbose_name_plural = "登录设备"
        indexes = [models.Index(fields=["user", "-last_used_at"], name="devicetoken_user_recent")]

    def __str__(self) -> str:
        return f"{self.device_name}（{self.prefix}…）"

    @property
    def ends_at(self):
        """The latest the token can live, however often it is used. Read from the setting rather
        than stored, so that lowering ``TOKEN_MAX_DAYS`` shortens the tokens already issued too."""
        return self.created_at + timedelta(days=settings.TOKEN_MAX_DAYS)
