"""The one-time code rules: expiry, tries, replacement, resend interval; password sign-in; purge."""

from datetime import timedelta

import pytest
import time_machine
from django.utils import timezone

from accounts import services
from accounts.models import SignInCode, SignInCodeLock, User
from accounts.tasks import purge_expired_codes
from core.errors import Throttled, ValidationFailed
from tests.accounts.factories import UserFactory

PHONE = "13900000123"
T0 = timezone.datetime(2026, 3, 2, 20, 0, tzinfo=timezone.get_current_timezone())


def _wrong(code: str) -> str:
    return "000000" if code != "000000" else "111111"


@pytest.fixture
def traveller():
    with time_machine.travel(T0, tick=False) as t:
        yield t


def _verify_error(phone, code) -> ValidationFailed:
    with pytest.raises(ValidationFailed) as exc:
        services.signin_code_verify(phone=phone, code=code)
    assert exc.value.field == "code"
    return exc.value


@pytest.mark.django_db
class TestCodes:
    def test_code_is_stored_hashed_with_ip(self, traveller):
        code = services.signin_code_send(phone="+86 139 0000 0123", ip="10.1.2.3")
        row = SignInCode.objects.get()
        assert row.phone == PHONE
        assert code not in row.code_hash
        assert row.requested_ip == "10.1.2.3"
        assert row.expires_at - row.created_at == timedelta(minutes=5)

    def test_right_code_signs_in_once_and_creates_the_user(self, traveller):
        code = services.signin_code_send(phone=PHONE)
        user = services.signin_with_code(phone=PHONE, code=code)
        assert user.phone == PHONE
        assert User.objects.get(phone=PHONE).last_login == T0
        # Spent: the same code does not work twice.
        assert _verify_error(PHONE, code).code == "code_invalid"

    def test_code_expires_after_five_minutes(self, traveller):
        code = services.signin_code_send(phone=PHONE)
        traveller.shift(timedelta(seconds=299))
        services.signin_code_verify(phone=PHONE, code=code)  # still good at 4:59

        traveller.shift(timedelta(seconds=61))
        code = services.signin_code_send(phone=PHONE)
        traveller.shift(timedelta(seconds=300))
        error = _verify_error(PHONE, code)
        assert error.code == "code_expired"
        assert "过期" in error.message

    def test_five_wrong_tries_lock_the_code_even_for_the_right_one(self, traveller):
        code = services.signin_code_send(phone=PHONE)
        messages = [_verify_error(PHONE, _wrong(code)).message for _ in range(5)]
        assert messages[:4] == [f"验证码错误，还可尝试 {n} 次。" for n in (4, 3, 2, 1)]
        assert messages[4] == "错误次数过多，请重新获取验证码。"
        error = _verify_error(PHONE, code)
        assert error.code == "code_locked"
        assert SignInCode.objects.get().attempts == 5
        assert not User.objects.filter(phone=PHONE).exists()

    def test_malformed_codes_count_as_wrong_tries(self, traveller):
        services.signin_code_send(phone=PHONE)
        for junk in ["", "12345", "abcdef", "1234567"]:
            _verify_error(PHONE, junk)
        assert SignInCode.objects.get().attempts == 4

    def test_a_new_code_invalidates_the_old_one(self, traveller):
        old = services.signin_code_send(phone=PHONE)
        traveller.shift(timedelta(seconds=61))
        new = services.signin_code_send(phone=PHONE)
        if old != new:  # one in a million they coincide; the row is what matters
            assert _verify_error(PHONE, old).code == "code_wrong"
        services.signin_code_verify(phone=PHONE, code=new)
        assert SignInCode.objects.filter(used_at__isnull=True).count() == 0
        assert SignInCode.objects.count() == 2

    def test_resend_interval(self, traveller):
        services.signin_code_send(phone=PHONE)
        traveller.shift(timedelta(seconds=20))
        with pytest.raises(Throttled) as exc:
            services.signin_code_send(phone=" 139 0000 0123")
        assert exc.value.wait == 40
        assert "40 秒" in exc.value.message
        traveller.shift(timedelta(seconds=40))
        services.signin_code_send(phone=PHONE)
        assert SignInCode.objects.count() == 2

    def test_full_width_code_is_accepted(self, traveller):
        code = services.signin_code_send(phone=PHONE)
        full_width = "".join(chr(ord(c) + 0xFEE0) for c in code)
        assert services.signin_code_verify(phone=PHONE, code=f" {full_width} ") == PHONE

    def test_codes_are_per_number(self, traveller):
        a = services.signin_code_send(phone=PHONE)
        services.signin_code_send(phone="13900000124")
        assert services.signin_code_verify(phone=PHONE, code=a) == PHONE

    def test_inactive_user_is_refused_after_the_code(self, traveller):
        UserFactory(phone=PHONE, is_active=False)
        code = services.signin_code_send(phone=PHONE)
        with pytest.raises(ValidationFailed) as exc:
            services.signin_with_code(phone=PHONE, code=code)
        assert exc.value.code == "inactive"


@pytest.mark.django_db
class TestPassword:
    def test_staff_may_sign_in_with_a_password(self):
        staff = UserFactory(phone=PHONE, is_staff=True)
        assert services.signin_with_password(phone="+86 " + PHONE, password="pass-word-123") == staff

    @pytest.mark.parametrize(
        "is_staff,is_active,password",
        [(False, True, "pass-word-123"), (True, True, "wrong"), (True, False, "pass-word-123")],
        ids=["not-staff", "wrong-password", "inactive-staff"],
    )
    def test_refused(self, is_staff, is_active, password):
        UserFactory(phone=PHONE, is_staff=is_staff, is_active=is_active)
        with pytest.raises(ValidationFailed) as exc:
            services.signin_with_password(phone=PHONE, password=password)
        assert exc.value.code == "bad_credentials"


@pytest.mark.django_db
def test_purge_task_deletes_only_long_dead_codes():
    now = timezone.now()

    def code(days_ago):
        created = now - timedelta(days=days_ago)
        return SignInCode.objects.create(
            phone=PHONE, code_hash="x", created_at=created, expires_at=created + timedelta(minutes=5)
        )

    old, older = code(8), code(30)
    recent, live = code(6), code(0)
    result = purge_expired_codes.delay()
    assert result.get() == 2
    assert set(SignInCode.objects.values_list("pk", flat=True)) == {recent.pk, live.pk}
    assert not SignInCode.objects.filter(pk__in=[old.pk, older.pk]).exists()
    assert purge_expired_codes.delay().get() == 0  # safe to run twice


@pytest.mark.django_db
def test_purge_also_deletes_send_locks_nobody_used_for_a_week():
    now = timezone.now()
    SignInCodeLock.objects.create(key=f"phone:{PHONE}", touched_at=now - timedelta(days=8))
    SignInCodeLock.objects.create(key="ip:10.0.0.1", touched_at=now - timedelta(days=6))
    services.signin_code_send(phone="13900000124", ip="10.0.0.2")  # takes (and keeps) its own locks

    services.signin_codes_purge()

    assert set(SignInCodeLock.objects.values_list("key", flat=True)) == {
        "ip:10.0.0.1",
        "ip:10.0.0.2",
        "phone:13900000124",
    }
