"""评星定级: the one rule (stars_for), its thresholds' check, the nightly recompute."""

import io
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.core.management import call_command

from rankings.checks import star_thresholds
from rankings.models import MemberStars
from rankings.selectors.stars import stars_of
from rankings.services import member_stars_recompute
from rankings.stars import needs_text, parse_thresholds, rule_text, stars_for
from rankings.tasks import recompute_member_stars
from tests.grids.factories import MemberFactory
from tests.rankings.factories import ConfirmedRecordFactory, like, served_request
from tests.reporting.factories import VisitFactory

SH = ZoneInfo("Asia/Shanghai")
LEVELS = parse_thresholds("10/2/0/0,20/4/1/1,40/4/3/5,60/4/6/10")


def at(*args) -> datetime:
    return datetime(*args, tzinfo=SH)


@pytest.mark.parametrize(
    ("components", "stars", "needs"),
    [
        ((0, 0, 0, 0), 1, {"hours": 10, "quarters": 2}),
        ((9.95, 2, 0, 0), 1, {"hours": 0.1}),
        ((10, 2, 0, 0), 2, {"hours": 10, "quarters": 2, "outcomes": 1, "likes": 1}),
        ((20, 4, 1, 1), 3, {"hours": 20, "outcomes": 2, "likes": 4}),
        ((100, 3, 50, 50), 2, {"quarters": 1}),  # a missed quarter holds the stars at two
        ((45, 4, 3, 5), 4, {"hours": 15, "outcomes": 3, "likes": 5}),
        ((60, 4, 6, 10), 5, None),
    ],
)
def test_stars_for(components, stars, needs):
    assert stars_for(*components, levels=LEVELS) == (stars, needs)


def test_needs_in_words():
    assert needs_text({"hours": 3.5, "quarters": 1}) == "下一星还需 3.5 小时服务时长、1 个季度到社区报到"
    assert needs_text(None) == "已获五星，继续保持！"
    assert rule_text(LEVELS)[2].startswith("三星：工作时间以外服务满 20 小时、4 个季度到社区报到")


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("10/2/0/0,20/4/1/1,40/4/3/5", "应有 4 档"),
        ("10/2/0/0,20/4/1/1,40/4/3/5,abc", "格式不正确"),
        ("10/2/0/0,20/4/1/1,40/4/3/5,60/5/6/10", "不能超过 4"),
        ("10/2/0/0,20/4/1/1,40/3/3/5,60/4/6/10", "应逐级提高：4星"),
        ("10/2/0/0,20/4/1/1,20/4/1/1,60/4/6/10", "应逐级提高"),
    ],
)
def test_thresholds_must_parse_and_increase(text, message):
    with pytest.raises(ValueError, match=message):
        parse_thresholds(text)


def test_the_system_check_refuses_bad_thresholds_in_chinese(settings):
    assert star_thresholds(None) == []
    settings.STAR_THRESHOLDS = "20/4/1/1,10/2/0/0,40/4/3/5,60/4/6/10"
    (error,) = star_thresholds(None)
    assert error.id == "rankings.E002" and "STAR_THRESHOLDS 设置有误：评星标准应逐级提高" in error.msg


@pytest.mark.django_db
def test_recompute_scores_every_member_and_replaces_the_year(community, django_assert_max_num_queries):
    busy, idle = MemberFactory(community=community), MemberFactory(community=community)
    # 21 hours on Saturday evenings (stored quota minutes filled by the recompute), and a weekday
    # record of which only the part after 17:00 counts.
    for week in range(7):
        ConfirmedRecordFactory(member=busy, started_at=at(2026, 3, 7, 19) + timedelta(weeks=week), minutes=180)
    ConfirmedRecordFactory(member=busy, started_at=at(2026, 3, 3, 10), minutes=600)
    for month in (1, 4, 7, 10):
        VisitFactory(member=busy, community=community, visited_at=at(2026, month, 3, 10))
    served_request([busy], closed_at=at(2026, 5, 9, 20))
    like(busy, at=at(2026, 5, 9, 21))
    like(busy, at=at(2025, 5, 9, 21))  # last year
    with django_assert_max_num_queries(20):
        figures = member_stars_recompute(year=2026)
    assert figures["members"] == 2 and figures["by_stars"][3] == 1 and figures["by_stars"][1] == 1
    row = MemberStars.objects.get(member=busy, year=2026)
    # 7 × 180, the 180 of 10:00–20:00 on a Tuesday after 17:00, the served request's 60 (17:00–18:00).
    assert (row.stars, row.minutes, row.quarters, row.outcomes, row.likes) == (3, 1500, 4, 1, 1)
    assert MemberStars.objects.get(member=idle, year=2026).stars == 1
    member_stars_recompute(year=2026)  # twice: still one row each
    assert MemberStars.objects.filter(year=2026).count() == 2
    s = stars_of(busy, 2026)
    assert s.stars == 3 and s.next_needs == {"hours": 15, "outcomes": 2, "likes": 4}
    assert s.next_needs_text.startswith("下一星还需 15 小时服务时长")
    assert stars_of(busy, 2025) is None


@pytest.mark.django_db
def test_the_nightly_task_and_the_command(community):
    member = MemberFactory(community=community)
    with time_machine.travel(at(2027, 1, 1, 1, 40), tick=False):
        result = recompute_member_stars.apply().get()
    assert [r["year"] for r in result] == [2026, 2027]
    assert MemberStars.objects.filter(member=member).count() == 2
    call_command("recompute_stars", "--year", "2025", stdout=io.StringIO())
    assert MemberStars.objects.get(member=member, year=2025).stars == 1


def test_the_beat_schedule_runs_it_nightly(settings):
    entry = settings.CELERY_BEAT_SCHEDULE["recompute-member-stars"]
    assert entry["task"] == "rankings.tasks.recompute_member_stars"
    assert entry["schedule"].hour == {1} and entry["schedule"].minute == {40}
