"""The min-cost flow itself (OR-Tools) and the objective of an assignment."""

from __future__ import annotations

import numpy as np

from grids.adjustment_solver.arcs import build_arcs, may_stay_unplaced
from grids.adjustment_solver.model import Arcs, Problem, Solution, Weights


def _graph(problem: Problem, arcs: Arcs, weights: Weights):
    n, c = problem.n_members, problem.n_communities
    sink = n + c
    needed = problem.needed.astype(np.int64)
    comm_nodes = np.arange(n, n + c, dtype=np.int64)
    free = np.flatnonzero(may_stay_unplaced(problem, weights)).astype(np.int64)
    f = len(free)
    tails = np.concatenate([arcs.member, free, comm_nodes, comm_nodes])
    heads = np.concatenate(
        [arcs.community + n, np.full(f, sink, np.int64), np.full(c, sink, np.int64), np.full(c, sink, np.int64)]
    )
    caps = np.concatenate([np.ones(len(arcs.member) + f, np.int64), needed, np.full(c, n, np.int64)])
    costs = np.concatenate(
        [
            arcs.cost,
            np.full(f, weights.unplaced_penalty, np.int64),
            np.full(c, -weights.under_penalty, np.int64),
            np.full(c, weights.over_penalty, np.int64),
        ]
    )
    supplies = np.concatenate([np.ones(n, np.int64), np.zeros(c, np.int64), [-n]])
    offset = weights.under_penalty * int(needed.sum())
    return tails, heads, caps, costs, supplies, offset


def solve(problem: Problem, weights: Weights, arcs: Arcs | None = None) -> Solution:
    """The optimal assignment over the candidate arcs (OR-Tools ``SimpleMinCostFlow``)."""
    from ortools.graph.python import min_cost_flow

    arcs = arcs if arcs is not None else build_arcs(problem, weights)
    n, c = problem.n_members, problem.n_communities
    tails, heads, caps, costs, supplies, offset = _graph(problem, arcs, weights)
    flow = min_cost_flow.SimpleMinCostFlow()
    ids = flow.add_arcs_with_capacity_and_unit_cost(tails, heads, caps, costs)
    flow.set_nodes_supplies(np.arange(n + c + 1, dtype=np.int64), supplies)
    status = flow.solve()
    if status != flow.OPTIMAL:
        raise RuntimeError(f"min-cost flow did not solve: status {status}")
    member_flow = flow.flows(ids[: len(arcs.member)])
    chosen = np.flatnonzero(member_flow > 0)
    assignment = np.full(n, -1, np.int64)
    arc_of_member = np.full(n, -1, np.int64)
    assignment[arcs.member[chosen]] = arcs.community[chosen]
    arc_of_member[arcs.member[chosen]] = chosen
    load = np.bincount(assignment[assignment >= 0], minlength=c).astype(np.int64)
    return Solution(
        assignment=assignment,
        cost=int(flow.optimal_cost()) + offset,
        arcs=arcs,
        arc_of_member=arc_of_member,
        load=load,
        graph=(tails, heads, caps, costs, supplies, offset),
        weights=weights,
    )


def objective(problem: Problem, weights: Weights, arcs: Arcs, assignment: np.ndarray) -> int:
    """The true cost of any assignment over ``arcs`` (−1 = unplaced), computed directly."""
    lookup = {(int(m), int(cm)): int(cost) for m, cm, cost in zip(arcs.member, arcs.community, arcs.cost, strict=True)}
    total = 0
    for m, cm in enumerate(assignment):
        total += weights.unplaced_penalty if cm < 0 else lookup[(m, int(cm))]
    load = np.bincount(assignment[assignment >= 0], minlength=problem.n_communities)
    need = problem.needed.astype(np.int64)
    total += weights.over_penalty * int(np.maximum(load - need, 0).sum())
    total += weights.under_penalty * int(np.maximum(need - load, 0).sum())
    return total
