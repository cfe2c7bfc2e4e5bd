"""Assessment sheets (考核表): periods in Asia/Shanghai, the rules, stars and ranks, who may read
which sheet (outsiders, neighbours, the actor), query counts of every list, the pages."""

from __future__ import annotations

from datetime import date, datetime
from zoneinfo import ZoneInfo

import pytest
from django.core.cache import cache
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

from core.errors import ValidationFailed
from grids.models import Post
from rankings.assessment import selectors
from rankings.assessment.access import unit_scope
from rankings.assessment.periods import Period, parse_period
from rankings.models import MemberStars
from tests.accounts.factories import UserFactory
from tests.conftest import client_for
from tests.grids.factories import (
    CommunityFactory,
    DistrictFactory,
    MemberFactory,
    PostFactory,
    StreetFactory,
    UnitFactory,
)
from tests.pages import browser_for, html, page_queries
from tests.rankings.factories import ConfirmedRecordFactory, like, served_request
from tests.reporting.factories import VisitFactory

pytestmark = pytest.mark.django_db

BJ = ZoneInfo("Asia/Shanghai")
API = "/api/v1/assessments/"


def bj(*args) -> datetime:
    return datetime(*args, tzinfo=BJ)


def officer(role, **node):
    user = UserFactory()
    PostFactory(user=user, role=role, community=node.pop("community", None), **node)
    return user


@pytest.fixture
def org(db):
    """Two districts; the first with two streets, the first street with two communities; a unit
    in each district; members registered in the first community."""
    d1, d2 = DistrictFactory(), DistrictFactory(code="440204", name="浈江区")
    s1, s2, s3 = StreetFactory(district=d1), StreetFactory(district=d1), StreetFactory(district=d2)
    c1, c2 = CommunityFactory(street=s1), CommunityFactory(street=s1)
    c3, c4 = CommunityFactory(street=s2), CommunityFactory(street=s3)
    u1, u2 = UnitFactory(district=d1), UnitFactory(district=d2)
    joined = bj(2024, 12, 1)
    a = MemberFactory(unit=u1, community=c1, created_at=joined)
    b = MemberFactory(unit=u1, community=c1, created_at=joined)
    c = MemberFactory(unit=u2, community=c4, created_at=joined)
    return dict(d1=d1, d2=d2, s1=s1, s2=s2, s3=s3, c1=c1, c2=c2, c3=c3, c4=c4, u1=u1, u2=u2, a=a, b=b, c=c)


def city_user():
    return officer(Post.Role.CITY_STAFF)


# --- periods ---------------------------------------------------------------------------------


def test_periods_are_shanghai_quarters_and_years():
    q1 = parse_period("2025q1", today=date(2026, 5, 1))
    assert (q1.start, q1.end, q1.label) == (bj(2025, 1, 1), bj(2025, 4, 1), "2025年第一季度")
    assert Period(2025, 4).end == bj(2026, 1, 1) and Period(2025).end == bj(2026, 1, 1)
    assert Period(2025).visit_quarters(date(2026, 1, 5)) == ["2025Q1", "2025Q2", "2025Q3", "2025Q4"]
    assert Period(2026).visit_quarters(date(2026, 5, 1)) == ["2026Q1", "2026Q2"]
    assert parse_period("", today=date(2026, 5, 1)) == Period(2026)
    for bad, code in (("2025Q5", "bad_period"), ("abc", "bad_period"), ("2026Q3", "future_period")):
        with pytest.raises(ValidationFailed) as exc:
            parse_period(bad, today=date(2026, 5, 1))
        assert exc.value.code == code


def test_a_record_at_2330_on_31_march_beijing_time_is_the_first_quarters(org):
    a, b = org["a"], org["b"]
    ConfirmedRecordFactory(member=a, started_at=bj(2025, 3, 31, 23, 30), minutes=30)  # 15:30 UTC
    ConfirmedRecordFactory(member=b, started_at=bj(2025, 4, 1, 0, 0), minutes=45)  # 16:00 UTC on 31 March
    like(a, at=bj(2025, 3, 31, 23, 59))
    like(b, at=bj(2025, 4, 1, 0, 1))
    VisitFactory(member=a, community=org["c1"], visited_at=bj(2025, 3, 31, 23, 40))
    user = city_user()
    q1 = {s["id"]: s for s in selectors.node_sheets(user, "community", Period(2025, 1))}[org["c1"].pk]
    q2 = {s["id"]: s for s in selectors.node_sheets(user, "community", Period(2025, 2))}[org["c1"].pk]
    assert (q1["minutes"], q1["services"], q1["likes"], q1["met_visits"]) == (30, 1, 1, 1)
    assert (q2["minutes"], q2["services"], q2["likes"], q2["met_visits"]) == (45, 1, 1, 0)
    year = selectors.node_sheet("community", org["c1"].pk, Period(2025))
    assert (year["minutes"], year["services"], year["likes"]) == (75, 2, 2)


# --- the rules, stars and ranks --------------------------------------------------------------


def test_hours_rule_counts_quota_minutes_pro_rata_and_visits_every_quarter(org):
    a, b = org["a"], org["b"]
    # a: 300 quota minutes in Q1 (a quarter's share of 20 hours) out of 400 served; b: 299.
    ConfirmedRecordFactory(member=a, started_at=bj(2025, 2, 1, 19), minutes=400, quota_minutes=300)
    ConfirmedRecordFactory(member=b, started_at=bj(2025, 2, 1, 19), minutes=299, quota_minutes=299)
    ConfirmedRecordFactory(member=b, started_at=bj(2025, 8, 1, 19), minutes=901, quota_minutes=901)
    for quarter_month in (1, 4, 7, 10):
        VisitFactory(member=a, community=org["c1"], visited_at=bj(2025, quarter_month, 3, 10))
    VisitFactory(member=b, community=org["c1"], visited_at=bj(2025, 1, 3, 10))
    q1 = selectors.unit_sheet(org["u1"], Period(2025, 1))
    assert (q1["members"], q1["met_hours"], q1["met_visits"], q1["met_both"]) == (2, 1, 2, 1)
    assert q1["hours_required"] == 5 and q1["minutes"] == 699 and q1["quota_minutes"] == 599
    year = selectors.unit_sheet(org["u1"], Period(2025))
    # b has 1,200 quota minutes in the year (20 hours); a has 300. Only a visited every quarter.
    assert (year["met_hours"], year["met_visits"], year["met_both"]) == (1, 1, 0)
    assert year["met_hours_share"] == 50.0 and year["visit_quarters"] == ["2025Q1", "2025Q2", "2025Q3", "2025Q4"]


def test_members_registered_stars_and_members_who_joined_after_the_period(org):
    late = MemberFactory(unit=org["u1"], community=None, created_at=bj(2025, 7, 1))
    MemberStars.objects.create(year=2025, member=org["a"], stars=3)
    MemberStars.objects.create(year=2025, member=late, stars=1)
    q1 = selectors.unit_sheet(org["u1"], Period(2025, 1))
    assert (q1["members"], q1["members_registered"]) == (2, 2)
    assert q1["stars"] == {"1": 0, "2": 0, "3": 1, "4": 0, "5": 0, "unrated": 1}
    q3 = selectors.unit_sheet(org["u1"], Period(2025, 3))
    assert (q3["members"], q3["members_registered"]) == (3, 2)
    assert q3["stars"]["1"] == 1 and q3["stars"]["unrated"] == 1


def test_units_rank_city_wide_by_the_boards_rule(org):
    # u1: 2 members, 60 minutes + one outcome; u2: 1 member, 120 minutes. Per capita: u1 = (60 + 2×60×... )
    served_request([org["a"]], closed_at=bj(2025, 5, 1, 12))
    ConfirmedRecordFactory(member=org["c"], started_at=bj(2025, 5, 2, 19), minutes=120)
    u1 = selectors.unit_sheet(org["u1"], Period(2025))
    u2 = selectors.unit_sheet(org["u2"], Period(2025))
    # points: u1 = 60 + 60×(2×1 + 5×1) = 480 over 2 = 240; u2 = 120 + 60×2 = 240 over 1 = 240:
    # equal per capita, then more points wins.
    assert (u1["points"], u2["points"]) == (480, 240)
    assert (u1["rank"], u2["rank"], u1["rank_of"]) == (1, 2, 2)
    assert (u1["parent_rank"], u2["parent_rank"]) == (1, 1)
    assert u1["outcomes"] == 1 and u1["score"] == 8.0 and u1["per_capita"] == 4.0


def test_nodes_count_what_was_served_in_them_and_who_registered_there(org):
    # a (registered in c1) serves in c3 (another street): the minutes are c3's, the member c1's.
    ConfirmedRecordFactory(member=org["a"], community=org["c3"], started_at=bj(2025, 6, 1, 19), minutes=90)
    user = city_user()
    streets = {s["id"]: s for s in selectors.node_sheets(user, "street", Period(2025))}
    assert (streets[org["s1"].pk]["members"], streets[org["s1"].pk]["minutes"]) == (2, 0)
    assert (streets[org["s2"].pk]["members"], streets[org["s2"].pk]["minutes"]) == (0, 90)
    assert streets[org["s2"].pk]["members_served"] == 1
    districts = selectors.node_sheets(user, "district", Period(2025))
    assert {d["id"]: d["members"] for d in districts} == {org["d1"].pk: 2, org["d2"].pk: 1}


# --- who may read which sheet ----------------------------------------------------------------


def test_anonymous_is_asked_to_sign_in(org):
    assert Client().get(API).status_code in (401, 403)
    r = Client().get("/assessment/")
    assert r.status_code == 302 and "/login" in r["Location"]


def test_a_member_without_a_post_reads_no_sheet(org):
    user = org["a"].user
    for url in (API, f"{API}community/{org['c1'].pk}/", f"{API}unit/{org['u1'].pk}/", f"{API}city/"):
        r = client_for(user).get(url)
        assert r.status_code == 403, url
        assert r.json()["code"] == "assessment_staff_only"
        assert r.json()["detail"] == "考核表仅向社区、街道、区/县(市)和市级组织部门工作人员开放。"
    page = browser_for(user).get("/assessment/")
    assert page.status_code == 403 and "考核表仅向" in html(page)


def test_a_community_secretary_reads_their_community_and_nothing_beside_it(org):
    user = officer(Post.Role.SECRETARY, community=org["c1"])
    api = client_for(user)
    assert api.get(f"{API}community/{org['c1'].pk}/").status_code == 200
    r = api.get(API)
    assert [s["id"] for s in r.json()["results"]] == [org["c1"].pk]
    for url in (
        f"{API}community/{org['c2'].pk}/",  # the neighbouring community
        f"{API}street/{org['s1'].pk}/",  # their own street, above them
        f"{API}district/{org['d1'].pk}/",
        f"{API}city/",
        f"{API}?level=community&parent={org['s1'].pk}",
    ):
        r = api.get(url)
        assert r.status_code == 403, url
        assert r.json()["detail"] == "您只能查看本人管辖范围内的考核表。"
    r = api.get(f"{API}unit/{org['u1'].pk}/")
    assert r.status_code == 403 and r.json()["code"] == "units_outside_scope"
    assert r.json()["detail"] == "单位考核仅向区/县(市)和市级组织部门开放。"
    assert browser_for(user).get(f"/assessment/community/{org['c2'].pk}/").status_code == 403


def test_a_street_officer_reads_their_street_and_its_communities_only(org):
    user = officer(Post.Role.STREET_STAFF, street=org["s1"])
    api = client_for(user)
    r = api.get(API)
    assert [s["id"] for s in r.json()["results"]] == [org["s1"].pk]
    r = api.get(f"{API}?level=community")
    assert {s["id"] for s in r.json()["results"]} == {org["c1"].pk, org["c2"].pk}
    assert api.get(f"{API}street/{org['s2'].pk}/").status_code == 403  # the neighbouring street
    assert api.get(f"{API}community/{org['c3'].pk}/").status_code == 403
    assert api.get(f"{API}?level=unit").status_code == 403


def test_a_district_officer_reads_their_district_and_its_units_not_the_neighbours(org):
    user = officer(Post.Role.DISTRICT_STAFF, district=org["d1"])
    api = client_for(user)
    assert [s["id"] for s in api.get(API).json()["results"]] == [org["d1"].pk]
    assert {s["id"] for s in api.get(f"{API}?level=street&parent={org['d1'].pk}").json()["results"]} == {
        org["s1"].pk,
        org["s2"].pk,
    }
    assert {s["id"] for s in api.get(f"{API}?level=community").json()["results"]} == {
        org["c1"].pk,
        org["c2"].pk,
        org["c3"].pk,
    }
    assert [s["id"] for s in api.get(f"{API}?level=unit").json()["results"]] == [org["u1"].pk]
    assert api.get(f"{API}unit/{org['u1'].pk}/").status_code == 200
    for url in (
        f"{API}district/{org['d2'].pk}/",
        f"{API}street/{org['s3'].pk}/",
        f"{API}community/{org['c4'].pk}/",
        f"{API}unit/{org['u2'].pk}/",
        f"{API}?level=unit&parent={org['d2'].pk}",
        f"{API}?level=street&parent={org['d2'].pk}",
        f"{API}city/",
    ):
        r = api.get(url)
        assert r.status_code == 403, url
        assert r.json()["code"] == "outside_scope"
    assert unit_scope(user).covers(org["u1"].pk, org["d1"].pk) and not unit_scope(user).covers(
        org["u2"].pk, org["d2"].pk
    )


def test_city_staff_read_everything_and_unknown_nodes_are_404(org):
    api = client_for(city_user())
    body = api.get(f"{API}?period=2025").json()
    assert body["count"] == 2 and {s["level"] for s in body["results"]} == {"district"}
    assert api.get(f"{API}?level=unit&period=2025Q2").json()["count"] == 2
    assert api.get(f"{API}city/?period=2025").json()["members"] == 3
    for url in (f"{API}community/999999/", f"{API}unit/999999/", f"{API}street/99999999999999999999/"):
        r = api.get(url)
        assert r.status_code == 404, url
        assert r.json()["detail"].startswith("没有这个")
    for url, code in (
        (f"{API}?period=2025Q9", "bad_period"),
        (f"{API}?level=grid", "bad_level"),
        (f"{API}?level=street&parent=x", "bad_id"),
        (f"{API}?level=district&parent=1", "bad_parent"),
    ):
        r = api.get(url)
        assert r.status_code == 400 and r.json()["code"] == code, url


# --- query counts ----------------------------------------------------------------------------


def _more_of_everything(org, n=6):
    for i in range(n):
        unit = UnitFactory(district=org["d1"])
        community = CommunityFactory(street=org["s1"])
        m = MemberFactory(unit=unit, community=community, created_at=bj(2024, 1, 1))
        ConfirmedRecordFactory(member=m, started_at=bj(2025, 3, 1, 19), minutes=30 + i)
        VisitFactory(member=m, community=community, visited_at=bj(2025, 3, 2, 10))
        MemberStars.objects.create(year=2025, member=m, stars=1 + i % 5)


@pytest.mark.parametrize(
    "query",
    ["", "?level=street", "?level=community", "?level=unit", "?level=street&parent={d1}", "?level=unit&parent={d1}"],
)
def test_every_list_is_a_fixed_number_of_queries(org, query, django_assert_max_num_queries):
    user = city_user()
    api = client_for(user)
    url = API + query.format(d1=org["d1"].pk) + ("&" if query else "?") + "period=2025"
    with django_assert_max_num_queries(3) as small:
        assert api.get(url).status_code == 200
    _more_of_everything(org)
    cache.clear()  # the sheets are cached for a few minutes: count the queries that make them
    api = client_for(city_user())
    with django_assert_max_num_queries(len(small.captured_queries)):
        assert api.get(url).status_code == 200


def test_every_page_is_a_fixed_number_of_queries(org):
    user = city_user()
    urls = [
        "/assessment/?period=2025",
        f"/assessment/district/{org['d1'].pk}/?period=2025",
        f"/assessment/street/{org['s1'].pk}/?period=2025Q1",
        f"/assessment/community/{org['c1'].pk}/?period=2025",
        "/assessment/units/?period=2025",
        f"/assessment/units/?district={org['d1'].pk}&period=2025",
        f"/assessment/unit/{org['u1'].pk}/?period=2025",
    ]
    before = {url: uncached_page_queries(browser_for(user), url) for url in urls}
    _more_of_everything(org)
    for url in urls:
        assert uncached_page_queries(browser_for(user), url) <= before[url] <= 8, url
        # Read again within a few minutes, the sheets come from the cache.
        assert page_queries(browser_for(user), url) < before[url], url


def uncached_page_queries(client, url: str) -> int:
    """Queries of a page whose sheets are not in the cache (the session read not counted)."""
    client.get(url)
    cache.clear()
    with CaptureQueriesContext(connection) as ctx:
        assert client.get(url).status_code == 200
    return len([q for q in ctx.captured_queries if "django_session" not in q["sql"]])


# --- pages -----------------------------------------------------------------------------------


def test_the_city_drills_down_to_a_community(org):
    ConfirmedRecordFactory(member=org["a"], started_at=bj(2025, 6, 1, 19), minutes=125)
    browser = browser_for(city_user())
    page = html(browser.get("/assessment/?period=2025"))
    assert "考核 · 韶关市" in page and f"/assessment/district/{org['d1'].pk}/?period=2025" in page
    page = html(browser.get(f"/assessment/district/{org['d1'].pk}/?period=2025"))
    assert f"/assessment/street/{org['s1'].pk}/?period=2025" in page and "单位考核" in page
    page = html(browser.get(f"/assessment/street/{org['s1'].pk}/?period=2025"))
    assert f"/assessment/community/{org['c1'].pk}/?period=2025" in page
    page = html(browser.get(f"/assessment/community/{org['c1'].pk}/?period=2025"))
    assert 'data-figure="hours" title="125 分钟">2.1' in page
    assert org["s1"].name in page and org["d1"].name in page  # the breadcrumb
    page = html(browser.get("/assessment/units/?period=2025"))
    assert f"/assessment/unit/{org['u1'].pk}/?period=2025" in page


def test_home_links_to_the_sheets_for_staff_only(org):
    secretary = officer(Post.Role.SECRETARY, community=org["c1"])
    assert 'data-testid="home-assessment"' in html(browser_for(secretary).get("/"))
    assert 'data-testid="home-assessment"' not in html(browser_for(org["a"].user).get("/"))
    page = browser_for(secretary).get("/assessment/")
    assert page.status_code == 200 and f"考核 · {org['c1'].name}" in html(page)


def test_a_community_added_since_the_sheets_were_cached_has_its_sheet(org):
    user = city_user()
    before = selectors.node_sheets(user, "community", Period(2025))
    new = CommunityFactory(street=org["s1"])
    sheet = selectors.node_sheet("community", new.pk, Period(2025))
    assert sheet["members"] == 0 and sheet["rank_of"] == len(before) + 1
    assert client_for(user).get(f"{API}community/{new.pk}/?period=2025").status_code == 200


def test_the_units_page_filters_by_district_and_pages_fifty_at_a_time(org, settings):
    for _ in range(50):
        UnitFactory(district=org["d1"])
    browser = browser_for(city_user())
    page = html(browser.get("/assessment/units/?period=2025"))
    assert "52 个单位" in page and "第 1/2 页" in page and org["d2"].name in page
    page = html(browser.get(f"/assessment/units/?period=2025&district={org['d2'].pk}"))
    assert "1 个单位" in page and f"/assessment/unit/{org['u2'].pk}/?period=2025" in page
    page = html(browser.get("/assessment/units/?period=2025&page=2"))
    assert "第 2/2 页" in page and "上一页" in page


def test_the_cockpit_links_to_the_sheets_of_its_scope(org):
    user = officer(Post.Role.STREET_STAFF, street=org["s1"])
    page = html(browser_for(user).get(f"/cockpit/?scope=street:{org['s1'].pk}"))
    assert f'href="/assessment/street/{org["s1"].pk}/" data-testid="cockpit-assessment"' in page
    page = html(browser_for(city_user()).get("/cockpit/"))
    assert 'href="/assessment/city/" data-testid="cockpit-assessment"' in page
