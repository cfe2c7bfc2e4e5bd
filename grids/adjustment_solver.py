"""The optimisation behind 调剂: members to communities as a min-cost flow.

Pure numbers, no database: ``grids.services.adjustment`` reads the rows into a ``Problem``,
calls ``solve`` and writes the proposal.

The graph (every member supplies one unit, the sink takes them all):

    member ──(cap 1, arc cost)──────────────▶ community ──(cap need, −under)──▶ sink
       │                                          └──────(cap ∞,   +over)───▶ sink
       └──────────(cap 1, unplaced penalty)─────────────────────────────────▶ sink

* member → community, for each candidate: the member's current community (cost 0: who
  already has a place keeps it where possible), their ranked choices, the communities paired
  with their unit (结对共建) and the ``candidates`` nearest to home or work. The cost is
  ``metres / metres_per_unit`` + a rank cost (rank 1 → 0, rank 2 → rank_cost, rank 3 →
  2·rank_cost, not chosen → unchosen_cost) + ``move_cost`` when the member already has a
  community − ``pairing_bonus`` for a paired community.
* ``members_needed`` is a soft target: each community's first ``need`` members earn
  ``under_penalty`` (a negative cost), so every needed place left empty costs ``under_penalty``
  compared with filling it; each member beyond ``need`` costs ``over_penalty``. Shifting the
  objective by ``under_penalty · Σ need`` gives the true cost: arc costs + over · surplus +
  under · shortfall + unplaced · unplaced members.
* member → sink: leaving a member unplaced, allowed at ``unplaced_penalty``. A member who
  already has a community gets this arc only when the penalty is at most over + under: above
  that, keeping the place is always cheaper (see the pruning in ``build_arcs``).

Solved by OR-Tools' ``SimpleMinCostFlow`` (integer costs, exact, deterministic for the same
arc order, which here is sorted by member then community). The graph has no cycle, so
negative arc costs are fine. ``lp_bound`` solves the LP relaxation of the very same graph
with HiGHS (SciPy): a min-cost flow with integer data has an integral LP optimum, so the bound
equals the flow's cost when the flow is optimal.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

EARTH_RADIUS_M = 6_371_008.8
_CHUNK = 4096  # members per block of the distance matrix (4096 × 295 × 8 B ≈ 10 MB)


@dataclass(frozen=True)
class Weights:
    """The cost weights (settings ``ADJUSTMENT_*``; README, "Configuration")."""

    metres_per_unit: int = 100
    rank_cost: int = 10
    unchosen_cost: int = 40
    pairing_bonus: int = 20
    move_cost: int = 50
    over_penalty: int = 100
    under_penalty: int = 100
    unplaced_penalty: int = 10_000
    candidates: int = 20


@dataclass
class Problem:
    """Communities ``0..C-1`` and members ``0..N-1``, all as arrays.

    Locations are WGS-84 degrees, ``nan`` when unknown. ``current[i]`` is the index of the
    community member ``i`` is registered with now, or −1 (waiting to be adjusted).
    ``choices`` and ``paired`` are (member index, community index[, rank]) pair arrays.
    """

    community_lat: np.ndarray
    community_lng: np.ndarray
    needed: np.ndarray
    home_lat: np.ndarray
    home_lng: np.ndarray
    work_lat: np.ndarray
    work_lng: np.ndarray
    current: np.ndarray
    choice_member: np.ndarray = field(default_factory=lambda: np.zeros(0, np.int64))
    choice_community: np.ndarray = field(default_factory=lambda: np.zeros(0, np.int64))
    choice_rank: np.ndarray = field(default_factory=lambda: np.zeros(0, np.int64))
    paired_member: np.ndarray = field(default_factory=lambda: np.zeros(0, np.int64))
    paired_community: np.ndarray = field(default_factory=lambda: np.zeros(0, np.int64))

    @property
    def n_members(self) -> int:
        return len(self.current)

    @property
    def n_communities(self) -> int:
        return len(self.needed)


@dataclass
class Arcs:
    """The member → community arcs, sorted by (member, community)."""

    member: np.ndarray
    community: np.ndarray
    cost: np.ndarray  # int64
    distance_m: np.ndarray  # float, nan when neither location is known
    rank: np.ndarray  # 1..3, 0 when not one of the member's choices
    paired: np.ndarray  # bool


@dataclass
class Solution:
    assignment: np.ndarray  # community index per member, −1 when left unplaced
    cost: int  # the true objective (arc costs + penalties)
    arcs: Arcs
    arc_of_member: np.ndarray  # index into ``arcs`` of the chosen arc, −1 when unplaced
    load: np.ndarray  # members per community after
    graph: tuple = ()  # (tails, heads, capacities, costs, supplies, offset) for the bounds
    weights: Weights = field(default_factory=Weights)


def haversine_m(lat1, lng1, lat2, lng2):
    """Great-circle distance in metres, element-wise over numpy arrays (broadcasting)."""
    p1, p2 = np.radians(lat1), np.radians(lat2)
    dp, dl = p2 - p1, np.radians(np.asarray(lng2) - np.asarray(lng1))
    h = np.sin(dp / 2) ** 2 + np.cos(p1) * np.cos(p2) * np.sin(dl / 2) ** 2
    return 2 * EARTH_RADIUS_M * np.arcsin(np.sqrt(np.clip(h, 0.0, 1.0)))


def _pair_distance(problem: Problem, member: np.ndarray, community: np.ndarray) -> np.ndarray:
    clat, clng = problem.community_lat[community], problem.community_lng[community]
    with np.errstate(invalid="ignore"):
        home = haversine_m(problem.home_lat[member], problem.home_lng[member], clat, clng)
        work = haversine_m(problem.work_lat[member], problem.work_lng[member], clat, clng)
    return np.fmin(home, work)  # the nearer of the two; nan only when both are unknown


def nearest_candidates(problem: Problem, k: int) -> tuple[np.ndarray, np.ndarray]:
    """(member, community) pairs: for each member, the ``k`` communities nearest home or work.

    Ranked on a local flat projection (a city spans ~200 km, where it orders distances as the
    sphere does); the arcs' metres are then computed exactly, for the chosen pairs only.
    """
    n, c = problem.n_members, problem.n_communities
    k = min(k, c)
    if n == 0 or k == 0:
        return np.zeros(0, np.int64), np.zeros(0, np.int64)
    scale = np.cos(np.radians(np.nanmean(problem.community_lat)))

    def flat(lat, lng):
        return np.column_stack([lat, lng * scale])

    comm = flat(problem.community_lat, problem.community_lng)
    home = flat(problem.home_lat, problem.home_lng)
    work = flat(problem.work_lat, problem.work_lng)
    members, communities = [], []
    for start in range(0, n, _CHUNK):
        stop = min(n, start + _CHUNK)
        with np.errstate(invalid="ignore"):
            d = np.fmin(_sq_dist(home[start:stop], comm), _sq_dist(work[start:stop], comm))
        d[np.isnan(d)] = np.inf
        idx = np.argpartition(d, k - 1, axis=1)[:, :k] if k < c else np.broadcast_to(np.arange(c), d.shape)
        known = np.isfinite(np.take_along_axis(d, idx, axis=1))
        rows = np.broadcast_to(np.arange(start, stop)[:, None], idx.shape)
        members.append(rows[known])
        communities.append(idx[known])
    return np.concatenate(members).astype(np.int64), np.concatenate(communities).astype(np.int64)


def _sq_dist(points: np.ndarray, comm: np.ndarray) -> np.ndarray:
    dy = points[:, 0:1] - comm[None, :, 0]
    dx = points[:, 1:2] - comm[None, :, 1]
    return dy * dy + dx * dx


def _sorted_unique(values: np.ndarray) -> np.ndarray:
    values = np.sort(values)
    return values[np.concatenate([[True], values[1:] != values[:-1]])] if len(values) else values


def _contains(sorted_values: np.ndarray, keys: np.ndarray) -> np.ndarray:
    if not len(sorted_values):
        return np.zeros(len(keys), bool)
    pos = np.clip(np.searchsorted(sorted_values, keys), 0, len(sorted_values) - 1)
    return sorted_values[pos] == keys


def build_arcs(problem: Problem, weights: Weights, *, prune: bool = True) -> Arcs:
    """Every member's candidate communities with the cost of sending the member there."""
    c = problem.n_communities
    near_m, near_c = nearest_candidates(problem, weights.candidates)
    has = problem.current >= 0
    cur_m = np.flatnonzero(has)
    member = np.concatenate([near_m, problem.choice_member, problem.paired_member, cur_m]).astype(np.int64)
    community = np.concatenate([near_c, problem.choice_community, problem.paired_community, problem.current[cur_m]])
    community = community.astype(np.int64)
    keys = _sorted_unique(member * c + community)  # by member, then community
    member, community = keys // c, keys % c

    rank = np.zeros(len(keys), np.int64)
    if len(problem.choice_member):
        choice_keys = problem.choice_member.astype(np.int64) * c + problem.choice_community
        order = np.argsort(choice_keys, kind="stable")
        pos = np.searchsorted(choice_keys[order], keys)
        pos = np.clip(pos, 0, len(order) - 1)
        hit = choice_keys[order][pos] == keys
        rank[hit] = problem.choice_rank[order][pos[hit]]
    paired = _contains(_sorted_unique(problem.paired_member.astype(np.int64) * c + problem.paired_community), keys)
    distance = _pair_distance(problem, member, community)

    metres = np.where(np.isnan(distance), 0.0, distance)
    cost = np.rint(metres / weights.metres_per_unit).astype(np.int64)
    cost += np.where(rank > 0, (rank - 1) * weights.rank_cost, weights.unchosen_cost)
    cost += np.where(has[member], weights.move_cost, 0)
    cost -= np.where(paired, weights.pairing_bonus, 0)
    cost[community == problem.current[member]] = 0  # staying where one is costs nothing
    # Arcs no optimal flow can use, dropped so the solver never sees them. Moving a member off
    # an arc of cost c back to where they are (cost 0) changes the penalties by at most
    # over + under (one community loses a member, another gains one), so an arc dearer than
    # that is never used, in the LP as in integers; for a member with no community yet the
    # fallback is the unplaced arc. The optimum over the candidate set is unchanged.
    limit = np.where(has[member], 0, weights.unplaced_penalty) + weights.over_penalty + weights.under_penalty
    keep = cost <= limit if prune else np.ones(len(cost), bool)
    return Arcs(
        member=member[keep],
        community=community[keep],
        cost=cost[keep],
        distance_m=distance[keep],
        rank=rank[keep],
        paired=paired[keep],
    )


def _may_stay_unplaced(problem: Problem, weights: Weights) -> np.ndarray:
    """Members who get an arc to the sink. One who has a community keeps it rather than be left
    unplaced whenever that costs more than over + under (the argument that prunes arcs)."""
    return (problem.current < 0) | (weights.unplaced_penalty <= weights.over_penalty + weights.under_penalty)


def _graph(problem: Problem, arcs: Arcs, weights: Weights):
    n, c = problem.n_members, problem.n_communities
    sink = n + c
    needed = problem.needed.astype(np.int64)
    comm_nodes = np.arange(n, n + c, dtype=np.int64)
    free = np.flatnonzero(_may_stay_unplaced(problem, weights)).astype(np.int64)
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
    via = placed & _may_stay_unplaced(problem, weights)
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
