"""The service records download (服务记录), cell by cell against the database."""

from __future__ import annotations

import datetime as dt

import pytest

from core.exports import beijing
from grids.models import Post
from reporting.models import ServiceRecord
from tests.accounts.factories import UserFactory
from tests.download_support import cell, download
from tests.grids.factories import MemberFactory, PostFactory, UnitFactory
from tests.reporting.factories import SAT_9, ServiceRecordFactory

PERIOD = {"start": "2026-11-01", "end": "2026-11-30"}


def _when(value):
    return "" if value is None else beijing(value).strftime("%Y-%m-%d %H:%M:%S")


def expected_row(r: ServiceRecord, *, full: bool) -> list[str]:
    phone = r.member.user.phone
    counted = r.quota_minutes if r.status == "confirmed" else None
    return [
        str(r.pk),
        r.member.user.name,
        phone if full else f"{phone[:3]}****{phone[-4:]}",
        r.member.unit.name if r.member.unit else "",
        r.community.street.district.name,
        r.community.street.name,
        r.community.name,
        r.get_duty_display(),
        ("'" + r.title) if r.title.startswith("=") else r.title,
        r.get_source_display(),
        _when(r.started_at),
        _when(r.ended_at),
        cell(round(r.reported_minutes / 60, 2)),
        cell(round(r.minutes / 60, 2)),
        cell(None if counted is None else round(counted / 60, 2)),
        "是" if r.outside_working_hours else "否",
        r.get_status_display(),
        r.get_confirmed_via_display() if r.confirmed_via else "",
        _when(r.confirmed_at),
    ]


@pytest.fixture
def records(community, other_community, placed):
    mine = [
        ServiceRecordFactory(member=placed, community=community, title='=HYPERLINK("x")', minutes=90),
        ServiceRecordFactory(
            member=placed,
            community=community,
            status="confirmed",
            confirmed_via="community",
            confirmed_at=SAT_9 + dt.timedelta(days=1),
            quota_minutes=100,
            minutes=130,
            reported_minutes=130,
        ),
    ]
    ServiceRecordFactory(member=placed, community=other_community)  # a neighbour's
    ServiceRecordFactory(member=placed, community=community, started_at=SAT_9 - dt.timedelta(days=60))  # before
    return mine


def test_a_secretary_gets_the_community_records_in_full(client, secretary, community, records):
    client.force_login(secretary)
    response, rows = download(client, "records", node=f"community:{community.pk}", **PERIOD)
    assert response.status_code == 200 and response.streaming
    assert rows[0][0] == "记录编号" and "开始时间（北京时间）" in rows[0]
    for r in records:
        r.refresh_from_db()
    assert rows[1:] == [expected_row(r, full=True) for r in records]
    assert rows[1][8].startswith("'=")  # the formula is escaped


def test_the_street_gets_both_communities_masked(client, street_officer, street, records):
    client.force_login(street_officer)
    _, rows = download(client, "records", node=f"street:{street.pk}", **PERIOD)
    assert len(rows) == 1 + 3
    assert all("****" in row[2] for row in rows[1:])
    first = ServiceRecord.objects.get(pk=records[0].pk)
    assert rows[1] == expected_row(first, full=False)


def test_a_unit_secretary_gets_the_unit_members_records_wherever_they_served(client, placed, records):
    user = UserFactory()
    PostFactory(user=user, role=Post.Role.UNIT_SECRETARY, community=None, unit=placed.unit)
    stranger = MemberFactory(unit=UnitFactory())
    ServiceRecordFactory(member=stranger, community=records[0].community)
    client.force_login(user)
    _, rows = download(client, "records", node=f"unit:{placed.unit_id}", **PERIOD)
    assert {row[0] for row in rows[1:]} == {
        str(r.pk)
        for r in ServiceRecord.objects.filter(member=placed).filter(
            started_at__gte=dt.datetime(2026, 11, 1, tzinfo=dt.timezone(dt.timedelta(hours=8)))
        )
    }
    assert all("****" not in row[2] for row in rows[1:])  # the unit's own members: in full


def test_records_outside_the_period_are_left_out(client, secretary, community, records):
    client.force_login(secretary)
    _, rows = download(client, "records", node=f"community:{community.pk}", start="2026-09-01", end="2026-10-31")
    assert len(rows) == 2  # header and the one from September/October
