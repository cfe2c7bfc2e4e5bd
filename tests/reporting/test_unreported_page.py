"""本季度未报到 (``/work/unreported/``), where a quarter list leads: the secretary's own members
only, for an outsider, a neighbouring community, a grid secretary and the anonymous; its query
count does not grow with the list. And the hours page shows both totals."""

from datetime import datetime, timedelta

import pytest
from django.utils import timezone

from grids.models import Post
from reporting.worktime import quarter_of
from tests.accounts.factories import UserFactory
from tests.grids.factories import MemberFactory, PostFactory
from tests.pages import browser_for, html, page_queries
from tests.rankings.factories import ConfirmedRecordFactory
from tests.reporting.factories import VisitFactory

pytestmark = pytest.mark.django_db
URL = "/work/unreported/"


def _now_in_quarter() -> datetime:
    """A moment earlier in this quarter (or now, on its first day)."""
    now = timezone.now()
    earlier = now - timedelta(hours=1)
    return earlier if quarter_of(earlier) == quarter_of(now) else now


@pytest.fixture
def members(community, other_community, grid):
    missing = MemberFactory(community=community, grid=grid, user=UserFactory(name="张未报"))
    started = _now_in_quarter() - timedelta(minutes=90)
    if quarter_of(started) != quarter_of(timezone.now()):
        started = _now_in_quarter()
    ConfirmedRecordFactory(member=missing, started_at=started, minutes=90, quota_minutes=90)
    seen = MemberFactory(community=community, user=UserFactory(name="王已报"))
    VisitFactory(member=seen, community=community, visited_at=_now_in_quarter())
    elsewhere = MemberFactory(community=other_community, user=UserFactory(name="赵邻社"))
    return {"missing": missing, "seen": seen, "elsewhere": elsewhere}


def test_the_secretary_sees_their_communitys_members_not_reported(members, secretary):
    body = html(browser_for(secretary).get(URL))
    assert "张未报" in body and "王已报" not in body and "赵邻社" not in body
    assert "共 <strong>1</strong> 人" in body and "1.5 小时" in body


def test_a_neighbouring_communitys_secretary_sees_only_their_own(members, outsider):
    body = html(browser_for(outsider).get(URL))
    assert "赵邻社" in body and "张未报" not in body


def test_a_grid_secretary_sees_their_grid(members, grid):
    user = UserFactory()
    PostFactory(user=user, role=Post.Role.GRID_SECRETARY, community=None, grid=grid)
    body = html(browser_for(user).get(URL))
    assert "张未报" in body and "赵邻社" not in body


def test_the_street_sees_both_communities(members, street_officer):
    body = html(browser_for(street_officer).get(URL))
    assert "张未报" in body and "赵邻社" in body


def test_a_member_without_a_post_and_the_anonymous_are_refused(members):
    assert browser_for(members["missing"].user).get(URL).status_code == 403
    response = browser_for(None).get(URL)
    assert response.status_code == 302 and "/login/" in response["Location"]


def test_the_page_costs_the_same_for_more_members(members, community, secretary):
    c = browser_for(secretary)
    few = page_queries(c, URL)
    for _ in range(10):
        MemberFactory(community=community)
    assert page_queries(c, URL) == few


def test_the_hours_page_shows_both_totals(member, community):
    member.community = community
    member.save(update_fields=["community"])
    year = timezone.localdate().year
    # 120 confirmed minutes, 60 of them outside working hours (as stored when confirmed).
    ConfirmedRecordFactory(
        member=member, started_at=timezone.make_aware(datetime(year, 1, 6, 16)), minutes=120, quota_minutes=60
    )
    body = html(browser_for(member.user).get("/my/hours/"))
    assert 'data-testid="counted-hours">1<' in body and 'data-testid="confirmed-hours">2<' in body
    assert "计入 20 小时要求的时长" in body and "全部时长" in body
