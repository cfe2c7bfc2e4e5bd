"""The cockpit's page and API: outsiders, bad input, the on-the-spot fallback, query counts."""

from __future__ import annotations

import datetime as dt
import json
import re

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from grids.models import Post
from rankings.cockpit import services
from rankings.models import CockpitFigures
from tests.conftest import client_for
from tests.grids.factories import CommunityFactory, DistrictFactory, MemberFactory, StreetFactory
from tests.pages import browser_for
from tests.rankings.cockpit_support import staff, yesterday

API = "/api/v1/cockpit/"
PAGE = "/cockpit/"


pytestmark = pytest.mark.django_db


# --- small organisation: refusals, bad input, the fallback, query counts -----------------------


@pytest.fixture
def org(db):
    district = DistrictFactory()
    street = StreetFactory(district=district)
    CommunityFactory(street=street)
    other = StreetFactory(district=DistrictFactory())
    CommunityFactory(street=other)
    return {"district": district, "street": street, "other": other}


@pytest.mark.parametrize("who", ["anonymous", "member", "secretary", "grid_secretary"])
def test_outsiders_are_refused(org, who, secretary, member, api):
    if who == "anonymous":
        assert api.get(API).status_code == 401
        r = Client().get(PAGE)
        assert r.status_code == 302 and "/login" in r["Location"]
        return
    from tests.grids.factories import Level2GridFactory

    user = {
        "member": lambda: member.user,
        "secretary": lambda: secretary,
        "grid_secretary": lambda: staff(Post.Role.GRID_SECRETARY, grid=Level2GridFactory()),
    }[who]()
    r = client_for(user).get(API)
    assert r.status_code == 403
    assert r.json()["detail"] == "数据驾驶舱仅向街道、区/县(市)和市级组织部门工作人员开放。"
    page = browser_for(user).get(PAGE)
    assert page.status_code == 403
    assert "无权查看数据驾驶舱" in page.content.decode()


@pytest.mark.parametrize(
    ("params", "status", "words"),
    [
        ({"scope": "everything"}, 400, "查看范围不正确"),
        ({"scope": "district:abc"}, 400, "查看范围不正确"),
        ({"scope": "street:0"}, 400, "查看范围不正确"),
        ({"scope": "district:99999999"}, 404, "没有这个区/县(市)"),
        ({"scope": "street:99999999"}, 404, "没有这个街道/镇"),
        ({"date": "2026-13-40"}, 400, "日期格式不正确"),
        ({"date": "yesterday"}, 400, "日期格式不正确"),
    ],
)
def test_bad_input_gets_a_clear_message(org, params, status, words):
    officer = staff(Post.Role.CITY_STAFF)
    r = client_for(officer).get(API, params)
    assert r.status_code == status
    assert words in r.json()["detail"]
    page = browser_for(officer).get(PAGE, params)
    assert page.status_code == status
    assert words in page.content.decode()


def test_a_future_date_is_refused(org):
    officer = staff(Post.Role.CITY_STAFF)
    tomorrow = (timezone.localdate() + dt.timedelta(days=1)).isoformat()
    r = client_for(officer).get(API, {"date": tomorrow})
    assert r.status_code == 400
    assert "不能查看未来日期的数据" in r.json()["detail"]
    assert r.json()["fields"] == {"date": [r.json()["detail"]]} or r.json()["code"] == "future_date"
    assert browser_for(officer).get(PAGE, {"date": tomorrow}).status_code == 400


def test_a_date_before_the_first_built_day_is_not_found(org):
    officer = staff(Post.Role.CITY_STAFF)
    services.cockpit_rebuild(day=yesterday())
    r = client_for(officer).get(API, {"date": (yesterday() - dt.timedelta(days=1)).isoformat()})
    assert r.status_code == 404
    assert f"驾驶舱数据从 {yesterday():%Y-%m-%d} 起每日生成" in r.json()["detail"]


def test_the_latest_row_on_or_before_the_date_is_read(org):
    officer = staff(Post.Role.CITY_STAFF)
    services.cockpit_rebuild(day=yesterday() - dt.timedelta(days=2))
    body = client_for(officer).get(API, {"date": yesterday().isoformat()}).json()
    assert body["day"] == (yesterday() - dt.timedelta(days=2)).isoformat() and body["live"] is False
    assert body["built_at"] is not None


def test_without_any_built_row_the_figures_are_computed_on_the_spot(org):
    officer = staff(Post.Role.STREET_STAFF, street=org["street"])
    MemberFactory(community=org["street"].communities.get())
    body = client_for(officer).get(API).json()
    assert body["live"] is True and body["built_at"] is None
    assert body["day"] == timezone.localdate().isoformat()
    assert body["figures"]["totals"]["members_registered"] == 1
    assert not CockpitFigures.objects.exists()  # a read never writes rows
    page = browser_for(officer).get(PAGE).content.decode()
    assert "当前为实时统计" in page
    assert "数据将在" not in page


def test_a_date_before_any_activity_is_not_found_without_built_rows(org):
    from tests.orders.factories import TaskFactory

    task = TaskFactory(community=org["street"].communities.get())
    officer = staff(Post.Role.CITY_STAFF)
    before = timezone.localtime(task.created_at).date() - dt.timedelta(days=3)
    r = client_for(officer).get(API, {"date": before.isoformat()})
    assert r.status_code == 404
    assert "早于平台最早的数据" in r.json()["detail"]


def test_the_page_embeds_the_figures_and_draws_the_charts(org):
    officer = staff(Post.Role.DISTRICT_STAFF, district=org["district"])
    services.cockpit_rebuild(day=yesterday())
    html = browser_for(officer).get(PAGE).content.decode()
    assert 'id="cockpit-data"' in html
    assert "vendor/echarts/echarts.custom.min.js" in html and "js/cockpit.js" in html
    for chart in ("trend", "map", "areas", "duties", "response", "quota"):
        assert f'data-chart="{chart}"' in html
    # The trend and the bar charts come drawn; the browser is left the figures of the others.
    for chart in ("trend", "areas", "response"):
        assert f'<title id="chart-{chart}-title">' in html
    embedded = re.search(r'<script id="cockpit-data" type="application/json">(.*?)</script>', html).group(1)
    assert set(json.loads(embedded)) == {"level", "path", "duties", "quota", "map"}
    for words in (
        "开展活动",
        "参与人次",
        "全部时长",
        "计入20小时的时长",
        "解决群众问题",
        "报到党员",
        "八大职责",
        "点单响应时长",
        "履职达标",
    ):
        assert words in html
    assert 'data-tile-url=""' in html


def test_a_configured_tile_url_reaches_the_map(org, settings):
    settings.COCKPIT_TILE_URL = "https://t0.tianditu.gov.cn/vec_w/wmts?TILECOL={x}&TILEROW={y}&TILEMATRIX={z}&tk=k"
    officer = staff(Post.Role.STREET_STAFF, street=org["street"])
    html = browser_for(officer).get(PAGE).content.decode()
    assert 'data-tile-url="https://t0.tianditu.gov.cn/vec_w/wmts?TILECOL={x}&amp;TILEROW={y}' in html


def test_the_schema_documents_the_endpoint(admin_user):
    schema = client_for(admin_user).get("/api/schema/", {"format": "json"}).json()
    op = schema["paths"]["/api/v1/cockpit/"]["get"]
    assert op["summary"] == "数据驾驶舱"
    assert {p["name"] for p in op["parameters"]} >= {"scope", "date"}
    assert "数据驾驶舱" in op["tags"]


# --- query counts ------------------------------------------------------------------------------


def _grow(org, communities: int) -> None:
    for i in range(communities):
        street = org["street"] if i % 2 else StreetFactory(district=org["district"])
        community = CommunityFactory(street=street)
        MemberFactory(community=community)


def page_queries(client: Client, params: dict) -> int:
    """Queries of one page view, not counting the session store (cached; a cold cache reads it)."""
    client.get(PAGE, params)
    with CaptureQueriesContext(connection) as ctx:
        r = client.get(PAGE, params)
    assert r.status_code == 200
    return len([q for q in ctx.captured_queries if "django_session" not in q["sql"]])


# user, posts (scope), the scope's name (not for the city), the figures row, the scope choices
# (districts and streets; a street officer: their streets), the unread count of the tab bar.
@pytest.mark.parametrize(("level", "queries"), [("city", 6), ("district", 7), ("street", 6)])
@pytest.mark.parametrize("communities", [3, 13])
def test_the_page_reads_one_row_however_big_the_scope(org, level, queries, communities):
    _grow(org, communities)
    services.cockpit_rebuild(day=yesterday())
    officer, params = {
        "city": (staff(Post.Role.CITY_STAFF), {}),
        "district": (staff(Post.Role.DISTRICT_STAFF, district=org["district"]), {}),
        "street": (staff(Post.Role.STREET_STAFF, street=org["street"]), {}),
    }[level]
    assert page_queries(browser_for(officer), params) == queries


@pytest.mark.parametrize(("level", "queries"), [("city", 2), ("district", 3), ("street", 3)])
@pytest.mark.parametrize("communities", [3, 13])
def test_the_api_reads_one_row_however_big_the_scope(org, level, queries, communities, django_assert_num_queries):
    _grow(org, communities)
    services.cockpit_rebuild(day=yesterday())
    officer = {
        "city": lambda: staff(Post.Role.CITY_STAFF),
        "district": lambda: staff(Post.Role.DISTRICT_STAFF, district=org["district"]),
        "street": lambda: staff(Post.Role.STREET_STAFF, street=org["street"]),
    }[level]()
    api = client_for(officer)
    # posts (scope), the scope's name (not for the city), the figures row
    with django_assert_num_queries(queries):
        body = api.get(API).json()
    assert body["figures"]["level"] == level
