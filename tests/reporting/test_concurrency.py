"""Concurrent taps on PostgreSQL: separate connections, real row locks."""

import threading
from datetime import timedelta

import pytest
from django.db import connection

from reporting.models import ServiceRecord, Visit
from reporting.services.checkins import checkout_create
from reporting.services.visits import visit_code_rotate, visit_create
from tests.reporting.factories import CheckInFactory


def _race(n, fn):
    barrier = threading.Barrier(n)
    results: list = []

    def attempt(i):
        try:
            barrier.wait(timeout=10)
            results.append(("ok", fn(i).pk))
        except Exception as exc:  # pragma: no cover - reported by the assertions
            results.append(("error", repr(exc)))
        finally:
            connection.close()

    threads = [threading.Thread(target=attempt, args=(i,)) for i in range(n)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=30)
    return results


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_two_concurrent_checkouts_make_exactly_one_record(member, community):
    checkin = CheckInFactory(member=member, community=community)
    results = _race(
        2,
        lambda i: checkout_create(
            checkin=checkin, duty="safety", auto=bool(i), now=checkin.opens_at + timedelta(minutes=30)
        ),
    )
    assert [r[0] for r in results] == ["ok", "ok"], results
    assert results[0][1] == results[1][1]
    assert ServiceRecord.objects.filter(checkin=checkin).count() == 1


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_concurrent_scans_make_one_visit(community, grid, secretary):
    from tests.grids.factories import MemberFactory

    m = MemberFactory(community=community, grid=grid)
    token = visit_code_rotate(community=community, actor=secretary).token
    results = _race(4, lambda i: visit_create(member=m, community=community, method="qr", token=token))
    assert {r[0] for r in results} == {"ok"}, results
    assert len({r[1] for r in results}) == 1
    assert Visit.objects.filter(member=m).count() == 1
