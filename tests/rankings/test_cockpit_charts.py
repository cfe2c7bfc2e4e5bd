"""The cockpit's server-drawn charts (rankings.cockpit.charts): figures become the right bars, points
and labels; empty figures still make a valid, described chart; names are escaped; each chart is
an <svg> named by its Chinese title and described by its <desc>."""

from __future__ import annotations

import datetime as dt
import xml.etree.ElementTree as ET

import pytest

from rankings.cockpit.charts import areas_chart, cockpit_charts, response_chart
from rankings.cockpit.charts.bars import Row, Series, bar_chart
from rankings.cockpit.charts.svg import axis, tick
from rankings.cockpit.charts.trend import PLOT, TOP, trend_chart

S = "{http://www.w3.org/2000/svg}"


def svg_of(html: str) -> ET.Element:
    """The chart's <svg>, parsed as XML (so it must be well formed), without the legend before it."""
    return ET.fromstring(html[html.index("<svg") :])


def texts(svg: ET.Element, css: str) -> list[str]:
    return [t.text for t in svg.iter(f"{S}text") if css in (t.get("class") or "")]


def weeks(n: int = 26, last_monday: dt.date = dt.date(2026, 2, 23), **values) -> list[dict]:
    out = []
    for i in range(n):
        monday = last_monday - dt.timedelta(weeks=n - 1 - i)
        row = {"monday": monday.isoformat(), "activities": 0, "participations": 0, "hours": 0.0, "requests_solved": 0}
        out.append(row | {k: v(i) for k, v in values.items()})
    return out


@pytest.mark.parametrize(
    ("maximum", "whole", "ticks"),
    [
        (0, True, [0, 1, 2, 3, 4]),
        (None, False, [0, 1, 2, 3, 4]),
        (7, True, [0, 2, 4, 6, 8]),
        (1234, True, [0, 400, 800, 1200, 1600]),
        (1, False, [0, 0.25, 0.5, 0.75, 1]),
        (1, True, [0, 1, 2, 3, 4]),
        (123_456, True, [0, 40_000, 80_000, 120_000, 160_000]),
    ],
)
def test_an_axis_holds_the_largest_value_in_four_round_steps(maximum, whole, ticks):
    assert axis(maximum, whole=whole).ticks == ticks


def test_axis_labels_are_short():
    assert [tick(v) for v in (0, 400, 2500, 0.25, 15_000, 125_000, 1_000_000)] == [
        "0",
        "400",
        "2,500",
        "0.25",
        "1.5万",
        "12.5万",
        "100万",
    ]


def test_the_trend_puts_each_week_where_its_figures_say():
    data = weeks(
        participations=lambda i: 10 * i,  # 0 … 250: the left axis runs to 320 (4 × 80)
        hours=lambda i: 2.0 * i,
        activities=lambda i: i,  # 0 … 25: the right axis runs to 32 (4 × 8)
        requests_solved=lambda i: 4,
    )
    svg = svg_of(trend_chart(data, "2026-03-01"))  # a Sunday: the last week is whole
    plot = svg.find(f"{S}svg")
    assert plot.get("viewBox") == f"0 0 26 {PLOT}" and plot.get("preserveAspectRatio") == "none"
    bars = [r for r in plot.findall(f"{S}rect")]
    assert len(bars) == 26
    # The week of 250 participations on an axis to 320: a bar 250/320 of the plot high, in its column.
    last = bars[-1]
    assert float(last.get("x")) == pytest.approx(25.2) and float(last.get("width")) == pytest.approx(0.6)
    assert float(last.get("height")) == pytest.approx(PLOT * 250 / 320, abs=0.01)
    assert float(last.get("y")) + float(last.get("height")) == pytest.approx(PLOT, abs=0.01)
    assert last.get("opacity") is None  # a whole week
    hours, activities, solved = (
        [tuple(float(c) for c in p.split(",")) for p in line.get("points").split()]
        for line in plot.findall(f"{S}polyline")
    )
    assert hours[0] == (0.5, PLOT) and hours[10] == pytest.approx((10.5, PLOT * (1 - 20 / 320)), abs=0.01)
    assert activities[25] == pytest.approx((25.5, PLOT * (1 - 25 / 32)), abs=0.01)
    assert {y for _, y in solved} == {PLOT * (1 - 4 / 32)}
    # Gridlines at the same heights for both axes, labelled on each side.
    assert texts(svg, "chart-value") == ["0", "0", "80", "8", "160", "16", "240", "24", "320", "32"]
    grid = sorted({float(g.get("y1")) for g in svg.iter(f"{S}line")})
    assert grid == [TOP + PLOT * k / 4 for k in range(5)]
    # Every week labelled, the narrow screens' classes on all but every fourth back from the last.
    labels = [t for t in svg.iter(f"{S}text") if "chart-tick" in t.get("class")]
    assert [t.text for t in labels][-2:] == ["02/16", "02/23"]
    assert len(labels) == 26 and labels[-1].get("class") == "chart-tick " and labels[-1].get("x") == "98.08%"
    assert "chart-tick_odd" in labels[-2].get("class") and "chart-tick_even" in labels[-3].get("class")
    # A hover target per week, with its figures.
    tips = [t.text for t in plot.iter(f"{S}title")]
    assert tips[-1] == "02/23 起一周：参与人次 250，服务时长 50.0 小时，开展活动 25 场，解决问题 4 件"


def test_a_partial_last_week_is_labelled_to_the_data_day_and_drawn_lighter():
    data = weeks(participations=lambda i: 5)
    svg = svg_of(trend_chart(data, "2026-02-25"))  # a Wednesday
    labels = texts(svg, "chart-tick")
    assert labels[-1] == "至02/25" and "02/09" in labels and "02/16" not in labels
    assert svg.find(f"{S}svg").findall(f"{S}rect")[25].get("opacity") == "0.45"
    desc = svg.find(f"{S}desc").text
    assert "2026年2月23日起，截至2026年2月25日，未满一周" in desc


def test_the_trend_is_named_and_described_in_chinese():
    html = trend_chart(weeks(participations=lambda i: i, hours=lambda i: 1.5), "2026-03-01")
    svg = svg_of(html)
    assert svg.get("role") == "img"
    assert svg.get("aria-labelledby") == "chart-trend-title" and svg.get("aria-describedby") == "chart-trend-desc"
    assert svg.find(f"{S}title").text == "近 26 周趋势"
    desc = svg.find(f"{S}desc").text
    assert desc.startswith("2025年9月1日起26周")
    assert "合计：参与人次 325，服务时长 39.0 小时" in desc
    assert "参与人次最多的是2026年2月23日起的一周（25）" in desc
    assert texts(svg, "chart-name") == ["人次 / 小时", "场 / 件"]
    # The legend is for the eye; the description names the series for screen readers.
    legend = html[: html.index("<svg")]
    assert 'aria-hidden="true"' in legend and all(
        n in legend for n in ("参与人次", "服务时长（小时）", "开展活动", "解决问题")
    )


@pytest.mark.parametrize("data", [[], weeks()], ids=["no-weeks", "all-zero"])
def test_a_trend_with_nothing_to_show_is_still_a_chart(data):
    svg = svg_of(trend_chart(data, "2026-03-01"))
    assert svg.find(f"{S}title").text == "近 26 周趋势"
    if not data:
        assert svg.find(f"{S}desc").text == "暂无数据。" and texts(svg, "chart-empty") == ["暂无数据"]
        assert svg.find(f"{S}svg") is None
    else:
        assert texts(svg, "chart-value")[-2:] == ["4", "4"]  # an axis of 0 to 4, the lines on the floor
        assert all(float(r.get("height")) == 0 for r in svg.find(f"{S}svg").findall(f"{S}rect"))


def test_bars_are_as_long_as_their_share_of_the_axis_and_carry_their_figure():
    svg = svg_of(
        bar_chart(
            key="k",
            title="标题",
            desc="说明",
            rows=[Row("甲", (30.0,)), Row("乙", (7.5,)), Row("丙", (None,))],
            series=[Series("时长", "#c8161d")],
            unit="小时",
            digits=1,
        )
    )
    assert texts(svg, "chart-value")[:5] == ["0", "8", "16", "24", "32"]  # an axis to 32 for 30
    widths = [r.get("width") for r in svg.iter(f"{S}rect")]
    assert widths == ["93.75%", "23.44%"]  # 丙 has no bar
    assert texts(svg, "chart-value")[5:] == ["30.0", "7.5", "无"]
    assert texts(svg, "chart-label") == ["甲", "乙", "丙"]


def test_names_and_titles_are_escaped_and_long_names_cut():
    name = '<b>"韶关" & 社区</b>'
    html = areas_chart(
        {
            "label": "社区",
            "rows": [
                {
                    "scope": None,
                    "name": name,
                    "hours": 2.0,
                    "activities": 1,
                    "participations": 1,
                    "problems_solved": 0,
                    "members_registered": 1,
                },
                {
                    "scope": None,
                    "name": "乳源瑶族自治县某某街道社区",
                    "hours": 1.0,
                    "activities": 0,
                    "participations": 0,
                    "problems_solved": 0,
                    "members_registered": 0,
                },
            ],
        }
    )
    assert "<b>" not in html and "&lt;b&gt;&quot;韶关&quot; &amp; 社区" in html
    svg = svg_of(html)  # well-formed XML: nothing unescaped broke it
    assert texts(svg, "chart-label") == ['<b>"韶关"…', "乳源瑶族自治县…"]
    tips = [t.text for t in svg.iter(f"{S}title")]
    assert tips[1].startswith(name + "：服务时长 2.0 小时") and tips[2].startswith("乳源瑶族自治县某某街道社区：")
    assert svg.get("role") == "img" and not list(svg.iter(f"{S}a"))  # communities do not drill down


def test_areas_drill_down_from_their_bars_most_hours_first():
    rows = [
        {"scope": f"district:{pk}", "name": name, "hours": hours, "activities": 0, "participations": 0}
        | {"problems_solved": 0, "members_registered": 0}
        for pk, name, hours in [(1, "武江区", 5.0), (2, "浈江区", 9.5)]
    ]
    svg = svg_of(areas_chart({"label": "区/县(市)", "rows": rows}, asked_date="2026-02-01"))
    assert svg.get("role") == "group" and svg.find(f"{S}title").text == "各区/县(市)服务时长"
    links = list(svg.iter(f"{S}a"))
    assert [a.get("href") for a in links] == [
        "?scope=district%3A2&date=2026-02-01",
        "?scope=district%3A1&date=2026-02-01",
    ]
    assert links[0].get("aria-label") == "浈江区：服务时长 9.5 小时"
    assert svg.find(f"{S}desc").text == "本年各区/县(市)的服务时长，从多到少：浈江区 9.5 小时；武江区 5.0 小时。"


def test_the_response_chart_pairs_median_and_ninetieth_percentile():
    duties = [
        {"label": "党建指导", "median_hours": 2.5, "p90_hours": 10.0},
        {"label": "政策宣传", "median_hours": None, "p90_hours": None},
    ]
    html = response_chart(duties)
    svg = svg_of(html)
    assert [r.get("width") for r in svg.iter(f"{S}rect")] == ["25%", "100%"]
    assert svg.find(f"{S}desc").text == (
        "各职责点单从居民提交到办结的小时数：党建指导 中位数 2.5 小时，90% 在 10.0 小时内；政策宣传 本年没有办结的点单。"
    )
    assert "中位数" in html[: html.index("<svg")] and "90% 在此时长内" in html[: html.index("<svg")]


def test_every_chart_of_a_scope_and_empty_breakdowns():
    charts = cockpit_charts({"day": "2026-03-01", "weeks": [], "areas": {"label": "社区", "rows": []}, "duties": []})
    assert set(charts) == {"trend", "areas", "response"}
    for key, html in charts.items():
        svg = svg_of(html)
        assert svg.get("aria-labelledby") == f"chart-{key}-title"
        assert texts(svg, "chart-empty") == ["暂无数据"]
    assert svg_of(charts["areas"]).find(f"{S}desc").text == "没有下一级数据。"
