"""我的 year against the rules: ``me/quota/``, ``me/stars/`` and the ring on 我的 — for the
member themself, a resident with no volunteer profile, an anonymous caller."""

from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
import time_machine
from rest_framework.test import APIClient

from rankings.services import member_stars_recompute
from tests.conftest import client_for
from tests.pages import browser_for
from tests.rankings.factories import ConfirmedRecordFactory
from tests.reporting.factories import VisitFactory

pytestmark = pytest.mark.django_db

SH = ZoneInfo("Asia/Shanghai")
NOW = datetime(2026, 8, 20, 12, tzinfo=SH)  # Q3; 232 of 365 days over
URL = "/api/v1/me/quota/"


@pytest.fixture(autouse=True)
def _now():
    with time_machine.travel(NOW, tick=False):
        yield


@pytest.fixture
def served(member, community):
    member.community = community
    member.save(update_fields=["community"])
    # Tuesday 16:00–18:00: 120 confirmed, 60 outside working hours; a Saturday morning: 180.
    ConfirmedRecordFactory(member=member, started_at=datetime(2026, 6, 2, 16, tzinfo=SH), minutes=120)
    ConfirmedRecordFactory(member=member, started_at=datetime(2026, 6, 6, 9, tzinfo=SH), minutes=180)
    VisitFactory(member=member, community=community, visited_at=datetime(2026, 2, 2, 10, tzinfo=SH))
    VisitFactory(member=member, community=community, visited_at=datetime(2026, 7, 2, 10, tzinfo=SH))
    return member


def test_quota_for_the_member(served, django_assert_max_num_queries):
    c = client_for(served.user)
    with django_assert_max_num_queries(6):
        body = c.get(URL).json()
    assert body["year"] == 2026 and body["quota_hours"] == 20
    assert body["confirmed_hours"] == 5.0 and body["counted_hours"] == 4.0 and body["remaining_hours"] == 16.0
    assert body["percent"] == 20 and body["expected_hours"] == 12.7 and not body["hours_on_pace"]
    assert [(q["quarter"], q["visited"], q["over"], q["current"]) for q in body["quarters"]] == [
        ("Q1", True, True, False),
        ("Q2", False, True, False),
        ("Q3", True, False, True),
        ("Q4", False, False, False),
    ]
    assert body["quarters_behind"] == ["Q2"] and not body["visits_on_pace"] and not body["on_pace"]
    assert body["stars"] is None  # not recomputed yet


def test_quota_of_another_year_and_with_stars(served):
    member_stars_recompute(year=2026)
    body = client_for(served.user).get(URL).json()
    assert body["stars"]["stars"] == 1 and body["stars"]["hours"] == 4.0
    assert body["stars"]["next_needs"] == {"hours": 6.0}
    assert body["stars"]["next_needs_text"] == "下一星还需 6 小时服务时长"
    past = client_for(served.user).get(URL, {"year": 2025}).json()
    assert past["confirmed_hours"] == 0 and past["quarters_behind"] == ["Q1", "Q2", "Q3", "Q4"]
    assert past["stars"] is None


@pytest.mark.parametrize("year", ["abc", "1999", "2101"])
def test_a_bad_year_is_refused(member, year):
    resp = client_for(member.user).get(URL, {"year": year})
    assert resp.status_code == 400 and resp.json()["fields"]["year"] == ["年度应为 2000–2100 之间的整数。"]


def test_stars_endpoint(served):
    body = client_for(served.user).get("/api/v1/me/stars/").json()
    assert body["stars"] is None and body["rules"][0] == "一星：所有志愿者" and len(body["rules"]) == 5
    member_stars_recompute(year=2026)
    assert client_for(served.user).get("/api/v1/me/stars/").json()["stars"]["stars"] == 1


@pytest.mark.parametrize("url", [URL, "/api/v1/me/stars/"])
def test_a_resident_without_a_volunteer_profile_gets_404(resident, url):
    resp = client_for(resident).get(url)
    assert resp.status_code == 404 and resp.json()["code"] == "not_a_member"
    assert resp.json()["detail"] == "您还不是志愿者，没有年度服务要求和星级。"


@pytest.mark.parametrize("url", [URL, "/api/v1/me/stars/"])
def test_anonymous_gets_401(url):
    assert APIClient().get(url).status_code == 401


def test_each_member_sees_only_their_own_year(served, community):
    from tests.grids.factories import MemberFactory

    other = MemberFactory(community=community)
    body = client_for(other.user).get(URL).json()
    assert body["confirmed_hours"] == 0 and body["quarters"][0]["visited"] is False


def test_the_profile_page_shows_the_ring_quarters_and_stars(served, django_assert_max_num_queries):
    c = browser_for(served.user)
    with django_assert_max_num_queries(12):
        html = c.get("/me/").content.decode()
    assert 'stroke-dasharray="20 100"' in html and "2026 年度履职" in html
    assert "计入要求（工作时间以外）<strong>4</strong> 小时" in html and "已确认服务合计 5 小时" in html
    assert "进度落后" in html and "按进度此时应满 12.7 小时" in html
    assert 'data-quarter="Q1"' in html and "✓ 已报到" in html and "✗ 未报到" in html and "未开始" in html
    assert "本年度星级尚未评定" in html
    member_stars_recompute(year=2026)
    html = c.get("/me/").content.decode()
    assert "<strong>1 星</strong>" in html and "下一星还需 6 小时服务时长" in html


def test_the_profile_page_of_a_resident_has_no_quota(resident):
    html = browser_for(resident).get("/me/").content.decode()
    assert "年度履职" not in html and "成为志愿者" in html


def test_on_pace_when_the_hours_keep_up(member, community):
    for week in range(5):
        ConfirmedRecordFactory(
            member=member,
            community=community,
            started_at=datetime(2026, 3, 7, 9, tzinfo=SH) + timedelta(weeks=week),
            minutes=180,
        )
    VisitFactory(member=member, community=community, visited_at=datetime(2026, 2, 2, 10, tzinfo=SH))
    VisitFactory(member=member, community=community, visited_at=datetime(2026, 5, 2, 10, tzinfo=SH))
    body = client_for(member.user).get(URL).json()
    assert body["counted_hours"] == 15.0 and body["hours_on_pace"] and body["on_pace"]
