"""The reporting API: the hours ledger (confirm with a correction) and report-for-duty visits."""

import pytest

from reporting.models import ServiceRecord, Visit, VisitCode
from tests.accounts.factories import UserFactory
from tests.conftest import client_for
from tests.reporting.factories import ServiceRecordFactory

pytestmark = pytest.mark.django_db
V1 = "/api/v1"


@pytest.fixture
def record(placed, community):
    return ServiceRecordFactory(member=placed, community=community)


def test_secretary_confirms_with_a_correction(record, secretary):
    c = client_for(secretary)
    resp = c.post(
        f"{V1}/service-records/{record.pk}/confirm/", {"minutes": record.reported_minutes + 30}, format="json"
    )
    assert resp.status_code == 400 and resp.json()["code"] == "reason_required", resp.content.decode()
    resp = c.post(
        f"{V1}/service-records/{record.pk}/confirm/",
        {"minutes": record.reported_minutes + 30, "reason": "协助搬运多用了半小时"},
        format="json",
    )
    assert resp.status_code == 200, resp.content.decode()
    body = resp.json()
    assert body["status"] == "confirmed" and body["minutes"] == record.reported_minutes + 30
    assert body["correction_reason"] == "协助搬运多用了半小时" and body["confirmed_by_name"] == secretary.name


def test_reject_needs_a_reason_and_blocks_confirm(record, secretary):
    c = client_for(secretary)
    resp = c.post(f"{V1}/service-records/{record.pk}/reject/", {"reason": "未到场"}, format="json")
    assert resp.status_code == 200 and resp.json()["status"] == "rejected", resp.content.decode()
    resp = c.post(f"{V1}/service-records/{record.pk}/confirm/", {}, format="json")
    assert resp.status_code == 409 and resp.json()["code"] == "illegal_transition"


def test_member_sees_own_records_but_cannot_confirm(record, placed):
    c = client_for(placed.user)
    rows = c.get(f"{V1}/service-records/").json()["results"]
    assert [r["id"] for r in rows] == [record.pk] and rows[0]["member_phone"] == placed.user.phone
    assert c.post(f"{V1}/service-records/{record.pk}/confirm/", {}, format="json").status_code in (403, 404)
    assert ServiceRecord.objects.get(pk=record.pk).status == ServiceRecord.Status.PENDING


@pytest.mark.parametrize("who", ["outsider", "stranger"])
def test_others_cannot_see_or_confirm(record, outsider, who):
    user = outsider if who == "outsider" else UserFactory(phone="13800000088")
    c = client_for(user)
    assert c.get(f"{V1}/service-records/").json()["results"] == []
    assert c.get(f"{V1}/service-records/{record.pk}/").status_code == 404
    for action, body in [("confirm", {}), ("reject", {"reason": "x"})]:
        assert c.post(f"{V1}/service-records/{record.pk}/{action}/", body, format="json").status_code in (403, 404)
    assert ServiceRecord.objects.get(pk=record.pk).status == ServiceRecord.Status.PENDING


def test_anonymous_401(api, record):
    for method, path in [
        ("get", "service-records/"),
        ("get", "visits/"),
        ("post", "visits/"),
        ("post", f"service-records/{record.pk}/confirm/"),
    ]:
        assert getattr(api, method)(f"{V1}/{path}").status_code == 401


def test_visit_by_qr(placed, community, secretary):
    VisitCode.objects.create(community=community, token="abc123")
    c = client_for(placed.user)
    resp = c.post(f"{V1}/visits/", {"method": "qr", "token": "wrong"}, format="json")
    assert resp.status_code == 400 and resp.json()["code"] == "invalid_token"
    resp = c.post(f"{V1}/visits/", {"method": "qr", "token": "abc123"}, format="json")
    assert resp.status_code == 201, resp.content.decode()
    assert resp.json()["community_id"] == community.pk and resp.json()["method"] == "qr"
    assert Visit.objects.count() == 1
    staff = client_for(secretary).get(f"{V1}/visits/").json()["results"]
    assert [v["member_id"] for v in staff] == [placed.pk]


def test_visit_by_location_needs_consent(placed, community):
    c = client_for(placed.user)
    here = {"method": "location", "lat": community.lat, "lng": community.lng}
    resp = c.post(f"{V1}/visits/", here, format="json")
    assert resp.status_code == 409 and resp.json()["code"] == "consent_required", resp.content.decode()
    assert c.get(f"{V1}/location-consent/").json()["active"] is False
    assert c.post(f"{V1}/location-consent/").json()["active"] is True
    resp = c.post(f"{V1}/visits/", here, format="json")
    assert resp.status_code == 201, resp.content.decode()
    assert resp.json()["method"] == "location"
    far = {"method": "location", "lat": community.lat + 0.05, "lng": community.lng}
    resp = c.post(f"{V1}/visits/", far, format="json")
    assert resp.status_code == 201  # one visit a day: a repeat returns the first one
    assert Visit.objects.count() == 1


def test_visit_somewhere_not_registered_is_refused(placed, other_community):
    VisitCode.objects.create(community=other_community, token="zzz")
    resp = client_for(placed.user).post(
        f"{V1}/visits/", {"method": "qr", "token": "zzz", "community": other_community.pk}, format="json"
    )
    assert resp.status_code == 403
    assert Visit.objects.count() == 0


def test_consent_revoke_and_regrant(placed, resident, api):
    c = client_for(placed.user)
    assert c.post(f"{V1}/location-consent/").json()["active"] is True
    body = c.delete(f"{V1}/location-consent/").json()
    assert body["active"] is False and body["revoked_at"]
    assert c.post(f"{V1}/location-consent/").json()["active"] is True
    assert client_for(resident).post(f"{V1}/location-consent/").status_code == 404  # no member profile
    assert api.post(f"{V1}/location-consent/").status_code == 401
