"""The year against the quota, minutes toward it per member, scoped record lists — and what they cost."""

from datetime import date, datetime

import pytest

from grids.models import Post
from reporting.selectors import quota_minutes_by_member, quota_year, records_for
from reporting.worktime import SHANGHAI, is_working_time, overlaps_working_hours, quarter_of
from tests.accounts.factories import UserFactory
from tests.grids.factories import MemberFactory, PostFactory
from tests.reporting.factories import ServiceRecordFactory, VisitFactory


def _at(*args):
    return datetime(*args, tzinfo=SHANGHAI)


def test_quota_year_numbers(member, community, django_assert_num_queries):
    confirmed = {"status": "confirmed", "confirmed_via": "community", "confirmed_at": _at(2026, 6, 1, 12)}
    ServiceRecordFactory(member=member, community=community, minutes=300, started_at=_at(2026, 3, 7, 9), **confirmed)
    ServiceRecordFactory(member=member, community=community, minutes=150, started_at=_at(2026, 6, 6, 19), **confirmed)
    ServiceRecordFactory(member=member, community=community, minutes=90, started_at=_at(2026, 11, 7, 9))
    ServiceRecordFactory(
        member=member,
        community=community,
        minutes=60,
        started_at=_at(2026, 8, 1, 9),
        status="rejected",
        rejected_at=_at(2026, 8, 2, 9),
        reject_reason="不在现场",
    )
    # The year is Shanghai's: 2025-12-31 23:30 local belongs to 2025.
    ServiceRecordFactory(
        member=member, community=community, minutes=600, started_at=_at(2025, 12, 31, 23, 30), **confirmed
    )
    VisitFactory(member=member, community=community, visited_at=_at(2026, 2, 1, 10))
    VisitFactory(member=member, community=community, visited_at=_at(2026, 11, 1, 10))
    # Saturdays and an evening: every minute is outside working hours. The rows have no stored
    # quota minutes, so a third query reads the working-day overrides.
    with django_assert_num_queries(3):
        p = quota_year(member, 2026, today=date(2026, 11, 25))
    assert p.confirmed_minutes == 450 and p.confirmed_hours == 7.5 and p.counted_minutes == 450
    assert p.quota_hours == 20 and p.remaining_hours == 12.5 and not p.quota_met
    assert p.pending_minutes == 90
    assert p.visits == {"Q1": True, "Q2": False, "Q3": False, "Q4": True}
    assert p.quarters_behind == ["Q2", "Q3"]
    assert p.percent == 37


def test_quota_met_and_past_year(member, community, settings):
    settings.QUOTA_HOURS_PER_YEAR = 2
    ServiceRecordFactory(
        member=member,
        community=community,
        minutes=150,
        started_at=_at(2025, 5, 1, 19),
        status="confirmed",
        confirmed_via="resident",
        confirmed_at=_at(2025, 5, 2, 9),
    )
    p = quota_year(member, 2025, today=date(2026, 1, 10))
    assert p.quota_met and p.remaining_hours == 0 and p.percent == 100
    assert p.quarters_behind == ["Q1", "Q2", "Q3", "Q4"]


def test_quota_minutes_by_member_is_one_query(community, django_assert_num_queries):
    members = [MemberFactory() for _ in range(3)]
    confirmed = {
        "status": "confirmed",
        "confirmed_via": "community",
        "confirmed_at": _at(2026, 6, 1, 12),
        "quota_minutes": 60,
    }
    for i, m in enumerate(members[:2]):
        for _ in range(i + 1):
            ServiceRecordFactory(member=m, community=community, minutes=60, started_at=_at(2026, 5, 1, 19), **confirmed)
    ServiceRecordFactory(member=members[2], community=community, minutes=60, started_at=_at(2026, 5, 1, 19))
    with django_assert_num_queries(1):
        result = quota_minutes_by_member([m.pk for m in members], 2026)
    assert result == {members[0].pk: 60, members[1].pk: 120}


def test_records_for_is_scoped(member, community, other_community, secretary, outsider, street_officer, grid, resident):
    mine = ServiceRecordFactory(member=member, community=community)
    theirs = ServiceRecordFactory(member=member, community=other_community)
    assert list(records_for(secretary)) == [mine]
    assert list(records_for(outsider)) == [theirs]
    assert set(records_for(street_officer)) == {mine, theirs}
    assert list(records_for(resident)) == []
    grid_secretary = UserFactory(phone="13800000061")
    PostFactory(user=grid_secretary, role=Post.Role.GRID_SECRETARY, community=None, grid=grid)
    assert list(records_for(grid_secretary)) == []
    member.community, member.grid = community, grid
    member.save()
    assert set(records_for(grid_secretary)) == {mine, theirs}


def test_records_for_query_count_is_flat(secretary, community, django_assert_num_queries):
    for _ in range(5):
        ServiceRecordFactory(member=MemberFactory(), community=community)
    with django_assert_num_queries(2):  # the scope's posts, then the rows with their joins
        rows = list(records_for(secretary))
        _ = [(r.member.user.name, r.community.street.name, r.confirmed_by) for r in rows]
    assert len(rows) == 5


@pytest.mark.parametrize(
    ("when", "working"),
    [
        (_at(2026, 11, 25, 9, 0), True),
        (_at(2026, 11, 25, 16, 59), True),
        (_at(2026, 11, 25, 17, 0), False),
        (_at(2026, 11, 25, 8, 59), False),
        (_at(2026, 11, 28, 10, 0), False),  # Saturday
        (datetime(2026, 11, 25, 1, 30, tzinfo=SHANGHAI).astimezone(tz=None), False),
    ],
)
def test_is_working_time(when, working):
    assert is_working_time(when) is working


def test_overlaps_working_hours():
    assert overlaps_working_hours(_at(2026, 11, 25, 16, 30), _at(2026, 11, 25, 18, 0))
    assert not overlaps_working_hours(_at(2026, 11, 25, 17, 0), _at(2026, 11, 25, 21, 0))
    assert not overlaps_working_hours(_at(2026, 11, 27, 18, 0), _at(2026, 11, 30, 8, 0))  # Fri night → Mon dawn
    assert overlaps_working_hours(_at(2026, 11, 28, 18, 0), _at(2026, 11, 30, 9, 30))


def test_quarter_of():
    assert quarter_of(_at(2026, 10, 1, 0, 0)) == "2026Q4"
    assert quarter_of(datetime(2026, 3, 31, 16, 30, tzinfo=SHANGHAI).astimezone(tz=None)) == "2026Q1"
    assert quarter_of(date(2026, 4, 1)) == "2026Q2"
