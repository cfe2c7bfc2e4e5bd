"""The cockpit in Chromium: its charts render on a desktop and, stacked, on a phone — the trend and
the bar charts as SVG from the server, the map, the donut and the gauges as ECharts canvases once
scrolled to, with no script errors; a configured tile layer is laid behind the map."""

from __future__ import annotations

import base64
import io
import itertools

import pytest
from PIL import Image

from grids.models import Post
from rankings.cockpit.services import cockpit_rebuild
from tests.browser.conftest import assert_fits, screenshot, sign_in
from tests.rankings.cockpit_support import build_city, staff, yesterday

pytestmark = [pytest.mark.browser, pytest.mark.slow, pytest.mark.django_db(transaction=True)]

SVG = ["trend", "areas", "response"]  # drawn on the server
DRAWN = ["map", "duties", "quota"]  # drawn by ECharts in the browser
CHARTS = SVG + DRAWN


def _grey_tile() -> str:
    """An opaque grey PNG as a data URL: a "tile server" that needs no network."""
    buffer = io.BytesIO()
    Image.new("RGB", (8, 8), GREY).save(buffer, "PNG")
    return "data:image/png;base64," + base64.b64encode(buffer.getvalue()).decode()


GREY = (200, 200, 200)


def _page(chromium, live_server, width: int, height: int):
    context = chromium.new_context(
        viewport={"width": width, "height": height},
        locale="zh-CN",
        timezone_id="Asia/Shanghai",
        base_url=live_server.url,
    )
    context.set_default_timeout(15_000)
    page = context.new_page()
    errors: list[str] = []
    page.on("pageerror", lambda exc: errors.append(str(exc)))
    return context, page, errors


def draw_all(page) -> None:
    """Scroll each ECharts chart into view (they are drawn as they come near the screen) and wait for it."""
    for name in DRAWN:
        page.locator(f'[data-chart="{name}"]').scroll_into_view_if_needed()
        page.wait_for_selector(f'[data-chart="{name}"] canvas')


def _chart_sizes(page) -> dict[str, list[int]]:
    """Each chart's drawing (its canvas, or its SVG's plot), width × height in CSS pixels."""
    return page.evaluate(
        """(names) => Object.fromEntries(names.map((name) => {
            const drawing = document.querySelector('[data-chart="' + name + '"] canvas, [data-chart="' + name + '"] svg');
            const box = drawing ? drawing.getBoundingClientRect() : { width: 0, height: 0 };
            return [name, [Math.round(box.width), Math.round(box.height)]];
        }))""",
        CHARTS,
    )


# Every shown text of the server's charts, with its box and the box of its chart's panel.
SVG_TEXTS = """() => [...document.querySelectorAll('[data-chart] svg text')]
    .filter((t) => getComputedStyle(t).display !== 'none')
    .map((t) => {
        const box = t.getBoundingClientRect(), panel = t.closest('.cockpit-panel').getBoundingClientRect();
        return { chart: t.closest('[data-chart]').dataset.chart, text: t.textContent, cls: t.getAttribute('class'),
                 left: box.left, right: box.right, top: box.top, bottom: box.bottom,
                 panelLeft: panel.left, panelRight: panel.right, panelTop: panel.top, panelBottom: panel.bottom };
    })"""


def assert_svg_charts_readable(page) -> None:
    """The server's charts keep every label inside their panel, and the week labels do not overlap."""
    texts = page.evaluate(SVG_TEXTS)
    assert {t["chart"] for t in texts} == set(SVG), texts
    for t in texts:
        assert t["left"] >= t["panelLeft"] - 0.5 and t["right"] <= t["panelRight"] + 0.5, t
        assert t["top"] >= t["panelTop"] - 0.5 and t["bottom"] <= t["panelBottom"] + 0.5, t
    weeks = sorted((t for t in texts if t["cls"].startswith("chart-tick")), key=lambda t: t["left"])
    assert len(weeks) >= 6, weeks
    for a, b in itertools.pairwise(weeks):
        assert a["right"] + 2 <= b["left"], (a, b)


@pytest.fixture
def city_staff(db):
    build_city()
    cockpit_rebuild(day=yesterday())
    return staff(Post.Role.CITY_STAFF)


def test_the_cockpit_draws_its_charts_on_a_desktop_and_a_phone(chromium, live_server, city_staff):
    context, page, errors = _page(chromium, live_server, 1366, 900)
    try:
        sign_in(page, live_server, city_staff)
        page.goto("/cockpit/")
        draw_all(page)
        sizes = _chart_sizes(page)
        for name, (w, h) in sizes.items():
            assert w > 200 and h > (80 if name == "areas" else 200), f"{name}: {w}×{h}"
        assert_svg_charts_readable(page)
        assert page.locator("[data-testid=cockpit-kpis]").inner_text().count("\n") >= 4
        assert "韶关市" in page.locator("h1").inner_text()
        # The panels sit side by side on a desktop.
        trend = page.locator('[data-chart="trend"]').bounding_box()
        areas = page.locator('[data-chart="areas"]').bounding_box()
        duties = page.locator('[data-chart="duties"]').bounding_box()
        assert trend["width"] > 1000 and areas["width"] < 700
        assert abs(areas["x"] - duties["x"]) < 2
        # Each district's row drills down to the district, and so does its bar.
        page.locator("[data-testid=cockpit-areas] a").first.click()
        page.wait_for_url("**/cockpit/?scope=district*")
        draw_all(page)
        page.goto("/cockpit/")
        page.locator('[data-chart="areas"] svg a').first.click()
        page.wait_for_url("**/cockpit/?scope=district*")
        assert page.locator('[data-chart="areas"] svg').count() == 1
        page.goto("/cockpit/")
        draw_all(page)
        screenshot(page, "cockpit-city")
        assert errors == []
    finally:
        context.close()

    context, page, errors = _page(chromium, live_server, 390, 844)
    try:
        sign_in(page, live_server, city_staff)
        page.goto("/cockpit/")
        # The trend is on the page at once; ECharts is not fetched before a chart needing it is seen.
        assert page.locator('[data-chart="trend"] svg polyline').count() == 3
        assert page.evaluate("typeof window.echarts") == "undefined"
        draw_all(page)
        for name, (w, h) in _chart_sizes(page).items():
            assert w > (150 if name in SVG else 300) and h > (80 if name == "areas" else 200), f"{name}: {w}×{h}"
        assert_svg_charts_readable(page)
        trend = page.locator('[data-chart="trend"]').bounding_box()
        map_box = page.locator('[data-chart="map"]').bounding_box()
        assert map_box["y"] > trend["y"] + trend["height"]  # stacked, one column
        assert_fits(page, 390)
        screenshot(page, "cockpit-city-390")
        assert errors == []
    finally:
        context.close()


def test_a_configured_tile_layer_lies_behind_the_map(chromium, live_server, city_staff, settings):
    settings.COCKPIT_TILE_URL = _grey_tile()
    context, page, errors = _page(chromium, live_server, 1366, 900)
    try:
        sign_in(page, live_server, city_staff)
        page.goto("/cockpit/")
        draw_all(page)
        tiles = page.evaluate(
            """() => {
                const chart = echarts.getInstanceByDom(document.querySelector('[data-chart="map"]'));
                const graphic = chart.getOption().graphic;
                return graphic && graphic[0] ? graphic[0].elements.length : 0;
            }"""
        )
        assert 0 < tiles <= 80
        # A corner of the plot far from any community shows the tile, not the white page.
        pixel = page.evaluate(
            """() => {
                const canvas = document.querySelector('[data-chart="map"] canvas');
                const ratio = canvas.width / canvas.clientWidth;
                const data = canvas.getContext("2d").getImageData(Math.round(30 * ratio), Math.round(30 * ratio), 1, 1).data;
                return [data[0], data[1], data[2]];
            }"""
        )
        assert pixel == list(GREY)
        screenshot(page, "cockpit-city-tiles")
        assert errors == []
    finally:
        context.close()
