"""A captain runs the vanguard team on a 390 px phone: opens the team from 我的, adds a member by
phone, whistles a task to the team; a team member sees it in the task hall, a neighbouring
team's member does not."""

import datetime as dt
import re

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from grids.models import TeamMembership
from orders.models import Task
from tests.browser.conftest import _context, assert_fits, screenshot, sign_in
from tests.teams_support import build_teams

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

VIEWPORT = {"width": 390, "height": 844}


@pytest.fixture
def phone390(chromium, live_server):
    context = _context(chromium, live_server, VIEWPORT, is_mobile=True, has_touch=True, device_scale_factor=2)
    page = context.new_page()
    page.on("dialog", lambda dialog: dialog.accept())
    yield page
    context.close()


def test_a_captain_whistles_to_the_team_and_a_member_sees_it(phone390, live_server, community, grid, other_community):
    t = build_teams(community, grid, other_community)
    page = phone390

    # 我的 → 我的先锋队 → the team.
    sign_in(page, live_server, t.captain.user)
    page.goto("/me/")
    page.get_by_test_id("my-teams-link").click()
    expect(page.get_by_test_id("my-teams")).to_contain_text(t.team.name)
    page.get_by_role("link", name="管理").click()
    expect(page).to_have_url(re.compile(rf"/teams/{t.team.pk}/$"))
    expect(page.get_by_test_id("team-hours")).to_have_text("0.0")
    expect(page.get_by_test_id("team-members")).to_contain_text(t.plain.user.name)

    # Add a member of the community by phone.
    page.locator("#team_phone").fill(t.candidate.user.phone)
    page.get_by_role("button", name="添加").click()
    expect(page.locator(".app-message_success")).to_contain_text("已添加队员")
    expect(page.get_by_test_id("team-members")).to_contain_text(t.candidate.user.name)
    assert TeamMembership.objects.filter(team=t.team, member=t.candidate).exists()
    assert_fits(page, VIEWPORT["width"])
    screenshot(page, "team-390")

    # 吹哨 to the team.
    start = timezone.localtime(timezone.now() + dt.timedelta(days=2)).replace(
        hour=19, minute=0, second=0, microsecond=0
    )
    page.get_by_test_id("team-whistle").click()
    page.locator(".app-chip", has_text="环境保洁").click()
    page.locator("#id_title").fill("周末清理楼道杂物")
    page.locator("#id_address").fill("第三网格 2 栋楼道")
    end = start + dt.timedelta(hours=2)
    page.locator("#id_starts_at_date").select_option(start.date().isoformat())
    page.locator("#id_starts_at_time").select_option(f"{start:%H:%M}")
    page.locator("#id_ends_at_date").select_option(end.date().isoformat())
    page.locator("#id_ends_at_time").select_option(f"{end:%H:%M}")
    page.locator("#id_slots").fill("3")
    assert_fits(page, VIEWPORT["width"])
    screenshot(page, "team-whistle-390")
    page.get_by_role("button", name="向本队吹哨").click()
    expect(page.locator(".app-message_success")).to_contain_text("已向本队吹哨")
    expect(page.get_by_test_id("team-tasks")).to_contain_text("周末清理楼道杂物")
    expect(page.get_by_role("button", name="取消任务")).to_be_visible()
    assert_fits(page, VIEWPORT["width"])
    screenshot(page, "team-tasks-390")
    task = Task.objects.get()
    assert (task.visibility, task.team_id) == (Task.Visibility.TEAM, t.team.pk)

    # A team member sees it in the hall, marked with the team.
    page.context.clear_cookies()
    sign_in(page, live_server, t.plain.user)
    page.goto("/tasks/")
    row = page.locator(f'[data-task="{task.pk}"]')
    expect(row).to_contain_text("周末清理楼道杂物")
    expect(row.get_by_test_id("team-tag")).to_have_text(t.team.name)
    assert_fits(page, VIEWPORT["width"])
    screenshot(page, "team-hall-390")
    row.click()
    expect(page.get_by_role("button", name="我要接单")).to_be_visible()

    # A member of the neighbouring team, in the same community, does not.
    page.context.clear_cookies()
    sign_in(page, live_server, t.neighbour_member.user)
    page.goto("/tasks/")
    expect(page.get_by_test_id("hall")).to_contain_text("暂时没有可接的任务")
    assert page.goto(f"/tasks/{task.pk}/").status == 404
