"""What only PostgreSQL and Redis can show: row locks under concurrency, limits that do not live in Redis."""

import pytest
from django.core.cache import caches

from accounts import services
from accounts.models import SignInCode, User
from accounts.throttles import configured_rate
from core.errors import Conflict, ValidationFailed
from tests.accounts.together import run_together

PHONE = "13900000123"


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_concurrent_wrong_guesses_each_count(settings):
    # The real (slow) hasher keeps each check inside the lock for a while: without the row
    # lock the five guesses would all read attempts=0 and the count would end at 1.
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.PBKDF2PasswordHasher"]
    code = services.signin_code_send(phone=PHONE)
    wrong = "000000" if code != "000000" else "111111"

    results = run_together(5, lambda i: services.signin_code_verify(phone=PHONE, code=wrong))

    assert all(isinstance(r, ValidationFailed) for r in results), results
    assert SignInCode.objects.get().attempts == 5
    # Serialised: every guess saw the one before it.
    assert sorted(r.message for r in results) == sorted(
        [f"验证码错误，还可尝试 {n} 次。" for n in (4, 3, 2, 1)] + ["错误次数过多，请重新获取验证码。"]
    )
    with pytest.raises(ValidationFailed) as exc:
        services.signin_code_verify(phone=PHONE, code=code)
    assert exc.value.code == "code_locked"


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_one_openid_bound_by_two_numbers_at_once(settings):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    phones = ["13900000001", "13900000002", "13900000003"]
    codes = [services.signin_code_send(phone=p) for p in phones]
    ticket = services.wechat_ticket_issue(openid="oshared")

    results = run_together(len(phones), lambda i: services.wechat_bind(ticket=ticket, phone=phones[i], code=codes[i]))

    winners = [r for r in results if isinstance(r, User)]
    losers = [r for r in results if isinstance(r, Conflict)]
    assert len(winners) == 1, results
    assert len(losers) == len(phones) - 1
    assert all(r.code == "openid_taken" for r in losers)
    assert list(User.objects.filter(wechat_openid="oshared")) == winners


@pytest.mark.redis
@pytest.mark.django_db
def test_send_limits_are_kept_in_the_database_not_in_redis(api, settings):
    # The limits on sending codes used to be cache throttles: emptying Redis (a restart, an
    # eviction, a flush) would have handed every number five more codes. They are counted
    # from the codes themselves now, under a row lock.
    import redis
    from django.core.cache.backends.redis import RedisCache

    assert isinstance(caches["default"], RedisCache)
    settings.SIGNIN_CODE_RESEND_SECONDS = 0
    limit = configured_rate("code_phone").count
    for i in range(limit):
        resp = api.post("/api/v1/auth/code/", {"phone": PHONE}, format="json", REMOTE_ADDR=f"10.3.0.{i + 1}")
        assert resp.status_code == 204

    raw = redis.Redis.from_url(settings.REDIS_URL)
    assert not raw.keys("*throttle_code_*")  # nothing of it in Redis
    raw.flushdb()
    caches["default"].close()
    del caches["default"]
    resp = api.post("/api/v1/auth/code/", {"phone": "+86 " + PHONE}, format="json", REMOTE_ADDR="10.3.9.9")
    assert resp.status_code == 429
    assert resp.json()["detail"].startswith("操作太频繁")
    assert SignInCode.objects.filter(phone=PHONE).count() == limit
