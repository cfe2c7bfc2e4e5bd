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


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_concurrent_corrections_keep_an_unbroken_history(member, community, secretary, street_officer):
    """Ten corrections at once (each its own minutes): the row lock serialises them, so each
    event's "before" is the previous one's "after", and the record ends on the last one's."""
    from reporting.services.records import service_record_confirm, service_record_correct
    from tests.reporting.factories import ServiceRecordFactory

    record = service_record_confirm(
        record=ServiceRecordFactory(member=member, community=community, source="manual", minutes=120), actor=secretary
    )
    n = 10
    results = _race(
        n, lambda i: service_record_correct(record=record, actor=street_officer, minutes=130 + i, reason=f"核实{i}")
    )
    assert {r[0] for r in results} == {"ok"}, results
    chain = list(
        record.events.filter(kind="corrected")
        .order_by("created_at", "id")
        .values_list("minutes_before", "minutes_after")
    )
    assert len(chain) == n
    assert chain[0][0] == 120
    assert all(prev[1] == nxt[0] for prev, nxt in zip(chain, chain[1:], strict=False))
    record.refresh_from_db()
    assert record.minutes == chain[-1][1]
