import pytest
from django.core.exceptions import ValidationError

from accounts.phone import mask_phone, normalize_phone
from accounts.services import phone_normalize
from core.errors import ValidationFailed


@pytest.mark.parametrize(
    "raw",
    [
        "13800138000",
        " 138 0013 8000 ",
        "138-0013-8000",
        "+86 138 0013 8000",
        "+8613800138000",
        "008613800138000",
        "8613800138000",
        "(138)00138000",
        "１３８００１３８０００",  # full-width, as a Chinese input method types it
        "+８６ １３８ ００１３ ８０００",
    ],
)
def test_normalize_accepts_what_people_type(raw):
    assert normalize_phone(raw) == "13800138000"


@pytest.mark.parametrize(
    "raw",
    [
        "",
        None,
        "1380013800",  # 10 digits
        "138001380001",  # 12 digits
        "12800138000",  # no mobile prefix starts 12
        "23800138000",
        "+1 415 555 0100",
        "+85 13800138000",
        "1380013800a",
        "13８００１٣８０００",  # an Arabic-Indic digit: not ours, and the DB would refuse it
        "1" * 10_000,
    ],
)
def test_normalize_refuses_bad_numbers(raw):
    with pytest.raises(ValidationError) as exc:
        normalize_phone(raw)
    assert exc.value.messages == ["请输入正确的 11 位手机号码。"]


def test_service_reports_bad_number_on_the_phone_field():
    with pytest.raises(ValidationFailed) as exc:
        phone_normalize("12345")
    assert exc.value.field == "phone"
    assert exc.value.code == "invalid_phone"
    assert exc.value.status == 400


def test_mask_phone():
    assert mask_phone("13800138000") == "138****8000"


def test_surnames_are_read_as_surnames():
    from accounts.pinyin import person_initials

    assert person_initials("王建国") == "wjg"
    assert person_initials("曾小华") == "zxh"
    assert person_initials("单丽") == "sl"
    assert person_initials("欧阳明") == "oym"
    assert person_initials("") == ""
