"""What happened, visibly: approving corrects the category and title (the task inherits them, the
event and the audit trail keep both); the request's story names who did what, masked as the
pages mask names, with check-in, check-out and likes; members see the likes they received; hours
records show the task's title and why their minutes are what they are."""

import datetime as dt

import pytest
import time_machine
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from core.models import AuditEntry
from grids.vocab import Duty
from orders.models import Like, RequestFollower, ServiceRequest, Task
from orders.selectors.request_story import request_story
from orders.services.acceptances import acceptance_check_in, acceptance_check_out
from orders.services.cascades import request_approve
from orders.services.tasks import task_accept
from reporting.selectors import COUNTING_RULE, counted_note
from tests.accounts.factories import UserFactory
from tests.conftest import client_for
from tests.grids.factories import MemberFactory
from tests.orders.api_support import V1, evening
from tests.orders.factories import ServiceRequestFactory, TaskFactory
from tests.orders.support import consent, on_site, served
from tests.pages import browser_for, html

pytestmark = pytest.mark.django_db
R = ServiceRequest.Status


@pytest.fixture
def wrong(community, resident):
    return ServiceRequestFactory(community=community, requester=resident, duty=Duty.SANITATION, title="灯")


# --- approving corrects ----------------------------------------------------------------------


def test_the_review_form_corrects_category_and_title_and_the_task_inherits_them(wrong, secretary):
    start = evening(2)
    r = browser_for(secretary).post(
        f"/work/requests/{wrong.pk}/approve/",
        {
            "duty": Duty.CONVENIENCE,
            "title": "3 栋楼道灯不亮",
            "focus": "service",
            "starts_at": start.strftime("%Y-%m-%dT%H:%M"),
            "ends_at": (start + dt.timedelta(hours=2)).strftime("%Y-%m-%dT%H:%M"),
            "slots": "2",
        },
    )
    assert r.status_code == 302
    wrong.refresh_from_db()
    assert (wrong.status, wrong.duty, wrong.title) == (R.APPROVED, Duty.CONVENIENCE, "3 栋楼道灯不亮")
    assert (wrong.task.duty, wrong.task.title) == (Duty.CONVENIENCE, "3 栋楼道灯不亮")
    event = wrong.events.get(to_status=R.APPROVED)
    assert "类别由“环境保洁”更正为“便民服务”" in event.note and "标题由“灯”更正为“3 栋楼道灯不亮”" in event.note
    audit = AuditEntry.objects.filter(object_type="orders.servicerequest", object_id=str(wrong.pk)).last()
    assert audit.changes["duty"] == [Duty.SANITATION, Duty.CONVENIENCE]
    assert audit.changes["title"] == ["灯", "3 栋楼道灯不亮"]


def test_the_form_left_as_it_was_corrects_nothing(wrong, secretary):
    start = evening(2)
    request_approve(
        request=wrong,
        actor=secretary,
        duty=wrong.duty,
        title=wrong.title,
        starts_at=start,
        ends_at=start + dt.timedelta(hours=2),
        slots=2,
    )
    wrong.refresh_from_db()
    assert "更正" not in wrong.events.get(to_status=R.APPROVED).note
    assert wrong.task.title == "灯"


def test_the_api_corrects_when_joining_an_existing_task(wrong, secretary, community):
    task = TaskFactory(community=community, title="楼道设施检修")
    r = client_for(secretary).post(
        f"{V1}/requests/{wrong.pk}/approve/",
        {"task_id": task.pk, "duty": Duty.CONVENIENCE, "title": "楼道灯坏了"},
        format="json",
    )
    assert r.status_code == 200, r.content.decode()
    body = r.json()
    assert (body["duty"], body["title"], body["task_id"]) == (Duty.CONVENIENCE, "楼道灯坏了", task.pk)
    task.refresh_from_db()
    assert task.title == "楼道设施检修"  # an existing task keeps its own words


def test_an_unknown_category_is_refused_and_nothing_changes(wrong, secretary):
    r = client_for(secretary).post(
        f"{V1}/requests/{wrong.pk}/approve/",
        {"duty": "nonsense", "starts_at": evening(2).isoformat(), "ends_at": evening(2).isoformat(), "slots": 1},
        format="json",
    )
    assert r.status_code == 400 and "duty" in r.json()["fields"]
    wrong.refresh_from_db()
    assert (wrong.status, wrong.duty) == (R.SUBMITTED, Duty.SANITATION)


# --- the story -----------------------------------------------------------------------------


@pytest.fixture
def done(community, resident, secretary):
    """A request approved into a task a member served (checked in early, out on time) and liked."""
    request = ServiceRequestFactory(community=community, requester=resident, title="水管漏水")
    start = evening(2)
    request_approve(request=request, actor=secretary, starts_at=start, ends_at=start + dt.timedelta(hours=2), slots=1)
    request.refresh_from_db()
    task = request.task
    member = MemberFactory(community=community, user=UserFactory(name="王建国"))
    consent(member)
    accepted = task_accept(task=task, member=member)
    with time_machine.travel(task.starts_at - dt.timedelta(minutes=18), tick=False):
        acceptance_check_in(acceptance=accepted, actor=member.user, **on_site(task))
    with time_machine.travel(task.starts_at + dt.timedelta(minutes=4), tick=False):
        record = acceptance_check_out(acceptance=accepted, actor=member.user).record
    Like.objects.create(request=request, member=member)
    return request, member, record


def _said(entries):
    return [(e.label, e.who) for e in entries]


def test_the_requester_sees_every_step_with_names(done, resident, secretary):
    request, member, _ = done
    story = _said(request_story(request, resident))
    assert ("已受理", "陈书记") in story
    assert ("接单", "王建国") in story and ("到场签到", "王建国") in story and ("签退", "王建国") in story
    like = [e for e in request_story(request, resident) if e.label == "点赞"]
    assert like and like[0].note == "居民为王建国点赞"


def test_a_follower_sees_names_masked(done):
    request, member, _ = done
    follower = UserFactory()
    RequestFollower.objects.create(request=request, user=follower)
    story = _said(request_story(request, follower))
    assert ("到场签到", "王**") in story and ("已受理", "陈**") in story
    assert all("王建国" not in who for _, who in story)
    page = html(browser_for(follower).get(f"/my/requests/{request.pk}/"))
    assert "王**" in page and "王建国" not in page


def test_the_member_sees_their_own_steps_as_theirs(done):
    request, member, _ = done
    story = _said(request_story(request, member.user))
    assert ("到场签到", "您") in story


def test_the_page_and_the_api_show_the_story(done, resident):
    request, member, _ = done
    page = html(browser_for(resident).get(f"/my/requests/{request.pk}/"))
    assert "到场签到" in page and "签退" in page and "王建国" in page and "居民为王建国点赞" in page
    body = client_for(resident).get(f"{V1}/requests/{request.pk}/").json()
    assert {"label": "到场签到", "who": "王建国"}.items() <= next(
        s for s in body["story"] if s["label"] == "到场签到"
    ).items()


def test_the_story_takes_the_same_queries_for_one_or_five_members(community, resident, secretary):
    counts = []
    for n in (1, 5):
        task = TaskFactory(community=community, status=Task.Status.COMPLETED, slots=5)
        request = ServiceRequestFactory(community=community, requester=resident, task=task, status=R.RESOLVED)
        for _ in range(n):
            a = served(task, MemberFactory(community=community))
            Like.objects.create(request=request, member=a.member)
        with CaptureQueriesContext(connection) as ctx:
            story = request_story(request, resident)
        assert len([e for e in story if e.label == "签退"]) == n
        counts.append(len(ctx.captured_queries))
    assert counts[0] == counts[1] <= 5, counts


# --- likes received ------------------------------------------------------------------------


def test_a_member_sees_the_likes_they_received_and_only_theirs(done, django_assert_num_queries):
    request, member, _ = done
    other = MemberFactory(community=request.community)
    client = browser_for(member.user)
    client.get("/my/likes/")
    page = html(client.get("/my/likes/"))
    assert request.task.title in page and "共 1 个赞" in page
    assert request.task.title not in html(browser_for(other.user).get("/my/likes/"))
    assert "还没有收到点赞" in html(browser_for(UserFactory()).get("/my/likes/"))
    r = browser_for(None).get("/my/likes/")
    assert r.status_code == 302


def test_the_likes_page_reads_in_bounded_queries(community, django_assert_max_num_queries):
    member = MemberFactory(community=community)
    for _ in range(6):
        task = TaskFactory(community=community, status=Task.Status.COMPLETED)
        request = ServiceRequestFactory(community=community, task=task, status=R.RATED)
        Like.objects.create(request=request, member=member)
    client = browser_for(member.user)
    client.get("/my/likes/")
    with django_assert_max_num_queries(8):
        assert client.get("/my/likes/").status_code == 200


# --- hours ---------------------------------------------------------------------------------


def test_hours_show_the_title_and_why_minutes_count_from_the_tasks_start(done):
    request, member, record = done
    assert record.title == request.task.title
    assert record.minutes == 4  # checked in 18 minutes early: only the 4 minutes after the start count
    start = request.task.starts_at
    assert counted_note(record).startswith("计时自任务开始")
    page = html(browser_for(member.user).get("/my/hours/"))
    assert request.task.title in page
    assert "计时自任务开始" in page and COUNTING_RULE in page
    assert f"{timezone.localtime(start):%H:%M}" in page


def test_staff_see_the_same_explanation(done, secretary):
    request, member, record = done
    page = html(browser_for(secretary).get("/work/hours/"))
    assert request.task.title in page and "计时自任务开始" in page and COUNTING_RULE in page
