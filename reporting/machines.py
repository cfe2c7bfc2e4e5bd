"""The service record's state machine: every allowed change of status, in one table.

Changes go through ``core.transitions.transition``, which checks this table and writes the
event rows; ``ReportingConfig.ready`` registers it. How a record was confirmed (by the community,
by the resident's confirmation, with corrected minutes, corrected afterwards) is the event's kind,
not a status.
"""

from core.transitions import StateMachine, table
from reporting.models import ServiceRecord, ServiceRecordEvent

S = ServiceRecord.Status

SERVICE_RECORD = StateMachine(
    model=ServiceRecord,
    event_model=ServiceRecordEvent,
    event_fk="record",
    allowed=table(
        {
            S.PENDING: [S.CONFIRMED, S.REJECTED],
            # confirmed → confirmed: a correction after confirming (``service_record_correct``,
            # event kind ``corrected``); the minutes change, the history keeps what they were.
            S.CONFIRMED: [S.CONFIRMED],
            S.REJECTED: [],
        }
    ),
)
