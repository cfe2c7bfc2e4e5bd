"""The follow-up jobs run twice at once (a beat restarted, a redelivered message) on PostgreSQL:
separate connections, the unique rows deciding who sends; every member and every community hears
once."""

from datetime import date

import pytest

from grids.models import Post
from notifications.kinds import QUARTER_UNREPORTED, QUOTA_REMINDER
from notifications.models import Notification
from reporting.models import QuarterList, QuotaReminder
from reporting.services.reminders import ReminderLinks, quarter_lists_send, quota_reminders_send
from tests.grids.factories import MemberFactory, PostFactory
from tests.orders.support import burst

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]


def test_a_burst_of_weekly_runs_reminds_each_member_once(community, other_community):
    members = [MemberFactory(community=c) for c in (community, other_community) for _ in range(15)]
    links = ReminderLinks(hours="/tasks/", visit="/me/")
    sent: list[int] = []
    outcomes = burst(lambda: sent.append(quota_reminders_send(links=links, today=date(2026, 7, 1))), times=6)
    assert outcomes == ["ok"] * 6
    assert sum(sent) == len(members) and sorted(sent)[-1] >= 1
    assert QuotaReminder.objects.count() == len(members)
    per_user = Notification.objects.filter(kind=QUOTA_REMINDER).values_list("user_id", flat=True)
    assert sorted(per_user) == sorted(m.user_id for m in members)


def test_a_burst_of_daily_runs_sends_each_list_once(community, other_community, secretary):
    PostFactory(role=Post.Role.SECRETARY, community=other_community)
    for c in (community, other_community):
        for _ in range(5):
            MemberFactory(community=c)
    totals: list[dict] = []
    outcomes = burst(lambda: totals.append(quarter_lists_send(today=date(2026, 12, 1))), times=6)
    assert outcomes == ["ok"] * 6
    assert sum(t["communities"] for t in totals) == 2
    assert QuarterList.objects.count() == 2
    assert Notification.objects.filter(kind=QUARTER_UNREPORTED).count() == 2
    assert Notification.objects.filter(kind=QUARTER_UNREPORTED, user=secretary).count() == 1
