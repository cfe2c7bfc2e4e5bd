"""评星定级: a member's stars (one to five) for a year — the one rule the nightly recompute, the
pages, the API and the tests share.

Components of the year (Asia/Shanghai):

- **hours** — confirmed service hours outside working hours (the quota's hours,
  ``ServiceRecord.quota_minutes``, see reporting.workdays);
- **quarters** — quarters with at least one report-for-duty visit (0–4);
- **outcomes** (成效) — requests the member served that the resident confirmed or rated, closed in
  the year (the boards' definition, rankings.scoring);
- **likes** — residents' likes given to the member in the year.

Every member has one star. Star *n* (2–5) needs, all at once, at least the thresholds of level
*n* in ``settings.STAR_THRESHOLDS``: four levels ``"hours/quarters/outcomes/likes"`` separated by
commas (default ``"10/2/0/0,20/4/1/1,40/4/3/5,60/4/6/10"``: the third star is the article's
year — 20 hours and a visit every quarter — plus one outcome and one like). The stars are the
highest level whose every threshold is met; the levels must increase (each at least the one
below in every component, above it in one), which a system check (rankings.E002) enforces at start-up.
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass
from itertools import pairwise

from django.conf import settings

MAX_STARS = 5
COMPONENTS = ("hours", "quarters", "outcomes", "likes")
UNITS = {"hours": "小时服务时长", "quarters": "个季度到社区报到", "outcomes": "件办结成效", "likes": "个群众点赞"}

_LEVEL = re.compile(r"^\s*(\d+(?:\.\d+)?)\s*/\s*(\d+)\s*/\s*(\d+)\s*/\s*(\d+)\s*$")


@dataclass(frozen=True)
class Level:
    hours: float
    quarters: int
    outcomes: int
    likes: int

    def __str__(self) -> str:
        return f"{self.hours:g}/{self.quarters}/{self.outcomes}/{self.likes}"

    def as_dict(self) -> dict:
        return {c: getattr(self, c) for c in COMPONENTS}


def parse_thresholds(text: str) -> list[Level]:
    """The four levels of stars 2–5 from ``"10/2/0/0,20/4/1/1,…"``; ValueError (in Chinese) when
    malformed or not increasing."""
    parts = (text or "").split(",")
    if len(parts) != MAX_STARS - 1:
        raise ValueError(f"评星标准应有 {MAX_STARS - 1} 档（二星至五星），以逗号分隔，现为 {len(parts)} 档。")
    levels = []
    for n, part in enumerate(parts, start=2):
        m = _LEVEL.match(part)
        if not m:
            raise ValueError(
                f"{n}星标准“{part.strip()}”格式不正确，应为“时长/报到季度数/办结件数/点赞数”，如“20/4/1/1”。"
            )
        level = Level(float(m[1]), int(m[2]), int(m[3]), int(m[4]))
        if level.quarters > 4:
            raise ValueError(f"{n}星标准的报到季度数不能超过 4。")
        levels.append(level)
    for n, (lower, upper) in enumerate(pairwise(levels), start=3):
        a, b = lower.as_dict(), upper.as_dict()
        if any(b[c] < a[c] for c in COMPONENTS) or a == b:
            raise ValueError(
                f"评星标准应逐级提高：{n}星的每一项都不能低于{n - 1}星，且至少有一项更高（{n - 1}星 {lower}，{n}星 {upper}）。"
            )
    return levels


def thresholds() -> list[Level]:
    return parse_thresholds(settings.STAR_THRESHOLDS)


def _meets(level: Level, got: dict) -> bool:
    return all(got[c] >= getattr(level, c) for c in COMPONENTS)


def stars_for(
    hours: float, visit_quarters: int, outcomes: int, likes: int, levels: list[Level] | None = None
) -> tuple[int, dict | None]:
    """(stars, what the next star still needs) for a year's components.

    ``next_needs`` maps each component still short of the next level to how much more it needs
    (hours rounded up to a tenth); ``None`` at five stars.
    """
    levels = thresholds() if levels is None else levels
    got = {"hours": hours, "quarters": visit_quarters, "outcomes": outcomes, "likes": likes}
    stars = 1
    for n, level in enumerate(levels, start=2):
        if not _meets(level, got):
            break
        stars = n
    if stars >= MAX_STARS:
        return stars, None
    target = levels[stars - 1]
    needs = {}
    for c in COMPONENTS:
        short = getattr(target, c) - got[c]
        if short > 0:
            needs[c] = math.ceil(round(short * 10, 6)) / 10 if c == "hours" else int(short)
    return stars, needs


def needs_text(needs: dict | None) -> str:
    """“下一星还需 3.5 小时服务时长、1 个季度到社区报到”, or the five-star line."""
    if needs is None:
        return "已获五星，继续保持！"
    return "下一星还需 " + "、".join(f"{needs[c]:g} {UNITS[c]}" for c in COMPONENTS if c in needs)


def rule_text(levels: list[Level] | None = None) -> list[str]:
    """The thresholds in words, one line per star."""
    levels = thresholds() if levels is None else levels
    lines = ["一星：所有志愿者"]
    names = "二三四五"
    for n, level in enumerate(levels):
        lines.append(
            f"{names[n]}星：工作时间以外服务满 {level.hours:g} 小时、{level.quarters} 个季度到社区报到、"
            f"办结 {level.outcomes} 件、获得点赞 {level.likes} 个"
        )
    return lines
