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

from grids.adjustment_solver.arcs import build_arcs, haversine_m, nearest_candidates
from grids.adjustment_solver.bounds import dual_bound, lp_bound
from grids.adjustment_solver.flow import objective, solve
from grids.adjustment_solver.model import Arcs, Problem, Solution, Weights

__all__ = [
    "Arcs",
    "Problem",
    "Solution",
    "Weights",
    "build_arcs",
    "dual_bound",
    "haversine_m",
    "lp_bound",
    "nearest_candidates",
    "objective",
    "solve",
]
