"""How often one person may order, take and give back work: the limits hold through the API,
after the window they lift, and a burst on PostgreSQL cannot slip past them."""

import datetime as dt

import pytest
import time_machine
from django.utils import timezone

from core.errors import Throttled
from core.limits import refuse_over_limit
from orders.models import Acceptance, ServiceRequest
from orders.services.acceptances import acceptance_withdraw
from orders.services.requests import request_create
from orders.services.tasks import task_accept
from tests.conftest import client_for
from tests.orders.factories import TaskFactory
from tests.orders.support import burst, order_fields

V1 = "/api/v1"
NOW = dt.datetime(2026, 6, 1, 10, 0, tzinfo=dt.UTC)


def test_the_wait_is_until_the_oldest_leaves_the_window():
    times = [NOW - dt.timedelta(minutes=50), NOW - dt.timedelta(minutes=10)]
    refuse_over_limit(times=times[:1], limit=2, window=dt.timedelta(hours=1), now=NOW, message="太频繁")
    with pytest.raises(Throttled) as caught:
        refuse_over_limit(times=times, limit=2, window=dt.timedelta(hours=1), now=NOW, message="太频繁")
    assert caught.value.wait == 600 and caught.value.message == "太频繁"


@pytest.mark.django_db
def test_a_resident_over_the_daily_requests_gets_429_with_retry_after(settings, community, resident):
    settings.REQUESTS_PER_DAY = 2
    api = client_for(resident)
    body = {"community": community.pk, "duty": "sanitation", "title": "楼道堆放杂物", "description": "三楼楼道堆满杂物。",
            "address": "工业中社区 3 栋", "lat": community.lat, "lng": community.lng, "coord_system": "wgs84"}  # fmt: skip
    with time_machine.travel(NOW, tick=False):
        for _ in range(2):
            assert api.post(f"{V1}/requests/", body, format="json").status_code == 201
        third = api.post(f"{V1}/requests/", body, format="json")
    assert third.status_code == 429
    assert third.json()["code"] == "throttled" and "每人每天最多点单 2 次" in third.json()["detail"]
    assert third["Retry-After"] == str(24 * 3600)
    assert ServiceRequest.objects.filter(requester=resident).count() == 2
    with time_machine.travel(NOW + dt.timedelta(days=1, seconds=1), tick=False):
        assert api.post(f"{V1}/requests/", body, format="json").status_code == 201


@pytest.mark.django_db
def test_a_member_over_the_hourly_accepts_is_refused_and_the_slot_stays_free(settings, community, placed):
    settings.ACCEPTS_PER_HOUR = 2
    tasks = [TaskFactory(community=community, starts_at=NOW + dt.timedelta(days=i + 1)) for i in range(3)]
    api = client_for(placed.user)
    with time_machine.travel(NOW, tick=False):
        for task in tasks[:2]:
            assert api.post(f"{V1}/tasks/{task.pk}/accept/").status_code == 201
        refused = api.post(f"{V1}/tasks/{tasks[2].pk}/accept/")
    assert refused.status_code == 429 and "每小时最多接单 2 次" in refused.json()["detail"]
    tasks[2].refresh_from_db()
    assert tasks[2].taken == 0
    with time_machine.travel(NOW + dt.timedelta(hours=1, seconds=1), tick=False):
        assert task_accept(task=tasks[2], member=placed).status == Acceptance.Status.ACCEPTED


@pytest.mark.django_db
def test_a_member_over_the_hourly_withdrawals_keeps_the_slot(settings, community, placed):
    settings.WITHDRAWALS_PER_HOUR = 1
    tasks = [TaskFactory(community=community, starts_at=NOW + dt.timedelta(days=i + 1)) for i in range(2)]
    with time_machine.travel(NOW, tick=False):
        first, second = (task_accept(task=t, member=placed) for t in tasks)
        acceptance_withdraw(acceptance=first, actor=placed.user)
        with pytest.raises(Throttled):
            acceptance_withdraw(acceptance=second, actor=placed.user)
    second.refresh_from_db()
    assert second.status == Acceptance.Status.ACCEPTED


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_a_burst_of_requests_from_one_resident_stops_at_the_limit(settings, community, resident):
    settings.REQUESTS_PER_DAY = 3
    outcomes = burst(
        lambda: request_create(requester=resident, **order_fields(community, address=f"{timezone.now():%f}")),
        ok="created",
    )
    assert sorted(outcomes) == ["created"] * 3 + ["throttled"] * 7, outcomes
    assert ServiceRequest.objects.filter(requester=resident).count() == 3


def test_several_at_once_fit_whole_or_not_at_all():
    times = [NOW - dt.timedelta(minutes=m) for m in (50, 40, 10)]  # 3 of 4 used
    refuse_over_limit(times=times, limit=4, window=dt.timedelta(hours=1), now=NOW, message="满", adding=1)
    with pytest.raises(Throttled) as caught:
        refuse_over_limit(times=times, limit=4, window=dt.timedelta(hours=1), now=NOW, message="满", adding=2)
    assert caught.value.wait == 600  # the one from 50 minutes ago must leave first
    with pytest.raises(Throttled) as caught:
        refuse_over_limit(times=[], limit=4, window=dt.timedelta(hours=1), now=NOW, message="满", adding=5)
    assert caught.value.wait is None


@pytest.mark.django_db
def test_a_resident_over_the_daily_likes_likes_nobody_more(settings, community, secretary, resident):
    from orders.models import Like, Task
    from orders.services.request_closing import request_rate
    from tests.grids.factories import MemberFactory
    from tests.orders.factories import AcceptanceFactory, ServiceRequestFactory
    from tests.reporting.factories import CheckInFactory, ServiceRecordFactory

    settings.LIKES_PER_DAY = 2

    def resolved_with(n: int):
        task = TaskFactory(community=community, created_by=secretary, status=Task.Status.COMPLETED)
        members = [MemberFactory(community=community) for _ in range(n)]
        for m in members:
            checkin = CheckInFactory(member=m, community=community, checked_out_at=timezone.now())
            record = ServiceRecordFactory(member=m, community=community, checkin=checkin)
            AcceptanceFactory(task=task, member=m, status=Acceptance.Status.COMPLETED, checkin=checkin, record=record)
        row = ServiceRequestFactory(
            community=community, requester=resident, task=task, status=ServiceRequest.Status.RESOLVED,
            resolved_at=timezone.now(),
        )  # fmt: skip
        return row, [m.pk for m in members]

    first, liked = resolved_with(2)
    request_rate(request=first, actor=resident, score=5, liked_member_ids=liked)
    second, more = resolved_with(1)
    with pytest.raises(Throttled) as caught:
        request_rate(request=second, actor=resident, score=5, liked_member_ids=more)
    assert "每人每天最多点赞 2 次" in caught.value.message and caught.value.wait
    assert Like.objects.filter(request__requester=resident).count() == 2
    second.refresh_from_db()
    assert second.status == ServiceRequest.Status.RESOLVED  # nothing of the rating was kept
    request_rate(request=second, actor=resident, score=4)  # rating without likes still works
