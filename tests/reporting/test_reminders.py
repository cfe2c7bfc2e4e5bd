"""The weekly quota reminders: whom they pick, what they say and link to, once a week per member,
the channels each member allows; and the query cost of the selection."""

from datetime import date, datetime

import pytest

from grids.models import Member
from notifications.channels import Channel
from notifications.kinds import QUOTA_REMINDER
from notifications.models import Delivery, Notification
from notifications.services import channel_preferences_set
from reporting.models import QuotaReminder
from reporting.selectors.quota import members_to_remind
from reporting.services.quota import quota_minutes_fill
from reporting.services.reminders import ReminderLinks, quota_reminders_send
from reporting.worktime import SHANGHAI
from tests.accounts.factories import UserFactory
from tests.grids.factories import MemberFactory
from tests.rankings.factories import ConfirmedRecordFactory
from tests.reporting.factories import ServiceRecordFactory, VisitFactory

pytestmark = pytest.mark.django_db

LINKS = ReminderLinks(hours="/tasks/", visit="/me/")
TODAY = date(2026, 7, 1)  # day 182 of 365: the pace is 598.36 minutes; the third quarter, one day old
ON_PACE = 700  # on pace all that week (the last day, 5 July, asks for 611.5)


def _at(*args):
    return datetime(*args, tzinfo=SHANGHAI)


def _member(community, *, minutes=0, visited=False, **kwargs):
    m = MemberFactory(community=community, **kwargs)
    if minutes:
        # A Saturday: every minute outside working hours. No stored quota minutes, as rows written
        # in bulk: the job fills them before it reads.
        ConfirmedRecordFactory(member=m, started_at=_at(2026, 6, 6, 9), minutes=minutes)
    if visited:
        VisitFactory(member=m, community=community, visited_at=_at(2026, 7, 1, 8))
    return m


@pytest.fixture
def people(community):
    return {
        "both": _member(community),
        "hours": _member(community, minutes=120, visited=True),
        "visit": _member(community, minutes=ON_PACE),
        "fine": _member(community, minutes=ON_PACE, visited=True),
        "met": _member(community, minutes=1300, visited=True),
    }


def test_who_is_picked(people, community, other_community):
    # Not picked: not registered with a community; an inactive account; a kind the quota is not for.
    MemberFactory(community=None)
    _member(community, user=UserFactory(is_active=False))
    _member(other_community, kind=Member.Kind.RESIDENT, unit=None)
    # Minutes that do not count: pending, or inside working hours (a Wednesday 10:00–12:00).
    working = _member(community, visited=True)
    ServiceRecordFactory(member=working, community=community, started_at=_at(2026, 6, 6, 9), minutes=ON_PACE)
    ConfirmedRecordFactory(member=working, started_at=_at(2026, 6, 3, 10), minutes=ON_PACE, quota_minutes=0)
    quota_minutes_fill(year=2026)  # the selection reads stored quota minutes (the job fills them first)
    picked = {t.member_id: (t.hours_behind, t.visit_missing) for t in members_to_remind(TODAY)}
    assert picked == {
        people["both"].pk: (True, True),
        people["hours"].pk: (True, False),
        people["visit"].pk: (False, True),
        working.pk: (True, False),
    }


def test_the_selection_is_one_query_whatever_the_number(community, django_assert_num_queries):
    for _ in range(3):
        _member(community)
    with django_assert_num_queries(1):
        assert len(members_to_remind(TODAY)) == 3
    for _ in range(10):
        _member(community, minutes=60, visited=True)
    with django_assert_num_queries(1):
        assert len(members_to_remind(TODAY)) == 13


def test_what_each_reminder_says_and_where_it_leads(people):
    assert quota_reminders_send(links=LINKS, today=TODAY) == 3
    got = {n.user_id: n for n in Notification.objects.filter(kind=QUOTA_REMINDER)}
    assert set(got) == {people[k].user_id for k in ("both", "hours", "visit")}
    both, hours, visit = (got[people[k].user_id] for k in ("both", "hours", "visit"))
    assert both.title == "履职提醒：服务时长落后，本季度尚未报到" and both.url == "/me/"
    assert "应满 10 小时" in both.body and "9 月 30 日前" in both.body
    assert hours.title == "履职提醒：服务时长落后于年度进度" and hours.url == "/tasks/"
    assert "接单" in hours.body
    assert visit.title == "履职提醒：本季度尚未到社区报到" and visit.url == "/me/"
    rows = {r.member_id: r for r in QuotaReminder.objects.all()}
    assert rows[people["hours"].pk].counted_minutes == 120 and rows[people["hours"].pk].week == "2026-W27"
    assert (rows[people["both"].pk].hours_behind, rows[people["both"].pk].visit_missing) == (True, True)


def test_once_a_week_per_member(people, community):
    assert quota_reminders_send(links=LINKS, today=TODAY) == 3
    # Again on Wednesday and on Sunday of the same ISO week: nothing more.
    assert quota_reminders_send(links=LINKS, today=TODAY) == 0
    assert quota_reminders_send(links=LINKS, today=date(2026, 7, 5)) == 0
    # A member who falls behind later in the week is reminded on their first run.
    late = _member(community)
    assert quota_reminders_send(links=LINKS, today=date(2026, 7, 5)) == 1
    assert Notification.objects.filter(kind=QUOTA_REMINDER).count() == 4
    # The next week, everyone still behind again.
    assert quota_reminders_send(links=LINKS, today=date(2026, 7, 6)) == 4
    assert QuotaReminder.objects.filter(member=late).count() == 2
    assert Notification.objects.filter(kind=QUOTA_REMINDER, user=people["both"].user).count() == 2


def test_the_database_refuses_a_second_row_for_a_week(people):
    from django.db import IntegrityError, transaction

    quota_reminders_send(links=LINKS, today=TODAY)
    with pytest.raises(IntegrityError), transaction.atomic():
        QuotaReminder.objects.create(
            member=people["both"], week="2026-W27", hours_behind=True, visit_missing=False, counted_minutes=0
        )


class _Recording(Channel):
    sent: list[tuple[str, int]] = []

    def send(self, notification) -> None:
        _Recording.sent.append((self.name, notification.user_id))


class FakeWechat(_Recording):
    name = "wechat"


class FakeSms(_Recording):
    name = "sms"


def test_channels_follow_each_members_choice(people, settings, django_capture_on_commit_callbacks):
    settings.NOTIFICATION_CHANNELS = [
        "tests.reporting.test_reminders.FakeWechat",
        "tests.reporting.test_reminders.FakeSms",
        "notifications.channels.LogChannel",
    ]
    _Recording.sent = []
    # "both" keeps the defaults (WeChat on, SMS off); "hours" wants SMS too; "visit" wants neither.
    channel_preferences_set(user=people["hours"].user, kind=QUOTA_REMINDER, allowed={"sms": True})
    channel_preferences_set(user=people["visit"].user, kind=QUOTA_REMINDER, allowed={"wechat": False, "sms": False})
    with django_capture_on_commit_callbacks(execute=True):
        quota_reminders_send(links=LINKS, today=TODAY)
    u = {k: people[k].user_id for k in people}
    assert sorted(_Recording.sent) == sorted([("wechat", u["both"]), ("wechat", u["hours"]), ("sms", u["hours"])])
    # Always in the inbox, and the log channel (not a way out to the member) sees every one.
    assert Notification.objects.filter(user_id=u["visit"], kind=QUOTA_REMINDER).exists()
    assert Delivery.objects.filter(notification__user_id=u["visit"], channel="log").count() == 1
    assert not Delivery.objects.filter(notification__user_id=u["visit"]).exclude(channel="log").exists()
