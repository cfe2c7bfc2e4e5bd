"""Every (from, to) pair of the service record's machine, driven through the services.

Legal pairs (per ``transitions.ALLOWED``) succeed and write one event row with actor, kind,
from and to; illegal ones raise ``Conflict`` with today's messages and codes and write nothing.
How a record was confirmed (community, resident, corrected minutes) is the event's kind.
"""

import itertools
from datetime import timedelta

import pytest
from django.db import transaction
from django.forms.models import model_to_dict

from core.errors import Conflict, PermissionDenied
from core.transitions import ALLOWED, transition
from reporting.models import ServiceRecord, ServiceRecordEvent
from reporting.services.checkins import checkin_create, checkout_create
from reporting.services.records import service_record_confirm, service_record_correct, service_record_reject
from tests.reporting.factories import SAT_9, ServiceRecordFactory

S = ServiceRecord.Status
PAIRS = list(itertools.product(S.values, S.values))

# The Conflict each illegal pair raises today (no service moves a record back to pending: a
# record is only ever made so, and the table refuses it).
ILLEGAL = {
    (S.PENDING, S.PENDING): ("illegal_transition", "不能变为“待确认”"),
    (S.CONFIRMED, S.PENDING): ("illegal_transition", "不能变为“待确认”"),
    (S.REJECTED, S.PENDING): ("illegal_transition", "不能变为“待确认”"),
    (S.CONFIRMED, S.REJECTED): ("already_confirmed", "该服务时长已确认，不能再不予认定。"),
    (S.REJECTED, S.CONFIRMED): ("illegal_transition", "该服务记录已不予认定，不能确认。"),
}
# Repeating the decision already taken is a no-op (a double tap), neither an error nor an event.
REPEATED = {(S.REJECTED, S.REJECTED)}


def legal(before: str, to: str) -> bool:
    return to in ALLOWED[ServiceRecord].get(before, set())


def make_record(status: str, member, community) -> ServiceRecord:
    kwargs = {"member": member, "community": community, "status": status, "minutes": 120}
    if status == S.CONFIRMED:
        kwargs.update(confirmed_via=ServiceRecord.ConfirmedVia.COMMUNITY, confirmed_at=SAT_9 + timedelta(days=1))
    if status == S.REJECTED:
        kwargs.update(reject_reason="本人未到场", rejected_at=SAT_9 + timedelta(days=1))
    return ServiceRecordFactory(**kwargs)


def drive(record: ServiceRecord, to: str, *, secretary) -> None:
    """Ask the service that moves a record to ``to`` (the one a page, the API or the admin calls)."""
    if to == S.CONFIRMED and record.status == S.CONFIRMED:
        # Other minutes than the confirmed ones: a correction, not a repeated tap.
        service_record_correct(record=record, actor=secretary, minutes=90, reason="提前离开")
    elif to == S.CONFIRMED:
        service_record_confirm(record=record, actor=secretary, reason="提前离开")
    elif to == S.REJECTED:
        service_record_reject(record=record, actor=secretary, reason="本人未到场")
    else:
        with transaction.atomic():
            transition(record, to, actor=secretary)


def state(record: ServiceRecord) -> tuple:
    record = ServiceRecord.objects.get(pk=record.pk)
    return model_to_dict(record), ServiceRecordEvent.objects.filter(record=record).count()


def test_every_kind_written_has_a_label():
    assert set(ServiceRecordEvent.KIND_LABELS) == {
        "checked_out",
        "auto_checked_out",
        "community_confirmed",
        "resident_confirmed",
        "corrected",
    }


def test_every_status_has_a_row_in_the_table():
    assert set(ALLOWED[ServiceRecord]) == set(S.values)
    assert set(ILLEGAL) | REPEATED | {p for p in PAIRS if legal(*p)} == set(PAIRS)


@pytest.mark.parametrize(("before", "to"), PAIRS, ids=[f"{a}->{b}" for a, b in PAIRS])
def test_record_pair(before, to, member, community, secretary):
    record = make_record(before, member, community)
    if legal(before, to):
        drive(record, to, secretary=secretary)
        record.refresh_from_db()
        assert record.status == to
        event = record.events.get()
        assert (event.from_status, event.to_status, event.actor) == (before, to, secretary)
        expected = {S.PENDING: "community_confirmed", S.CONFIRMED: "corrected"}.get(before) if to == S.CONFIRMED else ""
        assert event.kind == expected
    elif (before, to) in REPEATED:
        was = state(record)
        drive(record, to, secretary=secretary)
        assert state(record) == was
    else:
        was = state(record)
        code, message = ILLEGAL[(before, to)]
        with pytest.raises(Conflict) as exc:
            drive(record, to, secretary=secretary)
        assert exc.value.code == code
        assert message in exc.value.message
        assert state(record) == was


def test_confirm_never_overwrites_a_confirmed_record(member, community, secretary):
    record = make_record(S.CONFIRMED, member, community)
    was = state(record)
    with pytest.raises(Conflict) as exc:
        service_record_confirm(record=record, actor=secretary, minutes=90, reason="提前离开")
    assert exc.value.code == "already_confirmed" and "该服务时长已确认，不能再更改。" in exc.value.message
    assert state(record) == was


def test_confirming_again_with_the_same_minutes_changes_nothing(member, community, secretary):
    record = make_record(S.CONFIRMED, member, community)
    was = state(record)
    service_record_confirm(record=record, actor=secretary, minutes=120)
    service_record_confirm(record=record, actor=secretary)
    assert state(record) == was


def test_corrected_minutes_are_an_event_kind_keeping_the_original(member, community, secretary):
    record = make_record(S.PENDING, member, community)
    service_record_confirm(record=record, actor=secretary, minutes=90, reason="提前离开")
    event = record.events.get()
    assert (event.kind, event.from_status, event.to_status, event.actor) == (
        "corrected",
        S.PENDING,
        S.CONFIRMED,
        secretary,
    )
    assert (event.minutes_before, event.minutes_after, event.note) == (120, 90, "提前离开")


def test_the_residents_confirmation_is_its_own_kind(member, community, resident):
    record = make_record(S.PENDING, member, community)
    service_record_confirm(record=record, actor=resident, via=ServiceRecord.ConfirmedVia.RESIDENT)
    event = record.events.get()
    assert (event.kind, event.actor, event.to_status) == ("resident_confirmed", resident, S.CONFIRMED)


def test_rejecting_keeps_the_reason_on_the_event(member, community, secretary):
    record = make_record(S.PENDING, member, community)
    service_record_reject(record=record, actor=secretary, reason="本人未到场")
    event = record.events.get()
    assert (event.from_status, event.to_status, event.actor, event.note) == (
        S.PENDING,
        S.REJECTED,
        secretary,
        "本人未到场",
    )


def test_a_refused_actor_writes_nothing(member, community, outsider):
    record = make_record(S.PENDING, member, community)
    was = state(record)
    for call in (
        lambda: service_record_confirm(record=record, actor=outsider),
        lambda: service_record_reject(record=record, actor=outsider, reason="x"),
    ):
        with pytest.raises(PermissionDenied):
            call()
    assert state(record) == was


# --- made at check-out: "" → pending -------------------------------------------------------


def _checkin(member, community):
    return checkin_create(
        member=member,
        community=community,
        place_lat=community.lat,
        place_lng=community.lng,
        radius_m=300,
        opens_at=SAT_9,
        closes_at=SAT_9 + timedelta(hours=2),
        lat=community.lat,
        lng=community.lng,
        now=SAT_9,
    )


def test_checkout_writes_the_first_event(consenting, community):
    checkin = _checkin(consenting, community)
    record = checkout_create(
        checkin=checkin, duty="safety", title="巡逻", actor=consenting.user, now=SAT_9 + timedelta(minutes=70)
    )
    event = record.events.get()
    assert (event.kind, event.from_status, event.to_status, event.actor) == (
        "checked_out",
        "",
        S.PENDING,
        consenting.user,
    )
    assert record.title == "巡逻"
    # A second tap finds the record: no second event.
    checkout_create(checkin=checkin, duty="safety", title="巡逻", actor=consenting.user)
    assert record.events.count() == 1


def test_auto_checkout_is_its_own_kind(consenting, community):
    record = checkout_create(checkin=_checkin(consenting, community), duty="safety", auto=True)
    event = record.events.get()
    assert (event.kind, event.from_status, event.to_status, event.actor) == ("auto_checked_out", "", S.PENDING, None)
