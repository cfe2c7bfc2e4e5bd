"""Accepting a proposal in bulk: a fixed number of queries whatever the number of moves, and the
same event and audit rows as the one-by-one path through ``transition()``."""

import pytest
from django.db import connection, transaction
from django.test import TestCase
from django.test.utils import CaptureQueriesContext

from core.errors import Conflict
from core.models import AuditEntry
from core.transitions import transition_many
from grids.models import Registration, RegistrationChoice, RegistrationEvent
from grids.services.adjustment import adjustment_accept
from grids.services.registration import Adjustment, registration_adjust_locked, registration_adjust_many
from notifications.models import Notification
from tests.accounts.factories import UserFactory
from tests.grids.conftest import run
from tests.grids.factories import MemberFactory

S = Registration.Status


def _place(n, community, grid, name="党员"):
    regs = []
    for i in range(n):
        member = MemberFactory(user=UserFactory(name=f"{name}{i}"), home_lat=24.8035, home_lng=113.5905)
        regs.append(
            Registration.objects.create(
                member=member, community=community, grid=grid, status=S.PLACED, placed_at="2026-01-01T00:00:00+08:00"
            )
        )
    return regs


def _accept_all_counting(round_, actor, queued) -> int:
    """Queries to accept every move, the commit's work (the members' inbox rows) included; the
    delivery job it queues runs on the notifications worker, and is counted there."""
    with CaptureQueriesContext(connection) as queries, TestCase.captureOnCommitCallbacks(execute=True):
        adjustment_accept(round_=round_, actor=actor)
    assert [name for name, _ in queued] == ["notifications.tasks.deliver"]
    queued.clear()
    return len(queries)


def test_accepting_moves_costs_the_same_queries_for_three_or_fifteen(
    community, other_community, grid, district, district_officer, monkeypatch
):
    community.members_needed, other_community.members_needed = 1, 100
    community.save(), other_community.save()
    _place(4, community, grid, "甲")
    first = run(actor=district_officer, district=district)
    assert first.moves_count == 3
    queued = []
    monkeypatch.setattr(
        "notifications.services.enqueue_on_commit", lambda task, *args: queued.append((task.name, args))
    )
    three = _accept_all_counting(first, district_officer, queued)

    _place(15, community, grid, "乙")
    second = run(actor=district_officer, district=district)
    assert second.moves_count == 15
    fifteen = _accept_all_counting(second, district_officer, queued)

    assert three == fifteen <= 25, (three, fifteen)
    assert Registration.objects.filter(community=other_community, source="adjusted").count() == 18
    assert Notification.objects.filter(kind="registration_adjusted").count() == 18
    assert RegistrationEvent.objects.filter(kind="adjusted").count() == 36  # ended + created, per move


def _normalised(audit: AuditEntry, registration_ids: dict) -> dict:
    """An audit row without what must differ between two members (ids, times)."""

    def plain(key, value):
        if key.endswith("_at") and value is not None:
            return "<time>"
        if key in ("id", "member_id"):
            return "<id>"
        return value

    changes = {k: [plain(k, v) for v in pair] for k, pair in audit.changes.items()}
    return {
        "action": audit.action,
        "actor_id": audit.actor_id,
        "actor_name": audit.actor_name,
        "object_type": audit.object_type,
        "object": registration_ids.get(audit.object_id),
        "object_repr": audit.object_repr,
        "changes": changes,
        "note": audit.note,
        "channel": audit.channel,
    }


def _trail(member_id) -> tuple[list, list]:
    """A member's registration events and audit rows, in order, by role (old / new) not by id."""
    regs = list(Registration.objects.filter(member_id=member_id).order_by("pk").values_list("pk", flat=True))
    role = {str(pk): name for pk, name in zip(regs, ("old", "new"), strict=True)}
    events = [
        (role[str(e.registration_id)], e.kind, e.from_status, e.to_status, e.actor_id, e.note)
        for e in RegistrationEvent.objects.filter(registration_id__in=regs).order_by("pk")
    ]
    audits = [
        _normalised(a, role)
        for a in AuditEntry.objects.filter(object_type="grids.registration", object_id__in=role).order_by("pk")
    ]
    return events, audits


def test_the_bulk_path_writes_the_same_events_and_audit_rows_as_one_by_one(
    community, other_community, grid, district_officer
):
    # Two members alike in all but their ids: same name, same community, same grid.
    one, many = _place(2, community, grid, "张三")
    for reg in (one, many):
        reg.member.user.name = "张三"
        reg.member.user.save()
    with transaction.atomic():
        registration_adjust_locked(
            member_id=one.member_id,
            current=Registration.objects.select_for_update().get(pk=one.pk),
            community=other_community,
            actor=district_officer,
            note="武江区调剂：超额调出",
        )
    with transaction.atomic():
        current = Registration.objects.select_related("member__user", "community").get(pk=many.pk)
        registration_adjust_many(
            adjustments=[Adjustment(current=current, community=other_community, note="武江区调剂：超额调出")],
            actor=district_officer,
        )
    events_one, audit_one = _trail(one.member_id)
    events_many, audit_many = _trail(many.member_id)
    assert len(events_one) == 2 and len(audit_one) == 2
    assert events_many == events_one
    assert audit_many == audit_one
    # the rows themselves
    for member_id in (one.member_id, many.member_id):
        old, new = Registration.objects.filter(member_id=member_id).order_by("pk")
        assert (old.status, old.ended_at is not None) == (S.ENDED, True)
        assert (new.status, new.source, new.community_id, new.decided_by_id, new.note) == (
            S.PENDING,
            "adjusted",
            other_community.pk,
            district_officer.pk,
            "武江区调剂：超额调出",
        )
        assert list(RegistrationChoice.objects.filter(registration=new).values_list("community_id", "rank")) == [
            (other_community.pk, 1)
        ]
        assert new.member.community_id is None and new.member.grid_id is None


def test_the_bulk_path_refuses_a_row_that_may_not_move_and_writes_nothing(community, grid, district_officer):
    placed, ended = _place(2, community, grid)
    Registration.objects.filter(pk=ended.pk).update(status=S.ENDED)
    ended.refresh_from_db()
    events, audits = RegistrationEvent.objects.count(), AuditEntry.objects.count()
    with pytest.raises(Conflict, match="不能变为"), transaction.atomic():
        transition_many([placed, ended], S.ENDED, actor=district_officer)
    placed.refresh_from_db()
    assert placed.status == S.PLACED
    assert (RegistrationEvent.objects.count(), AuditEntry.objects.count()) == (events, audits)
