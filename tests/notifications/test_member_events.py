"""What members hear of: a task whistled to their community, their hours confirmed, corrected or
not counted, a like, a no-show mark, a reminder. Each reaches the inbox with a link to the page
that acts on it, after commit, and goes out on the channels the member allows for its kind."""

import datetime as dt
import math

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from grids.models import Member
from notifications.channels import Channel
from notifications.kinds import KINDS, LIKE_RECEIVED, NO_SHOW, SERVICE_HOURS, TASK_REMINDER, TASK_WHISTLED
from notifications.models import Delivery, Notification
from notifications.services import INSERT_BATCH, channel_preferences_set
from orders.models import Acceptance, ServiceRequest, Task
from orders.services.acceptances import acceptances_mark_no_show
from orders.services.dispatch import tasks_send_reminders
from orders.services.request_closing import request_rate
from orders.services.task_notices import task_whistle_tell_members
from orders.services.tasks import task_accept, task_create
from reporting.services.records import service_record_confirm, service_record_correct, service_record_reject
from tests.accounts.factories import UserFactory
from tests.grids.factories import MemberFactory, PairingFactory, UnitFactory
from tests.orders.api_support import evening
from tests.orders.factories import AcceptanceFactory, ServiceRequestFactory, TaskFactory
from tests.orders.support import served
from tests.pages import browser_for, html
from tests.reporting.factories import ServiceRecordFactory

pytestmark = pytest.mark.django_db


class FakeWechat(Channel):
    name = "wechat"
    sent: list = []

    def send(self, notification):
        self.sent.append((notification.user_id, notification.kind))


class FakeSms(FakeWechat):
    name = "sms"
    sent: list = []


@pytest.fixture
def channels(settings):
    FakeWechat.sent, FakeSms.sent = [], []
    settings.NOTIFICATION_CHANNELS = [f"{__name__}.FakeWechat", f"{__name__}.FakeSms"]
    return FakeWechat.sent, FakeSms.sent


@pytest.fixture
def placed(member, community):
    member.community = community
    member.save(update_fields=["community"])
    return member


def inbox(user, kind):
    return list(Notification.objects.filter(user=user, kind=kind))


def whistle(secretary, community, **kwargs):
    start = evening(2)
    return task_create(
        actor=secretary,
        community=community,
        focus="service",
        duty="convenience",
        title="楼道杂物清理",
        address="工业中路 12 号",
        lat=community.lat,
        lng=community.lng,
        starts_at=start,
        ends_at=start + dt.timedelta(hours=2),
        slots=4,
        **kwargs,
    )


# --- a task whistled to the community ------------------------------------------------------


def test_a_whistled_task_reaches_the_communitys_members_once(
    placed, secretary, community, other_community, django_capture_on_commit_callbacks
):
    neighbour = MemberFactory(community=other_community)
    # The secretary is a member of the community too: they published it and are not told.
    MemberFactory(user=secretary, community=community)
    resident = UserFactory()
    with django_capture_on_commit_callbacks(execute=True):
        task = whistle(secretary, community)
    [notice] = inbox(placed.user, TASK_WHISTLED)
    assert notice.url == f"/tasks/{task.pk}/" and notice.title == "工业中社区吹哨：楼道杂物清理"
    for nobody in (neighbour.user, secretary, resident):
        assert not inbox(nobody, TASK_WHISTLED)
    # Run again (a retried job): nobody is told twice.
    assert task_whistle_tell_members(task_id=task.pk) == 0
    assert len(inbox(placed.user, TASK_WHISTLED)) == 1
    # The link opens the task for the member.
    assert browser_for(placed.user).get(notice.url).status_code == 200


def test_nothing_is_told_before_the_task_commits(placed, secretary, community, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        whistle(secretary, community)
    assert not Notification.objects.exists() and len(callbacks) == 1


def test_paired_units_hear_of_a_task_open_to_them_and_not_of_a_community_one(
    placed, secretary, community, django_capture_on_commit_callbacks
):
    unit = UnitFactory()
    PairingFactory(unit=unit, community=community)
    paired = MemberFactory(unit=unit, community=None)
    with django_capture_on_commit_callbacks(execute=True):
        whistle(secretary, community)
    assert not inbox(paired.user, TASK_WHISTLED)
    with django_capture_on_commit_callbacks(execute=True):
        whistle(secretary, community, visibility=Task.Visibility.PAIRED)
    assert len(inbox(paired.user, TASK_WHISTLED)) == 1
    assert len(inbox(placed.user, TASK_WHISTLED)) == 2


def test_a_task_no_longer_open_is_announced_to_nobody(placed, community):
    task = TaskFactory(community=community, status=Task.Status.FULL, taken=5)
    assert task_whistle_tell_members(task_id=task.pk) == 0
    assert not Notification.objects.exists()


def test_the_fan_out_takes_the_same_queries_for_3_or_300_members(community, other_community, settings):
    settings.NOTIFICATION_CHANNELS = []  # delivery is a job of its own; counted here: the fan-out
    counts = []
    for place, n in ((community, 3), (other_community, 300)):
        task = TaskFactory(community=place)
        Member.objects.bulk_create(
            [Member(user=u, community=place, kind=Member.Kind.COMMUNITY_PARTY) for u in UserFactory.create_batch(n)]
        )
        with CaptureQueriesContext(connection) as ctx:
            assert task_whistle_tell_members(task_id=task.pk) == n
        counts.append(len(ctx.captured_queries))
    # Only the INSERT grows, by one statement per batch of rows (PostgreSQL: 1,000 a batch;
    # SQLite fits fewer in one statement): never a query per member.
    fields = [f for f in Notification._meta.concrete_fields if not f.primary_key]
    batch = min(INSERT_BATCH, connection.ops.bulk_batch_size(fields, [None] * 300))
    assert counts[0] <= 8 and counts[1] == counts[0] + math.ceil(300 / batch) - 1, counts


def test_channels_follow_the_members_choice_for_the_kind(
    placed, secretary, community, channels, django_capture_on_commit_callbacks
):
    wechat, sms = channels
    other = MemberFactory(community=community)
    channel_preferences_set(user=other.user, kind=TASK_WHISTLED, allowed={"wechat": False, "sms": True})
    with django_capture_on_commit_callbacks(execute=True):
        whistle(secretary, community)
    # The default for the kind is WeChat only.
    assert (placed.user_id, TASK_WHISTLED) in wechat and (placed.user_id, TASK_WHISTLED) not in sms
    assert (other.user_id, TASK_WHISTLED) in sms and (other.user_id, TASK_WHISTLED) not in wechat
    assert len(inbox(other.user, TASK_WHISTLED)) == 1  # the inbox gets it whatever the channels
    assert Delivery.objects.filter(notification__user=other.user, channel="wechat").count() == 0


# --- hours ---------------------------------------------------------------------------------


@pytest.fixture
def record(placed, community):
    return ServiceRecordFactory(member=placed, community=community, minutes=120, title="楼道杂物清理", status="pending")


def test_hours_confirmed_corrected_and_rejected_reach_the_member(
    record, placed, secretary, street_officer, community, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        service_record_confirm(record=record, actor=secretary)
    [confirmed] = inbox(placed.user, SERVICE_HOURS)
    assert confirmed.title == "社区已确认服务时长：楼道杂物清理" and confirmed.url == "/my/hours/"
    assert "120 分钟" in confirmed.body
    with django_capture_on_commit_callbacks(execute=True):
        service_record_correct(record=record, actor=street_officer, minutes=90, reason="提前离场")
    corrected = Notification.objects.filter(user=placed.user, kind=SERVICE_HOURS).order_by("-pk").first()
    assert corrected.title.startswith("服务时长已更正") and "由 120 分钟更正为 90 分钟" in corrected.body
    assert "提前离场" in corrected.body
    other = ServiceRecordFactory(member=placed, community=community, minutes=60, status="pending")
    with django_capture_on_commit_callbacks(execute=True):
        service_record_reject(record=other, actor=secretary, reason="未到场")
    rejected = Notification.objects.filter(user=placed.user, kind=SERVICE_HOURS).order_by("-pk").first()
    assert rejected.title.startswith("服务时长未予认定") and "未到场" in rejected.body
    # Nobody else hears of the member's hours, the staff who acted included.
    assert set(Notification.objects.filter(kind=SERVICE_HOURS).values_list("user_id", flat=True)) == {placed.user_id}
    assert browser_for(placed.user).get(confirmed.url).status_code == 200


def test_a_rolled_back_confirmation_tells_nobody(record, secretary, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        service_record_confirm(record=record, actor=secretary)
    assert not Notification.objects.exists() and callbacks


# --- likes ---------------------------------------------------------------------------------


def test_a_like_reaches_the_member_liked_and_nobody_else(
    community, secretary, resident, django_capture_on_commit_callbacks
):
    task = TaskFactory(community=community, created_by=secretary, status=Task.Status.COMPLETED)
    request = ServiceRequestFactory(
        community=community, requester=resident, task=task, status=ServiceRequest.Status.RESOLVED
    )
    liked, other = (served(task, MemberFactory(community=community)) for _ in range(2))
    with django_capture_on_commit_callbacks(execute=True):
        request_rate(request=request, actor=resident, score=5, comment="很及时", liked_member_ids=[liked.member_id])
    [notice] = inbox(liked.member.user, LIKE_RECEIVED)
    assert notice.url == "/my/likes/" and request.title in notice.title
    assert not inbox(other.member.user, LIKE_RECEIVED) and not inbox(resident, LIKE_RECEIVED)
    page = browser_for(liked.member.user).get(notice.url)
    assert page.status_code == 200 and "很及时" in html(page) and task.title in html(page)
    assert task.title not in html(browser_for(other.member.user).get(notice.url))


# --- no-shows and reminders ------------------------------------------------------------------


def test_a_no_show_mark_reaches_the_member(placed, community, django_capture_on_commit_callbacks):
    task = TaskFactory(
        community=community,
        starts_at=timezone.now() - dt.timedelta(hours=3),
        ends_at=timezone.now() - dt.timedelta(hours=1),
    )
    acc = AcceptanceFactory(task=task, member=placed, starts_at=task.starts_at, ends_at=task.ends_at)
    came = served(task, MemberFactory(community=community))
    with django_capture_on_commit_callbacks(execute=True):
        assert acceptances_mark_no_show() == 1
    acc.refresh_from_db()
    assert acc.status == Acceptance.Status.NO_SHOW
    [notice] = inbox(placed.user, NO_SHOW)
    assert notice.url == "/my/tasks/" and task.title in notice.title
    assert not inbox(came.member.user, NO_SHOW)
    assert browser_for(placed.user).get(notice.url).status_code == 200


def test_a_task_reminder_reaches_the_inbox_and_follows_the_choice(
    placed, community, channels, django_capture_on_commit_callbacks
):
    wechat, sms = channels
    task = TaskFactory(community=community, starts_at=timezone.now() + dt.timedelta(hours=1, minutes=30))
    task.ends_at = task.starts_at + dt.timedelta(hours=2)
    task.save(update_fields=["ends_at"])
    task_accept(task=task, member=placed)
    channel_preferences_set(user=placed.user, kind=TASK_REMINDER, allowed={"sms": False})
    with django_capture_on_commit_callbacks(execute=True):
        tasks_send_reminders()
    [notice] = inbox(placed.user, TASK_REMINDER)
    assert notice.url.startswith("/")
    assert (placed.user_id, TASK_REMINDER) in wechat and (placed.user_id, TASK_REMINDER) not in sms


def test_the_settings_page_lists_the_members_kinds(placed):
    page = html(browser_for(placed.user).get("/inbox/settings/"))
    for kind in (TASK_WHISTLED, SERVICE_HOURS, LIKE_RECEIVED, NO_SHOW, TASK_REMINDER):
        assert KINDS[kind].label in page
        assert f'name="{kind}:wechat"' in page
