"""Mainland China mobile numbers: validated and stored as 11 digits."""

import re
import unicodedata

from django.core.exceptions import ValidationError

# ASCII digits only: ``\d`` would also let through other scripts' digits, which the database
# CHECK constraint then refuses.
_MOBILE = re.compile(r"^1[3-9][0-9]{9}$")


def normalize_phone(raw: str) -> str:
    """Return the 11-digit form of a mainland mobile number or raise ``ValidationError``.

    Accepts what people type: spaces, dashes, a leading +86 / 0086 / 86, full-width digits
    from a Chinese input method.
    """
    digits = re.sub(r"[\s\-()（）]", "", unicodedata.normalize("NFKC", str(raw or "")))
    if digits.startswith("+86"):
        digits = digits[3:]
    elif digits.startswith("0086"):
        digits = digits[4:]
    elif digits.startswith("86") and len(digits) == 13:
        digits = digits[2:]
    if not _MOBILE.match(digits):
        raise ValidationError("请输入正确的 11 位手机号码。", code="invalid_phone")
    return digits


def validate_phone(value: str) -> None:
    if not _MOBILE.match(value or ""):
        raise ValidationError("请输入正确的 11 位手机号码。", code="invalid_phone")


def mask_phone(phone: str) -> str:
    """138****1234 — how a phone appears to anyone not entitled to the whole number."""
    if not phone or len(phone) != 11:
        return phone or ""
    return f"{phone[:3]}****{phone[-4:]}"
