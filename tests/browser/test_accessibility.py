"""axe-core (vendored from npm, tests/browser/vendor/axe-core/) in Chromium over the pages each role
works in, on the demo's data, at 390 px and 1366 px: no serious or critical finding. Every finding
(any impact) is written to test-output/axe/, with a screenshot of each page."""

from __future__ import annotations

import io
import json
import re
from pathlib import Path

import pytest
from django.core.management import call_command

from rankings.cockpit.services import cockpit_rebuild
from tests.browser.conftest import SCREENSHOTS, sign_in
from tests.rankings.cockpit_support import yesterday

pytestmark = [pytest.mark.browser, pytest.mark.slow, pytest.mark.django_db(transaction=True)]

AXE = Path(__file__).resolve().parent / "vendor" / "axe-core" / "axe.min.js"
FINDINGS = SCREENSHOTS.parent / "axe"
SEVERE = {"serious", "critical"}

# Demo accounts (README) and what each opens; "{task}" is the first task in the member's hall;
# /work/requests/ lists the demo's pending requests, each with its 审核 button.
ROLES = {
    "anonymous": (None, ["/", "/login/"]),
    "resident": ("13800138001", ["/", "/order/", "/me/"]),
    "member": ("13800138002", ["/", "/tasks/", "{task}", "/boards/", "/me/"]),
    "secretary": ("13800138003", ["/", "/work/tasks/new/", "/work/requests/", "/me/"]),
    "district": ("13800138005", ["/", "/cockpit/", "/boards/", "/me/"]),
}


@pytest.fixture
def demo(db):
    call_command("seed_demo", stdout=io.StringIO())
    call_command("demo_activity", stdout=io.StringIO())
    cockpit_rebuild(day=yesterday())


def _scan(page) -> list[dict]:
    if not page.evaluate("() => typeof window.axe !== 'undefined'"):
        page.add_script_tag(path=str(AXE))
    result = page.evaluate("async () => (await axe.run(document, { resultTypes: ['violations'] })).violations")
    return [
        {
            "id": v["id"],
            "impact": v["impact"],
            "help": v["help"],
            "nodes": [{"target": n["target"], "summary": n.get("failureSummary", "")} for n in v["nodes"][:8]],
        }
        for v in result
    ]


def _slug(path: str) -> str:
    return re.sub(r"[^a-z0-9]+", "-", path.strip("/").lower()) or "home"


@pytest.mark.parametrize("width,height", [(390, 844), (1366, 900)], ids=["390", "1366"])
def test_no_serious_or_critical_axe_findings(chromium, live_server, demo, width, height):
    from accounts.models import User

    severe, report = [], {}
    for role, (phone, paths) in ROLES.items():
        context = chromium.new_context(
            viewport={"width": width, "height": height},
            locale="zh-CN",
            timezone_id="Asia/Shanghai",
            base_url=live_server.url,
        )
        context.set_default_timeout(15_000)
        page = context.new_page()
        try:
            if phone:
                sign_in(page, live_server, User.objects.get(phone=phone))
            for path in paths:
                if path == "{task}":
                    page.goto("/tasks/")
                    path = page.locator('a[href^="/tasks/"]').first.get_attribute("href")
                page.goto(path)
                page.wait_for_load_state("networkidle")
                name = f"{role}-{_slug(path)}-{width}"
                findings = _scan(page)
                report[name] = findings
                severe += [
                    f"{name}: {f['id']} ({f['impact']}) {f['nodes'][0]['target']}"
                    for f in findings
                    if f["impact"] in SEVERE
                ]
                SCREENSHOTS.mkdir(parents=True, exist_ok=True)
                page.screenshot(path=str(SCREENSHOTS / f"axe-{name}.png"), full_page=width > 400)
        finally:
            context.close()
    FINDINGS.mkdir(parents=True, exist_ok=True)
    (FINDINGS / f"findings-{width}.json").write_text(json.dumps(report, ensure_ascii=False, indent=1), "utf-8")
    assert severe == [], "\n".join(severe)
