"""近 26 周趋势 as an SVG drawn on the server: participations as bars and service hours as a line on
the left axis, activities and problems solved as lines on the right one, a week per column.

The last week is counted only up to the data day: when it is not yet a whole week its label says
so (至 02/28) and its bar is lighter, so that a half week does not read as a fall. On a narrow
screen only every second or fourth week is labelled (cockpit.css hides the rest).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from django.utils.safestring import SafeString, mark_safe

from rankings.cockpit.charts.svg import Axis, axis, esc, figure, legend, num, open_svg, pct, tick


@dataclass(frozen=True)
class Series:
    key: str
    name: str
    unit: str
    color: str
    right: bool  # on the right-hand axis (场 / 件) rather than the left one (人次 / 小时)
    digits: int = 0


BARS = Series("participations", "参与人次", "人次", "#c8161d", right=False)
LINES = (
    Series("hours", "服务时长（小时）", "小时", "#f08a24", right=False, digits=1),
    Series("activities", "开展活动", "场", "#2f7ed8", right=True),
    Series("requests_solved", "解决问题", "件", "#2bb673", right=True),
)
TOP, PLOT, BOTTOM = 22, 210, 24  # axis names above the plot, week labels below it
HEIGHT = TOP + PLOT + BOTTOM


def _short(iso: str) -> str:
    return iso[5:].replace("-", "/")  # 2026-02-23 → 02/23


def _long(d: date) -> str:
    return f"{d.year}年{d.month}月{d.day}日"


def _amounts(week: dict) -> str:
    return "，".join(f"{s.name.split('（')[0]} {figure(week[s.key], s.digits)}{_unit(s)}" for s in (BARS, *LINES))


def _unit(s: Series) -> str:
    return "" if s.unit == "人次" else f" {s.unit}"


def _labels(weeks: list[dict], day: str, partial: bool) -> list[tuple[str, str]]:
    """Each week's label and its class: every fourth week counted back from the last is always
    shown; the others only on wider screens. Beside a partial last week (its label is longer) the
    week before goes unlabelled."""
    out = []
    for i, w in enumerate(weeks):
        back = len(weeks) - 1 - i
        text = f"至{_short(day)}" if partial and back == 0 else _short(w["monday"])
        if partial and back == 1:
            text = ""
        css = "" if back % 4 == 0 else ("chart-tick_even" if back % 2 == 0 else "chart-tick_odd")
        out.append((text, css))
    return out


def _description(weeks: list[dict], day: str, partial: bool) -> str:
    if not weeks:
        return "暂无数据。"
    first = date.fromisoformat(weeks[0]["monday"])
    total = {s.key: sum(w[s.key] for w in weeks) for s in (BARS, *LINES)}
    busiest = max(weeks, key=lambda w: w["participations"])
    last = weeks[-1]
    return (
        f"{_long(first)}起{len(weeks)}周（按 ISO 周，周一至周日）每周的参与人次、服务时长、开展活动和解决问题。"
        f"合计：{_amounts(total)}。"
        f"参与人次最多的是{_long(date.fromisoformat(busiest['monday']))}起的一周（{figure(busiest['participations'])}）。"
        f"最近一周（{_long(date.fromisoformat(last['monday']))}起"
        f"{'，截至' + _long(date.fromisoformat(day)) + '，未满一周' if partial else ''}）：{_amounts(last)}。"
    )


def _gridlines(left: Axis, right: Axis) -> list[str]:
    out = []
    for i, (lv, rv) in enumerate(zip(left.ticks, right.ticks, strict=True)):
        y = num(TOP + PLOT * (1 - i / left.steps))
        out.append(
            f'<line class="chart-grid{" chart-grid_base" if i == 0 else ""}" x1="0" x2="100%" y1="{y}" y2="{y}"/>'
        )
        out.append(f'<text class="chart-value" x="-6" y="{y}" dy="4" text-anchor="end">{esc(tick(lv))}</text>')
        out.append(f'<text class="chart-value" x="100%" dx="6" y="{y}" dy="4">{esc(tick(rv))}</text>')
    out.append(f'<text class="chart-name" x="-40" y="{TOP - 10}">人次 / 小时</text>')
    out.append(f'<text class="chart-name" x="100%" dx="36" y="{TOP - 10}" text-anchor="end">场 / 件</text>')
    return out


def _plot(weeks: list[dict], left: Axis, right: Axis, partial: bool) -> list[str]:
    """Bars, lines and one hover target per week, in a box stretched over the plot: one unit a week
    across, one pixel down."""
    n = len(weeks)
    out = [
        f'<svg x="0" y="{TOP}" width="100%" height="{PLOT}" viewBox="0 0 {n} {PLOT}" preserveAspectRatio="none" overflow="visible">'
    ]
    for i, w in enumerate(weeks):
        h = PLOT * left.ratio(w[BARS.key])
        lighter = ' opacity="0.45"' if partial and i == n - 1 else ""
        out.append(
            f'<rect x="{num(i + 0.2)}" y="{num(PLOT - h)}" width="0.6" height="{num(h)}" fill="{BARS.color}"{lighter}/>'
        )
    for s in LINES:
        scale = right if s.right else left
        points = " ".join(f"{num(i + 0.5)},{num(PLOT * (1 - scale.ratio(w[s.key])))}" for i, w in enumerate(weeks))
        out.append(
            f'<polyline points="{points}" fill="none" stroke="{s.color}" stroke-width="2" '
            'stroke-linejoin="round" vector-effect="non-scaling-stroke"/>'
        )
    out.append('<g class="chart-hover">')
    for i, w in enumerate(weeks):
        upto = f"（至 {esc(w['upto'])}）" if w.get("upto") else ""
        out.append(
            f'<rect x="{i}" y="0" width="1" height="{PLOT}"><title>{esc(_short(w["monday"]))} 起一周{upto}：'
            f"{esc(_amounts(w))}</title></rect>"
        )
    out.append("</g></svg>")
    return out


def trend_chart(weeks: list[dict], day: str) -> SafeString:
    """The chart for ``weeks`` (the cockpit's ``data["weeks"]``, oldest first) up to ``day`` (ISO)."""
    last = weeks[-1]["monday"] if weeks else None
    partial = bool(last) and (date.fromisoformat(day) - date.fromisoformat(last)).days < 6
    if partial:
        weeks = [*weeks[:-1], dict(weeks[-1], upto=_short(day))]
    parts = [
        legend([(BARS.name, BARS.color, "bar")] + [(s.name, s.color, "line") for s in LINES]),
        open_svg(
            key="trend", css="chart_trend", height=HEIGHT, title="近 26 周趋势", desc=_description(weeks, day, partial)
        ),
    ]
    if not weeks:
        parts.append(
            f'<text class="chart-empty" x="50%" y="{TOP + PLOT // 2}" text-anchor="middle">暂无数据</text></svg>'
        )
        return mark_safe("".join(parts))  # every text in it went through esc()
    left = axis(max(max(w[BARS.key] for w in weeks), max(w["hours"] for w in weeks)), whole=True)
    right = axis(max(max(w[s.key] for w in weeks) for s in LINES if s.right), whole=True)
    parts += _gridlines(left, right)
    parts += _plot(weeks, left, right, partial)
    for i, (text, css) in enumerate(_labels(weeks, day, partial)):
        if text:
            x = pct(i + 0.5, len(weeks))
            parts.append(
                f'<text class="chart-tick {css}" x="{x}" y="{TOP + PLOT + 16}" text-anchor="middle">{esc(text)}</text>'
            )
    parts.append("</svg>")
    return mark_safe("".join(parts))  # every text in it went through esc()
