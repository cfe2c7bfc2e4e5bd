"""Nobody confirms, corrects or rejects a service record of their own — by the service, the API,
the staff page or the admin's actions — and the other ways in (an outsider, a neighbouring
community's secretary) stay closed, while another secretary of the community still confirms.

The case found: a part-time committee member (兼职委员) of the community, who also serves as a
member, confirmed their own 120-minute record as 1,440 minutes.
"""

import pytest
from django.urls import reverse

from core.errors import PermissionDenied
from grids.models import Member, Post
from reporting.models import ServiceRecord
from reporting.services.records import service_record_confirm, service_record_correct, service_record_reject
from tests.accounts.factories import UserFactory
from tests.conftest import client_for
from tests.grids.factories import MemberFactory, PostFactory
from tests.pages import browser_for, html
from tests.reporting.factories import ServiceRecordFactory

pytestmark = pytest.mark.django_db
V1 = "/api/v1"
S = ServiceRecord.Status


@pytest.fixture
def committee(community, grid):
    """A part-time committee member of the community (admin access too) with a member profile."""
    user = UserFactory(phone="13800000031", name="林委员", is_staff=True)
    PostFactory(user=user, role=Post.Role.PART_TIME_MEMBER, community=community)
    MemberFactory(user=user, community=community, grid=grid)
    return user


@pytest.fixture
def own(committee, community):
    """The committee member's own pending record: 120 minutes punched."""
    member = Member.objects.get(user=committee)
    return ServiceRecordFactory(member=member, community=community, minutes=120)


def unchanged(record) -> None:
    record.refresh_from_db()
    assert (record.status, record.minutes, record.confirmed_by_id) == (S.PENDING, 120, None)
    assert not record.events.exists()


# --- the service ----------------------------------------------------------------------------


def test_the_case_found_own_120_minutes_cannot_become_1440(own, committee):
    with pytest.raises(PermissionDenied) as exc:
        service_record_confirm(record=own, actor=committee, minutes=1440, reason="加班")
    assert exc.value.code == "own_record" and "本人" in exc.value.message
    unchanged(own)


def test_own_record_cannot_be_confirmed_as_is_or_rejected(own, committee):
    with pytest.raises(PermissionDenied) as exc:
        service_record_confirm(record=own, actor=committee)
    assert exc.value.code == "own_record"
    with pytest.raises(PermissionDenied) as exc:
        service_record_reject(record=own, actor=committee, reason="误报")
    assert exc.value.code == "own_record"
    unchanged(own)


def test_own_record_cannot_be_confirmed_as_the_resident(own, committee):
    with pytest.raises(PermissionDenied) as exc:
        service_record_confirm(record=own, actor=committee, via="resident")
    assert exc.value.code == "own_record"
    unchanged(own)


def test_own_confirmed_record_cannot_be_corrected(own, committee, secretary):
    service_record_confirm(record=own, actor=secretary)
    with pytest.raises(PermissionDenied) as exc:
        service_record_correct(record=own, actor=committee, minutes=60, reason="记错")
    assert exc.value.code == "own_record"
    own.refresh_from_db()
    assert own.minutes == 120 and own.events.count() == 1


def test_outsider_and_neighbouring_secretary_are_refused(own, resident, outsider):
    for actor in (resident, outsider):
        with pytest.raises(PermissionDenied):
            service_record_confirm(record=own, actor=actor, minutes=1440, reason="x")
        with pytest.raises(PermissionDenied):
            service_record_reject(record=own, actor=actor, reason="x")
    unchanged(own)


def test_another_secretary_confirms_it(own, secretary):
    r = service_record_confirm(record=own, actor=secretary, minutes=100, reason="提前离开")
    assert (r.status, r.minutes, r.confirmed_by) == (S.CONFIRMED, 100, secretary)


# --- the API --------------------------------------------------------------------------------


def test_api_refuses_own_confirm_and_reject(own, committee):
    c = client_for(committee)
    url = f"{V1}/service-records/{own.pk}"
    resp = c.post(f"{url}/confirm/", {"minutes": 1440, "reason": "加班"}, format="json")
    assert resp.status_code == 403 and resp.json()["code"] == "own_record", resp.content.decode()
    resp = c.post(f"{url}/reject/", {"reason": "误报"}, format="json")
    assert resp.status_code == 403 and resp.json()["code"] == "own_record"
    unchanged(own)


def test_api_refuses_own_correction(own, committee, secretary):
    service_record_confirm(record=own, actor=secretary)
    resp = client_for(committee).post(
        f"{V1}/service-records/{own.pk}/correct/", {"minutes": 1440, "reason": "加班"}, format="json"
    )
    assert resp.status_code == 403 and resp.json()["code"] == "own_record", resp.content.decode()
    own.refresh_from_db()
    assert own.minutes == 120


def test_api_outsiders_do_not_reach_it(own, resident, outsider):
    for actor in (resident, outsider):
        resp = client_for(actor).post(
            f"{V1}/service-records/{own.pk}/confirm/", {"minutes": 1440, "reason": "x"}, format="json"
        )
        assert resp.status_code in (403, 404)
    unchanged(own)


def test_api_another_secretary_confirms(own, secretary):
    resp = client_for(secretary).post(f"{V1}/service-records/{own.pk}/confirm/", {}, format="json")
    assert resp.status_code == 200 and resp.json()["status"] == "confirmed", resp.content.decode()


# --- the staff page -------------------------------------------------------------------------


def test_page_refuses_own_confirm_and_reject(own, committee):
    c = browser_for(committee)
    r = c.post(f"/work/hours/{own.pk}/confirm/", {"minutes": "1440", "reason": "加班"}, follow=True)
    assert "本人" in html(r)
    c.post(f"/work/hours/{own.pk}/reject/", {"reason": "误报"})
    unchanged(own)


def test_page_does_not_offer_own_record_for_confirming(own, committee):
    page = html(browser_for(committee).get("/work/hours/"))
    assert f'data-record="{own.pk}"' in page
    assert reverse("reporting:work_hours_action", args=[own.pk, "confirm"]) not in page


def test_page_outsiders_and_another_secretary(own, resident, outsider, secretary):
    assert browser_for(resident).post(f"/work/hours/{own.pk}/confirm/").status_code == 403
    assert browser_for(outsider).post(f"/work/hours/{own.pk}/confirm/").status_code == 404
    unchanged(own)
    browser_for(secretary).post(f"/work/hours/{own.pk}/confirm/", {"minutes": "", "reason": ""})
    own.refresh_from_db()
    assert own.status == S.CONFIRMED and own.confirmed_by == secretary


# --- the admin's actions --------------------------------------------------------------------

CHANGELIST = "admin:reporting_servicerecord_changelist"


def test_admin_actions_refuse_own_record_in_a_bulk(own, committee, community):
    theirs = ServiceRecordFactory(member=MemberFactory(community=community), community=community, minutes=120)
    c = browser_for(committee)
    r = c.post(
        reverse(CHANGELIST),
        {"action": "confirm", "_selected_action": [own.pk, theirs.pk], "minutes": "150", "reason": "加班"},
        follow=True,
    )
    assert "本人" in html(r)
    c.post(reverse(CHANGELIST), {"action": "reject", "_selected_action": [own.pk], "reason": "误报"})
    unchanged(own)
    theirs.refresh_from_db()
    assert (theirs.status, theirs.minutes, theirs.confirmed_by) == (S.CONFIRMED, 150, committee)  # others go through


def test_admin_action_by_a_neighbouring_secretary_does_nothing(own, outsider):
    outsider.is_staff = True
    outsider.save()
    browser_for(outsider).post(
        reverse(CHANGELIST), {"action": "confirm", "_selected_action": [own.pk], "minutes": "1440", "reason": "x"}
    )
    unchanged(own)


def test_admin_action_by_another_secretary_confirms(own, secretary):
    secretary.is_staff = True
    secretary.save()
    browser_for(secretary).post(reverse(CHANGELIST), {"action": "confirm", "_selected_action": [own.pk]})
    own.refresh_from_db()
    assert own.status == S.CONFIRMED and own.confirmed_by == secretary
