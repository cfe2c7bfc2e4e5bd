"""Bounds that prove a solution optimal: the dual of the flow, and the LP relaxation (HiGHS)."""

from __future__ import annotations

import numpy as np

from grids.adjustment_solver.arcs import may_stay_unplaced
from grids.adjustment_solver.model import Problem, Solution


def dual_bound(problem: Problem, solution: Solution) -> int:
    """A lower bound from LP duality, certified from the flow itself (exact integers, O(arcs)).

    Any node potentials π give a feasible solution of the LP relaxation's dual, whose value
    Σ supply·π − Σ capacity·max(0, π_tail − π_head − cost) bounds every flow's cost from below
    (weak duality). The potentials are shortest-path distances in the flow's residual graph,
    condensed onto the communities and the sink (a member hangs off the node its flow enters);
    when the flow is optimal there is no negative cycle and the bound equals its cost.
    """
    tails, heads, caps, costs, supplies, offset = solution.graph
    weights = solution.weights
    n, c = problem.n_members, problem.n_communities
    arcs, sink = solution.arcs, c  # hub index: communities 0..c-1, the sink c
    used = solution.arc_of_member
    placed = used >= 0
    hub_of = np.where(placed, solution.assignment, sink)
    unplaced_cost = weights.unplaced_penalty
    used_cost = np.where(placed, arcs.cost[np.maximum(used, 0)], unplaced_cost)

    big = np.iinfo(np.int64).max // 4
    w = np.full((c + 1, c + 1), big, np.int64)
    # hub(i) → i (backward on the used arc, −cost) → k (an unused arc, +cost)
    unused = np.ones(len(arcs.member), bool)
    unused[used[placed]] = False
    src = hub_of[arcs.member[unused]]
    np.minimum.at(w, (src, arcs.community[unused]), arcs.cost[unused] - used_cost[arcs.member[unused]])
    # hub(i) → i → sink, on the unused unplaced arc of a placed member who has one
    via = placed & may_stay_unplaced(problem, weights)
    np.minimum.at(w, (hub_of[via], np.full(int(via.sum()), sink)), unplaced_cost - used_cost[via])
    need = problem.needed.astype(np.int64)
    under, over = weights.under_penalty, weights.over_penalty
    load = solution.load
    comm = np.arange(c)
    w[comm[load < need], sink] = np.minimum(w[comm[load < need], sink], -under)
    w[comm, sink] = np.minimum(w[comm, sink], over)
    filled = np.minimum(load, need) > 0  # the need arc carries flow: it can be pushed back
    w[sink, comm[filled]] = np.minimum(w[sink, comm[filled]], under)
    w[sink, comm[load > need]] = np.minimum(w[sink, comm[load > need]], -over)

    d = np.zeros(c + 1, np.int64)  # a virtual root reaches every hub at 0
    for _ in range(c + 2):
        relaxed = np.minimum(d, np.min(np.where(w < big, d[:, None] + w, big), axis=0))
        if np.array_equal(relaxed, d):
            break
        d = relaxed
    else:
        raise RuntimeError("the flow's residual graph has a negative cycle: not optimal")
    pi = np.empty(n + c + 1, np.int64)
    pi[n : n + c + 1] = -d
    pi[:n] = -(d[hub_of] - used_cost)
    slack = np.maximum(0, pi[tails] - pi[heads] - costs)
    return int((supplies * pi).sum() - (caps * slack).sum()) + offset


def lp_bound(solution: Solution) -> float:
    """The LP relaxation of the same graph, solved by HiGHS: a lower bound on any flow's cost."""
    from scipy.optimize import linprog
    from scipy.sparse import csr_array

    tails, heads, caps, costs, supplies, offset = solution.graph
    m = len(tails)
    nodes = len(supplies)
    cols = np.arange(m)
    # Node balance: outflow − inflow = supply.
    a_eq = csr_array(
        (np.concatenate([np.ones(m), -np.ones(m)]), (np.concatenate([tails, heads]), np.concatenate([cols, cols]))),
        shape=(nodes, m),
    )
    result = linprog(
        costs.astype(float),
        A_eq=a_eq,
        b_eq=supplies.astype(float),
        bounds=np.column_stack([np.zeros(m), caps.astype(float)]),
        method="highs",
    )
    if result.status != 0:
        raise RuntimeError(f"LP relaxation did not solve: {result.message}")
    return float(result.fun) + offset
