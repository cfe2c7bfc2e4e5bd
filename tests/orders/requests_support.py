"""Fixtures and helpers shared by the request and escalation tests (imported by those modules)."""

import io

import pytest
from PIL import Image

from grids.vocab import Duty
from orders.models import Escalation, EscalationEvent, RequestEvent, ServiceRequest
from tests.orders.factories import ServiceRequestFactory


@pytest.fixture
def sent(monkeypatch):
    """What would have been delivered to ``notifications.services.notify``, after commit."""
    calls = []
    monkeypatch.setattr("notifications.services.notify", lambda **kw: calls.append(kw))
    return calls


@pytest.fixture
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    return tmp_path


@pytest.fixture
def submitted(community, resident):
    return ServiceRequestFactory(community=community, requester=resident)


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
