"""The cockpit map's district outlines (static/geo/shaoguan-districts.json, made by
scripts/district_outlines.py): one cell per district, each holding its own centre, together
tiling the city's bounds, and the shipped file is what the script makes from the geography."""

from __future__ import annotations

import importlib.util
import json
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
SHIPPED = ROOT / "static" / "geo" / "shaoguan-districts.json"


def _script():
    spec = importlib.util.spec_from_file_location("district_outlines", ROOT / "scripts" / "district_outlines.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def _area(ring):
    return abs(sum(x0 * y1 - x1 * y0 for (x0, y0), (x1, y1) in zip(ring, ring[1:], strict=False))) / 2


def _inside(point, ring):
    x, y = point
    hit = False
    for (x0, y0), (x1, y1) in zip(ring, ring[1:], strict=False):
        if (y0 > y) != (y1 > y) and x < x0 + (y - y0) * (x1 - x0) / (y1 - y0):
            hit = not hit
    return hit


def test_each_district_is_one_cell_holding_its_centre_and_the_cells_tile_the_city():
    script = _script()
    geography = json.loads(script.SOURCE.read_text("utf-8"))
    outline = script.outlines(geography)
    assert [f["properties"]["name"] for f in outline["features"]] == [d["name"] for d in geography["districts"]]
    for feature in outline["features"]:
        assert _inside(feature["properties"]["centre"], feature["geometry"]["coordinates"][0]), feature["properties"]
    b = geography["city"]["bounds_wgs84"]
    box = (b["lng_max"] - b["lng_min"]) * (b["lat_max"] - b["lat_min"])
    total = sum(_area(f["geometry"]["coordinates"][0]) for f in outline["features"])
    assert abs(total - box) / box < 0.001


def test_the_shipped_outlines_are_what_the_script_makes():
    script = _script()
    made = script.outlines(json.loads(script.SOURCE.read_text("utf-8")))
    assert json.loads(SHIPPED.read_text("utf-8")) == made
