"""What the pages of several audiences share: parsing the browser's values, running one service
call with its message, the staff gate, the Amap link and the labelled timeline."""

from __future__ import annotations

import datetime as dt
from urllib.parse import quote

from django.contrib import messages
from django.http import Http404

from core.errors import DomainError
from grids.geo import wgs84_to_gcj02
from grids.models import Member
from grids.selectors.people import member_of
from orders.models import Escalation, EscalationEvent

LIST_LIMIT = 100  # rows a list page shows; older ones are reached by filters, not pages


def member_or_none(user) -> Member | None:
    return member_of(user) if user.is_authenticated else None


def require_member(request) -> Member:
    """The signed-in user's member profile; pages for members are a 404 to anyone else."""
    member = member_or_none(request.user)
    if member is None:
        raise Http404
    return member


def float_or_none(value) -> float | None:
    try:
        return float(value) if value not in (None, "") else None
    except (TypeError, ValueError):
        return None


def date_or_none(value: str | None) -> dt.date | None:
    try:
        return dt.date.fromisoformat(value) if value else None
    except ValueError:
        return None


def show_error(request, exc: DomainError) -> None:
    messages.error(request, exc.message)


def attempt(request, success: str, action, /, **kwargs) -> bool:
    """Run one service call for a page: its refusal becomes an error message, its success ``success``."""
    try:
        action(**kwargs)
    except DomainError as exc:
        show_error(request, exc)
        return False
    messages.success(request, success)
    return True


def amap_url(lat: float, lng: float, name: str) -> str:
    """A marker in 高德地图 (web or app): Amap takes GCJ-02 coordinates, lng first."""
    glat, glng = wgs84_to_gcj02(lat, lng)
    return (
        f"https://uri.amap.com/marker?position={glng:.6f},{glat:.6f}&name={quote(name)}&src=shaoguan&coordinate=gaode"
    )


def labelled(events, statuses) -> list:
    """Events with the Chinese name of the status they moved to (none for a plain note)."""
    names = dict(statuses.choices)
    street = dict(Escalation.Status.choices)
    rows = list(events)
    for e in rows:
        own = street if isinstance(e, EscalationEvent) else names
        e.label = own.get(e.to_status, "") if e.to_status != e.from_status else ""
    return rows
