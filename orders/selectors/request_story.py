"""What happened to a request, told to one viewer: its status changes and the street's progress
(``request_progress``), who took its task, who checked in and out, and who was liked — each with
the name of whoever did it, as that viewer may see names.

Names follow the rule of the request's contact details (``request_contact_visible_to``): the
requester, the community's staff and the members serving it see them whole; everyone else
(a follower, a street officer) sees the family name only (王**), as the pages mask the requester.
The viewer's own actions say 您.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from orders.models import Acceptance, Escalation, EscalationEvent, Like, ServiceRequest
from orders.selectors.requests import request_contact_visible_to, request_progress

R = ServiceRequest.Status
A = Acceptance.Status
# Acceptances that stood at some point: a member who withdrew before the task is not part of it.
_TOOK_PART = [A.ACCEPTED, A.CHECKED_IN, A.COMPLETED, A.NO_SHOW]


@dataclass(frozen=True)
class StoryEntry:
    created_at: datetime
    label: str  # the status reached, or what happened (接单, 到场签到 …)
    note: str
    who: str = ""  # who did it, as the viewer may see them ("" for the system)


def _namer(viewer, visible: bool):
    def name(user) -> str:
        if user is None:
            return ""
        if viewer is not None and user.pk == viewer.pk:
            return "您"
        full = user.name or ""
        if visible:
            return full or "党员"
        return f"{full[:1]}**" if full else "**"

    return name


def request_story(request: ServiceRequest, viewer, *, now: datetime | None = None) -> list[StoryEntry]:
    """The request's timeline for ``viewer``, oldest first. Queries: the events (two), and with
    a task its acceptances with their check-ins, and the likes: four at most, whatever happened."""
    name = _namer(viewer, request_contact_visible_to(request, viewer, now=now))
    statuses, street = dict(R.choices), dict(Escalation.Status.choices)
    entries = []
    for e in request_progress(request):
        own = street if isinstance(e, EscalationEvent) else statuses
        label = own.get(e.to_status, "") if e.to_status != e.from_status else ""
        entries.append(StoryEntry(e.created_at, label, e.note, name(e.actor)))
    if request.task_id is not None:
        entries += _service(request, name)
    entries.sort(key=lambda e: e.created_at)  # stable: each part is already in order
    return entries


def _service(request: ServiceRequest, name) -> list[StoryEntry]:
    rows = (
        Acceptance.objects.filter(task_id=request.task_id, status__in=_TOOK_PART)
        .select_related("member__user", "checkin")
        .order_by("accepted_at", "pk")
    )
    entries = []
    for a in rows:
        who = name(a.member.user)
        entries.append(StoryEntry(a.accepted_at, "接单", "", who))
        checkin = a.checkin if a.checkin_id else None
        if checkin is not None:
            entries.append(StoryEntry(checkin.checked_in_at, "到场签到", "", who))
            if checkin.checked_out_at is not None:
                note = "系统自动签退" if checkin.auto_checked_out else ""
                entries.append(StoryEntry(checkin.checked_out_at, "签退", note, who))
        elif a.status == A.NO_SHOW:
            entries.append(StoryEntry(a.ends_at, "未到场", "任务结束时未签到", who))
    likes = Like.objects.filter(request=request).select_related("member__user").order_by("created_at", "pk")
    entries += [StoryEntry(like.created_at, "点赞", f"居民为{name(like.member.user)}点赞", "") for like in likes]
    return entries
