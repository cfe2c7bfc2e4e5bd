"""The work's four state machines: every allowed change of status, one table each.

Changes go through ``core.transitions.transition``, which checks these tables and writes the
event rows; ``OrdersConfig.ready`` registers them.
"""

from core.transitions import StateMachine, table
from orders.models import (
    Acceptance,
    AcceptanceEvent,
    Escalation,
    EscalationEvent,
    RequestEvent,
    ServiceRequest,
    Task,
    TaskEvent,
)

R, T, A, E = ServiceRequest.Status, Task.Status, Acceptance.Status, Escalation.Status

REQUEST = StateMachine(
    model=ServiceRequest,
    event_model=RequestEvent,
    event_fk="request",
    allowed=table(
        {
            R.SUBMITTED: [R.APPROVED, R.REJECTED, R.MERGED, R.ESCALATED],
            R.APPROVED: [R.RESOLVED, R.ESCALATED, R.SUBMITTED],  # back to review when its task is cancelled
            R.ESCALATED: [R.RESOLVED],
            R.RESOLVED: [R.CONFIRMED, R.RATED, R.CLOSED, R.SUBMITTED, R.ESCALATED],  # reopen → review; 2nd → street
            R.CONFIRMED: [R.RATED],
            R.REJECTED: [],
            R.MERGED: [],
            R.RATED: [],
            R.CLOSED: [],
        }
    ),
)

TASK = StateMachine(
    model=Task,
    event_model=TaskEvent,
    event_fk="task",
    allowed=table(
        {
            T.OPEN: [T.FULL, T.IN_PROGRESS, T.COMPLETED, T.CANCELLED],
            T.FULL: [T.OPEN, T.IN_PROGRESS, T.COMPLETED, T.CANCELLED],
            T.IN_PROGRESS: [T.COMPLETED, T.CANCELLED],
            T.COMPLETED: [],
            T.CANCELLED: [],
        }
    ),
)

ACCEPTANCE = StateMachine(
    model=Acceptance,
    event_model=AcceptanceEvent,
    event_fk="acceptance",
    allowed=table(
        {
            A.ACCEPTED: [A.CHECKED_IN, A.CANCELLED, A.NO_SHOW],
            A.CHECKED_IN: [A.COMPLETED],
            A.COMPLETED: [],
            A.CANCELLED: [],
            A.NO_SHOW: [],
        }
    ),
)

ESCALATION = StateMachine(
    model=Escalation,
    event_model=EscalationEvent,
    event_fk="escalation",
    allowed=table(
        {
            E.OPEN: [E.ASSIGNED, E.RESOLVED],
            E.ASSIGNED: [E.ASSIGNED, E.RESOLVED],  # re-assigning (more departments, new deadline) stays assigned
            E.RESOLVED: [],
        }
    ),
)
