"""Writes on registration (报到): self-selection, placing, declining, withdrawing, adjusting (调剂).

Each function is one action, keyword-only, transactional, locking what it changes, raising
``core.errors`` with a Chinese message. Every change of a registration's status goes through
``core.transitions`` (the table is ``grids.machines.REGISTRATION``) and writes an event row.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from django.conf import settings
from django.db import IntegrityError, transaction
from django.utils import timezone

from core.errors import Conflict, PermissionDenied, ValidationFailed
from core.transitions import can_transition, record_created, record_created_many, transition, transition_many
from grids.models import Community, Grid, Member, Registration, RegistrationChoice, RegistrationEvent
from grids.selectors.registration import communities_in_reach, registration_in_scope
from grids.selectors.scope import scope_for

MAX_CHOICES = 3

S = Registration.Status
Kind = RegistrationEvent.Kind


def _created_event(registration: Registration, *, actor, kind: str, note: str = "") -> None:
    # A registration is born pending; its first event says how (self-selected or adjusted).
    record_created(registration, actor=actor, kind=kind, note=note, at=registration.created_at)


def _lock_member(member: Member) -> Member:
    # Serialises a member's registration actions: two taps of "submit" on a slow network
    # must not both pass the "no active registration" check. The partial unique index on
    # Registration is the final guard; this lock makes the second request wait and then
    # see the first one's row, so it gets a clear 409 rather than an integrity error.
    # ``of=self``: PostgreSQL cannot lock the nullable side of the outer join to the unit.
    return Member.objects.select_for_update(of=("self",)).select_related("unit", "user").get(pk=member.pk)


@transaction.atomic
def registration_create(*, member: Member, community_ids: Sequence[int], actor) -> Registration:
    """Self-select up to three ranked communities; the first one is asked to place the member."""
    ids = list(community_ids)
    if not ids:
        raise ValidationFailed("请至少选择一个社区。", field="communities")
    if len(ids) > MAX_CHOICES:
        raise ValidationFailed(f"最多选择 {MAX_CHOICES} 个社区。", field="communities")
    if len(set(ids)) != len(ids):
        raise ValidationFailed("同一个社区不能重复选择。", field="communities")
    if actor.pk != member.user_id:
        raise PermissionDenied("只能为自己报到。")

    member = _lock_member(member)
    if Registration.objects.filter(member=member, status__in=Registration.ACTIVE).exists():
        raise Conflict("您已有进行中的报到，请先撤回后再重新选择。", code="already_registered")

    found = {c.pk: c for c in Community.objects.filter(pk__in=ids)}
    if len(found) != len(ids):
        raise ValidationFailed("所选社区不存在。", field="communities")
    anchors_missing = member.home_lat is None and not (member.unit_id and member.unit.lat is not None)
    if anchors_missing and not (member.unit_id and member.unit.pairings.exists()):
        raise ValidationFailed(
            "请先在“我的资料”中填写居住地位置，以便查找附近社区。", code="no_location", field="communities"
        )
    reachable = {c.pk for c in communities_in_reach(member)}
    outside = [found[i].name for i in ids if i not in reachable]
    if outside:
        raise ValidationFailed(
            f"{'、'.join(outside)}不在您居住地或工作单位附近（{settings.REGISTRATION_REACH_KM:g} 公里内），"
            "也不是您单位的结对社区，请选择附近的社区。",
            code="out_of_reach",
            field="communities",
        )

    try:
        with transaction.atomic():
            registration = Registration.objects.create(
                member=member,
                community=found[ids[0]],
                status=S.PENDING,
                source=Registration.Source.SELF_SELECTED,
                decided_by=actor,
            )
    except IntegrityError as exc:  # the partial unique index: a concurrent registration won
        raise Conflict("您已有进行中的报到，请先撤回后再重新选择。", code="already_registered") from exc
    RegistrationChoice.objects.bulk_create(
        RegistrationChoice(registration=registration, community=found[cid], rank=rank)
        for rank, cid in enumerate(ids, start=1)
    )
    _created_event(registration, actor=actor, kind=Kind.SELF_SELECTED)
    return registration


def _lock_registration(registration: Registration) -> Registration:
    return (
        Registration.objects.select_for_update(of=("self",))
        .select_related("member", "community__street")
        .get(pk=registration.pk)
    )


def _require_community_staff(actor, registration: Registration) -> None:
    community = registration.community
    if community is None:
        # Unplaced or ended: no community holds it, so no community action applies.
        raise Conflict(f"该报到{registration.get_status_display()}，社区不能处理。", code="illegal_transition")
    if not scope_for(actor).covers_community(community):
        raise PermissionDenied("您无权处理其他社区的报到。")


@transaction.atomic
def registration_place(*, registration: Registration, grid: Grid, actor) -> Registration:
    """The community puts the member into one of its grids (or moves them to another grid)."""
    registration = _lock_registration(registration)
    _require_community_staff(actor, registration)
    if not can_transition(registration, S.PLACED):
        raise Conflict(f"该报到{registration.get_status_display()}，不能编入网格。", code="illegal_transition")
    if grid.community_id != registration.community_id:
        raise ValidationFailed("所选网格不属于该社区。", code="grid_of_other_community", field="grid")
    regridded = registration.status == S.PLACED
    registration = transition(
        registration,
        S.PLACED,
        actor=actor,
        kind=Kind.REGRIDDED if regridded else "",
        note=f"编入{grid.name}",
        locked=True,
        grid=grid,
        placed_at=registration.placed_at or timezone.now(),
    )
    Member.objects.filter(pk=registration.member_id).update(community=registration.community_id, grid=grid)
    return registration


@transaction.atomic
def registration_decline(*, registration: Registration, actor, reason: str = "") -> Registration:
    """The community passes; the next-ranked choice is asked, or the district must adjust."""
    registration = _lock_registration(registration)
    _require_community_staff(actor, registration)
    nxt = (
        RegistrationChoice.objects.filter(registration=registration, declined_at__isnull=True)
        .exclude(community=registration.community_id)
        .order_by("rank")
        .select_related("community")
        .first()
    )
    # Passed on to the next choice (pending → pending) or, with none left, waiting for the
    # district to adjust (pending → unplaced).
    to = S.PENDING if nxt else S.UNPLACED
    if not can_transition(registration, to):
        raise Conflict(f"该报到{registration.get_status_display()}，不能婉拒。", code="illegal_transition")
    RegistrationChoice.objects.filter(registration=registration, community=registration.community_id).update(
        declined_at=timezone.now()
    )
    note = (reason or "").strip()[:200]
    # The reason is kept on the row (the member reads it) and on the event.
    registration.note = note
    return transition(
        registration,
        to,
        actor=actor,
        kind=Kind.PASSED_ON if nxt else "",
        note=note,
        locked=True,
        fields=["note"],
        community=nxt.community if nxt else None,
    )


@transaction.atomic
def registration_withdraw(*, registration: Registration, actor) -> Registration:
    """The member withdraws a pending registration, or leaves the community they were placed in."""
    registration = _lock_registration(registration)
    if registration.member.user_id != actor.pk:
        raise PermissionDenied("只能撤回自己的报到。")
    was_placed = registration.status == S.PLACED
    # Leaving a community one was placed in ends the registration; anything else withdraws it.
    to = S.ENDED if was_placed else S.WITHDRAWN
    if not can_transition(registration, to):
        raise Conflict(f"该报到{registration.get_status_display()}，无需撤回。", code="illegal_transition")
    registration = transition(registration, to, actor=actor, locked=True, ended_at=timezone.now())
    if was_placed:
        Member.objects.filter(pk=registration.member_id).update(community=None, grid=None)
    return registration


@transaction.atomic
def registration_adjust(*, member: Member, community: Community, actor, note: str = "") -> Registration:
    """调剂: a district officer moves a member to another community, recording who decided.

    Ends the member's active registration and opens an ``adjusted`` one at ``community``,
    waiting for that community to place the member into a grid.
    """
    scope = scope_for(actor)
    district_roles = scope.city or bool(scope.district_ids)
    if not district_roles or not scope.covers_community(community):
        raise PermissionDenied("只有区/县组织部门可以调剂报到社区。")
    member = _lock_member(member)
    current = Registration.objects.select_for_update().filter(member=member, status__in=Registration.ACTIVE).first()
    if current is not None:
        if not registration_in_scope(current, scope):
            raise PermissionDenied("该党员当前报到的社区不在您的管辖范围内。")
        if current.community_id == community.pk and current.status == S.PLACED:
            raise Conflict("该党员已在这个社区报到。", code="already_registered")
    return registration_adjust_locked(member_id=member.pk, current=current, community=community, actor=actor, note=note)


def registration_adjust_locked(
    *, member_id: int, current: Registration | None, community: Community, actor, note: str = ""
) -> Registration:
    """The writes of an adjustment, for a caller that has checked scope and holds the locks on
    the member and on ``current`` (the member's active registration, if any) in this transaction."""
    if current is not None:
        transition(
            current,
            S.ENDED,
            actor=actor,
            kind=Kind.ADJUSTED,
            note=f"调剂到{community.name}",
            locked=True,
            ended_at=timezone.now(),
        )
    Member.objects.filter(pk=member_id).update(community=None, grid=None)
    note = (note or "").strip()[:200]
    registration = Registration.objects.create(
        member_id=member_id,
        community=community,
        status=S.PENDING,
        source=Registration.Source.ADJUSTED,
        decided_by=actor,
        note=note,
    )
    _created_event(registration, actor=actor, kind=Kind.ADJUSTED, note=note)
    # The community it was sent to is its only choice: if that community declines, the
    # registration waits unplaced where that community's district can still see and adjust it.
    RegistrationChoice.objects.create(registration=registration, community=community, rank=1)
    return registration


@dataclass
class Adjustment:
    """One member's move in a bulk adjustment: their active registration (locked by the caller,
    with its member's user and its community loaded), where to, and the note of the new one."""

    current: Registration
    community: Community
    note: str = ""


def registration_adjust_many(*, adjustments: Sequence[Adjustment], actor) -> list[Registration]:
    """``registration_adjust_locked`` for many members in a bounded number of queries (about ten
    whatever their number): the same registrations, choices, event rows and audit rows as
    adjusting them one by one. The caller has checked scope and holds the locks on the members
    and on their registrations in this transaction."""
    if not adjustments:
        return []
    now = timezone.now()
    transition_many(
        [a.current for a in adjustments],
        S.ENDED,
        actor=actor,
        kind=Kind.ADJUSTED,
        notes=[f"调剂到{a.community.name}" for a in adjustments],
        ended_at=now,
    )
    Member.objects.filter(pk__in=[a.current.member_id for a in adjustments]).update(community=None, grid=None)
    notes = [(a.note or "").strip()[:200] for a in adjustments]
    created = Registration.objects.bulk_create(
        [
            # The member and community objects ride along, so naming the row in the audit trail
            # reads nothing more.
            Registration(
                member=a.current.member,
                community=a.community,
                status=S.PENDING,
                source=Registration.Source.ADJUSTED,
                decided_by=actor,
                note=note,
            )
            for a, note in zip(adjustments, notes, strict=True)
        ],
        batch_size=1000,
    )
    record_created_many(created, actor=actor, kind=Kind.ADJUSTED, notes=notes)
    RegistrationChoice.objects.bulk_create(
        [
            RegistrationChoice(registration=r, community=a.community, rank=1)
            for r, a in zip(created, adjustments, strict=True)
        ],
        batch_size=1000,
    )
    return created
