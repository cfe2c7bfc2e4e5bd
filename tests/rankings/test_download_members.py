"""The member sheet (党员名单) and the assessment sheets (考核表) as downloads, cell by cell."""

from __future__ import annotations

import datetime as dt

import pytest

from core.exports import build
from grids.models import Member, Post, Registration
from rankings import downloads
from rankings.models import MemberStars
from tests.accounts.factories import UserFactory
from tests.download_support import download
from tests.grids.factories import MemberFactory, PostFactory, RegistrationFactory, UnitFactory
from tests.reporting.factories import SAT_9, ServiceRecordFactory, VisitFactory

PERIOD = {"start": "2026-01-01", "end": "2026-11-30"}


@pytest.fixture
def roster(community, grid, placed):
    """Two members serving in the community: one done for the year, one behind."""
    placed.user.name = "=cmd|' /C calc'!A0"
    placed.user.save(update_fields=["name"])
    RegistrationFactory(
        member=placed, community=community, grid=grid, status=Registration.Status.PLACED, placed_at=SAT_9
    )
    ServiceRecordFactory(
        member=placed,
        community=community,
        status="confirmed",
        confirmed_via="community",
        confirmed_at=SAT_9,
        minutes=1300,
        reported_minutes=1300,
        quota_minutes=1250,
    )
    ServiceRecordFactory(member=placed, community=community, minutes=60)  # pending: not counted
    VisitFactory(member=placed, community=community)
    VisitFactory(member=placed, community=community, visited_at=SAT_9 - dt.timedelta(days=1))
    VisitFactory(member=placed, community=community, visited_at=SAT_9 - dt.timedelta(days=150))
    MemberStars.objects.create(member=placed, year=2026, stars=4)
    behind = MemberFactory(community=community, kind=Member.Kind.RESIDENT, unit=None)
    return [placed, behind]


def test_the_secretary_gets_the_members_cell_by_cell(client, secretary, community, grid, roster):
    placed, behind = roster
    MemberFactory()  # elsewhere
    client.force_login(secretary)
    response, rows = download(client, "members", node=f"community:{community.pk}", **PERIOD)
    assert response.status_code == 200
    assert rows[0][11:] == [
        "2026年全部时长（小时）",
        "2026年计入20小时（小时）",
        "时长要求",
        "2026年第4季度报到次数",
        "2026年已报到季度数",
        "2026年星级",
    ]
    district, street = community.street.district.name, community.street.name
    assert rows[1] == [
        str(placed.pk),
        "'=cmd|' /C calc'!A0",
        placed.user.phone,
        "在职党员",
        placed.unit.name,
        district,
        street,
        community.name,
        grid.name,
        "已编入网格",
        "自选",
        "21.7",
        "20.8",
        "已完成",
        "2",
        "2",
        "4",
    ]
    assert rows[2] == [
        str(behind.pk), behind.user.name, behind.user.phone, "热心居民", "", district, street, community.name, "",
        "未报到", "", "0.0", "0.0", "落后", "0", "0", "",
    ]  # fmt: skip
    assert len(rows) == 3


def test_others_get_the_phones_masked(client, street_officer, street, roster):
    client.force_login(street_officer)
    _, rows = download(client, "members", node=f"street:{street.pk}", **PERIOD)
    assert [r[2] for r in rows[1:]] == [f"{m.user.phone[:3]}****{m.user.phone[-4:]}" for m in roster]


def test_the_unit_gets_its_members_wherever_they_serve_in_full(client, roster):
    placed = roster[0]
    user = UserFactory()
    PostFactory(user=user, role=Post.Role.UNIT_ORGANISER, community=None, unit=placed.unit)
    MemberFactory(unit=UnitFactory())
    client.force_login(user)
    _, rows = download(client, "members", node=f"unit:{placed.unit_id}", **PERIOD)
    assert [(r[0], r[2]) for r in rows[1:]] == [(str(placed.pk), placed.user.phone)]


def test_members_are_read_in_pages_with_a_fixed_number_of_queries(
    monkeypatch, admin_user, community, django_assert_num_queries
):
    monkeypatch.setattr(downloads, "PAGE", 2)
    for _ in range(5):
        m = MemberFactory(community=community)
        ServiceRecordFactory(member=m, community=community, status="confirmed", confirmed_via="community",
                             confirmed_at=SAT_9, quota_minutes=60)  # fmt: skip
    dataset = build("members", user=admin_user, params={"node": f"community:{community.pk}", **PERIOD})
    # Once: the id bounds, the places (district, street, community) and the units. Then 3 pages
    # (2 + 2 + 1) of: members, registrations, quota sums, records without stored minutes, quarters
    # visited, this quarter's visits, stars, users — 8 each (no grid to name; every record has its
    # quota minutes stored, so no working-day overrides are read)
    with django_assert_num_queries(5 + 3 * 8):
        rows = list(dataset.rows())
    assert len(rows) == 5


# --- assessment sheets ------------------------------------------------------------------------


def test_the_community_sheets_of_a_street(client, street_officer, street, community, other_community, roster):
    client.force_login(street_officer)
    response, rows = download(client, "sheet", node=f"street:{street.pk}", level="community", period="2026")
    assert response.status_code == 200
    assert rows[0][:4] == ["名次", "社区", "上级", "党员数"]
    by_name = {r[1]: r for r in rows[1:]}
    assert set(by_name) == {community.name, other_community.name}
    mine = by_name[community.name]
    assert mine[2] == street.name and mine[3] == "2"  # members serving in the community
    assert mine[11] == "21.7" and mine[12] == "20.8"  # hours, toward the quota


def test_a_secretary_gets_only_their_own_community_sheet(client, secretary, community, other_community):
    client.force_login(secretary)
    _, rows = download(client, "sheet", level="community", period="2026")
    assert [r[1] for r in rows[1:]] == [community.name]
    assert download(client, "sheet", node=f"community:{other_community.pk}")[0].status_code == 403
