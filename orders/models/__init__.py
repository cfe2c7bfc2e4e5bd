from orders.models.escalations import Department, Escalation, EscalationEvent, EscalationResponse
from orders.models.requests import (
    Feedback,
    Like,
    RequestEvent,
    RequestFollower,
    RequestLookup,
    RequestPhoto,
    ServiceRequest,
)
from orders.models.tasks import Acceptance, AcceptanceEvent, Task, TaskEvent

__all__ = [
    "Acceptance",
    "AcceptanceEvent",
    "Department",
    "Escalation",
    "EscalationEvent",
    "EscalationResponse",
    "Feedback",
    "Like",
    "RequestEvent",
    "RequestFollower",
    "RequestLookup",
    "RequestPhoto",
    "ServiceRequest",
    "Task",
    "TaskEvent",
]
