"""Reads on the joint meeting's cases (联席会议)."""

from __future__ import annotations

from django.db.models import Prefetch, QuerySet

from grids.selectors.scope import scope_for
from orders.models import Department, Escalation, EscalationEvent, EscalationResponse


def _escalations() -> QuerySet[Escalation]:
    return Escalation.objects.select_related(
        "street__district", "community", "request__requester", "task", "created_by"
    ).prefetch_related(Prefetch("departments", queryset=Department.objects.order_by("sort_order", "name")))


def escalations_for(user) -> QuerySet[Escalation]:
    """Cases ``user`` may see: the street's staff their street's, district and city staff those
    below them, community staff their community's. Grid secretaries see none. Newest first."""
    scope = scope_for(user)
    if not scope.is_staff_scope:
        return Escalation.objects.none()
    return _escalations().filter(scope.q("community")).order_by("-created_at", "-pk")


def can_handle(escalation: Escalation, user) -> bool:
    """Staff of the escalation's street, or of its district or the city."""
    scope = scope_for(user)
    if scope.city or escalation.street_id in scope.street_ids:
        return True
    return escalation.street.district_id in scope.district_ids


def active_departments() -> QuerySet[Department]:
    return Department.objects.filter(is_active=True).order_by("sort_order", "name")


def escalation_timeline(escalation: Escalation) -> QuerySet[EscalationEvent]:
    return EscalationEvent.objects.filter(escalation=escalation).select_related("actor").order_by("created_at", "pk")


def escalation_responses(escalation: Escalation) -> QuerySet[EscalationResponse]:
    return (
        EscalationResponse.objects.filter(escalation=escalation)
        .select_related("department", "recorded_by")
        .order_by("created_at", "pk")
    )


def open_escalation_of_task(task) -> Escalation | None:
    """The task's case at the street still being handled, if any (there is at most one)."""
    return (
        Escalation.objects.filter(task=task, status__in=[Escalation.Status.OPEN, Escalation.Status.ASSIGNED])
        .only("pk", "status", "deadline", "overdue")
        .first()
    )
