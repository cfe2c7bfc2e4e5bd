"""The cockpit laid out for a phone (390 px) and a desktop (1366 px): the gauges side by side without
overlapping or clipping, the donut's legend clear of its labels, the response chart's duty names
beside its bars, the map drawn on the district outlines with no axes, and on a desktop the tab bar
closing the page instead of floating over the charts. ECharts arrives when a chart needing it is
scrolled to."""

from __future__ import annotations

import pytest

from tests.browser.conftest import assert_fits, screenshot, sign_in
from tests.browser.test_cockpit import _page, city_staff, draw_all  # noqa: F401 (a fixture)

pytestmark = [pytest.mark.browser, pytest.mark.slow, pytest.mark.django_db(transaction=True)]

LAYOUT = """() => {
    const get = (name) => echarts.getInstanceByDom(document.querySelector('[data-chart="' + name + '"]'));
    const quota = get("quota"), box = document.querySelector('[data-chart="quota"]');
    const gauges = quota.getOption().series.map((s) => ({
        x: parseFloat(s.center[0]) / 100 * box.clientWidth, y: parseFloat(s.center[1]) / 100 * box.clientHeight, r: s.radius,
    }));
    const duties = get("duties").getOption(), map = get("map").getOption();
    const response = document.querySelector('[data-chart="response"] svg');
    const names = [...response.querySelectorAll(".chart-label")].map((t) => t.getBoundingClientRect());
    const bars = [...response.querySelectorAll("rect")].map((r) => r.getBoundingClientRect());
    return {
        width: box.clientWidth, height: box.clientHeight, gauges,
        legend: duties.legend[0].orient,
        responseNames: names.length === 8 && Math.max(...names.map((n) => n.right)) <= Math.min(...bars.map((b) => b.left)) ? "beside" : "under",
        polygons: map.graphic[0].elements.filter((e) => e.type === "polygon").length,
        axisLabels: map.xAxis[0].axisLabel.show || map.yAxis[0].axisLabel.show,
    };
}"""


def _open(chromium, live_server, user, width, height):
    context, page, errors = _page(chromium, live_server, width, height)
    sign_in(page, live_server, user)
    page.goto("/cockpit/")
    # The figures are on the page before ECharts is even asked for.
    assert page.locator('[data-testid="cockpit-kpis"]').is_visible()
    # Charts are drawn as they come near the screen: none below the fold until scrolled to.
    assert page.locator('[data-chart="quota"] canvas').count() == 0
    draw_all(page)
    page.evaluate("window.scrollTo(0, 0)")
    return context, page, errors


def _assert_gauges_fit(layout):
    left, right = layout["gauges"]
    assert left["x"] + left["r"] < right["x"] - right["r"], layout  # no overlap
    for g in layout["gauges"]:
        assert g["x"] - g["r"] >= 0 and g["x"] + g["r"] <= layout["width"], layout  # not clipped
        assert g["y"] - g["r"] >= 0 and g["y"] + g["r"] <= layout["height"], layout


def test_the_cockpit_fits_a_phone(chromium, live_server, city_staff):  # noqa: F811
    context, page, errors = _open(chromium, live_server, city_staff, 390, 844)
    try:
        layout = page.evaluate(LAYOUT)
        _assert_gauges_fit(layout)
        assert layout["legend"] == "horizontal"  # under the donut, not over its labels
        assert layout["responseNames"] == "beside"
        assert layout["polygons"] == 10 and not layout["axisLabels"]
        assert_fits(page, 390)
        for name in ("quota", "duties", "response", "map"):
            page.locator(f'[data-chart="{name}"]').screenshot(path=str(screenshot_path(f"cockpit-390-{name}")))
        assert errors == []
    finally:
        context.close()


def test_the_cockpit_on_a_desktop_keeps_the_tab_bar_off_the_charts(chromium, live_server, city_staff):  # noqa: F811
    context, page, errors = _open(chromium, live_server, city_staff, 1366, 900)
    try:
        layout = page.evaluate(LAYOUT)
        _assert_gauges_fit(layout)
        assert layout["legend"] == "vertical" and layout["polygons"] == 10 and layout["responseNames"] == "beside"
        page.locator('[data-chart="quota"]').scroll_into_view_if_needed()
        bar = page.locator(".app-tabbar").bounding_box()
        quota = page.locator('[data-chart="quota"]').bounding_box()
        assert bar["y"] >= quota["y"] + quota["height"], (bar, quota)
        page.evaluate("window.scrollTo(0, document.body.scrollHeight)")
        bar = page.locator(".app-tabbar").bounding_box()
        rules = page.locator(".cockpit-rules").bounding_box()
        assert bar["y"] >= rules["y"] + rules["height"]
        screenshot(page, "cockpit-1366")
        assert errors == []
    finally:
        context.close()


def screenshot_path(name: str):
    from tests.browser.conftest import SCREENSHOTS

    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    return SCREENSHOTS / f"{name}.png"
