"""Every (from, to) pair of the registration machine, driven through the services.

Legal pairs (per ``transitions.ALLOWED``) succeed and write one event row with its actor and
kind; illegal ones raise ``Conflict(code="illegal_transition")`` and write nothing.
"""

import itertools

import pytest
from django.db import transaction
from django.utils import timezone

from core.errors import Conflict
from core.transitions import ALLOWED, transition
from grids.models import Member, Registration, RegistrationChoice, RegistrationEvent
from grids.services.registration import (
    registration_adjust,
    registration_create,
    registration_decline,
    registration_place,
    registration_withdraw,
)
from tests.grids.factories import RegistrationFactory

pytestmark = pytest.mark.django_db

S = Registration.Status
K = RegistrationEvent.Kind
PAIRS = list(itertools.product(S.values, S.values))


def legal(before: str, to: str) -> bool:
    return to in ALLOWED[Registration].get(before, set())


def test_every_status_has_a_row_in_the_table():
    assert set(ALLOWED[Registration]) == set(S.values)


def snapshot() -> tuple:
    """Everything the registration services may write, to show a refused call wrote nothing."""
    return (
        sorted(
            Registration.objects.values_list(
                "id", "community_id", "grid_id", "status", "source", "note", "placed_at", "ended_at"
            )
        ),
        sorted(RegistrationChoice.objects.values_list("registration_id", "community_id", "rank", "declined_at")),
        sorted(Member.objects.values_list("id", "community_id", "grid_id")),
        RegistrationEvent.objects.count(),
    )


def make_registration(before: str, to: str, *, member, community, other_community, grid) -> Registration:
    """A registration in status ``before``; a pending one has a second choice only when the
    pair asks for it to be passed on (pending → pending)."""
    now = timezone.now()
    kwargs = {"member": member, "community": community, "status": before}
    if before == S.PLACED:
        kwargs.update(grid=grid, placed_at=now)
        Member.objects.filter(pk=member.pk).update(community=community, grid=grid)
    if before == S.UNPLACED:
        kwargs["community"] = None
    if before in (S.WITHDRAWN, S.ENDED):
        kwargs["ended_at"] = now
    registration = RegistrationFactory(**kwargs)
    RegistrationChoice.objects.create(
        registration=registration,
        community=community,
        rank=1,
        declined_at=now if before == S.UNPLACED else None,
    )
    if to == S.PENDING:
        RegistrationChoice.objects.create(registration=registration, community=other_community, rank=2)
    return registration


def drive(registration: Registration, to: str, *, actors, grid, building, other_community):
    """Ask the service that moves a registration to ``to`` (the one a user would call)."""
    before = registration.status
    if to == S.PLACED:
        target = building if before == S.PLACED else grid  # a placed member moves to another grid
        return registration_place(registration=registration, grid=target, actor=actors["secretary"])
    if to in (S.PENDING, S.UNPLACED):  # the community declines: passed on, or none left
        return registration_decline(registration=registration, actor=actors["secretary"], reason="网格已满")
    if to == S.WITHDRAWN:
        if before == S.PLACED:
            # Leaving a placed registration ends it; no service withdraws one.
            with transaction.atomic():
                return transition(registration, to, actor=actors["member"])
        return registration_withdraw(registration=registration, actor=actors["member"])
    if to == S.ENDED:
        if before in (S.PENDING, S.UNPLACED):
            return registration_adjust(
                member=registration.member, community=other_community, actor=actors["district"], note="就近调剂"
            )
        return registration_withdraw(registration=registration, actor=actors["member"])
    raise AssertionError(to)


# (from, to) → (who acted, the event's kind)
EXPECTED = {
    (S.PENDING, S.PLACED): ("secretary", ""),
    (S.PENDING, S.PENDING): ("secretary", K.PASSED_ON),
    (S.PENDING, S.UNPLACED): ("secretary", ""),
    (S.PENDING, S.WITHDRAWN): ("member", ""),
    (S.PENDING, S.ENDED): ("district", K.ADJUSTED),
    (S.PLACED, S.PLACED): ("secretary", K.REGRIDDED),
    (S.PLACED, S.ENDED): ("member", ""),
    (S.UNPLACED, S.WITHDRAWN): ("member", ""),
    (S.UNPLACED, S.ENDED): ("district", K.ADJUSTED),
}


def test_every_legal_pair_is_expected():
    assert {pair for pair in PAIRS if legal(*pair)} == set(EXPECTED)


@pytest.mark.parametrize(("before", "to"), PAIRS, ids=[f"{a}->{b}" for a, b in PAIRS])
def test_registration_pair(before, to, member, community, other_community, grid, building, secretary, district_officer):
    actors = {"secretary": secretary, "member": member.user, "district": district_officer}
    registration = make_registration(
        before, to, member=member, community=community, other_community=other_community, grid=grid
    )
    if legal(before, to):
        drive(registration, to, actors=actors, grid=grid, building=building, other_community=other_community)
        registration.refresh_from_db()
        assert registration.status == to
        events = RegistrationEvent.objects.filter(registration=registration)
        assert events.count() == 1
        event = events.get()
        who, kind = EXPECTED[(before, to)]
        assert (event.from_status, event.to_status, event.kind) == (before, to, kind)
        assert event.actor == actors[who]
    else:
        state = snapshot()
        with pytest.raises(Conflict) as exc:
            drive(registration, to, actors=actors, grid=grid, building=building, other_community=other_community)
        assert exc.value.code == "illegal_transition"
        assert snapshot() == state


# --- creation and what the pairs do not show -------------------------------------------------


def test_create_writes_a_self_selected_event(member, community, other_community):
    registration = registration_create(
        member=member, community_ids=[community.pk, other_community.pk], actor=member.user
    )
    event = registration.events.get()
    assert (event.from_status, event.to_status, event.kind, event.actor) == (
        "",
        S.PENDING,
        K.SELF_SELECTED,
        member.user,
    )


def test_adjust_ends_the_old_one_and_opens_an_adjusted_one(
    member, community, other_community, grid, secretary, district_officer
):
    old = registration_create(member=member, community_ids=[community.pk], actor=member.user)
    registration_place(registration=old, grid=grid, actor=secretary)
    new = registration_adjust(member=member, community=other_community, actor=district_officer, note="就近调剂")
    ended = old.events.order_by("id").last()
    assert (ended.from_status, ended.to_status, ended.kind, ended.actor) == (
        S.PLACED,
        S.ENDED,
        K.ADJUSTED,
        district_officer,
    )
    created = new.events.get()
    assert (created.from_status, created.to_status, created.kind, created.actor, created.note) == (
        "",
        S.PENDING,
        K.ADJUSTED,
        district_officer,
        "就近调剂",
    )


def test_adjust_of_a_member_without_a_registration_writes_only_the_new_one(member, community, district_officer):
    registration = registration_adjust(member=member, community=community, actor=district_officer)
    assert list(RegistrationEvent.objects.values_list("registration_id", "kind")) == [(registration.pk, K.ADJUSTED)]


def test_history_of_a_registration_reads_in_order(member, community, other_community, grid, secretary, outsider):
    registration = registration_create(
        member=member, community_ids=[other_community.pk, community.pk], actor=member.user
    )
    registration_decline(registration=registration, actor=outsider, reason="已满")
    registration_place(registration=registration, grid=grid, actor=secretary)
    registration_withdraw(registration=registration, actor=member.user)
    assert list(registration.events.values_list("from_status", "to_status", "kind")) == [
        ("", S.PENDING, K.SELF_SELECTED),
        (S.PENDING, S.PENDING, K.PASSED_ON),
        (S.PENDING, S.PLACED, ""),
        (S.PLACED, S.ENDED, ""),
    ]
