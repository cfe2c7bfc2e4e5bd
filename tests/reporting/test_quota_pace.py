"""The year's pace toward the 20-hour quota, across quarter and year boundaries in Asia/Shanghai:
the arithmetic, and that the page's answer (``quota_year``) and the reminders' selection
(``members_to_remind``) agree on it to the minute."""

from datetime import UTC, date, datetime

import pytest

from reporting.selectors.quota import days_in_year, days_over, members_to_remind, on_pace, quota_year
from reporting.services.reminders import iso_week, quarter_last_day, quarter_list_day
from reporting.worktime import SHANGHAI, quarter_of
from tests.rankings.factories import ConfirmedRecordFactory
from tests.reporting.factories import VisitFactory

pytestmark = pytest.mark.django_db


def _at(*args):
    return datetime(*args, tzinfo=SHANGHAI)


@pytest.mark.parametrize(
    ("year", "today", "over"),
    [
        (2026, date(2025, 12, 31), 0),
        (2026, date(2026, 1, 1), 1),
        (2026, date(2026, 3, 31), 90),
        (2026, date(2026, 4, 1), 91),
        (2026, date(2026, 12, 31), 365),
        (2026, date(2027, 1, 1), 365),
        (2028, date(2028, 12, 31), 366),
        (2028, date(2028, 3, 1), 61),  # a leap year: 29 February counts
    ],
)
def test_days_over(year, today, over):
    assert days_over(year, today) == over


def test_days_in_year():
    assert (days_in_year(2026), days_in_year(2028), days_in_year(2100)) == (365, 366, 365)


@pytest.mark.parametrize(
    ("counted", "today", "expected"),
    [
        # 1 July 2026 is day 182: the pace is 1200 × 182 / 365 = 598.36 minutes.
        (598, date(2026, 7, 1), False),
        (599, date(2026, 7, 1), True),
        # On 1 January the pace is 1200 / 365 = 3.3 minutes: nothing yet is behind.
        (0, date(2026, 1, 1), False),
        (4, date(2026, 1, 1), True),
        # The last day asks for the whole quota; more than it is on pace whatever the day.
        (1199, date(2026, 12, 31), False),
        (1200, date(2026, 12, 31), True),
        (5000, date(2026, 1, 1), True),
    ],
)
def test_on_pace_in_integers(counted, today, expected):
    assert on_pace(counted, today.year, today) is expected


def test_quarter_days():
    assert [quarter_list_day(f"2026Q{q}") for q in (1, 2, 3, 4)] == [
        date(2026, 3, 1),
        date(2026, 6, 1),
        date(2026, 9, 1),
        date(2026, 12, 1),
    ]
    assert [quarter_last_day(f"2028Q{q}") for q in (1, 2, 3, 4)] == [
        date(2028, 3, 31),
        date(2028, 6, 30),
        date(2028, 9, 30),
        date(2028, 12, 31),
    ]
    # Shanghai's quarter: 31 March 16:30 UTC is already 1 April there.
    assert quarter_of(datetime(2026, 3, 31, 15, 59, tzinfo=UTC)) == "2026Q1"
    assert quarter_of(datetime(2026, 3, 31, 16, 30, tzinfo=UTC)) == "2026Q2"
    # ISO weeks run Monday to Sunday and may belong to the next year.
    assert iso_week(date(2026, 12, 28)) == "2026-W53" and iso_week(date(2027, 1, 3)) == "2026-W53"
    assert iso_week(date(2027, 1, 4)) == "2027-W01"


def test_page_and_reminders_agree_on_the_pace_at_the_threshold(placed, community):
    # Saturday 3 January: all outside working hours. 598 minutes: behind on 1 July, on pace with 599.
    record = ConfirmedRecordFactory(member=placed, started_at=_at(2026, 1, 3, 9), minutes=598, quota_minutes=598)
    VisitFactory(member=placed, community=community, visited_at=_at(2026, 7, 1, 10))
    today = date(2026, 7, 1)
    assert not quota_year(placed, today=today).hours_on_pace
    assert [(t.member_id, t.hours_behind, t.visit_missing) for t in members_to_remind(today)] == [
        (placed.pk, True, False)
    ]
    record.minutes = record.reported_minutes = record.quota_minutes = 599
    record.save()
    assert quota_year(placed, today=today).hours_on_pace
    assert members_to_remind(today) == []


def test_the_year_boundary_in_shanghai(placed, community):
    # 31 December 23:30 in Shanghai (15:30 UTC) is the old year's: the quota is met for 2026 …
    ConfirmedRecordFactory(member=placed, started_at=_at(2026, 12, 31, 23, 30), minutes=20, quota_minutes=20)
    ConfirmedRecordFactory(member=placed, started_at=_at(2026, 12, 5, 9), minutes=1180, quota_minutes=1180)
    VisitFactory(member=placed, community=community, visited_at=_at(2026, 12, 31, 23, 50))
    assert quota_year(placed, 2026, today=date(2026, 12, 31)).quota_met
    assert members_to_remind(date(2026, 12, 31)) == []
    # … and on 1 January the new year starts at zero, in a quarter without a visit.
    (target,) = members_to_remind(date(2027, 1, 1))
    assert (target.counted_minutes, target.hours_behind, target.visit_missing) == (0, True, True)
    q = quota_year(placed, today=date(2027, 1, 1))
    assert q.year == 2027 and q.counted_minutes == 0 and not q.hours_on_pace and q.visited_this_quarter is False


def test_the_quarter_boundary_in_shanghai(placed, community):
    ConfirmedRecordFactory(member=placed, started_at=_at(2026, 1, 3, 9), minutes=1200, quota_minutes=1200)
    # 31 March 23:30 in Shanghai: the visit is the first quarter's.
    VisitFactory(member=placed, community=community, visited_at=_at(2026, 3, 31, 23, 30))
    assert members_to_remind(date(2026, 3, 31)) == []
    (target,) = members_to_remind(date(2026, 4, 1))
    assert (target.hours_behind, target.visit_missing) == (False, True)
    q = quota_year(placed, today=date(2026, 4, 1))
    assert q.visits["Q1"] and q.current_quarter == "Q2" and q.quarters_behind == []
