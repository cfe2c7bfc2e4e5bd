"""Helpers shared by the orders tests (fixtures are in ``conftest.py``)."""

import datetime as dt
import io
import threading

from django.db import connection
from PIL import Image

from core.errors import Throttled
from grids.models import Member
from grids.vocab import Duty
from orders.models import Acceptance, Escalation, EscalationEvent, RequestEvent, ServiceRequest, Task
from reporting.models import CheckIn, ServiceRecord
from reporting.services.consent import location_consent_grant
from tests.grids.factories import MemberFactory
from tests.orders.factories import AcceptanceFactory


def kinds(calls) -> list[str]:
    return [c["kind"] for c in calls]


def recipients(calls, kind: str) -> set[int]:
    return {u.pk for c in calls if c["kind"] == kind for u in c["users"]}


def snapshot(obj) -> tuple:
    """A row's stored values and how many events it has: what "changes nothing" compares."""
    model = type(obj)
    row = model.objects.values().get(pk=obj.pk)
    if model is ServiceRequest:
        events = RequestEvent.objects.filter(request_id=obj.pk).count()
        extra = Escalation.objects.filter(request_id=obj.pk).count()
    else:
        events = EscalationEvent.objects.filter(escalation_id=obj.pk).count()
        extra = obj.responses.count()
    return row, events, extra


def jpeg_bytes(size=(64, 48), *, gps=True, orientation=None, color=(200, 30, 30)) -> bytes:
    img = Image.new("RGB", size, color)
    exif = Image.Exif()
    exif[0x010F] = "TestPhone"  # Make
    if gps:
        # GPSInfo IFD: latitude 24°48'12" N, longitude 113°35'25" E
        exif[0x8825] = {1: "N", 2: (24.0, 48.0, 12.0), 3: "E", 4: (113.0, 35.0, 25.0)}
    if orientation:
        exif[0x0112] = orientation
    out = io.BytesIO()
    img.save(out, format="JPEG", exif=exif.tobytes())
    return out.getvalue()


def png_bytes(size=(32, 32)) -> bytes:
    out = io.BytesIO()
    Image.new("RGBA", size, (10, 120, 200, 128)).save(out, format="PNG")
    return out.getvalue()


def order_fields(community, **overrides) -> dict:
    fields = {
        "community": community,
        "duty": Duty.SANITATION,
        "title": "楼道堆放杂物",
        "description": "3栋楼道堆满杂物，存在消防隐患。",
        "address": "工业中社区3栋",
        "lat": community.lat,
        "lng": community.lng,
        "contact_phone": "139 0000 0001",
    }
    fields.update(overrides)
    return fields


def member_in(community, **kwargs) -> Member:
    return MemberFactory(community=community, **kwargs)


def take(task: Task, member: Member, status: str = Acceptance.Status.ACCEPTED) -> Acceptance:
    """An acceptance row plus the slot it holds (as ``task_accept`` would leave them)."""
    acceptance = AcceptanceFactory(task=task, member=member, status=status)
    Task.objects.filter(pk=task.pk).update(taken=task.taken + 1)
    task.refresh_from_db()
    return acceptance


def consent(member: Member) -> None:
    location_consent_grant(member=member)


def on_site(task: Task) -> dict:
    return {"lat": task.lat, "lng": task.lng, "coord_system": "wgs84"}


def at(moment: dt.datetime, minutes: int = 0) -> dt.datetime:
    return moment + dt.timedelta(minutes=minutes)


def served(task: Task, member) -> Acceptance:
    """``member`` served the task: checked in and out, a pending 120-minute record."""
    checkin = CheckIn.objects.create(
        member=member,
        community=task.community,
        place_lat=task.lat,
        place_lng=task.lng,
        radius_m=300,
        opens_at=task.starts_at - dt.timedelta(minutes=30),
        closes_at=task.ends_at,
        lat=task.lat,
        lng=task.lng,
        distance_m=0,
        checked_in_at=task.starts_at,
        checked_out_at=task.ends_at,
    )
    record = ServiceRecord.objects.create(
        member=member,
        community=task.community,
        duty=task.duty,
        checkin=checkin,
        started_at=task.starts_at,
        ended_at=task.ends_at,
        minutes=120,
        reported_minutes=120,
    )
    return AcceptanceFactory(
        task=task, member=member, status=Acceptance.Status.COMPLETED, checkin=checkin, record=record
    )


def burst(call, *, times: int = 10, ok: str = "ok") -> list[str]:
    """Run ``call`` from ``times`` threads released together, each on its own database
    connection; the outcomes: ``ok``, "throttled", or the unexpected error's repr."""
    barrier, outcomes = threading.Barrier(times), []

    def one():
        try:
            barrier.wait(timeout=20)
            call()
            outcomes.append(ok)
        except Throttled:
            outcomes.append("throttled")
        except Exception as exc:  # pragma: no cover - reported by the caller's assertion
            outcomes.append(repr(exc))
        finally:
            connection.close()

    threads = [threading.Thread(target=one) for _ in range(times)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=60)
    return outcomes
