"""Quota arithmetic: only minutes outside working hours count, on the Chinese working-day
calendar with the admin's overrides; stored at confirmation, computed when missing."""

from datetime import date, datetime, timedelta

import pytest

from reporting.models import ServiceRecord, WorkdayOverride
from reporting.selectors import quota_year
from reporting.services.quota import quota_minutes_fill, workday_override_delete, workday_override_save
from reporting.services.records import service_record_confirm, service_record_correct
from reporting.workdays import calendar_is_workday, make_is_workday, parse_working_hours, quota_minutes
from reporting.worktime import SHANGHAI
from tests.reporting.factories import ServiceRecordFactory, VisitFactory

CAL = make_is_workday({})
NINE_TO_FIVE = parse_working_hours("09:00-17:00")


def _at(*args):
    return datetime(*args, tzinfo=SHANGHAI)


def _q(start, minutes, *, span=None, is_workday=CAL, spans=NINE_TO_FIVE):
    return quota_minutes(start, start + timedelta(minutes=span or minutes), minutes, is_workday, spans)


def test_a_record_crossing_five_counts_its_minutes_after_five():
    # Tuesday 2026-06-02, 16:00–18:00: 60 of 120 minutes are outside working hours.
    assert _q(_at(2026, 6, 2, 16), 120) == 60
    # A correction to 90 minutes is spread evenly over the span: half of it counts.
    assert _q(_at(2026, 6, 2, 16), 90, span=120) == 45
    assert _q(_at(2026, 6, 2, 17), 60) == 60
    assert _q(_at(2026, 6, 2, 10), 60) == 0


def test_a_span_shorter_than_a_second_is_a_whole_span():
    """A check-out right after the check-in (the span rounds to no whole second) once divided by zero."""
    start = _at(2026, 6, 2, 19)
    assert quota_minutes(start, start + timedelta(milliseconds=300), 5, CAL) == 5
    work = _at(2026, 6, 2, 10)
    assert quota_minutes(work, work + timedelta(milliseconds=300), 5, CAL) == 0


def test_a_record_crossing_midnight_into_a_working_morning():
    # Sunday 2026-06-07 22:00 → Monday 08:00 … 10:00: the hour after 09:00 Monday is working time.
    assert _q(_at(2026, 6, 7, 22), 720) == 660
    # Friday 23:00 → Saturday 01:00: all of it.
    assert _q(_at(2026, 6, 5, 23), 120) == 120


def test_a_make_up_saturday_is_a_working_day_and_a_holiday_weekday_is_not():
    assert calendar_is_workday(date(2026, 2, 14))  # Saturday, 调休 for the Spring Festival
    assert _q(_at(2026, 2, 14, 9), 120) == 0
    assert not calendar_is_workday(date(2026, 10, 1))  # Thursday, National Day
    assert _q(_at(2026, 10, 1, 9), 120) == 120


def test_overrides_win_and_years_beyond_the_calendar_fall_back_to_weekends():
    assert calendar_is_workday(date(2030, 10, 1))  # a Tuesday the package knows nothing about
    assert not calendar_is_workday(date(2030, 10, 5))
    is_workday = make_is_workday({date(2030, 10, 1): False, date(2030, 10, 12): True})
    assert _q(_at(2030, 10, 1, 9), 60, is_workday=is_workday) == 60
    assert _q(_at(2030, 10, 12, 9), 60, is_workday=is_workday) == 0


def test_lunch_break_spans_and_zero_length_records():
    spans = parse_working_hours("08:30-12:00,14:30-17:30")
    assert _q(_at(2026, 6, 2, 11), 240, spans=spans) == 150  # 12:00–14:30 of 11:00–15:00
    assert quota_minutes(_at(2026, 6, 2, 12), _at(2026, 6, 2, 12), 30, CAL, spans) == 30
    assert quota_minutes(_at(2026, 6, 2, 10), _at(2026, 6, 2, 10), 30, CAL, spans) == 0


@pytest.mark.parametrize("text", ["", "9-17", "17:00-09:00", "09:00-12:00,11:00-17:00", "25:00-26:00"])
def test_malformed_working_hours_are_refused_in_chinese(text):
    with pytest.raises(ValueError, match="工作时间"):
        parse_working_hours(text)


def _confirmed(member, community, start, minutes, **kw):
    return ServiceRecordFactory(
        member=member,
        community=community,
        started_at=start,
        minutes=minutes,
        status="confirmed",
        confirmed_via="resident",
        confirmed_at=start + timedelta(days=1),
        **kw,
    )


def test_quota_year_totals_pace_and_visits(member, community, django_assert_num_queries):
    _confirmed(member, community, _at(2026, 3, 3, 16), 120, quota_minutes=60)  # Tuesday, stored
    _confirmed(member, community, _at(2026, 3, 7, 9), 300)  # Saturday, computed (not stored)
    _confirmed(member, community, _at(2026, 12, 31, 23, 30), 60)  # Thursday night: counts in 2026
    _confirmed(member, community, _at(2025, 12, 31, 23, 30), 600)  # 2025's
    ServiceRecordFactory(member=member, community=community, started_at=_at(2026, 5, 2, 9), minutes=45)  # pending
    VisitFactory(member=member, community=community, visited_at=_at(2026, 3, 31, 23, 50))  # Q1's last minutes
    VisitFactory(member=member, community=community, visited_at=_at(2026, 7, 1, 0, 10))  # Q3's first
    with django_assert_num_queries(3):
        q = quota_year(member, 2026, today=date(2026, 10, 15))
    assert q.confirmed_minutes == 480 and q.counted_minutes == 420 and q.pending_minutes == 45
    assert q.counted_hours == 7.0 and q.confirmed_hours == 8.0 and q.remaining_hours == 13.0
    assert q.visits == {"Q1": True, "Q2": False, "Q3": True, "Q4": False}
    assert q.quarters_behind == ["Q2"] and q.current_quarter == "Q4"
    assert not q.hours_on_pace and not q.visits_on_pace and not q.on_pace
    assert q.expected_hours == 15.8  # 288 of 365 days


def test_quota_year_all_stored_is_two_queries_and_a_past_year_is_whole(member, community, django_assert_num_queries):
    _confirmed(member, community, _at(2025, 6, 7, 9), 1200, quota_minutes=1200)
    for month in (2, 5, 8, 11):
        VisitFactory(member=member, community=community, visited_at=_at(2025, month, 1, 10))
    with django_assert_num_queries(2):
        q = quota_year(member, 2025, today=date(2026, 1, 2))
    assert q.quota_met and q.on_pace and q.percent == 100 and q.elapsed_share == 1.0
    assert q.current_quarter == ""


def test_confirming_and_correcting_store_the_quota_minutes(member, community, secretary, street_officer):
    record = ServiceRecordFactory(member=member, community=community, started_at=_at(2026, 6, 2, 16), minutes=120)
    record = service_record_confirm(record=record, actor=secretary)
    assert record.quota_minutes == 60
    record = service_record_correct(record=record, actor=street_officer, minutes=60, reason="提前离开")
    record.refresh_from_db()
    assert record.quota_minutes == 30


def test_fill_command_and_overrides_recompute_their_day(member, community, django_capture_on_commit_callbacks):
    r = _confirmed(member, community, _at(2026, 6, 2, 16), 120)
    assert ServiceRecord.objects.get(pk=r.pk).quota_minutes is None
    assert quota_minutes_fill() == 1 and quota_minutes_fill() == 0
    assert ServiceRecord.objects.get(pk=r.pk).quota_minutes == 60
    # The city declares 2026-06-02 a holiday: the whole record counts; deleting it undoes that.
    with django_capture_on_commit_callbacks(execute=True):
        o = workday_override_save(override=WorkdayOverride(day=date(2026, 6, 2), is_workday=False, note="示例"))
    assert ServiceRecord.objects.get(pk=r.pk).quota_minutes == 120
    with django_capture_on_commit_callbacks(execute=True):
        workday_override_delete(override=o)
    assert ServiceRecord.objects.get(pk=r.pk).quota_minutes == 60
