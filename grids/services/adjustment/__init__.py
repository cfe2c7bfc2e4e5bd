"""调剂 rounds: start one (solved by a job), accept all, some or edited moves, cancel.

``run``: starting, solving (the job's work), failing and cancelling a round; ``propose``: the
solver's problem from the rows and the proposal from its solution; ``accept``: the officer's
decision, written through the registration machine's bulk path.
"""

from grids.services.adjustment.accept import adjustment_accept
from grids.services.adjustment.propose import Proposal, adjustment_weights, build_problem, proposal_compute
from grids.services.adjustment.run import (
    BUSY,
    adjustment_cancel,
    adjustment_fail,
    adjustment_open,
    adjustment_run,
    adjustment_solve,
)

__all__ = [
    "BUSY",
    "Proposal",
    "adjustment_accept",
    "adjustment_cancel",
    "adjustment_fail",
    "adjustment_open",
    "adjustment_run",
    "adjustment_solve",
    "adjustment_weights",
    "build_problem",
    "proposal_compute",
]
