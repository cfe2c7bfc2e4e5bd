"""Forms of the sign-in pages, and the bridge from service errors to form errors."""

from django import forms

from core.errors import NUL_BYTE_MESSAGE, DomainError


def form_error_from(form: forms.Form, exc: DomainError) -> None:
    """Show a service's ``DomainError`` on the form: under its field when the form has one."""
    field = exc.field if exc.field in form.fields else None
    form.add_error(field, exc.message)


class PhoneForm(forms.Form):
    phone = forms.CharField(
        label="手机号",
        max_length=20,
        error_messages={"required": "请输入手机号。", "null_characters_not_allowed": NUL_BYTE_MESSAGE},
        widget=forms.TextInput(
            attrs={
                "class": "weui-input",
                "type": "tel",
                "inputmode": "numeric",
                "autocomplete": "tel",
                "placeholder": "请输入 11 位手机号",
            }
        ),
    )


class CodeSignInForm(PhoneForm):
    code = forms.CharField(
        label="验证码",
        max_length=6,
        error_messages={"required": "请输入验证码。", "null_characters_not_allowed": NUL_BYTE_MESSAGE},
        widget=forms.TextInput(
            attrs={
                "class": "weui-input",
                "inputmode": "numeric",
                "autocomplete": "one-time-code",
                "placeholder": "6 位数字验证码",
            }
        ),
    )


class PasswordSignInForm(PhoneForm):
    password = forms.CharField(
        label="密码",
        max_length=128,
        error_messages={"required": "请输入密码。", "null_characters_not_allowed": NUL_BYTE_MESSAGE},
        widget=forms.PasswordInput(
            attrs={"class": "weui-input", "autocomplete": "current-password", "placeholder": "请输入密码"}
        ),
    )
