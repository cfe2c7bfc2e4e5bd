"""Working hours (工作日八小时): service is meant to happen outside them.

Working time is Monday–Friday, 09:00–17:00 in Asia/Shanghai. Public holidays and the
make-up working weekends (调休) are not modelled: a service on a holiday weekday is treated
as inside working hours, which errs on the side of asking the community to look.
"""

from __future__ import annotations

from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

SHANGHAI = ZoneInfo("Asia/Shanghai")
WORK_START = time(9, 0)
WORK_END = time(17, 0)


def _local(dt: datetime) -> datetime:
    if dt.tzinfo is None:
        raise ValueError("naive datetime: pass an aware datetime")
    return dt.astimezone(SHANGHAI)


def is_working_time(dt: datetime) -> bool:
    """Whether ``dt`` falls on a working day between 09:00 (inclusive) and 17:00 (exclusive)."""
    local = _local(dt)
    return local.weekday() < 5 and WORK_START <= local.time() < WORK_END


def overlaps_working_hours(start: datetime, end: datetime) -> bool:
    """Whether the interval [start, end) shares any time with working hours.

    An empty interval (start == end) overlaps when its instant is working time.
    """
    if end < start:
        start, end = end, start
    if end == start:
        return is_working_time(start)
    lstart, lend = _local(start), _local(end)
    day: date = lstart.date()
    while day <= lend.date():
        if day.weekday() < 5:
            ws = datetime.combine(day, WORK_START, tzinfo=SHANGHAI)
            we = datetime.combine(day, WORK_END, tzinfo=SHANGHAI)
            if max(lstart, ws) < min(lend, we):
                return True
        day += timedelta(days=1)
    return False


def quarter_of(dt: datetime | date) -> str:
    """The quarter a moment (in Shanghai time) or a date falls in, as ``"2026Q4"``."""
    d = _local(dt).date() if isinstance(dt, datetime) else dt
    return f"{d.year}Q{(d.month - 1) // 3 + 1}"


def year_bounds(year: int) -> tuple[datetime, datetime]:
    """[1 January, next 1 January) of ``year`` in Shanghai time."""
    return datetime(year, 1, 1, tzinfo=SHANGHAI), datetime(year + 1, 1, 1, tzinfo=SHANGHAI)


def day_bounds(d: date) -> tuple[datetime, datetime]:
    """[midnight, next midnight) of a Shanghai calendar day."""
    start = datetime.combine(d, time(0, 0), tzinfo=SHANGHAI)
    return start, start + timedelta(days=1)
