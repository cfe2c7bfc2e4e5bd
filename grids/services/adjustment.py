"""调剂 rounds: run one (solve and write the proposal), accept all, some or edited moves, cancel.

A round is opened in a short transaction that holds locks on the district rows it covers (all
ten for a city round), so a district round and a city round cannot both be open: the partial
unique indexes on ``AdjustmentRound`` say "one open per district" and "one open for the city";
the locks make the cross check (city vs any district) race-free. The proposal is then solved
and written outside that lock; if solving fails, the round is removed again.
"""

from __future__ import annotations

import time
from collections import defaultdict
from collections.abc import Sequence

import numpy as np
from django.conf import settings
from django.db import IntegrityError, transaction
from django.db.models import Max
from django.urls import reverse
from django.utils import timezone

from core.errors import Conflict, PermissionDenied, ValidationFailed
from grids import adjustment_solver as solver
from grids.models import AdjustmentMove, AdjustmentRound, Community, District, Member, Registration, RegistrationEvent
from grids.selectors.adjustment import RoundInput, adjustment_round_input, can_adjust
from grids.selectors.scope import scope_for
from grids.services.registration import registration_adjust_locked
from notifications.services import notify_on_commit

Reason = AdjustmentMove.Reason
S = Registration.Status


def adjustment_weights() -> solver.Weights:
    return solver.Weights(
        metres_per_unit=settings.ADJUSTMENT_METRES_PER_UNIT,
        rank_cost=settings.ADJUSTMENT_RANK_COST,
        unchosen_cost=settings.ADJUSTMENT_UNCHOSEN_COST,
        pairing_bonus=settings.ADJUSTMENT_PAIRING_BONUS,
        move_cost=settings.ADJUSTMENT_MOVE_COST,
        over_penalty=settings.ADJUSTMENT_OVER_PENALTY,
        under_penalty=settings.ADJUSTMENT_UNDER_PENALTY,
        unplaced_penalty=settings.ADJUSTMENT_UNPLACED_PENALTY,
        candidates=settings.ADJUSTMENT_CANDIDATES,
    )


def _require_adjuster(actor, district: District | None) -> None:
    if not can_adjust(scope_for(actor), district):
        if district is None:
            raise PermissionDenied("只有市委组织部工作人员可以发起全市调剂。")
        raise PermissionDenied(f"您无权调剂{district.name}的报到：只有该区/县组织部门或市委组织部可以。")


BUSY = "已有进行中的调剂方案（{}），请先确认或取消后再发起。"


@transaction.atomic
def _open_round(*, actor, district: District | None) -> AdjustmentRound:
    # Lock the district rows the round covers, in id order (no deadlock between two city rounds
    # or a city and a district round), then look for an open round that overlaps.
    districts = District.objects.select_for_update().order_by("pk")
    list(districts if district is None else districts.filter(pk=district.pk))
    busy = AdjustmentRound.objects.filter(status=AdjustmentRound.Status.OPEN).select_related("district")
    if district is not None:
        busy = busy.filter(district__isnull=True) | busy.filter(district=district)
    other = busy.first()
    if other is not None:
        raise Conflict(BUSY.format(other.scope_label), code="adjustment_busy")
    try:
        with transaction.atomic():
            return AdjustmentRound.objects.create(district=district, created_by=actor)
    except IntegrityError as exc:  # the partial unique index: a concurrent round won
        raise Conflict(BUSY.format(district.name if district else "全市"), code="adjustment_busy") from exc


def adjustment_run(*, actor, district: District | None) -> AdjustmentRound:
    """Run a round for ``district`` (or the whole city): the proposal is written, nothing moved."""
    _require_adjuster(actor, district)
    round_ = _open_round(actor=actor, district=district)
    try:
        return _propose(round_)
    except BaseException:
        AdjustmentRound.objects.filter(pk=round_.pk).delete()
        raise


def build_problem(data: RoundInput) -> tuple[solver.Problem, dict]:
    """The solver's arrays from the rows, and the lookups back from indices to rows."""
    comm_index = {row[0]: i for i, row in enumerate(data.communities)}
    regs = data.registrations
    n = len(regs)
    reg_index = {row[0]: i for i, row in enumerate(regs)}
    nan = float("nan")

    def col(k, default=nan):
        return np.array([default if r[k] is None else r[k] for r in regs], dtype=float)

    current = np.array([comm_index.get(r[3], -1) if r[2] != S.UNPLACED else -1 for r in regs], dtype=np.int64).reshape(
        n
    )
    ch = [(reg_index[r], comm_index[c], k) for r, c, k in data.choices if r in reg_index and c in comm_index]
    by_unit = defaultdict(list)
    for unit_id, community_id in data.pairings:
        if community_id in comm_index:
            by_unit[unit_id].append(comm_index[community_id])
    pm, pc = [], []
    for i, r in enumerate(regs):
        for j in by_unit.get(r[6], ()):
            pm.append(i)
            pc.append(j)
    problem = solver.Problem(
        community_lat=np.array([c[2] for c in data.communities], dtype=float),
        community_lng=np.array([c[3] for c in data.communities], dtype=float),
        needed=np.array([c[4] for c in data.communities], dtype=np.int64),
        home_lat=col(4),
        home_lng=col(5),
        work_lat=col(7),
        work_lng=col(8),
        current=current,
        choice_member=np.array([x[0] for x in ch], dtype=np.int64),
        choice_community=np.array([x[1] for x in ch], dtype=np.int64),
        choice_rank=np.array([x[2] for x in ch], dtype=np.int64),
        paired_member=np.array(pm, dtype=np.int64),
        paired_community=np.array(pc, dtype=np.int64),
    )
    return problem, {"comm_index": comm_index}


def _where(rank: int, paired: bool, distance: float) -> str:
    parts = [f"第{rank}志愿" if rank else ("单位结对社区" if paired else "就近安排")]
    if rank and paired:
        parts.append("单位结对社区")
    if not np.isnan(distance):
        parts.append(f"距居住地或单位 {distance / 1000:.1f} 公里")
    return "，".join(parts)


class _Clock:
    """Wall and CPU seconds of each phase (the CPU time tells a loaded machine from a slow phase)."""

    def __init__(self):
        self.laps: dict[str, float] = {}
        self._wall, self._cpu = time.perf_counter(), time.process_time()

    def lap(self, name: str) -> None:
        wall, cpu = time.perf_counter(), time.process_time()
        self.laps[name] = round(wall - self._wall, 3)
        self.laps[f"{name}_cpu"] = round(cpu - self._cpu, 3)
        self._wall, self._cpu = wall, cpu


def _propose(round_: AdjustmentRound) -> AdjustmentRound:
    weights = adjustment_weights()
    clock = _Clock()
    data = adjustment_round_input(round_.district)
    clock.lap("read")
    problem, _ = build_problem(data)
    arcs = solver.build_arcs(problem, weights)
    clock.lap("build")
    solution = solver.solve(problem, weights, arcs)
    clock.lap("solve")
    bound = solver.dual_bound(problem, solution)
    clock.lap("bound")

    comms, regs = data.communities, data.registrations
    before = np.bincount(problem.current[problem.current >= 0], minlength=len(comms))
    # Candidates per member, for editing a move (arcs are sorted by member).
    starts = np.searchsorted(arcs.member, np.arange(len(regs) + 1))
    moves = []
    for i in np.flatnonzero(solution.assignment != problem.current):
        i = int(i)
        cur, to = int(problem.current[i]), int(solution.assignment[i])
        reg = regs[i]
        if to < 0 and cur >= 0:
            continue  # never optimal (keeping costs 0), but never end a place for nothing
        arc = int(solution.arc_of_member[i])
        distance = float(arcs.distance_m[arc]) if arc >= 0 else float("nan")
        rank = int(arcs.rank[arc]) if arc >= 0 else 0
        paired = bool(arcs.paired[arc]) if arc >= 0 else False
        if to < 0:
            reason, detail = Reason.NO_CANDIDATE, "本次调剂范围内没有可安排的社区（无位置、志愿或结对社区）"
        elif cur < 0:
            reason, detail = Reason.UNPLACED, f"志愿社区均未编入，{_where(rank, paired, distance)}"
        elif before[cur] > comms[cur][4]:
            reason = Reason.OVERFLOW
            detail = f"{comms[cur][1]}已有 {before[cur]} 人、需要 {comms[cur][4]} 人；{_where(rank, paired, distance)}"
        else:
            reason, detail = Reason.BALANCE, _where(rank, paired, distance)
        to_id = comms[to][0] if to >= 0 else None
        moves.append(
            AdjustmentMove(
                round=round_,
                registration_id=reg[0],
                member_id=reg[1],
                from_community_id=comms[cur][0] if cur >= 0 else None,
                to_community_id=to_id,
                proposed_community_id=to_id,
                reason=reason,
                detail=detail[:200],
                distance_m=None if np.isnan(distance) else int(round(distance)),
                choice_rank=rank or None,
                paired=paired,
                candidates=[comms[int(j)][0] for j in arcs.community[starts[i] : starts[i + 1]]],
                registration_status=reg[2],
                registration_event_id=reg[9] or 0,
            )
        )
    with transaction.atomic():
        AdjustmentMove.objects.bulk_create(moves, batch_size=2000)
        round_.proposed_at = timezone.now()
        round_.members_count = len(regs)
        round_.moves_count = sum(1 for m in moves if m.to_community_id)
        round_.unplaced_count = int((solution.assignment < 0).sum())
        round_.total_cost = solution.cost
        round_.lower_bound = bound
        round_.communities = [
            {"id": c[0], "name": c[1], "needed": c[4], "before": int(before[j]), "after": int(solution.load[j])}
            for j, c in enumerate(comms)
        ]
        clock.lap("write")
        round_.timings = {**clock.laps, "arcs": len(arcs.member)}
        round_.save()
    return round_


def _lock_open(round_: AdjustmentRound, actor) -> AdjustmentRound:
    round_ = AdjustmentRound.objects.select_for_update(of=("self",)).select_related("district").get(pk=round_.pk)
    _require_adjuster(actor, round_.district)
    if round_.status != AdjustmentRound.Status.OPEN:
        raise Conflict(f"该调剂方案{round_.get_status_display()}，不能再处理。", code="illegal_transition")
    return round_


@transaction.atomic
def adjustment_accept(
    *, round_: AdjustmentRound, actor, selections: Sequence[tuple[int, int | None]] | None = None
) -> AdjustmentRound:
    """Accept the proposal: every move (``selections`` None), or the listed ``(move id, community
    id or None)`` pairs — a community id changes that move to another of its candidates. Each
    accepted move ends the member's registration and opens an ``adjusted`` one, recording who
    approved it and when; the members are told. Moves not accepted are marked not adopted."""
    round_ = _lock_open(round_, actor)
    moves = {m.pk: m for m in AdjustmentMove.objects.filter(round=round_).select_related("member__user")}
    if selections is None:
        chosen = {pk: m.to_community_id for pk, m in moves.items() if m.to_community_id}
    else:
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
    if not chosen:
        raise ValidationFailed("请至少选择一项调整。", code="nothing_chosen", field="moves")

    # Lock the members, then their registrations (the order registration_create uses), and
    # check that nothing changed since the proposal was read.
    picked = [moves[pk] for pk in sorted(chosen)]
    list(Member.objects.select_for_update().filter(pk__in=[m.member_id for m in picked]).order_by("pk"))
    regs = {
        r.pk: r for r in Registration.objects.select_for_update().filter(pk__in=[m.registration_id for m in picked])
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
    by_target: dict[int, list] = defaultdict(list)
    now = timezone.now()
    for move in picked:
        community = targets[chosen[move.pk]]
        move.new_registration = registration_adjust_locked(
            member_id=move.member_id,
            current=regs[move.registration_id],
            community=community,
            actor=actor,
            note=f"{round_.scope_label}调剂：{move.get_reason_display()}",
        )
        move.to_community = community
        move.status = AdjustmentMove.Status.ACCEPTED
        by_target[community.pk].append(move.member.user)
    AdjustmentMove.objects.bulk_update(picked, ["to_community", "status", "new_registration"], batch_size=2000)
    AdjustmentMove.objects.filter(round=round_, status=AdjustmentMove.Status.PROPOSED).update(
        status=AdjustmentMove.Status.REJECTED
    )
    for community_id, users in by_target.items():
        name = targets[community_id].name
        notify_on_commit(
            users,
            kind="registration_adjusted",
            title=f"您的报到社区已调剂为{name}",
            body=f"{round_.scope_label}组织部门统筹调剂，将您安排到{name}报到，请等待社区将您编入网格。",
            url=reverse("grids:registration"),
        )
    round_.status = AdjustmentRound.Status.ACCEPTED
    round_.decided_by = actor
    round_.decided_at = now
    round_.accepted_count = len(picked)
    round_.save(update_fields=["status", "decided_by", "decided_at", "accepted_count"])
    return round_


@transaction.atomic
def adjustment_cancel(*, round_: AdjustmentRound, actor) -> AdjustmentRound:
    """Drop an open proposal; nothing moves, and a new round may be run."""
    round_ = _lock_open(round_, actor)
    round_.status = AdjustmentRound.Status.CANCELLED
    round_.decided_by = actor
    round_.decided_at = timezone.now()
    round_.save(update_fields=["status", "decided_by", "decided_at"])
    AdjustmentMove.objects.filter(round=round_).update(status=AdjustmentMove.Status.REJECTED)
    return round_
