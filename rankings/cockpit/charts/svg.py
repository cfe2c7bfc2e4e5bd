"""What the cockpit's server-drawn charts share: escaping, numbers, a value axis with round steps.

The charts are drawn for a width the server does not know (a 360 px phone, a 1440 px screen), so
their x positions are percentages of the plot's width and their y positions pixels. A shape that
needs both — a line through the weeks — is drawn in a nested <svg> whose viewBox is stretched
over the plot (preserveAspectRatio="none"), with strokes that do not stretch. Text outside the
plot (value labels, names) hangs into margins that CSS gives the <svg> (cockpit.css, .chart_*),
which shows it with ``overflow: visible``.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

from django.utils.html import escape

NS = 'xmlns="http://www.w3.org/2000/svg"'


def esc(value: object) -> str:
    """Text or an attribute value, escaped for the page (&, <, >, quotes)."""
    return escape(str(value))


def num(value: float) -> str:
    """A coordinate: at most two decimals, no trailing zeros (12.5, 3, 0.25)."""
    text = f"{value:.2f}".rstrip("0").rstrip(".")
    return "0" if text in ("", "-0") else text


def pct(part: float, whole: float) -> str:
    """``part`` as a percentage of ``whole``, for an x attribute ("37.5%"; "0%" when whole is 0)."""
    return f"{num(100 * part / whole) if whole else '0'}%"


def figure(value: float | int | None, digits: int = 0) -> str:
    """A figure as the tables show it: 12,345 / 1,234.5; None as —."""
    if value is None:
        return "—"
    return f"{value:,.{digits}f}"


def tick(value: float) -> str:
    """An axis label: 0, 500, 2,500, 1.5万, 12.5万 — short enough for a phone's margin."""
    if abs(value) >= 10_000:
        return f"{value / 10_000:.2f}".rstrip("0").rstrip(".") + "万"
    if value == int(value):
        return f"{int(value):,}"
    return f"{value:,.2f}".rstrip("0").rstrip(".")


ROUND = (1, 1.5, 2, 2.5, 3, 4, 5, 6, 8, 10)  # steps of 400 or 600 fill a plot better than 500 alone


@dataclass(frozen=True)
class Axis:
    """A value axis from 0 to ``top`` in ``steps`` equal steps of a round size (ROUND × 10ⁿ)."""

    step: float
    steps: int

    @property
    def top(self) -> float:
        return self.step * self.steps

    @property
    def ticks(self) -> list[float]:
        return [round(self.step * i, 6) for i in range(self.steps + 1)]

    def ratio(self, value: float | None) -> float:
        """Where ``value`` sits, 0 at the bottom and 1 at the top (clamped; None at 0)."""
        if not value or value < 0:
            return 0.0
        return min(value / self.top, 1.0)


def axis(maximum: float | None, steps: int = 4, whole: bool = False) -> Axis:
    """The smallest round axis that holds ``maximum`` in ``steps`` steps (so that two axes share
    their gridlines); ``whole`` keeps steps ≥ 1 (counts of people and tasks). Nothing to show:
    0 to ``steps``."""
    if not maximum or maximum <= 0:
        return Axis(step=1, steps=steps)
    raw = maximum / steps
    magnitude = 10 ** math.floor(math.log10(raw))
    step = next(m * magnitude for m in ROUND if m * magnitude >= raw * (1 - 1e-9))
    if whole:
        step = max(1, math.ceil(step))
    return Axis(step=round(step, 10), steps=steps)


def open_svg(*, key: str, css: str, height: int, title: str, desc: str, role: str = "img") -> str:
    """The <svg> element's opening, named by its <title> and described by its <desc>."""
    t, d = f"chart-{key}-title", f"chart-{key}-desc"
    return (
        f'<svg {NS} class="chart {css}" width="100%" height="{height}" role="{role}" '
        f'aria-labelledby="{t}" aria-describedby="{d}">'
        f'<title id="{t}">{esc(title)}</title><desc id="{d}">{esc(desc)}</desc>'
    )


def legend(items: list[tuple[str, str, str]]) -> str:
    """The series' names with their colours, above the chart (HTML, so it wraps on a phone); hidden
    from screen readers, to whom the chart's description names them. Items: (name, colour, shape)."""
    keys = "".join(
        f'<li><i class="chart-key chart-key_{shape}" style="--key:{color}"></i>{esc(name)}</li>'
        for name, color, shape in items
    )
    return f'<ul class="chart-legend" aria-hidden="true">{keys}</ul>'
