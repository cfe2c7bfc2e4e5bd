"""The vendored front-end files are the ones scripts/vendor_assets.sh recorded: each checksum in
static/vendor/VERSIONS.txt and tests/browser/vendor/axe-core/VERSION.txt matches its file, every
page that draws charts loads our ECharts build, and no template still asks for the whole bundle."""

from __future__ import annotations

import hashlib
import re
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
RECORDS = {
    ROOT / "static" / "vendor" / "VERSIONS.txt": ROOT / "static" / "vendor",
    ROOT / "tests" / "browser" / "vendor" / "axe-core" / "VERSION.txt": ROOT
    / "tests"
    / "browser"
    / "vendor"
    / "axe-core",
}


def test_each_recorded_checksum_matches_its_file():
    checked = 0
    for record, folder in RECORDS.items():
        for line in record.read_text("utf-8").splitlines():
            if line.startswith("#"):
                continue
            name, sha = line.split()[0], line.split("sha256:")[1]
            path = next(p for p in folder.rglob(Path(line.split()[-2]).name) if p.is_file())
            assert hashlib.sha256(path.read_bytes()).hexdigest() == sha, (name, path)
            assert (path.parent / "LICENSE").is_file(), name
            checked += 1
    assert checked == 3  # weui, echarts, axe-core


def test_chart_pages_load_the_custom_echarts_build():
    templates = list((ROOT / "templates").rglob("*.html"))
    assert not [t for t in templates if "echarts.min.js" in t.read_text("utf-8")]
    cockpit = (ROOT / "templates" / "rankings" / "cockpit.html").read_text("utf-8")
    history = (ROOT / "templates" / "rankings" / "board_history.html").read_text("utf-8")
    assert "vendor/echarts/echarts.custom.min.js" in cockpit and "vendor/echarts/echarts.custom.min.js" in history
    # Only deferred scripts on the cockpit: its figures paint before any chart code runs.
    assert all("defer" in tag for tag in re.findall(r"<script src=[^>]*>", cockpit))
