"""Rows the boards count: confirmed (or not) service records, resident-confirmed requests, likes."""

from __future__ import annotations

from datetime import datetime, timedelta

import factory

from orders.models import Acceptance, Like, ServiceRequest
from reporting.models import ServiceRecord
from tests.orders.factories import ServiceRequestFactory, TaskFactory
from tests.reporting.factories import ServiceRecordFactory


class ConfirmedRecordFactory(ServiceRecordFactory):
    """A service record the community confirmed; ``community`` defaults to the member's."""

    community = factory.LazyAttribute(lambda o: o.member.community)
    status = ServiceRecord.Status.CONFIRMED
    confirmed_via = ServiceRecord.ConfirmedVia.COMMUNITY
    confirmed_at = factory.LazyAttribute(lambda o: o.ended_at)


def served_request(members, *, closed_at: datetime, status=ServiceRequest.Status.RATED, community=None):
    """A request the resident confirmed/rated at ``closed_at``, served by ``members`` (completed
    acceptances on its task, each with a confirmed record)."""
    community = community or members[0].community
    task = TaskFactory(
        community=community,
        starts_at=closed_at - timedelta(hours=3),
        ends_at=closed_at - timedelta(hours=2),
        status="completed",
        slots=max(len(members), 1),
        taken=len(members),
    )
    for member in members:
        record = ConfirmedRecordFactory(member=member, community=community, started_at=task.starts_at, minutes=60)
        Acceptance.objects.create(
            task=task,
            member=member,
            status=Acceptance.Status.COMPLETED,
            starts_at=task.starts_at,
            ends_at=task.ends_at,
            checkin=_checkin(member, task),
            record=record,
        )
    return ServiceRequestFactory(community=community, status=status, task=task, closed_at=closed_at)


def _checkin(member, task):
    from tests.reporting.factories import CheckInFactory

    return CheckInFactory(member=member, community=task.community, checked_in_at=task.starts_at)


def like(member, *, at: datetime, request=None):
    request = request or ServiceRequestFactory(community=member.community, status=ServiceRequest.Status.RATED)
    return Like.objects.create(request=request, member=member, created_at=at)
