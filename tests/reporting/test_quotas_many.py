"""Quota progress of many members at once (reporting.quotas): the same answer as a member's own
``quota_year``, in a fixed number of queries; and which members of a unit are behind."""

from datetime import date, datetime

import pytest

from reporting.models import ServiceRecord
from reporting.quotas import quota_years, unit_members_behind
from reporting.selectors import quota_year
from reporting.worktime import SHANGHAI
from tests.grids.factories import CommunityFactory, MemberFactory, UnitFactory
from tests.reporting.factories import ServiceRecordFactory, VisitFactory
from tests.unit_support import confirmed

pytestmark = pytest.mark.django_db
TODAY = date(2026, 8, 20)  # Q3: two-thirds of the year over, Q1 and Q2 behind us


def _at(*args):
    return datetime(*args, tzinfo=SHANGHAI)


@pytest.fixture
def people():
    unit = UnitFactory()
    a, b, c = (MemberFactory(unit=unit) for _ in range(3))
    here, there = CommunityFactory(), CommunityFactory()
    # a: a working-day record crossing 17:00 (half counts), one with the quota minutes stored,
    # a pending one, last year's and a rejected one (neither counts), visits in Q1 and Q3.
    confirmed(a, here, _at(2026, 6, 2, 16), 120)
    rec = confirmed(a, there, _at(2026, 3, 7, 9), 600)
    ServiceRecord.objects.filter(pk=rec.pk).update(quota_minutes=600)
    ServiceRecordFactory(member=a, community=here, started_at=_at(2026, 7, 4, 9), minutes=45)
    confirmed(a, here, _at(2025, 12, 31, 20), 300)
    ServiceRecordFactory(
        member=a,
        community=here,
        status=ServiceRecord.Status.REJECTED,
        started_at=_at(2026, 5, 2, 9),
        rejected_at=_at(2026, 5, 3, 9),
        reject_reason="未到场",
    )
    VisitFactory(member=a, community=here, visited_at=_at(2026, 2, 1, 10))
    VisitFactory(member=a, community=there, visited_at=_at(2026, 8, 1, 10))
    # b: 20 hours of evenings (on pace and met), no visit this quarter.
    for day in (5, 6, 7, 8):
        confirmed(b, there, _at(2026, 1, day, 18), 300)
    return unit, a, b, c


def test_quota_years_agrees_with_quota_year(people):
    _, a, b, c = people
    many = quota_years([a.pk, b.pk, c.pk], 2026, today=TODAY)
    for m in (a, b, c):
        assert many[m.pk] == quota_year(m, 2026, today=TODAY), m
    assert many[a.pk].counted_minutes == 60 + 600 and many[a.pk].confirmed_minutes == 720
    assert many[a.pk].pending_minutes == 45
    assert many[a.pk].visits == {"Q1": True, "Q2": False, "Q3": True, "Q4": False}
    assert many[c.pk].counted_minutes == 0 and many[c.pk].quarters_behind == ["Q1", "Q2"]


def test_quota_years_across_the_new_year_in_shanghai(people):
    _, a, _, _ = people
    # 2025-12-31 20:00 in Shanghai is 12:00 UTC the same day: it counts in 2025, not 2026.
    assert quota_years([a.pk], 2025, today=TODAY)[a.pk].counted_minutes == 300


def test_quota_years_queries_do_not_grow_with_members(people, django_assert_max_num_queries):
    ids = [m.pk for m in people[1:]]
    with django_assert_max_num_queries(4):
        quota_years(ids, 2026, today=TODAY)
    more = ids + [MemberFactory().pk for _ in range(10)]
    with django_assert_max_num_queries(4):
        assert len(quota_years(more, 2026, today=TODAY)) == len(more)
    assert quota_years([], 2026) == {}


def test_unit_members_behind(people, django_assert_max_num_queries):
    unit, a, b, c = people
    MemberFactory()  # another unit's member, behind on everything
    with django_assert_max_num_queries(5):
        behind = {x.member.pk: x for x in unit_members_behind(unit, today=TODAY)}
    assert set(behind) == {a.pk, b.pk, c.pk}
    assert behind[a.pk].hours_behind and not behind[a.pk].no_visit_this_quarter
    assert not behind[b.pk].hours_behind and behind[b.pk].no_visit_this_quarter
    assert behind[c.pk].hours_behind and behind[c.pk].no_visit_this_quarter
    assert behind[c.pk].reasons[1] == "本季度未到社区报到"
    assert behind[c.pk].reasons[0].startswith("时长落后：0/20 小时")
    VisitFactory(member=b, community=CommunityFactory(), visited_at=_at(2026, 8, 19, 19))
    assert b.pk not in {x.member.pk for x in unit_members_behind(unit.pk, today=TODAY)}


def test_a_past_year_is_behind_only_when_short_of_the_quota(people):
    unit, a, b, c = people
    behind = {x.member.pk for x in unit_members_behind(unit, year=2026, today=date(2027, 3, 1))}
    assert behind == {a.pk, c.pk}
