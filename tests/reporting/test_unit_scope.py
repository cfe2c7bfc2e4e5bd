"""The ledger's lists answer a unit's party organisation too: its members' service records,
visits and registrations wherever they serve, to read; confirming stays with the community."""

import pytest

from grids.models import Registration
from reporting.models import ServiceRecord
from tests.conftest import client_for
from tests.grids.factories import MemberFactory
from tests.reporting.factories import ServiceRecordFactory, VisitFactory
from tests.unit_support import build_unit_world

pytestmark = pytest.mark.django_db
V1 = "/api/v1"


@pytest.fixture
def w(community):
    w = build_unit_world(community)
    w.far_record = ServiceRecordFactory(member=w.far, community=w.far_community)
    w.stranger_record = ServiceRecordFactory(member=w.stranger, community=w.community)
    VisitFactory(member=w.far, community=w.far_community)
    VisitFactory(member=w.stranger, community=w.community)
    return w


def _members(resp, key="member"):
    assert resp.status_code == 200, resp.content.decode()
    return {r[key] for r in resp.json()["results"]}


def _ids(resp):
    assert resp.status_code == 200, resp.content.decode()
    return {r["id"] for r in resp.json()["results"]}


def test_unit_secretary_reads_the_units_records_visits_and_registrations(w):
    c = client_for(w.secretary)
    records = set(ServiceRecord.objects.filter(member__unit=w.unit).values_list("pk", flat=True))
    assert _ids(c.get(f"{V1}/service-records/")) == records
    assert w.stranger_record.pk not in records
    visits = _ids(c.get(f"{V1}/visits/"))
    assert visits and visits == set(w.unit.members.values_list("visits__pk", flat=True)) - {None}
    registrations = set(Registration.objects.filter(member__unit=w.unit).values_list("pk", flat=True))
    assert _ids(c.get(f"{V1}/registrations/")) == registrations
    assert c.get(f"{V1}/service-records/{w.far_record.pk}/").status_code == 200
    assert c.get(f"{V1}/service-records/{w.stranger_record.pk}/").status_code == 404
    # ?mine=1 is their own, as for anyone.
    assert _ids(c.get(f"{V1}/service-records/", {"mine": "1"})) == set()


@pytest.mark.parametrize("who", ["neighbour", "outsider"])
def test_others_read_nothing_of_the_unit(w, who):
    """The neighbouring unit's secretary reads their own unit's member (赵外), nothing of this unit."""
    c = client_for(getattr(w, who))
    theirs = {w.stranger_record.pk} if who == "neighbour" else set()
    assert _ids(c.get(f"{V1}/service-records/")) == theirs
    visits = set(w.stranger.visits.values_list("pk", flat=True)) if who == "neighbour" else set()
    assert _ids(c.get(f"{V1}/visits/")) == visits
    registrations = set(w.stranger.registrations.values_list("pk", flat=True)) if who == "neighbour" else set()
    assert _ids(c.get(f"{V1}/registrations/")) == registrations
    assert c.get(f"{V1}/service-records/{w.far_record.pk}/").status_code == 404


def test_community_secretary_still_reads_only_their_community(w):
    c = client_for(w.community_secretary)
    seen = _ids(c.get(f"{V1}/service-records/"))
    assert w.stranger_record.pk in seen and w.far_record.pk not in seen


def test_unit_secretary_confirms_nothing(w):
    for verb, body in (("confirm", {}), ("reject", {"reason": "不认"}), ("correct", {"minutes": 1, "reason": "改"})):
        resp = client_for(w.secretary).post(f"{V1}/service-records/{w.far_record.pk}/{verb}/", body, format="json")
        assert resp.status_code in (403, 404), resp.content.decode()
    w.far_record.refresh_from_db()
    assert w.far_record.status == ServiceRecord.Status.PENDING and w.far_record.minutes == 120
    registration = Registration.objects.get(member=w.waiting)
    resp = client_for(w.secretary).post(
        f"{V1}/registrations/{registration.pk}/decline/", {"reason": "不合适"}, format="json"
    )
    assert resp.status_code == 403 and any("\u4e00" <= ch <= "\u9fff" for ch in resp.json()["detail"])
    registration.refresh_from_db()
    assert registration.status == Registration.Status.PENDING


@pytest.mark.parametrize("path", ["service-records", "visits", "registrations"])
def test_unit_lists_query_counts_stay_flat(w, path, django_assert_max_num_queries):
    c = client_for(w.secretary)
    with django_assert_max_num_queries(12) as few:
        assert c.get(f"{V1}/{path}/").status_code == 200
    for _ in range(8):
        m = MemberFactory(unit=w.unit)
        ServiceRecordFactory(member=m, community=w.far_community)
        VisitFactory(member=m, community=w.far_community)
    with django_assert_max_num_queries(len(few.captured_queries)):
        assert c.get(f"{V1}/{path}/").status_code == 200
