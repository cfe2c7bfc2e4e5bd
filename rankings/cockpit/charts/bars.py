"""Horizontal bar charts as SVG drawn on the server: a row per name, one bar per series in it, the
figure at the bar's end. The names hang into the left margin, the figures into the right one
(cockpit.css, .chart_bars), so the bars keep the width between at any screen size.

Rows that drill down (a district, a street) are links, each named for screen readers with its
figures; a chart of such rows is a group of links rather than one image.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.utils.safestring import SafeString, mark_safe

from rankings.cockpit.charts.svg import axis, esc, figure, legend, num, open_svg, pct, tick

BAND, GAP, PAD = 12, 2, 12  # a bar's thickness, between a row's bars, around a row's bars
TOP, AXIS = 4, 22  # above the first row; the value axis's labels below the last
NAME_CHARS = 8  # longer names are cut (the full name is in the row's tooltip and label)


@dataclass(frozen=True)
class Row:
    name: str
    values: tuple[float | None, ...]  # one per series; None: nothing to show (无)
    href: str = ""
    tip: str = ""  # the hover text; the row's spoken label when empty


@dataclass(frozen=True)
class Series:
    name: str
    color: str


def _short(name: str) -> str:
    return name if len(name) <= NAME_CHARS else name[: NAME_CHARS - 1] + "…"


def row_height(series: int) -> int:
    return series * BAND + (series - 1) * GAP + PAD


def height(rows: int, series: int) -> int:
    return TOP + max(rows, 1) * row_height(series) + AXIS


def bar_chart(
    *,
    key: str,
    title: str,
    desc: str,
    rows: list[Row],
    series: list[Series],
    unit: str,
    digits: int = 0,
) -> SafeString:
    """The chart of ``rows`` (top to bottom as given); ``unit`` follows each figure in the labels."""
    linked = any(r.href for r in rows)
    bottom = height(len(rows), len(series)) - AXIS
    parts = [legend([(s.name, s.color, "bar") for s in series]) if len(series) > 1 else ""]
    parts.append(
        open_svg(
            key=key,
            css="chart_bars",
            height=bottom + AXIS,
            title=title,
            desc=desc,
            role="group" if linked else "img",
        )
    )
    if not rows:
        parts.append(
            f'<text class="chart-empty" x="50%" y="{bottom // 2 + 4}" text-anchor="middle">暂无数据</text></svg>'
        )
        return mark_safe("".join(parts))  # every text in it went through esc()
    scale = axis(max((v or 0) for r in rows for v in r.values), whole=digits == 0)
    parts.append('<g aria-hidden="true">')
    for i, value in enumerate(scale.ticks):
        x = pct(i, scale.steps)
        parts.append(
            f'<line class="chart-grid{" chart-grid_base" if i == 0 else ""}" x1="{x}" x2="{x}" y1="{TOP}" y2="{bottom}"/>'
        )
        parts.append(
            f'<text class="chart-value" x="{x}" y="{bottom + 15}" text-anchor="middle">{esc(tick(value))}</text>'
        )
    parts.append("</g>")
    step = row_height(len(series))
    for i, row in enumerate(rows):
        spoken = "，".join(
            f"{s.name.split('（')[0]} {figure(v, digits) + ' ' + unit if v is not None else '无'}"
            for s, v in zip(series, row.values, strict=True)
        )
        label = f"{row.name}：{spoken}"
        y0 = TOP + i * step + PAD / 2
        opened = f'<a href="{esc(row.href)}" aria-label="{esc(label)}">' if row.href else "<g>"
        parts.append(f"{opened}<title>{esc(row.tip or label)}</title>")
        middle = y0 + (step - PAD) / 2
        parts.append(
            f'<text class="chart-label" x="-8" y="{num(middle)}" dy="4" text-anchor="end">{esc(_short(row.name))}</text>'
        )
        for j, (s, value) in enumerate(zip(series, row.values, strict=True)):
            y = y0 + j * (BAND + GAP)
            width = pct(scale.ratio(value), 1)
            if value:
                parts.append(f'<rect x="0" y="{num(y)}" width="{width}" height="{BAND}" fill="{s.color}"/>')
            shown = "无" if value is None else figure(value, digits)
            parts.append(
                f'<text class="chart-value" x="{width}" dx="4" y="{num(y + BAND / 2)}" dy="4">{esc(shown)}</text>'
            )
        parts.append("</a>" if row.href else "</g>")
    parts.append("</svg>")
    return mark_safe("".join(parts))  # every text in it went through esc()
