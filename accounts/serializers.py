"""Sign-in API bodies: one input serializer per endpoint, and the outputs.

Inputs only check shape (present, a string, not absurdly long); the rules — what a valid
number is, whether a code is right — live in ``accounts.services``.
"""

from rest_framework import serializers

from accounts.models import DeviceToken, User
from core.rows import CompiledRepresentation


def _text(label: str, *, max_length: int, required: bool = True, allow_blank: bool = False) -> serializers.CharField:
    return serializers.CharField(
        label=label,
        max_length=max_length,
        required=required,
        allow_blank=allow_blank,
        trim_whitespace=True,
        error_messages={
            "required": f"请填写{label}。",
            "blank": f"请填写{label}。",
            "null": f"请填写{label}。",
            "invalid": f"{label}格式不正确。",
            "max_length": f"{label}过长。",
        },
    )


class CodeSendIn(serializers.Serializer):
    phone = _text("手机号", max_length=32)


class DebugCodeOut(serializers.Serializer):
    debug_code = serializers.CharField(help_text="仅在演示环境（设置 SIGNIN_SHOW_CODE）下返回的验证码")


def _device_name() -> serializers.CharField:
    field = _text("设备名称", max_length=40, required=False, allow_blank=True)
    field.help_text = "可选：本设备的名称，显示在“登录设备”中；不填则按 User-Agent 推断（如“iPhone Safari”）"
    return field


class TokenIn(serializers.Serializer):
    phone = _text("手机号", max_length=32)
    device_name = _device_name()
    # Either may come blank: a sign-in form posts both fields and fills one.
    code = _text("验证码", max_length=16, required=False, allow_blank=True)
    password = serializers.CharField(
        label="密码",
        max_length=128,
        required=False,
        allow_blank=True,
        trim_whitespace=False,
        style={"input_type": "password"},
        help_text="仅限工作人员",
        error_messages={
            "blank": "请填写密码。",
            "null": "请填写密码。",
            "invalid": "密码格式不正确。",
            "max_length": "密码过长。",
        },
    )

    def validate(self, attrs):
        has_code, has_password = bool(attrs.get("code")), bool(attrs.get("password"))
        if has_code and has_password:
            raise serializers.ValidationError({"code": ["验证码和密码只需填写一项。"]})
        if not has_code and not has_password:
            raise serializers.ValidationError({"code": ["请填写验证码（工作人员也可使用密码）。"]})
        return attrs


class WechatSignInIn(serializers.Serializer):
    code = _text("微信登录凭证", max_length=128)
    device_name = _device_name()


class WechatBindIn(serializers.Serializer):
    ticket = _text("绑定凭证", max_length=512)
    phone = _text("手机号", max_length=32)
    code = _text("验证码", max_length=16)
    device_name = _device_name()


class UserOut(CompiledRepresentation, serializers.ModelSerializer):
    class Meta:
        model = User
        fields = ["id", "phone", "name", "is_staff"]


class TokenOut(serializers.Serializer):
    token = serializers.CharField(
        help_text="本设备的令牌，请求时放在请求头：Authorization: Token <token>。每次登录签发新令牌，只返回这一次"
    )
    expires = serializers.DateTimeField(
        help_text="令牌过期时间；每次使用后顺延（闲置一段时间即过期），但最迟在登录后 TOKEN_MAX_DAYS 天过期"
    )
    user = UserOut()


class DeviceOut(serializers.ModelSerializer):
    current = serializers.SerializerMethodField(help_text="是否为本次请求所用的令牌")
    expires_at = serializers.DateTimeField(
        read_only=True, help_text="闲置到此时即退出；每次使用后顺延，但不超过 ends_at"
    )
    ends_at = serializers.DateTimeField(
        read_only=True, help_text="最迟退出时间：登录后 TOKEN_MAX_DAYS 天，无论是否使用，到时须重新登录"
    )

    class Meta:
        model = DeviceToken
        fields = ["id", "device_name", "created_at", "last_used_at", "expires_at", "ends_at", "current"]

    def get_current(self, obj) -> bool:
        return obj.pk == self.context.get("current_id")


class BindRequiredOut(serializers.Serializer):
    detail = serializers.CharField()
    code = serializers.CharField(help_text="固定为 bind_required")
    ticket = serializers.CharField(help_text="短时有效的绑定凭证，用于 POST /api/v1/auth/wechat/bind/")
