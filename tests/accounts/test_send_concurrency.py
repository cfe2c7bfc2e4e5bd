"""Bursts of simultaneous requests for codes: each limit on sending holds exactly, not just in sequence.

Each request runs in its own thread on its own database connection, all released together.
Every request goes through the API endpoint, as a client (or an attacker) would send it.
"""

import time
from collections import Counter

import pytest
from rest_framework.test import APIClient

from accounts.models import SignInCode
from accounts.throttles import configured_rate
from tests.accounts.together import run_together

CODE_URL = "/api/v1/auth/code/"
PHONE = "13900000123"
BURST = 50  # each request holds a connection of its own: keep well under max_connections

pytestmark = [pytest.mark.postgres, pytest.mark.redis, pytest.mark.django_db(transaction=True)]


def _burst(requests) -> tuple[list, float]:
    """POST every ``(phone, address)`` of ``requests`` at the same moment; the responses and seconds taken."""

    def send(i):
        phone, address = requests[i]
        return APIClient().post(CODE_URL, {"phone": phone}, format="json", REMOTE_ADDR=address)

    started = time.monotonic()
    responses = run_together(len(requests), send)
    return responses, time.monotonic() - started


def _statuses(responses) -> Counter:
    assert all(not isinstance(r, Exception) for r in responses), [r for r in responses if isinstance(r, Exception)]
    return Counter(r.status_code for r in responses)


def _refused_in_chinese(responses) -> None:
    for resp in responses:
        if resp.status_code == 429:
            body = resp.json()
            assert body["code"] == "throttled"
            assert "秒后再试" in body["detail"]
            assert int(resp["Retry-After"]) > 0


@pytest.fixture
def quiet(settings, sent_codes):
    settings.SIGNIN_SHOW_CODE = False
    return sent_codes


@pytest.mark.parametrize("addresses", ["one address", "fifty addresses"])
def test_fifty_simultaneous_requests_for_one_number_send_one_code(quiet, addresses):
    requests = [(PHONE, "10.7.0.1" if addresses == "one address" else f"10.7.0.{i + 1}") for i in range(BURST)]

    responses, seconds = _burst(requests)

    statuses = _statuses(responses)
    print(f"\n{addresses}: {BURST} requests, {len(quiet)} code(s) sent, statuses {dict(statuses)}, {seconds:.2f} s")
    assert statuses == {204: 1, 429: BURST - 1}
    assert [phone for phone, _ in quiet] == [PHONE]
    assert SignInCode.objects.filter(phone=PHONE).count() == 1
    _refused_in_chinese(responses)


def test_hourly_limit_per_number_holds_under_a_burst(quiet, settings):
    settings.SIGNIN_CODE_RESEND_SECONDS = 0  # only the hourly count stands in the way
    limit = configured_rate("code_phone").count
    requests = [(PHONE, f"10.7.1.{i + 1}") for i in range(BURST)]

    responses, seconds = _burst(requests)

    statuses = _statuses(responses)
    print(f"\nper number: {BURST} requests, {len(quiet)} code(s) sent, statuses {dict(statuses)}, {seconds:.2f} s")
    assert statuses == {204: limit, 429: BURST - limit}
    assert len(quiet) == SignInCode.objects.filter(phone=PHONE).count() == limit
    _refused_in_chinese(responses)


def test_per_address_limit_holds_under_a_burst(quiet):
    limit = configured_rate("code_ip").count
    requests = [(f"139{i:08d}", "10.7.2.1") for i in range(BURST)]

    responses, seconds = _burst(requests)

    statuses = _statuses(responses)
    print(f"\nper address: {BURST} requests, {len(quiet)} code(s) sent, statuses {dict(statuses)}, {seconds:.2f} s")
    assert statuses == {204: limit, 429: BURST - limit}
    assert len(quiet) == SignInCode.objects.filter(requested_ip="10.7.2.1").count() == limit
    _refused_in_chinese(responses)
