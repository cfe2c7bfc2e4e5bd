"""Accepting a round's proposal: all of it, some moves, or moves edited to another candidate.

Accepting N moves costs a bounded number of queries whatever N (about twenty): the moves, the
members and registrations locked in two queries, the staleness check in one, and the writes
through the registration machine's bulk path (``registration_adjust_many``), which records the
same event and audit rows as adjusting members one by one.
"""

from __future__ import annotations

from collections.abc import Sequence

from django.db import transaction
from django.db.models import Max, OuterRef, Subquery
from django.urls import reverse
from django.utils import timezone

from core.errors import Conflict, ValidationFailed
from core.transitions import transition
from grids.models import AdjustmentMove, AdjustmentRound, Community, Member, Registration, RegistrationEvent
from grids.services.adjustment.run import lock_round
from grids.services.registration import Adjustment, registration_adjust_many
from notifications.services import notify_each_on_commit

R = AdjustmentRound.Status


def _chosen(moves: dict[int, AdjustmentMove], selections) -> dict[int, int]:
    """``{move id: community id}`` of what is accepted, after checking each pick."""
    if selections is None:
        return {pk: m.to_community_id for pk, m in moves.items() if m.to_community_id}
    chosen = {}
    for move_id, community_id in selections:
        move = moves.get(move_id)
        if move is None:
            raise ValidationFailed("所选调整不属于该调剂方案。", code="unknown_move", field="moves")
        target = community_id or move.to_community_id
        if target is None:
            raise ValidationFailed(
                f"{move.member}没有可安排的社区，请为其选择一个候选社区。", code="no_target", field="moves"
            )
        if target not in move.candidates:
            raise ValidationFailed(
                f"所选社区不是{move.member}的候选社区（志愿、单位结对或就近社区）。",
                code="not_a_candidate",
                field="moves",
            )
        chosen[move_id] = target
    return chosen


@transaction.atomic
def adjustment_accept(
    *, round_: AdjustmentRound, actor, selections: Sequence[tuple[int, int | None]] | None = None
) -> AdjustmentRound:
    """Accept the proposal: every move (``selections`` None), or the listed ``(move id, community
    id or None)`` pairs — a community id changes that move to another of its candidates. Each
    accepted move ends the member's registration and opens an ``adjusted`` one, recording who
    approved it and when; the members are told. Moves not accepted are marked not adopted."""
    round_ = lock_round(round_, actor, R.ACCEPTED)
    moves = {m.pk: m for m in AdjustmentMove.objects.filter(round=round_).select_related("member__user")}
    chosen = _chosen(moves, selections)
    if not chosen:
        raise ValidationFailed("请至少选择一项调整。", code="nothing_chosen", field="moves")

    # Lock the members, then their registrations (the order registration_create uses), and
    # check that nothing changed since the proposal was read.
    picked = [moves[pk] for pk in sorted(chosen)]
    list(Member.objects.select_for_update().filter(pk__in=[m.member_id for m in picked]).order_by("pk"))
    regs = {
        r.pk: r
        for r in Registration.objects.select_for_update(of=("self",))
        .select_related("member__user", "community")
        .filter(pk__in=[m.registration_id for m in picked])
    }
    last = dict(
        RegistrationEvent.objects.filter(registration__in=list(regs))
        .values_list("registration")
        .annotate(last=Max("id"))
        .values_list("registration", "last")
    )
    stale = [
        m
        for m in picked
        if (reg := regs.get(m.registration_id)) is None
        or reg.status != m.registration_status
        or reg.community_id != m.from_community_id
        or (last.get(reg.pk) or 0) != m.registration_event_id
    ]
    if stale:
        names = "、".join(str(m.member) for m in stale[:3])
        raise Conflict(
            f"方案已过期：{len(stale)} 名党员（{names}{'等' if len(stale) > 3 else ''}）的报到在方案生成后有变化，"
            "请取消本方案并重新发起调剂。",
            code="stale_proposal",
        )

    targets = {c.pk: c for c in Community.objects.filter(pk__in=set(chosen.values()))}
    note = f"{round_.scope_label}调剂："
    created = registration_adjust_many(
        adjustments=[
            Adjustment(
                current=regs[m.registration_id],
                community=targets[chosen[m.pk]],
                note=note + m.get_reason_display(),
            )
            for m in picked
        ],
        actor=actor,
    )
    for move, registration in zip(picked, created, strict=True):
        move.new_registration = registration
        move.to_community = registration.community
        move.status = AdjustmentMove.Status.ACCEPTED
    # One UPDATE (bulk_update's CASE per row costs seconds for a few hundred moves): each move
    # points at its member's one active registration, the one just opened.
    opened = Registration.objects.filter(member_id=OuterRef("member_id"), status__in=Registration.ACTIVE)
    AdjustmentMove.objects.filter(pk__in=[m.pk for m in picked]).update(
        status=AdjustmentMove.Status.ACCEPTED,
        new_registration=Subquery(opened.values("pk")[:1]),
        to_community=Subquery(opened.values("community_id")[:1]),
    )
    AdjustmentMove.objects.filter(round=round_, status=AdjustmentMove.Status.PROPOSED).update(
        status=AdjustmentMove.Status.REJECTED
    )
    url = reverse("grids:registration")
    notify_each_on_commit(
        [
            (
                move.member.user,
                f"您的报到社区已调剂为{move.to_community.name}",
                f"{round_.scope_label}组织部门统筹调剂，将您安排到{move.to_community.name}报到，"
                "请等待社区将您编入网格。",
            )
            for move in picked
        ],
        kind="registration_adjusted",
        url=url,
    )
    return transition(
        round_,
        R.ACCEPTED,
        locked=True,
        actor=actor,
        note=f"确认 {len(picked)} 项调整",
        decided_by=actor,
        decided_at=timezone.now(),
        accepted_count=len(picked),
    )
