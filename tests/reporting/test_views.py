"""The ledger's pages through the Django test client: each page for the right user, an anonymous
visitor and an outsider; list pages whose query count does not grow."""

import datetime as dt

import pytest
from django.urls import reverse
from django.utils import timezone

from reporting.models import LocationConsent, ServiceRecord
from tests.accounts.factories import UserFactory
from tests.grids.factories import MemberFactory
from tests.pages import browser_for, html, page_queries
from tests.reporting.factories import LocationConsentFactory, ServiceRecordFactory, VisitFactory

pytestmark = pytest.mark.django_db


def this_year(days_ago: int = 1) -> dt.datetime:
    """A moment earlier this year (the pages show the current year)."""
    now = timezone.now()
    moment = now - dt.timedelta(days=days_ago)
    return moment if moment.year == now.year else now


# --- names and sign-in ----------------------------------------------------------------------


def test_url_names():
    assert reverse("reporting:my_hours") == "/my/hours/"
    assert reverse("reporting:consent") == "/my/consent/"
    assert reverse("reporting:consent_revoke") == "/my/consent/revoke/"
    assert reverse("reporting:work_hours") == "/work/hours/"
    assert reverse("reporting:work_hours_action", args=[7, "confirm"]) == "/work/hours/7/confirm/"


@pytest.mark.parametrize("url", ["/my/hours/", "/work/hours/"])
def test_anonymous_is_sent_to_sign_in(client, url):
    r = client.get(url)
    assert r.status_code == 302
    assert r["Location"] == f"/login/?next={url}"


@pytest.mark.parametrize("url", ["/my/consent/", "/my/consent/revoke/", "/work/hours/1/confirm/"])
def test_anonymous_posts_are_sent_to_sign_in(client, url):
    r = client.post(url)
    assert r.status_code == 302
    assert r["Location"] == f"/login/?next={url}"
    assert not LocationConsent.objects.exists()


# --- my hours and consent -------------------------------------------------------------------


def test_my_hours_shows_only_ones_own_records_and_visits(placed, community, outsider):
    ServiceRecordFactory(member=placed, community=community, started_at=this_year(), title="敬老院义诊")
    VisitFactory(member=placed, community=community, visited_at=this_year())
    page = html(browser_for(placed.user).get("/my/hours/"))
    assert 'data-testid="quota"' in page and "敬老院义诊" in page
    assert "今年还没有报到记录" not in page
    # An outsider (someone else's staff, no member profile) sees none of it.
    page = html(browser_for(outsider).get("/my/hours/"))
    assert "敬老院义诊" not in page and "成为志愿者" in page


def test_my_hours_query_count_is_flat(placed, community):
    c = browser_for(placed.user)
    LocationConsentFactory(member=placed)
    ServiceRecordFactory(member=placed, community=community, started_at=this_year())
    VisitFactory(member=placed, community=community, visited_at=this_year(1))
    few = page_queries(c, "/my/hours/")
    for d in range(2, 7):
        ServiceRecordFactory(member=placed, community=community, started_at=this_year(d))
        VisitFactory(member=placed, community=community, visited_at=this_year(d))
    assert page_queries(c, "/my/hours/") == few


def test_consent_and_its_revocation(placed):
    c = browser_for(placed.user)
    r = c.post("/my/consent/", {"next": "/tasks/1/"})
    assert r.status_code == 302 and r["Location"] == "/tasks/1/"
    assert LocationConsent.objects.get(member=placed).is_active
    assert "撤回定位签到同意</button>" in html(c.get("/my/hours/"))
    r = c.post("/my/consent/revoke/")
    assert r.status_code == 302 and r["Location"] == "/my/hours/"
    assert not LocationConsent.objects.get(member=placed).is_active


def test_consent_goes_only_to_a_local_next_page(placed):
    r = browser_for(placed.user).post("/my/consent/", {"next": "//evil.example/"})
    assert r["Location"] == "/my/tasks/"


def test_consent_pages_need_a_member_profile_and_a_post(resident, placed):
    c = browser_for(resident)
    assert c.post("/my/consent/").status_code == 404
    assert c.post("/my/consent/revoke/").status_code == 404
    assert browser_for(placed.user).get("/my/consent/").status_code == 405
    assert not LocationConsent.objects.exists()


def test_revoking_touches_only_ones_own_consent(placed, community):
    other = MemberFactory(user=UserFactory(phone="13800000077"), community=community)
    theirs = LocationConsentFactory(member=other)
    browser_for(placed.user).post("/my/consent/revoke/")
    theirs.refresh_from_db()
    assert theirs.is_active


# --- the community's hours to confirm -------------------------------------------------------


def test_non_staff_get_403_on_work_pages(resident):
    assert browser_for(resident).get("/work/hours/").status_code == 403
    assert browser_for(resident).post("/work/hours/1/confirm/").status_code == 403


def test_hours_confirm_with_correction_and_scope(secretary, outsider, community, placed):
    record = ServiceRecordFactory(member=placed, community=community, minutes=120)
    c = browser_for(secretary)
    assert f'data-record="{record.pk}"' in html(c.get("/work/hours/"))
    r = c.post(f"/work/hours/{record.pk}/confirm/", {"minutes": "90", "reason": ""}, follow=True)
    record.refresh_from_db()
    assert record.status == ServiceRecord.Status.PENDING
    assert "理由" in html(r)
    c.post(f"/work/hours/{record.pk}/confirm/", {"minutes": "90", "reason": "提前离开"})
    record.refresh_from_db()
    assert (record.status, record.minutes) == (ServiceRecord.Status.CONFIRMED, 90)
    other = ServiceRecordFactory(member=placed, community=community)
    assert browser_for(outsider).post(f"/work/hours/{other.pk}/confirm/").status_code == 404
    other.refresh_from_db()
    assert other.status == ServiceRecord.Status.PENDING


def test_hours_list_shows_the_title_and_not_other_communities(secretary, outsider, community, placed):
    record = ServiceRecordFactory(member=placed, community=community, title="清理楼道")
    page = html(browser_for(secretary).get("/work/hours/"))
    assert f'data-record="{record.pk}"' in page and "清理楼道" in page
    assert f'data-record="{record.pk}"' not in html(browser_for(outsider).get("/work/hours/"))


def test_hours_reject_and_unknown_action(secretary, outsider, community, placed):
    record = ServiceRecordFactory(member=placed, community=community)
    c = browser_for(secretary)
    assert c.post(f"/work/hours/{record.pk}/approve/").status_code == 404
    assert browser_for(outsider).post(f"/work/hours/{record.pk}/reject/", {"reason": "x"}).status_code == 404
    record.refresh_from_db()
    assert record.status == ServiceRecord.Status.PENDING
    r = c.post(f"/work/hours/{record.pk}/reject/", {"reason": "本人未到场"})
    assert r.status_code == 302 and r["Location"] == "/work/hours/"
    record.refresh_from_db()
    assert (record.status, record.reject_reason) == (ServiceRecord.Status.REJECTED, "本人未到场")
    assert c.get(f"/work/hours/{record.pk}/reject/").status_code == 405


def test_hours_query_count_is_flat(secretary, community):
    c = browser_for(secretary)
    ServiceRecordFactory(member=MemberFactory(community=community), community=community)
    few = page_queries(c, "/work/hours/")
    for _ in range(5):
        ServiceRecordFactory(member=MemberFactory(community=community), community=community)
    assert page_queries(c, "/work/hours/") == few


def test_the_consent_notice_states_the_configured_retention(settings):
    from reporting.selectors import location_consent_notice

    settings.LOCATION_RETENTION_DAYS = 90
    assert "90 天后只保留到约 1 公里的精度" in location_consent_notice()
