"""The boards page says what it is: updated every morning, and when this day was built — never 实时."""

import datetime as dt

import pytest
from django.utils import timezone

from rankings.models import Board, BoardDay
from rankings.selectors.published import PublishedDay
from tests.pages import browser_for, html
from tests.rankings.board_support import publish

pytestmark = pytest.mark.django_db


def test_built_label_is_local_time():
    built = dt.datetime(2026, 11, 30, 19, 5, tzinfo=dt.UTC).isoformat()
    assert PublishedDay(day=dt.date(2026, 11, 30), previous=None, built=built).built_label == "12月1日 03:05"
    assert PublishedDay(day=dt.date(2026, 11, 30), previous=None, built="").built_label == ""


def test_title_says_daily_and_when_it_was_built(member, settings):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    day = timezone.localdate() - dt.timedelta(days=1)
    publish(day, Board.MEMBERS, [{"subject_id": member.pk, "score": 10}])
    built = timezone.localtime(BoardDay.objects.get(day=day).built_at)
    page = html(browser_for(member.user).get("/boards/"))
    assert "实时" not in page
    assert '<h1 class="app-header__title">排行榜</h1>' in page
    assert "每日凌晨更新" in page and f"本次 {built.month}月{built.day}日 {built:%H:%M} 生成" in page


def test_before_the_first_build_it_says_when_boards_update(member, settings):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    page = html(browser_for(member.user).get("/boards/"))
    assert "实时" not in page and "每日凌晨更新" in page
