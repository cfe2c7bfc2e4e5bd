"""Distances and the candidate arcs: each member's nearest communities, pruned where keeping the place is always cheaper."""

from __future__ import annotations

import numpy as np

from grids.adjustment_solver.model import CHUNK, EARTH_RADIUS_M, Arcs, Problem, Weights


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
    for start in range(0, n, CHUNK):
        stop = min(n, start + CHUNK)
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


def may_stay_unplaced(problem: Problem, weights: Weights) -> np.ndarray:
    """Members who get an arc to the sink. One who has a community keeps it rather than be left
    unplaced whenever that costs more than over + under (the argument that prunes arcs)."""
    return (problem.current < 0) | (weights.unplaced_penalty <= weights.over_penalty + weights.under_penalty)
