"""接单 rules: who may take which slot, withdrawing, checking in and out through the ledger."""

import datetime as dt

import pytest
import time_machine
from django.db.models import Q

from core.errors import Conflict, PermissionDenied, ValidationFailed
from grids.models import Pairing
from orders.models import Acceptance, AcceptanceEvent, Task
from orders.services.acceptances import (
    acceptance_check_in,
    acceptance_check_out,
    acceptance_withdraw,
    acceptances_auto_checkout,
    acceptances_mark_no_show,
)
from orders.services.tasks import task_accept
from reporting.models import CheckIn, ServiceRecord
from tests.grids.factories import CommunityFactory, MemberFactory, UnitFactory
from tests.orders.factories import TaskFactory
from tests.orders.support import consent, member_in, on_site, recipients, take

A, T = Acceptance.Status, Task.Status
pytestmark = pytest.mark.django_db


def test_accept_takes_one_slot_and_copies_the_times(task, placed):
    acceptance = task_accept(task=task, member=placed)
    task.refresh_from_db()
    assert acceptance.status == A.ACCEPTED
    assert (acceptance.starts_at, acceptance.ends_at) == (task.starts_at, task.ends_at)
    assert task.taken == 1 and task.status == T.OPEN
    event = AcceptanceEvent.objects.get(acceptance=acceptance)
    assert (event.from_status, event.to_status, event.actor_id) == ("", A.ACCEPTED, placed.user_id)


def test_the_last_slot_makes_the_task_full(community, task, placed):
    for _ in range(task.slots - 1):
        task_accept(task=task, member=member_in(community))
    task_accept(task=task, member=placed)
    task.refresh_from_db()
    assert (task.taken, task.status) == (task.slots, T.FULL)
    assert task.events.filter(to_status=T.FULL).count() == 1


def _refused(task, member, exc, code):
    task.refresh_from_db()
    before = (task.taken, task.status, Acceptance.objects.count())
    with pytest.raises(exc) as err:
        task_accept(task=task, member=member)
    task.refresh_from_db()
    assert err.value.code == code
    assert (task.taken, task.status, Acceptance.objects.count()) == before
    return err.value


def test_a_full_task_is_refused(community, task, placed):
    for _ in range(task.slots):
        task_accept(task=task, member=member_in(community))
    assert "名额已满" in _refused(task, placed, Conflict, "slot_full").message


def test_a_cancelled_task_is_refused(community, secretary, placed):
    task = TaskFactory(community=community, status=T.CANCELLED, cancel_reason="天气原因")
    assert "已取消" in _refused(task, placed, Conflict, "task_cancelled").message


def test_a_started_or_past_task_is_refused(community, placed):
    task = TaskFactory(community=community)
    with time_machine.travel(task.starts_at + dt.timedelta(minutes=1), tick=False):
        _refused(task, placed, Conflict, "task_started")
    with time_machine.travel(task.ends_at + dt.timedelta(days=1), tick=False):
        _refused(task, placed, Conflict, "task_started")


def test_an_in_progress_task_is_refused(community, placed):
    task = TaskFactory(community=community, status=T.IN_PROGRESS)
    _refused(task, placed, Conflict, "task_started")


def test_another_communitys_task_is_not_visible(other_community, placed):
    task = TaskFactory(community=other_community)
    _refused(task, placed, PermissionDenied, "not_visible")


def test_a_member_not_registered_anywhere_sees_only_paired_tasks(community, member):
    city = TaskFactory(community=community, visibility=Task.Visibility.CITY)
    _refused(city, member, PermissionDenied, "not_visible")
    Pairing.objects.create(unit=member.unit, community=community)
    assert task_accept(task=city, member=member).status == A.ACCEPTED


def test_visibility_widens_community_paired_city(community, other_community, placed):
    paired_task = TaskFactory(community=other_community, visibility=Task.Visibility.PAIRED)
    _refused(paired_task, placed, PermissionDenied, "not_visible")
    Pairing.objects.create(unit=placed.unit, community=other_community)
    assert task_accept(task=paired_task, member=placed)

    elsewhere = CommunityFactory()
    local = TaskFactory(community=elsewhere, starts_at=paired_task.starts_at + dt.timedelta(days=1))
    _refused(local, placed, PermissionDenied, "not_visible")
    city = TaskFactory(community=elsewhere, visibility="city", starts_at=local.starts_at)
    assert task_accept(task=city, member=placed)


def test_a_member_of_a_paired_unit_does_not_see_community_only_tasks(community, other_community):
    unit = UnitFactory()
    Pairing.objects.create(unit=unit, community=community)
    outsider = MemberFactory(unit=unit, community=other_community)
    _refused(TaskFactory(community=community), outsider, PermissionDenied, "not_visible")


def test_accepting_twice_is_refused(task, placed):
    task_accept(task=task, member=placed)
    task.refresh_from_db()
    assert "已接过" in _refused(task, placed, Conflict, "already_accepted").message


def test_an_overlapping_task_is_refused_with_its_title(community, task, placed):
    task_accept(task=task, member=placed)
    other = TaskFactory(
        community=community,
        starts_at=task.starts_at + dt.timedelta(hours=1),
        ends_at=task.ends_at + dt.timedelta(hours=1),
    )
    err = _refused(other, placed, Conflict, "time_clash")
    assert task.title in err.message


def test_back_to_back_tasks_do_not_clash(community, task, placed):
    task_accept(task=task, member=placed)
    after = TaskFactory(community=community, starts_at=task.ends_at, ends_at=task.ends_at + dt.timedelta(hours=1))
    assert task_accept(task=after, member=placed)


def test_a_withdrawn_acceptance_does_not_clash_and_may_be_taken_again(task, placed):
    first = task_accept(task=task, member=placed)
    acceptance_withdraw(acceptance=first, actor=placed.user)
    again = task_accept(task=task, member=placed)
    task.refresh_from_db()
    assert again.pk != first.pk and task.taken == 1


def test_a_user_with_no_member_profile_is_refused(task):
    with pytest.raises(PermissionDenied):
        task_accept(task=task, member=None)


# --- withdrawing ---------------------------------------------------------------------------


def test_withdraw_before_the_cutoff_frees_the_slot(community, task, placed):
    acceptance = task_accept(task=task, member=placed)
    with time_machine.travel(task.starts_at - dt.timedelta(hours=3), tick=False):
        acceptance = acceptance_withdraw(acceptance=acceptance, actor=placed.user)
    task.refresh_from_db()
    assert acceptance.status == A.CANCELLED and acceptance.late_withdrawal is False
    assert acceptance.withdrawn_at is not None and task.taken == 0


def test_withdraw_after_the_cutoff_is_allowed_but_recorded_late(task, placed, settings):
    settings.ACCEPT_WITHDRAW_CUTOFF_HOURS = 2
    acceptance = task_accept(task=task, member=placed)
    with time_machine.travel(task.starts_at - dt.timedelta(minutes=90), tick=False):
        acceptance = acceptance_withdraw(acceptance=acceptance, actor=placed.user)
    assert acceptance.status == A.CANCELLED and acceptance.late_withdrawal is True
    assert "2 小时内" in acceptance.events.get(to_status=A.CANCELLED).note


def test_withdraw_after_the_start_is_refused(task, placed):
    acceptance = task_accept(task=task, member=placed)
    with time_machine.travel(task.starts_at + dt.timedelta(minutes=1), tick=False), pytest.raises(Conflict) as err:
        acceptance_withdraw(acceptance=acceptance, actor=placed.user)
    acceptance.refresh_from_db()
    task.refresh_from_db()
    assert err.value.code == "task_started" and acceptance.status == A.ACCEPTED and task.taken == 1


def test_withdrawing_from_a_full_task_opens_it_again(community, task, placed):
    mine = task_accept(task=task, member=placed)
    for _ in range(task.slots - 1):
        task_accept(task=task, member=member_in(community))
    task.refresh_from_db()
    assert task.status == T.FULL
    acceptance_withdraw(acceptance=mine, actor=placed.user)
    task.refresh_from_db()
    assert (task.status, task.taken) == (T.OPEN, task.slots - 1)
    assert task_accept(task=task, member=member_in(community))


def test_only_the_member_may_withdraw(task, placed, secretary):
    acceptance = task_accept(task=task, member=placed)
    with pytest.raises(PermissionDenied):
        acceptance_withdraw(acceptance=acceptance, actor=secretary)
    acceptance.refresh_from_db()
    assert acceptance.status == A.ACCEPTED


# --- on site -------------------------------------------------------------------------------


@pytest.fixture
def accepted(task, placed):
    consent(placed)
    return task_accept(task=task, member=placed)


def test_check_in_records_a_ledger_checkin_and_starts_the_task(task, placed, accepted):
    with time_machine.travel(task.starts_at - dt.timedelta(minutes=10), tick=False):
        acceptance = acceptance_check_in(acceptance=accepted, actor=placed.user, **on_site(task))
    task.refresh_from_db()
    checkin = acceptance.checkin
    assert acceptance.status == A.CHECKED_IN and task.status == T.IN_PROGRESS
    assert (checkin.place_lat, checkin.radius_m, checkin.opens_at, checkin.closes_at) == (
        task.lat,
        task.geofence_radius_m,
        task.starts_at,
        task.ends_at,
    )
    assert checkin.member == placed and checkin.community == task.community


def test_check_in_twice_returns_the_same_checkin(task, placed, accepted):
    with time_machine.travel(task.starts_at, tick=False):
        first = acceptance_check_in(acceptance=accepted, actor=placed.user, **on_site(task))
        second = acceptance_check_in(acceptance=accepted, actor=placed.user, **on_site(task))
    assert first.checkin_id == second.checkin_id and CheckIn.objects.count() == 1


def test_check_in_far_away_is_refused_with_the_distance(task, placed, accepted):
    with time_machine.travel(task.starts_at, tick=False), pytest.raises(ValidationFailed) as err:
        acceptance_check_in(acceptance=accepted, actor=placed.user, lat=task.lat + 0.01, lng=task.lng)
    accepted.refresh_from_db()
    task.refresh_from_db()
    assert err.value.code == "outside_geofence" and "米" in err.value.message
    assert accepted.status == A.ACCEPTED and task.status == T.OPEN and CheckIn.objects.count() == 0


def test_check_in_too_early_is_refused(task, placed, accepted):
    with time_machine.travel(task.starts_at - dt.timedelta(hours=1), tick=False), pytest.raises(ValidationFailed) as e:
        acceptance_check_in(acceptance=accepted, actor=placed.user, **on_site(task))
    assert e.value.code == "outside_window"


def test_check_in_needs_location_consent(task, placed):
    acceptance = task_accept(task=task, member=placed)
    with time_machine.travel(task.starts_at, tick=False), pytest.raises(Conflict) as err:
        acceptance_check_in(acceptance=acceptance, actor=placed.user, **on_site(task))
    assert err.value.code == "consent_required"


def test_someone_else_cannot_check_in_for_the_member(task, placed, accepted, secretary):
    with time_machine.travel(task.starts_at, tick=False), pytest.raises(PermissionDenied):
        acceptance_check_in(acceptance=accepted, actor=secretary, **on_site(task))


def test_check_out_writes_a_pending_record_and_is_idempotent(task, placed, accepted):
    with time_machine.travel(task.starts_at, tick=False):
        acceptance_check_in(acceptance=accepted, actor=placed.user, **on_site(task))
    with time_machine.travel(task.starts_at + dt.timedelta(minutes=90), tick=False):
        done = acceptance_check_out(acceptance=accepted, actor=placed.user)
        again = acceptance_check_out(acceptance=accepted, actor=placed.user)
    record = done.record
    assert done.status == A.COMPLETED and again.record_id == record.pk
    assert (record.minutes, record.status, record.duty) == (90, ServiceRecord.Status.PENDING, task.duty)
    assert ServiceRecord.objects.count() == 1


def test_check_out_without_check_in_is_an_illegal_transition(task, placed, accepted):
    with pytest.raises(Conflict) as err:
        acceptance_check_out(acceptance=accepted, actor=placed.user)
    assert err.value.code == "illegal_transition"


def test_forgotten_check_outs_close_at_the_tasks_end_and_the_member_is_told(
    task, placed, accepted, sent, django_capture_on_commit_callbacks
):
    with time_machine.travel(task.starts_at, tick=False):
        acceptance_check_in(acceptance=accepted, actor=placed.user, **on_site(task))
    assert acceptances_auto_checkout(now=task.ends_at - dt.timedelta(minutes=1)) == 0
    with (
        time_machine.travel(task.ends_at + dt.timedelta(minutes=5), tick=False),
        django_capture_on_commit_callbacks(execute=True),
    ):
        assert acceptances_auto_checkout() == 1
        assert acceptances_auto_checkout() == 0
    accepted.refresh_from_db()
    record = accepted.record
    assert accepted.status == A.COMPLETED and record.auto_checked_out and record.ended_at == task.ends_at
    assert record.minutes == 120
    assert recipients(sent, "checkout_auto") == {placed.user_id}
    assert {c["url"] for c in sent if c["kind"] == "checkout_auto"} == {"/my/hours/"}


def test_members_who_never_came_become_no_shows(community, task, placed, accepted):
    came = member_in(community)
    consent(came)
    theirs = task_accept(task=task, member=came)
    with time_machine.travel(task.starts_at, tick=False):
        acceptance_check_in(acceptance=theirs, actor=came.user, **on_site(task))
    assert acceptances_mark_no_show(now=task.ends_at - dt.timedelta(minutes=1)) == 0
    assert acceptances_mark_no_show(now=task.ends_at) == 1
    assert acceptances_mark_no_show(now=task.ends_at) == 0
    accepted.refresh_from_db()
    theirs.refresh_from_db()
    assert accepted.status == A.NO_SHOW and theirs.status == A.CHECKED_IN


# --- every pair of the acceptance machine, through the services ----------------------------

_SERVICE_FOR = {A.CANCELLED: "withdraw", A.CHECKED_IN: "check_in", A.COMPLETED: "check_out"}


def _acceptance_in(status, task, member):
    from tests.reporting.factories import CheckInFactory, ServiceRecordFactory

    acceptance = take(task, member)
    fields = {"status": status}
    if status in (A.CHECKED_IN, A.COMPLETED):
        fields["checkin"] = CheckInFactory(
            member=member, community=task.community, opens_at=task.starts_at, closes_at=task.ends_at
        )
    if status == A.COMPLETED:
        fields["record"] = ServiceRecordFactory(member=member, community=task.community, checkin=fields["checkin"])
    Acceptance.objects.filter(pk=acceptance.pk).update(**fields)
    acceptance.refresh_from_db()
    return acceptance


@pytest.mark.parametrize("to", list(_SERVICE_FOR))
@pytest.mark.parametrize("start", A.values)
def test_every_acceptance_pair_through_the_services(start, to, task, placed):
    consent(placed)
    acceptance = _acceptance_in(start, task, placed)
    events = AcceptanceEvent.objects.filter(acceptance=acceptance).count()
    legal = to in __import__("core.transitions", fromlist=["ALLOWED"]).ALLOWED[Acceptance][start]
    # Repeated taps of check-in / check-out return the acceptance as it is; withdrawing twice is refused.
    idempotent = (to != A.CANCELLED and start == to) or (to == A.CHECKED_IN and start == A.COMPLETED)
    action = _SERVICE_FOR[to]
    with time_machine.travel(task.starts_at - dt.timedelta(hours=3), tick=False) as traveller:
        if action != "withdraw":
            traveller.move_to(task.starts_at + dt.timedelta(minutes=5))

        def run():
            if action == "withdraw":
                return acceptance_withdraw(acceptance=acceptance, actor=placed.user)
            if action == "check_in":
                return acceptance_check_in(acceptance=acceptance, actor=placed.user, **on_site(task))
            return acceptance_check_out(acceptance=acceptance, actor=placed.user)

        if legal:
            assert run().status == to
            assert AcceptanceEvent.objects.filter(acceptance=acceptance, to_status=to).count() == 1
        elif idempotent:
            assert run().status == start
            assert AcceptanceEvent.objects.filter(acceptance=acceptance).count() == events
        else:
            with pytest.raises(Conflict) as err:
                run()
            assert err.value.code == "illegal_transition"
            acceptance.refresh_from_db()
            assert acceptance.status == start
            assert AcceptanceEvent.objects.filter(acceptance=acceptance).count() == events


def test_the_live_acceptance_unique_index_holds(task, placed):
    take(task, placed)
    from django.db import IntegrityError, transaction

    with pytest.raises(IntegrityError), transaction.atomic():
        Acceptance.objects.create(task=task, member=placed, starts_at=task.starts_at, ends_at=task.ends_at)
    assert Acceptance.objects.filter(Q(task=task) & Q(member=placed)).count() == 1


@pytest.mark.parametrize(
    ("message", "code"),
    [
        ('conflicting key value violates exclusion constraint "acceptance_no_overlap"', "time_clash"),
        (
            'duplicate key value violates unique constraint "acceptance_one_live_per_member_and_task"',
            "already_accepted",
        ),
        ("UNIQUE constraint failed: orders_acceptance.task_id, orders_acceptance.member_id", "already_accepted"),
        ("something else", "accept_failed"),
    ],
)
def test_database_refusals_become_clear_conflicts(message, code):
    from django.db import IntegrityError

    from orders.services.tasks import _integrity_conflict

    assert _integrity_conflict(IntegrityError(message)).code == code
