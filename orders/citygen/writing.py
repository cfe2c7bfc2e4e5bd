"""Writing a planned year of activity: bulk inserts (COPY on PostgreSQL), parents first, in one
transaction, with constraints checked once per table after the rows are in; and wiping it."""

from __future__ import annotations

from collections.abc import Callable

from django.db import connection, transaction

from accounts.models import User
from grids.citygen.rows import insert
from orders.citygen.bulk import constraints_checked_after
from orders.citygen.planning import ActivityPlan, plan_activity
from orders.models import (
    Acceptance,
    AcceptanceEvent,
    Escalation,
    EscalationEvent,
    EscalationResponse,
    Feedback,
    Like,
    RequestEvent,
    RequestFollower,
    RequestPhoto,
    ServiceRequest,
    Task,
    TaskEvent,
)
from reporting.models import CheckIn, LocationConsent, ServiceRecord, ServiceRecordEvent, Visit
from reporting.workdays import load_is_workday, local_dates, quota_minutes, working_hours

BATCH_SIZE = 5000


def has_activity() -> bool:
    return Task.objects.exists() or ServiceRequest.objects.exists() or Visit.objects.exists()


def wipe_activity() -> None:
    """Delete every task, acceptance, check-in, service record, visit, consent, request and
    escalation, and the residents who only ever made requests. Children first; plain DELETEs."""
    requesters = list(
        User.objects.filter(service_requests__isnull=False, is_superuser=False, is_staff=False)
        .filter(member__isnull=True, posts__isnull=True)
        .values_list("pk", flat=True)
        .distinct()
    )
    models = [
        Like, Feedback, RequestEvent, RequestFollower, RequestPhoto, EscalationResponse, EscalationEvent,
        Escalation.departments.through, Escalation, AcceptanceEvent, Acceptance, TaskEvent,
    ]  # fmt: skip
    for model in models:
        model.objects.all()._raw_delete(connection.alias)
    for model in (ServiceRequest, Task, Visit, ServiceRecordEvent, ServiceRecord, CheckIn, LocationConsent):
        model.objects.all()._raw_delete(connection.alias)
    for start in range(0, len(requesters), BATCH_SIZE):
        User.objects.filter(pk__in=requesters[start : start + BATCH_SIZE]).delete()


def _store_quota_minutes(records) -> None:
    """Confirmed records carry their minutes outside working hours, as the confirming services
    store them, so that every figure toward the quota reads them from the first day."""
    confirmed = [r for r in records if r.status == ServiceRecord.Status.CONFIRMED]
    if not confirmed:
        return
    first = min(local_dates(r.started_at, r.ended_at)[0] for r in confirmed)
    last = max(local_dates(r.started_at, r.ended_at)[1] for r in confirmed)
    is_workday, spans = load_is_workday(first, last), working_hours()
    for r in confirmed:
        r.quota_minutes = quota_minutes(r.started_at, r.ended_at, r.minutes, is_workday, spans)


def generate_activity(
    *, scale: float, seed: int, reset: bool = False, progress: Callable[[str, int], None] | None = None
) -> ActivityPlan:
    """Plan the year and insert it, in one transaction. Returns the plan (records have ids)."""
    with transaction.atomic():
        if reset:
            wipe_activity()
        plan = plan_activity(scale=scale, seed=seed)
        _store_quota_minutes(plan.records)
        batches = plan.batches()
        with constraints_checked_after(model for _, model, _ in batches):
            for label, model, recs in batches:
                report = (lambda n, label=label: progress(label, n)) if progress else None
                insert(model, recs, batch_size=BATCH_SIZE, progress=report)
    return plan
