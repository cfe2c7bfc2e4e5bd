"""Plain records for a generated year of activity, written by ``grids.citygen.rows.insert``.

As there, a record's attributes are named after the model's fields and a foreign key holds the
parent record, or a ``Ref`` to a row that is already in the database; columns a record does
not carry get the field's default.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime


@dataclass(slots=True, eq=False)
class Ref:
    """A row already in the database (a community, a member, a user …)."""

    id: int


@dataclass(slots=True, eq=False)
class TaskRec:
    community: Ref
    grid: Ref | None
    focus: str
    duty: str
    title: str
    description: str
    address: str
    lat: float
    lng: float
    geofence_radius_m: int
    starts_at: datetime
    ends_at: datetime
    slots: int
    taken: int
    visibility: str
    status: str
    created_by: Ref
    created_at: datetime
    completed_at: datetime | None = None
    cancel_reason: str = ""
    id: int | None = None


@dataclass(slots=True, eq=False)
class TaskEventRec:
    task: TaskRec
    from_status: str
    to_status: str
    actor: Ref | None
    note: str
    created_at: datetime
    id: int | None = None


@dataclass(slots=True, eq=False)
class ConsentRec:
    member: Ref
    version: str
    granted_at: datetime
    id: int | None = None


@dataclass(slots=True, eq=False)
class CheckInRec:
    member: Ref
    community: Ref
    grid: Ref | None
    purpose: str
    place_lat: float
    place_lng: float
    radius_m: int
    opens_at: datetime
    closes_at: datetime
    lat: float | None
    lng: float | None
    distance_m: int
    checked_in_at: datetime
    checked_out_at: datetime | None
    auto_checked_out: bool
    coarsened_at: datetime | None
    id: int | None = None


@dataclass(slots=True, eq=False)
class RecordRec:
    member: Ref
    community: Ref
    duty: str
    title: str  # the task's, copied as ``checkout_create`` does
    checkin: CheckInRec
    started_at: datetime
    ended_at: datetime
    minutes: int
    reported_minutes: int
    outside_working_hours: bool
    auto_checked_out: bool
    status: str
    confirmed_via: str
    confirmed_by: Ref | None
    confirmed_at: datetime | None
    correction_reason: str
    rejected_at: datetime | None
    reject_reason: str
    created_at: datetime
    quota_minutes: int | None = None  # of a confirmed record: its minutes outside working hours
    id: int | None = None


@dataclass(slots=True, eq=False)
class AcceptanceRec:
    task: TaskRec
    member: Ref
    status: str
    starts_at: datetime
    ends_at: datetime
    accepted_at: datetime
    withdrawn_at: datetime | None
    late_withdrawal: bool
    notified_at: datetime | None
    checkin: CheckInRec | None
    record: RecordRec | None
    id: int | None = None


@dataclass(slots=True, eq=False)
class RequestRec:
    requester: object  # a UserRec
    community: Ref
    grid: Ref | None
    duty: str
    title: str
    description: str
    address: str
    lat: float
    lng: float
    contact_phone: str
    status: str
    task: TaskRec | None
    created_at: datetime
    merged_into: RequestRec | None = None
    reject_reason: str = ""
    reviewed_at: datetime | None = None
    resolved_at: datetime | None = None
    closed_at: datetime | None = None
    id: int | None = None


@dataclass(slots=True, eq=False)
class RequestEventRec:
    request: RequestRec
    from_status: str
    to_status: str
    actor: object
    note: str
    created_at: datetime
    id: int | None = None


@dataclass(slots=True, eq=False)
class FeedbackRec:
    request: RequestRec
    score: int
    comment: str
    created_at: datetime
    id: int | None = None


@dataclass(slots=True, eq=False)
class LikeRec:
    request: RequestRec
    member: Ref
    created_at: datetime
    id: int | None = None


@dataclass(slots=True, eq=False)
class EscalationRec:
    street: Ref
    community: Ref
    request: RequestRec
    reason: str
    status: str
    deadline: datetime | None
    overdue: bool
    outcome: str
    created_by: Ref | None
    created_at: datetime
    assigned_at: datetime | None
    resolved_at: datetime | None
    id: int | None = None


@dataclass(slots=True, eq=False)
class EscalationDeptRec:
    escalation: EscalationRec
    department: Ref
    id: int | None = None


@dataclass(slots=True, eq=False)
class ResponseRec:
    escalation: EscalationRec
    department: Ref
    response: str
    recorded_by: Ref | None
    created_at: datetime
    id: int | None = None


@dataclass(slots=True, eq=False)
class EscalationEventRec:
    escalation: EscalationRec
    from_status: str
    to_status: str
    actor: Ref | None
    note: str
    created_at: datetime
    id: int | None = None


@dataclass(slots=True, eq=False)
class VisitRec:
    member: Ref
    community: Ref
    method: str
    checkin: CheckInRec | None
    visited_at: datetime
    visited_on: date
    quarter: str
    id: int | None = None
