"""downloads/<key>.csv and the 数据下载 page: scoping, parameters, audit, streaming, query count."""

from __future__ import annotations

import pytest
from django.http import StreamingHttpResponse
from django.urls import reverse

from core.models import AuditEntry
from grids.models import Post
from grids.selectors.scope import forget_scope
from tests.accounts.factories import UserFactory
from tests.download_support import download
from tests.grids.factories import CommunityFactory, DistrictFactory, PostFactory, StreetFactory, UnitFactory
from tests.reporting.factories import ServiceRecordFactory

KEYS = ("members", "records", "requests", "tasks", "visits", "sheet")
PERIOD = {"start": "2026-01-01", "end": "2026-11-30"}


def test_every_dataset_is_registered():
    from core.exports import offers, registered

    assert set(KEYS) <= set(registered())
    assert {o.key for o in offers()} >= set(KEYS)


@pytest.mark.parametrize("key", KEYS)
def test_each_download_streams_a_csv_with_bom_and_header(client, secretary, community, key):
    client.force_login(secretary)
    response, rows = download(client, key, node=f"community:{community.pk}", **PERIOD)
    assert response.status_code == 200, getattr(response, "content", b"")[:300]
    assert isinstance(response, StreamingHttpResponse)
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    assert "filename*=UTF-8''" in response["Content-Disposition"]
    assert rows and all(rows[0])


def test_anonymous_goes_to_sign_in(client):
    response = client.get(reverse("downloads:csv", args=["records"]))
    assert response.status_code == 302 and reverse("accounts:login") in response["Location"]


def test_unknown_dataset_is_404(client, secretary):
    client.force_login(secretary)
    assert client.get(reverse("downloads:csv", args=["salaries"])).status_code == 404


@pytest.mark.parametrize("key", KEYS)
def test_a_resident_and_a_member_are_refused(client, resident, placed, key):
    for user in (resident, placed.user):
        client.force_login(user)
        response, rows = download(client, key)
        assert response.status_code == 403 and rows is None
        assert "数据下载仅向" in response.content.decode() or "下载仅向" in response.content.decode()


@pytest.mark.parametrize("key", ["members", "records", "requests", "tasks", "visits"])
def test_neighbouring_nodes_are_refused(client, secretary, community, other_community, street, key):
    other_street = StreetFactory(district=street.district)
    other_district = DistrictFactory(code="440299", name="仁化县")
    client.force_login(secretary)
    for node in (
        f"community:{other_community.pk}",
        f"street:{street.pk}",
        f"street:{other_street.pk}",
        f"district:{street.district_id}",
        f"district:{other_district.pk}",
        "city",
        f"unit:{UnitFactory().pk}",
    ):
        response, rows = download(client, key, node=node, **PERIOD)
        assert response.status_code == 403, node
        assert "您只能下载本人管辖范围内的数据。" in response.content.decode()


def test_a_unit_secretary_reaches_only_their_unit(client, db):
    mine, theirs = UnitFactory(), UnitFactory()
    user = UserFactory()
    PostFactory(user=user, role=Post.Role.UNIT_SECRETARY, community=None, unit=mine)
    client.force_login(user)
    assert download(client, "members", node=f"unit:{mine.pk}")[0].status_code == 200
    assert download(client, "members", node=f"unit:{theirs.pk}")[0].status_code == 403
    community = CommunityFactory()
    assert download(client, "records", node=f"community:{community.pk}")[0].status_code == 403


@pytest.mark.parametrize(
    ("params", "status", "message"),
    [
        ({"start": "2026-05-01", "end": "2026-04-30"}, 400, "开始日期不能晚于结束日期。"),
        ({"start": "2023-01-01", "end": "2026-01-01"}, 400, "时间范围不能超过三年。"),
        ({"start": "2026-13-01"}, 400, "日期格式不正确"),
        ({"end": "yesterday"}, 400, "日期格式不正确"),
        ({"node": "planet:1"}, 400, "范围格式不正确"),
        ({"node": "community:abc"}, 400, "范围格式不正确"),
        ({"node": "community:999999"}, 404, "没有这个社区。"),
        ({"node": "district:0"}, 404, "没有这个区/县(市)。"),
        ({"node": "unit:99999999999999999999"}, 404, "没有这个单位。"),
    ],
)
def test_bad_parameters_get_a_chinese_message(client, district_officer, params, status, message):
    client.force_login(district_officer)
    response, rows = download(client, "records", **params)
    assert response.status_code == status and rows is None
    assert message in response.content.decode()


def test_exactly_three_years_is_allowed(client, district_officer, district):
    client.force_login(district_officer)
    response, _ = download(client, "records", node=f"district:{district.pk}", start="2023-12-01", end="2026-11-30")
    assert response.status_code == 200


def test_the_bad_sheet_level_and_period(client, district_officer):
    client.force_login(district_officer)
    assert download(client, "sheet", level="planet")[0].status_code == 400
    assert download(client, "sheet", period="20x6")[0].status_code == 400


def test_every_download_writes_an_audit_row_with_scope_filters_and_count(client, secretary, community, placed):
    for _ in range(3):
        ServiceRecordFactory(member=placed, community=community)
    client.force_login(secretary)
    download(client, "records", node=f"community:{community.pk}", **PERIOD)
    entry = AuditEntry.objects.filter(action=AuditEntry.Action.EXPORT).latest("pk")
    assert entry.actor_id == secretary.pk
    assert entry.object_repr.endswith("服务记录-2026-01-01-2026-11-30.csv")
    assert entry.changes["rows"] == 3
    assert entry.changes["filters"] == {
        "dataset": "records",
        "node": f"community:{community.pk}",
        "node_name": community.name,
        "start": "2026-01-01",
        "end": "2026-11-30",
    }


def test_a_refusal_writes_no_audit_row(client, secretary):
    client.force_login(secretary)
    download(client, "records", node="city")
    assert not AuditEntry.objects.filter(action=AuditEntry.Action.EXPORT).exists()


def test_without_a_node_the_download_covers_the_users_posts(client, secretary, community, other_community, placed):
    PostFactory(user=secretary, role=Post.Role.SECRETARY, community=other_community)
    forget_scope(secretary)
    third = CommunityFactory()
    for c in (community, other_community, third):
        ServiceRecordFactory(member=placed, community=c)
    client.force_login(secretary)
    _, rows = download(client, "records", **PERIOD)
    assert {r[6] for r in rows[1:]} == {community.name, other_community.name}
    assert all("****" not in r[2] for r in rows[1:])  # both are the secretary's own communities


# --- the 数据下载 page ------------------------------------------------------------------------


def test_the_page_offers_every_dataset_and_only_the_users_nodes(client, street_officer, street, community):
    elsewhere = CommunityFactory()
    client.force_login(street_officer)
    response = client.get(reverse("downloads:index"))
    assert response.status_code == 200
    html = response.content.decode()
    for key in KEYS:
        assert reverse("downloads:csv", args=[key]) in html
    assert f'value="street:{street.pk}"' in html and f'value="community:{community.pk}"' in html
    assert f'value="community:{elsewhere.pk}"' not in html and 'value="city"' not in html


def test_the_page_refuses_residents_and_members(client, resident, placed):
    for user in (resident, placed.user):
        client.force_login(user)
        assert client.get(reverse("downloads:index")).status_code == 403


# --- the 下载 buttons on the pages ------------------------------------------------------------


@pytest.mark.parametrize(
    ("page", "key"),
    [
        ("orders:work_requests", "requests"),
        ("orders:work_tasks", "tasks"),
        ("reporting:work_hours", "records"),
        ("reporting:unreported", "visits"),
    ],
)
def test_staff_pages_offer_their_download_and_a_grid_secretary_sees_none(client, secretary, grid, page, key):
    client.force_login(secretary)
    html = client.get(reverse(page)).content.decode()
    assert f'href="{reverse("downloads:csv", args=[key])}"' in html
    assert reverse("downloads:index") in html
    grid_secretary = UserFactory()
    PostFactory(user=grid_secretary, role=Post.Role.GRID_SECRETARY, community=None, grid=grid)
    client.force_login(grid_secretary)
    response = client.get(reverse(page))
    if response.status_code == 200:
        assert reverse("downloads:csv", args=[key]) not in response.content.decode()


def test_the_unit_roster_and_the_assessment_pages_offer_theirs(client, district_officer, district):
    unit = UnitFactory(district=district)
    client.force_login(district_officer)
    html = client.get(reverse("assessment:district", args=[district.pk])).content.decode()
    sheet = reverse("downloads:csv", args=["sheet"])
    assert f"{sheet}?node=district%3A{district.pk}&amp;level=street&amp;period=" in html
    html = client.get(reverse("assessment:unit", args=[unit.pk])).content.decode()
    assert f"{sheet}?node=unit%3A{unit.pk}&amp;level=unit" in html
    secretary = UserFactory()
    PostFactory(user=secretary, role=Post.Role.UNIT_SECRETARY, community=None, unit=unit)
    client.force_login(secretary)
    html = client.get(reverse("units:members", args=[unit.pk])).content.decode()
    assert f'{reverse("downloads:csv", args=["members"])}?node=unit:{unit.pk}"' in html
