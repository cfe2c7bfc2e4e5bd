"""A round's proposal: read the rows, build the solver's problem, solve it, and turn the solution
into moves (each with its reason and distance) and the per-community counts. Nothing is written
here; ``grids.services.adjustment.run`` writes the result."""

from __future__ import annotations

import time
from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass, field

import numpy as np
from django.conf import settings

from grids import adjustment_solver as solver
from grids.models import AdjustmentMove, AdjustmentRound, Registration
from grids.selectors.adjustment import RoundInput, adjustment_round_input

Reason = AdjustmentMove.Reason
Phase = AdjustmentRound.Phase
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


@dataclass
class Proposal:
    """What a solved round writes: its unsaved moves, counts, cost and bound, per-community counts."""

    moves: list[AdjustmentMove]
    members_count: int
    moves_count: int
    unplaced_count: int
    total_cost: int
    lower_bound: int
    communities: list[dict]
    timings: dict = field(default_factory=dict)


def proposal_compute(round_: AdjustmentRound, *, on_phase: Callable[[str], None] = lambda phase: None) -> Proposal:
    """Solve ``round_``'s scope as it is now; ``on_phase`` hears each phase as it starts."""
    weights = adjustment_weights()
    clock = _Clock()
    on_phase(Phase.READ)
    data = adjustment_round_input(round_.district)
    clock.lap("read")
    on_phase(Phase.BUILD)
    problem, _ = build_problem(data)
    arcs = solver.build_arcs(problem, weights)
    clock.lap("build")
    on_phase(Phase.SOLVE)
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
    clock.lap("moves")
    return Proposal(
        moves=moves,
        members_count=len(regs),
        moves_count=sum(1 for m in moves if m.to_community_id),
        unplaced_count=int((solution.assignment < 0).sum()),
        total_cost=solution.cost,
        lower_bound=bound,
        communities=[
            {"id": c[0], "name": c[1], "needed": c[4], "before": int(before[j]), "after": int(solution.load[j])}
            for j, c in enumerate(comms)
        ],
        timings={**clock.laps, "arcs": len(arcs.member)},
    )
