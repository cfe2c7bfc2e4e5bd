"""Registration's (报到) state machine: every allowed change of status, in one table.

Changes go through ``core.transitions.transition``, which checks this table, locks the row and
writes a ``RegistrationEvent``; ``GridsConfig.ready`` registers it.

Two rows move to the status they are in, so that the change they make to the row (and its
event) goes through ``transition()`` like every other:

- pending → pending: the community at the head of the list declines and the next choice is
  asked (event kind ``passed_on``; the row's community changes);
- placed → placed: the community moves a placed member to another of its grids (event kind
  ``regridded``; the row's grid changes).

What the statuses do not say — created by self-selection or by adjustment, ended by an
adjustment — is the event's ``kind`` (``RegistrationEvent.Kind``).
"""

from core.transitions import StateMachine, table
from grids.models import AdjustmentRound, AdjustmentRoundEvent, Registration, RegistrationEvent

S = Registration.Status

REGISTRATION = StateMachine(
    model=Registration,
    event_model=RegistrationEvent,
    event_fk="registration",
    allowed=table(
        {
            # placed by the community; passed on to the next choice; no choice left → the
            # district adjusts; withdrawn by the member; ended by an adjustment
            S.PENDING: [S.PLACED, S.PENDING, S.UNPLACED, S.WITHDRAWN, S.ENDED],
            # moved to another grid; left by the member or ended by an adjustment
            S.PLACED: [S.PLACED, S.ENDED],
            # withdrawn by the member; ended by an adjustment
            S.UNPLACED: [S.WITHDRAWN, S.ENDED],
            S.WITHDRAWN: [],
            S.ENDED: [],
        }
    ),
)

R = AdjustmentRound.Status

# 调剂 rounds: solved by a job (solving → open, or failed with its reason); an open proposal is
# accepted or cancelled; a round stuck solving (its job lost) may be cancelled too.
ADJUSTMENT_ROUND = StateMachine(
    model=AdjustmentRound,
    event_model=AdjustmentRoundEvent,
    event_fk="round",
    allowed=table(
        {
            R.SOLVING: [R.OPEN, R.FAILED, R.CANCELLED],
            R.OPEN: [R.ACCEPTED, R.CANCELLED],
            R.ACCEPTED: [],
            R.CANCELLED: [],
            R.FAILED: [],
        }
    ),
)
