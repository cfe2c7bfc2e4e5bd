"""The periods a sheet covers: a calendar quarter or year in Asia/Shanghai time.

A record belongs to the period its ``started_at`` falls in, read on the Shanghai clock: a service
that starts at 23:30 on 31 March Beijing time (15:30 UTC) is Q1's. Visits carry their quarter
(``Visit.quarter``, from the Shanghai date of the visit).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date, datetime

from django.conf import settings
from django.utils import timezone

from core.errors import ValidationFailed
from reporting.worktime import SHANGHAI, quarter_of

_PERIOD = re.compile(r"^(\d{4})(?:Q([1-4]))?$")
FIRST_YEAR = 2000
BAD_PERIOD = "考核期间格式不正确：年度如 2026，季度如 2026Q1。"
FUTURE_PERIOD = "考核期间尚未开始。"


@dataclass(frozen=True)
class Period:
    year: int
    quarter: int | None = None  # 1–4; None for the whole year

    @property
    def key(self) -> str:
        return f"{self.year}Q{self.quarter}" if self.quarter else str(self.year)

    @property
    def is_quarter(self) -> bool:
        return self.quarter is not None

    @property
    def label(self) -> str:
        return f"{self.year}年第{'一二三四'[self.quarter - 1]}季度" if self.quarter else f"{self.year}年度"

    @property
    def first_month(self) -> int:
        return 3 * self.quarter - 2 if self.quarter else 1

    @property
    def start(self) -> datetime:
        return datetime(self.year, self.first_month, 1, tzinfo=SHANGHAI)

    @property
    def end(self) -> datetime:
        """The first moment after the period (exclusive)."""
        if self.quarter in (None, 4):
            return datetime(self.year + 1, 1, 1, tzinfo=SHANGHAI)
        return datetime(self.year, self.first_month + 3, 1, tzinfo=SHANGHAI)

    def visit_quarters(self, today: date | None = None) -> list[str]:
        """The quarters in which a member must have reported for duty to meet the rule: the
        quarter itself, or each quarter of the year that has begun by ``today``."""
        if self.quarter:
            return [self.key]
        today = today or timezone.localdate()
        last = 4 if today.year > self.year else int(quarter_of(today)[-1])
        return [f"{self.year}Q{q}" for q in range(1, last + 1)]

    def quota_minutes(self) -> tuple[int, int]:
        """The hours rule as an exact fraction of minutes (numerator, denominator): the year's
        ``QUOTA_HOURS_PER_YEAR`` hours, a quarter a quarter of them (pro rata)."""
        return settings.QUOTA_HOURS_PER_YEAR * 60, (4 if self.quarter else 1)

    @property
    def previous(self) -> Period:
        if self.quarter is None:
            return Period(self.year - 1)
        return Period(self.year, self.quarter - 1) if self.quarter > 1 else Period(self.year - 1, 4)


def current_period(kind: str = "year", today: date | None = None) -> Period:
    today = today or timezone.localdate()
    if kind == "quarter":
        return Period(today.year, (today.month - 1) // 3 + 1)
    return Period(today.year)


def parse_period(value: str | None, today: date | None = None) -> Period:
    """``"2026"`` or ``"2026Q1"`` (default: this year); ValidationFailed for anything else or a
    period that has not begun."""
    today = today or timezone.localdate()
    text = (value or "").strip().upper()
    if not text:
        return current_period("year", today)
    m = _PERIOD.match(text)
    if not m or int(m[1]) < FIRST_YEAR:
        raise ValidationFailed(BAD_PERIOD, code="bad_period", field="period")
    period = Period(int(m[1]), int(m[2]) if m[2] else None)
    if period.start.date() > today:
        raise ValidationFailed(FUTURE_PERIOD, code="future_period", field="period")
    return period


def period_choices(today: date | None = None, years: int = 3) -> list[Period]:
    """The periods a picker offers: this year and its quarters so far, then earlier years."""
    today = today or timezone.localdate()
    out = []
    for year in range(today.year, today.year - years, -1):
        out.append(Period(year))
        last = (today.month - 1) // 3 + 1 if year == today.year else 4
        out.extend(Period(year, q) for q in range(last, 0, -1))
    return out
