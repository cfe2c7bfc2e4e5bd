"""A 调剂 round's life before its proposal is decided: start it, solve it (a job), fail it, cancel it.

Starting a round is short: a transaction that holds locks on the district rows it covers (all
ten for a city round) creates it ``solving``, so a district round and a city round cannot both
be busy — the partial unique index on ``AdjustmentRound`` says "one solving or open round per
district, and one for the city"; the locks make the cross check (city vs any district)
race-free. After the commit the job ``grids.tasks.solve_adjustment_round`` (queue
``adjustment``) reads, solves and writes the proposal, then moves the round to ``open``; a
failure moves it to ``failed`` with a Chinese reason, which frees the district again.
"""

from __future__ import annotations

import logging
import time

from django.db import IntegrityError, transaction
from django.utils import timezone

from core.errors import Conflict, PermissionDenied
from core.transitions import can_transition, transition
from grids.models import AdjustmentMove, AdjustmentRound, District
from grids.selectors.adjustment import can_adjust
from grids.selectors.scope import scope_for
from grids.services.adjustment.propose import proposal_compute

logger = logging.getLogger("grids.adjustment")

R = AdjustmentRound.Status
Phase = AdjustmentRound.Phase

BUSY = "已有进行中的调剂方案（{}），请先确认或取消后再发起。"
QUEUE_DOWN = "求解任务未能排队（任务队列暂时不可用），未做任何调整；请稍后重新发起调剂。"


def require_adjuster(actor, district: District | None) -> None:
    if not can_adjust(scope_for(actor), district):
        if district is None:
            raise PermissionDenied("只有市委组织部工作人员可以发起全市调剂。")
        raise PermissionDenied(f"您无权调剂{district.name}的报到：只有该区/县组织部门或市委组织部可以。")


@transaction.atomic
def adjustment_open(*, actor, district: District | None) -> AdjustmentRound:
    """Create a ``solving`` round for ``district`` (or the city), or refuse with 409 when one is busy.

    Nothing is queued: ``adjustment_run`` queues the job; a benchmark solves in-process."""
    require_adjuster(actor, district)
    # Lock the district rows the round covers, in id order (no deadlock between two city rounds
    # or a city and a district round), then look for a busy round that overlaps.
    districts = District.objects.select_for_update().order_by("pk")
    list(districts if district is None else districts.filter(pk=district.pk))
    busy = AdjustmentRound.objects.filter(status__in=AdjustmentRound.BUSY).select_related("district")
    if district is not None:
        busy = busy.filter(district__isnull=True) | busy.filter(district=district)
    other = busy.first()
    if other is not None:
        raise Conflict(BUSY.format(other.scope_label), code="adjustment_busy")
    try:
        with transaction.atomic():
            return AdjustmentRound.objects.create(district=district, created_by=actor, status=R.SOLVING)
    except IntegrityError as exc:  # the partial unique index: a concurrent round won
        raise Conflict(BUSY.format(district.name if district else "全市"), code="adjustment_busy") from exc


def adjustment_run(*, actor, district: District | None) -> AdjustmentRound:
    """Start a round for ``district`` (or the whole city): it is created ``solving`` and its job
    queued once that commits. Nothing moves until the officer accepts the proposal."""
    from grids.tasks import solve_adjustment_round  # the task module imports these services

    round_ = adjustment_open(actor=actor, district=district)

    def queue() -> None:
        from core.tasks import enqueue

        # A broker that refuses would leave the round solving for ever, holding its district.
        if not enqueue(solve_adjustment_round, round_.pk):
            adjustment_fail(round_id=round_.pk, reason=QUEUE_DOWN)

    transaction.on_commit(queue)
    return round_


def _set_phase(round_id: int, phase: str, **fields) -> None:
    # A plain UPDATE outside any transaction: the page polling the round sees it at once.
    AdjustmentRound.objects.filter(pk=round_id, status=R.SOLVING).update(phase=phase, **fields)


def adjustment_solve(*, round_id: int) -> AdjustmentRound | None:
    """The job's work: solve a ``solving`` round and write its proposal (→ ``open``).

    Safe to run twice: a round no longer solving (done, failed, cancelled meanwhile) is left as it
    is, and a proposal computed for a round cancelled while it was being solved is dropped."""
    round_ = AdjustmentRound.objects.select_related("district").filter(pk=round_id).first()
    if round_ is None or round_.status != R.SOLVING:
        return round_
    _set_phase(round_id, Phase.READ, solve_started_at=timezone.now())
    proposal = proposal_compute(round_, on_phase=lambda phase: _set_phase(round_id, phase))
    _set_phase(round_id, Phase.WRITE)
    wall, cpu = time.perf_counter(), time.process_time()
    with transaction.atomic():
        round_ = AdjustmentRound.objects.select_for_update().get(pk=round_id)
        if round_.status != R.SOLVING:
            return round_
        AdjustmentMove.objects.bulk_create(proposal.moves, batch_size=2000)
        timings = dict(proposal.timings)
        # "write": turning the solution into moves (computed above) and writing them.
        timings["write"] = round(timings.pop("moves", 0) + time.perf_counter() - wall, 3)
        timings["write_cpu"] = round(timings.pop("moves_cpu", 0) + time.process_time() - cpu, 3)
        round_.proposed_at = timezone.now()
        round_.members_count = proposal.members_count
        round_.moves_count = proposal.moves_count
        round_.unplaced_count = proposal.unplaced_count
        round_.total_cost = proposal.total_cost
        round_.lower_bound = proposal.lower_bound
        round_.communities = proposal.communities
        round_.timings = timings
        # The proposal's figures are saved as they are; the change of status (and the phase it
        # ends) goes through the machine, so its event and audit rows stay small.
        round_.save(
            update_fields=[
                "proposed_at",
                "members_count",
                "moves_count",
                "unplaced_count",
                "total_cost",
                "lower_bound",
                "communities",
                "timings",
            ]
        )
        return transition(round_, R.OPEN, locked=True, note=f"建议调整 {proposal.moves_count} 人", phase=Phase.DONE)


def adjustment_fail(*, round_id: int, reason: str) -> AdjustmentRound | None:
    """Mark a ``solving`` round failed with ``reason`` (Chinese, shown to the officer); this frees
    its district for a new round. A round no longer solving is left as it is."""
    with transaction.atomic():
        round_ = AdjustmentRound.objects.select_for_update().filter(pk=round_id).first()
        if round_ is None or round_.status != R.SOLVING:
            return round_
        reason = reason[:300]
        logger.warning("adjustment round %s failed: %s", round_id, reason)
        return transition(round_, R.FAILED, locked=True, note=reason, failure=reason, phase=Phase.DONE)


def lock_round(round_: AdjustmentRound, actor, to: str) -> AdjustmentRound:
    """Re-read ``round_`` under its row lock, check the actor and that it may move to ``to``."""
    round_ = AdjustmentRound.objects.select_for_update(of=("self",)).select_related("district").get(pk=round_.pk)
    require_adjuster(actor, round_.district)
    if not can_transition(round_, to):
        if round_.status == R.SOLVING:
            raise Conflict("该调剂方案正在求解，请稍候再确认。", code="adjustment_solving")
        raise Conflict(f"该调剂方案{round_.get_status_display()}，不能再处理。", code="illegal_transition")
    return round_


@transaction.atomic
def adjustment_cancel(*, round_: AdjustmentRound, actor) -> AdjustmentRound:
    """Drop a proposal (or a round still solving, e.g. one whose job was lost); nothing moves,
    and a new round may be run. A job still solving it drops its result when it finishes."""
    round_ = lock_round(round_, actor, R.CANCELLED)
    round_ = transition(
        round_, R.CANCELLED, locked=True, actor=actor, decided_by=actor, decided_at=timezone.now(), phase=Phase.DONE
    )
    AdjustmentMove.objects.filter(round=round_).update(status=AdjustmentMove.Status.REJECTED)
    return round_
