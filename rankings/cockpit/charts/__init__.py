"""The cockpit's line and bar charts, drawn on the server as SVG from the stored figures: they are
on the page with its first paint and cost a phone no script. ECharts (static/js/cockpit.js) is
left the charts that need it — the map, the donut, the gauges — fetched when one is scrolled to.
"""

from __future__ import annotations

from urllib.parse import urlencode

from django.utils.safestring import SafeString

from rankings.cockpit.charts.bars import Row, Series, bar_chart
from rankings.cockpit.charts.svg import figure
from rankings.cockpit.charts.trend import trend_chart

RED, ORANGE = "#c8161d", "#f08a24"


def areas_chart(areas: dict, asked_date: str = "") -> SafeString:
    """Service hours of each area one level down, the most at the top; each drills down to its area."""
    rows = sorted(areas["rows"], key=lambda r: -r["hours"])
    label = areas["label"]

    def href(row: dict) -> str:
        if not row.get("scope"):
            return ""
        return "?" + urlencode({"scope": row["scope"], **({"date": asked_date} if asked_date else {})})

    def tip(r: dict) -> str:
        return (
            f"{r['name']}：服务时长 {figure(r['hours'], 1)} 小时，开展活动 {figure(r['activities'])} 场，"
            f"参与人次 {figure(r['participations'])}，解决问题 {figure(r['problems_solved'])} 件，"
            f"报到党员 {figure(r['members_registered'])} 人"
        )

    desc = (
        f"本年各{label}的服务时长，从多到少："
        + "；".join(f"{r['name']} {figure(r['hours'], 1)} 小时" for r in rows)
        + "。"
        if rows
        else "没有下一级数据。"
    )
    return bar_chart(
        key="areas",
        title=f"各{label}服务时长",
        desc=desc,
        rows=[Row(r["name"], (r["hours"],), href=href(r), tip=tip(r)) for r in rows],
        series=[Series("服务时长（小时）", RED)],
        unit="小时",
        digits=1,
    )


def response_chart(duties: list[dict]) -> SafeString:
    """Per duty, the median and the 90th percentile of the hours from a request to its resolution."""

    def said(d: dict) -> str:
        if d["median_hours"] is None:
            return f"{d['label']} 本年没有办结的点单"
        return f"{d['label']} 中位数 {figure(d['median_hours'], 1)} 小时，90% 在 {figure(d['p90_hours'], 1)} 小时内"

    return bar_chart(
        key="response",
        title="各职责点单响应时长",
        desc="各职责点单从居民提交到办结的小时数：" + "；".join(said(d) for d in duties) + "。"
        if duties
        else "暂无数据。",
        rows=[Row(d["label"], (d["median_hours"], d["p90_hours"]), tip=said(d)) for d in duties],
        series=[Series("中位数", RED), Series("90% 在此时长内", ORANGE)],
        unit="小时",
        digits=1,
    )


def cockpit_charts(data: dict, asked_date: str = "") -> dict[str, SafeString]:
    """The server-drawn charts of one scope's figures (``CockpitFigures.data``), by chart name."""
    return {
        "trend": trend_chart(data.get("weeks") or [], data["day"]),
        "areas": areas_chart(data["areas"], asked_date),
        "response": response_chart(data.get("duties") or []),
    }
