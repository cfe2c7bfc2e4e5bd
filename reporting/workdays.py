"""Working days and the minutes of a service that count toward the yearly quota.

The article's rule: members serve 20 hours a year **outside working hours** (工作日八小时之外).
So only the part of a service that falls outside working time counts toward the quota.

Working time, in Asia/Shanghai:

- **Working days** come from, in this order: the ``WorkdayOverride`` table (kept in the admin,
  for days the calendar gets wrong or does not know yet); the ``chinese-calendar`` package
  (public holidays and the make-up working weekends, 调休, as the State Council publishes
  them; it knows 2004 up to its last published year); beyond its data, Monday–Friday alone.
  So once the next year's holiday notice is out and the package not yet upgraded, the admin
  enters that year's holidays and 调休 Saturdays/Sundays as overrides.
- **Working hours** of a working day: ``settings.WORKING_HOURS``, one or more spans
  ``"HH:MM-HH:MM"`` separated by commas (default ``"09:00-17:00"``: the lunch break counts as
  working time, the same eight hours the check-out flag ``outside_working_hours`` uses). A
  deployment whose offices break for lunch sets e.g. ``"08:30-12:00,14:30-17:30"``.

A record's **quota minutes**: its confirmed minutes scaled by the share of its span
[started_at, ended_at] that lies outside working time::

    quota_minutes = round(minutes × outside_seconds / span_seconds)

The confirmed minutes may differ from the span (a correction, a late check-out capped by the
task's window); nothing says which part was struck off, so the confirmed minutes are taken as
spread evenly over the span. A record of zero length counts all its minutes or none, by whether
its instant is working time. A record from 16:00 to 18:00 on a working day, confirmed at 120
minutes, counts 60; confirmed at 90 (corrected), 45.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable
from datetime import date, datetime, time, timedelta

from django.conf import settings

from reporting.worktime import SHANGHAI

try:  # the holiday calendar; without it, the weekend rule and the overrides alone
    import chinese_calendar
except ImportError:  # pragma: no cover
    chinese_calendar = None

IsWorkday = Callable[[date], bool]

_SPAN = re.compile(r"^\s*(\d{1,2}):(\d{2})\s*-\s*(\d{1,2}):(\d{2})\s*$")


def parse_working_hours(text: str) -> list[tuple[time, time]]:
    """``"09:00-12:00,14:00-17:00"`` → [(09:00, 12:00), (14:00, 17:00)]; ValueError (in Chinese)
    when a span is malformed, empty or overlaps the one before."""
    spans: list[tuple[time, time]] = []
    for part in (text or "").split(","):
        m = _SPAN.match(part)
        if not m:
            raise ValueError(f"工作时间“{part.strip()}”格式不正确，应为“09:00-17:00”，多段以逗号分隔。")
        h1, m1, h2, m2 = map(int, m.groups())
        if not (h1 < 24 and h2 <= 24 and m1 < 60 and m2 < 60) or (h2 == 24 and m2):
            raise ValueError(f"工作时间“{part.strip()}”不是有效的时刻。")
        start = time(h1, m1)
        end = time.max if h2 == 24 else time(h2, m2)
        if end <= start:
            raise ValueError(f"工作时间“{part.strip()}”的结束时刻应晚于开始时刻。")
        if spans and start < spans[-1][1]:
            raise ValueError(f"工作时间“{part.strip()}”与前一段重叠或顺序颠倒，请按时间先后填写。")
        spans.append((start, end))
    if not spans:
        raise ValueError("工作时间不能为空。")
    return spans


def working_hours() -> list[tuple[time, time]]:
    return parse_working_hours(settings.WORKING_HOURS)


def calendar_is_workday(day: date) -> bool:
    """The holiday calendar's word on ``day``; beyond its data, Monday–Friday."""
    if chinese_calendar is not None:
        try:
            return chinese_calendar.is_workday(day)
        except NotImplementedError:  # a year the package has no data for
            pass
    return day.weekday() < 5


def calendar_knows(day: date) -> bool:
    """Whether the holiday calendar has data for ``day``'s year."""
    if chinese_calendar is None:  # pragma: no cover
        return False
    try:
        chinese_calendar.is_workday(day)
    except NotImplementedError:
        return False
    return True


def make_is_workday(overrides: dict[date, bool]) -> IsWorkday:
    """``is_workday(day)``: an override when there is one, else the calendar. Answers are kept
    for the life of the function (a batch of records asks about the same days again and again:
    five times faster over a year's records)."""
    known: dict[date, bool] = {}

    def is_workday(day: date) -> bool:
        answer = known.get(day)
        if answer is None:
            found = overrides.get(day)
            answer = known[day] = calendar_is_workday(day) if found is None else found
        return answer

    return is_workday


def load_is_workday(first: date, last: date) -> IsWorkday:
    """``is_workday`` over [first, last] with the overrides of those days: one query."""
    from reporting.models import WorkdayOverride

    rows = WorkdayOverride.objects.filter(day__gte=first, day__lte=last).values_list("day", "is_workday")
    return make_is_workday(dict(rows))


def local_dates(start: datetime, end: datetime) -> tuple[date, date]:
    """The first and last Shanghai calendar days [start, end] touches."""
    return start.astimezone(SHANGHAI).date(), max(start, end).astimezone(SHANGHAI).date()


def outside_seconds(
    start: datetime, end: datetime, is_workday: IsWorkday, spans: list[tuple[time, time]] | None = None
) -> float:
    """Seconds of [start, end) outside working time."""
    spans = working_hours() if spans is None else spans
    lstart, lend = start.astimezone(SHANGHAI), end.astimezone(SHANGHAI)
    inside = 0.0
    day = lstart.date()
    while day <= lend.date():
        if is_workday(day):
            for s, e in spans:
                ws = datetime.combine(day, s, tzinfo=SHANGHAI)
                # time.max stands for 24:00: the next midnight.
                we = (
                    datetime.combine(day + timedelta(days=1), time(0), tzinfo=SHANGHAI)
                    if e == time.max
                    else (datetime.combine(day, e, tzinfo=SHANGHAI))
                )
                overlap = (min(lend, we) - max(lstart, ws)).total_seconds()
                if overlap > 0:
                    inside += overlap
        day += timedelta(days=1)
    return (lend - lstart).total_seconds() - inside


def is_working_instant(moment: datetime, is_workday: IsWorkday, spans: list[tuple[time, time]] | None = None) -> bool:
    spans = working_hours() if spans is None else spans
    local = moment.astimezone(SHANGHAI)
    if not is_workday(local.date()):
        return False
    t = local.time()
    return any(s <= t and (e == time.max or t < e) for s, e in spans)


def quota_minutes(
    start: datetime,
    end: datetime,
    minutes: int,
    is_workday: IsWorkday,
    spans: list[tuple[time, time]] | None = None,
) -> int:
    """The part of a record's ``minutes`` that counts toward the quota (see the module docstring)."""
    spans = working_hours() if spans is None else spans
    if end < start:
        start, end = end, start
    span = (end - start).total_seconds()
    if span <= 0:
        return 0 if is_working_instant(start, is_workday, spans) else minutes
    outside = outside_seconds(start, end, is_workday, spans)
    if outside >= span:
        return minutes
    # Round half up with integers of microseconds (no float drift on the 120-minute cases; a
    # span shorter than a second, a check-out right after the check-in, is still a whole span).
    num, den = minutes * round(outside * 1_000_000), max(1, round(span * 1_000_000))
    return (2 * num + den) // (2 * den)


def quota_minutes_of_rows(rows: Iterable[tuple[datetime, datetime, int]]) -> list[int]:
    """``quota_minutes`` of many (started_at, ended_at, minutes), with one query for the overrides."""
    rows = list(rows)
    if not rows:
        return []
    first = min(local_dates(s, e)[0] for s, e, _ in rows)
    last = max(local_dates(s, e)[1] for s, e, _ in rows)
    is_workday, spans = load_is_workday(first, last), working_hours()
    return [quota_minutes(s, e, m, is_workday, spans) for s, e, m in rows]
