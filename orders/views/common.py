"""What the order pages of several audiences share: parsing the browser's values, the Amap link
and the labelled timeline."""

from __future__ import annotations

import datetime as dt
from urllib.parse import quote

from grids.geo import wgs84_to_gcj02
from orders.models import Escalation, EscalationEvent


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
