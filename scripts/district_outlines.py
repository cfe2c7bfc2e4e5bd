"""Write static/geo/shaoguan-districts.json: Shaoguan's ten county-level districts as GeoJSON, for
the cockpit's map (drawn in the browser, no tile server).

The only geography the project holds is each district's approximate centre and the city's
bounds (grids/data/shaoguan-geography.json), so the outlines are a schematic: each district is
the part of the city's bounding box nearer to its centre than to any other (a Voronoi cell,
measured with longitude scaled by cos(latitude) so distances are true on the ground). The cells
tile the city with shared borders and each holds its own centre; the cockpit says they are
schematic. Rerun after changing the geography file:

    .venv/bin/python scripts/district_outlines.py
"""

from __future__ import annotations

import json
import math
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
SOURCE = ROOT / "grids" / "data" / "shaoguan-geography.json"
TARGET = ROOT / "static" / "geo" / "shaoguan-districts.json"


def clip(polygon: list[tuple[float, float]], a: tuple[float, float], b: tuple[float, float]):
    """The part of ``polygon`` on a's side of the perpendicular bisector of a–b (Sutherland–Hodgman)."""
    mx, my = (a[0] + b[0]) / 2, (a[1] + b[1]) / 2
    nx, ny = b[0] - a[0], b[1] - a[1]

    def inside(p):
        return (p[0] - mx) * nx + (p[1] - my) * ny <= 0

    def cross(p, q):
        dp = (p[0] - mx) * nx + (p[1] - my) * ny
        dq = (q[0] - mx) * nx + (q[1] - my) * ny
        t = dp / (dp - dq)
        return (p[0] + t * (q[0] - p[0]), p[1] + t * (q[1] - p[1]))

    out = []
    for i, p in enumerate(polygon):
        q = polygon[(i + 1) % len(polygon)]
        if inside(p):
            out.append(p)
            if not inside(q):
                out.append(cross(p, q))
        elif inside(q):
            out.append(cross(p, q))
    return out


def outlines(geography: dict) -> dict:
    bounds = geography["city"]["bounds_wgs84"]
    scale = math.cos(math.radians(geography["city"]["centre"][0]))
    # Work in a plane where one unit is the same distance both ways, then map back to degrees.
    box = [
        (bounds["lng_min"] * scale, bounds["lat_min"]),
        (bounds["lng_max"] * scale, bounds["lat_min"]),
        (bounds["lng_max"] * scale, bounds["lat_max"]),
        (bounds["lng_min"] * scale, bounds["lat_max"]),
    ]
    sites = [(d["centre"][1] * scale, d["centre"][0]) for d in geography["districts"]]
    features = []
    for district, site in zip(geography["districts"], sites, strict=True):
        cell = box
        for other in sites:
            if other != site:
                cell = clip(cell, site, other)
        ring = [[round(x / scale, 4), round(y, 4)] for x, y in cell]
        ring.append(ring[0])
        features.append(
            {
                "type": "Feature",
                "properties": {
                    "name": district["name"],
                    "code": district["code"],
                    "centre": [district["centre"][1], district["centre"][0]],
                },
                "geometry": {"type": "Polygon", "coordinates": [ring]},
            }
        )
    return {
        "type": "FeatureCollection",
        "properties": {"name": geography["city"]["name"], "schematic": True},
        "features": features,
    }


def main() -> None:
    geography = json.loads(SOURCE.read_text("utf-8"))
    TARGET.parent.mkdir(parents=True, exist_ok=True)
    TARGET.write_text(json.dumps(outlines(geography), ensure_ascii=False, separators=(",", ":")) + "\n", "utf-8")
    print(f"{TARGET.relative_to(ROOT)}: {len(geography['districts'])} districts")


if __name__ == "__main__":
    main()
