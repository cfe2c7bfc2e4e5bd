"""The 调剂 solver: optimal against brute force on small cities, its bounds, its determinism."""

import itertools

import numpy as np
import pytest

from grids import adjustment_solver as solver


def _city(seed: int, members: int = 5, communities: int = 3) -> solver.Problem:
    rng = np.random.default_rng(seed)
    lat = 24.8 + rng.uniform(-0.05, 0.05, communities)
    lng = 113.6 + rng.uniform(-0.05, 0.05, communities)
    home_lat = 24.8 + rng.uniform(-0.06, 0.06, members)
    home_lng = 113.6 + rng.uniform(-0.06, 0.06, members)
    work_lat = np.where(rng.random(members) < 0.5, 24.8 + rng.uniform(-0.06, 0.06, members), np.nan)
    work_lng = np.where(np.isnan(work_lat), np.nan, 113.6 + rng.uniform(-0.06, 0.06, members))
    nowhere = rng.random(members) < 0.2  # neither location: choices and pairings only
    home_lat[nowhere] = home_lng[nowhere] = work_lat[nowhere] = work_lng[nowhere] = np.nan
    current = np.where(rng.random(members) < 0.3, -1, rng.integers(0, communities, members))
    cm, cc, cr = [], [], []
    for m in range(members):
        for rank, c in enumerate(rng.permutation(communities)[: rng.integers(0, 3)], start=1):
            cm.append(m), cc.append(int(c)), cr.append(rank)
    paired = rng.random((members, communities)) < 0.2
    pm, pc = np.nonzero(paired)
    return solver.Problem(
        community_lat=lat,
        community_lng=lng,
        needed=rng.integers(0, 4, communities),
        home_lat=home_lat,
        home_lng=home_lng,
        work_lat=work_lat,
        work_lng=work_lng,
        current=current.astype(np.int64),
        choice_member=np.array(cm, np.int64),
        choice_community=np.array(cc, np.int64),
        choice_rank=np.array(cr, np.int64),
        paired_member=pm.astype(np.int64),
        paired_community=pc.astype(np.int64),
    )


def _brute_force(problem, weights, arcs) -> int:
    options = [
        [*arcs.community[arcs.member == m].tolist(), -1] for m in range(problem.n_members)
    ]  # every candidate, or left unplaced
    return min(
        solver.objective(problem, weights, arcs, np.array(pick, np.int64)) for pick in itertools.product(*options)
    )


@pytest.mark.parametrize("seed", range(25))
def test_optimal_against_brute_force(seed):
    problem = _city(seed)
    # Small penalties too, so that leaving members unplaced or over-filling is sometimes best.
    weights = solver.Weights(
        candidates=2,
        over_penalty=[100, 5][seed % 2],
        under_penalty=[100, 30][seed % 2],
        unplaced_penalty=[10_000, 60][seed % 2],
    )
    full = solver.build_arcs(problem, weights, prune=False)
    solution = solver.solve(problem, weights)  # over the pruned arcs
    best = _brute_force(problem, weights, full)
    assert solution.cost == best
    assert solver.objective(problem, weights, full, solution.assignment) == best
    assert solver.dual_bound(problem, solution) == best
    assert solver.lp_bound(solution) == pytest.approx(best)


def test_candidates_are_choices_pairings_current_and_nearest():
    problem = _city(3, members=8, communities=6)
    arcs = solver.build_arcs(problem, solver.Weights(candidates=2), prune=False)
    for m in range(problem.n_members):
        got = set(arcs.community[arcs.member == m].tolist())
        assert set(problem.choice_community[problem.choice_member == m].tolist()) <= got
        assert set(problem.paired_community[problem.paired_member == m].tolist()) <= got
        if problem.current[m] >= 0:
            assert int(problem.current[m]) in got
        if np.isnan(problem.home_lat[m]) and np.isnan(problem.work_lat[m]):
            # no location: nothing beyond choices, pairings and where they are
            extra = (
                set(problem.choice_community[problem.choice_member == m].tolist())
                | set(problem.paired_community[problem.paired_member == m].tolist())
                | ({int(problem.current[m])} if problem.current[m] >= 0 else set())
            )
            assert got == extra


def test_keeping_a_place_costs_nothing_and_overflow_moves_to_need():
    # Two communities 1 km apart: the first has three members and needs one, the second needs two.
    problem = solver.Problem(
        community_lat=np.array([24.80, 24.809]),
        community_lng=np.array([113.60, 113.60]),
        needed=np.array([1, 2]),
        home_lat=np.full(3, 24.80),
        home_lng=np.full(3, 113.60),
        work_lat=np.full(3, np.nan),
        work_lng=np.full(3, np.nan),
        current=np.array([0, 0, 0]),
    )
    solution = solver.solve(problem, solver.Weights())
    assert sorted(solution.assignment.tolist()) == [0, 1, 1]
    assert solution.load.tolist() == [1, 2]


def test_deterministic():
    problem = _city(7, members=40, communities=6)
    first = solver.solve(problem, solver.Weights(candidates=3))
    again = solver.solve(problem, solver.Weights(candidates=3))
    assert first.cost == again.cost
    assert first.assignment.tolist() == again.assignment.tolist()
