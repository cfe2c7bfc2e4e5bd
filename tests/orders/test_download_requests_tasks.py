"""The requests (点单) and tasks (任务与接单) downloads, cell by cell against the database."""

from __future__ import annotations

import datetime as dt

import pytest

from core.exports import beijing, build
from orders import downloads
from orders.models import Acceptance, Feedback, Like, ServiceRequest
from tests.download_support import download
from tests.orders.factories import AcceptanceFactory, ServiceRequestFactory, TaskFactory
from tests.reporting.factories import SAT_9, CheckInFactory, ServiceRecordFactory

PERIOD = {"start": "2026-11-01", "end": "2026-12-31"}


def _when(value) -> str:
    return "" if value is None else beijing(value).strftime("%Y-%m-%d %H:%M:%S")


@pytest.fixture
def rated(community, grid, placed):
    task = TaskFactory(community=community, starts_at=SAT_9, ends_at=SAT_9 + dt.timedelta(hours=2))
    request = ServiceRequestFactory(
        community=community,
        grid=grid,
        title="+楼道灯坏了",
        status=ServiceRequest.Status.RATED,
        task=task,
        created_at=SAT_9 - dt.timedelta(days=1),
        reviewed_at=SAT_9 - dt.timedelta(hours=20),
        resolved_at=SAT_9 + dt.timedelta(hours=3),
        closed_at=SAT_9 + dt.timedelta(hours=5),
    )
    Feedback.objects.create(request=request, score=5, comment="-非常满意")
    Like.objects.create(request=request, member=placed)
    return request


def test_requests_cell_by_cell_for_the_secretary(client, secretary, community, grid, rated, other_community):
    ServiceRequestFactory(community=other_community, created_at=SAT_9)
    rejected = ServiceRequestFactory(
        community=community, status=ServiceRequest.Status.REJECTED, reject_reason="重复", created_at=SAT_9
    )
    client.force_login(secretary)
    response, rows = download(client, "requests", node=f"community:{community.pk}", **PERIOD)
    assert response.status_code == 200
    place = [community.street.district.name, community.street.name, community.name]
    r = rated
    assert rows[1] == [
        str(r.pk), _when(r.created_at), r.requester.name, r.contact_phone, "居民", "", *place, grid.name,
        "环境保洁", "'+楼道灯坏了", r.address, "已评价", _when(r.reviewed_at), "", str(r.task_id),
        _when(r.resolved_at), _when(r.closed_at), "5", "'-非常满意", "1",
    ]  # fmt: skip
    assert rows[2][13] == "未通过" and rows[2][15] == "重复" and rows[2][-3:] == ["", "", "0"]
    assert rows[2][0] == str(rejected.pk) and len(rows) == 3


def test_requests_phones_are_masked_for_the_street(client, street_officer, street, rated):
    client.force_login(street_officer)
    _, rows = download(client, "requests", node=f"street:{street.pk}", **PERIOD)
    assert rows[1][3] == "139****0001"


def test_tasks_one_row_per_acceptance_and_one_for_an_untaken_task(client, secretary, community, placed, member):
    task = TaskFactory(community=community, starts_at=SAT_9, ends_at=SAT_9 + dt.timedelta(hours=2), taken=2)
    record = ServiceRecordFactory(member=placed, community=community, minutes=90)
    checkin = CheckInFactory(member=placed, community=community, checked_in_at=SAT_9)
    done = AcceptanceFactory(
        task=task, member=placed, status=Acceptance.Status.COMPLETED, checkin=checkin, record=record
    )
    other = AcceptanceFactory(task=task, status=Acceptance.Status.NO_SHOW)
    empty = TaskFactory(community=community, starts_at=SAT_9 + dt.timedelta(days=1))
    TaskFactory(starts_at=SAT_9)  # another community's
    client.force_login(secretary)
    _, rows = download(client, "tasks", node=f"community:{community.pk}", **PERIOD)
    place = [community.street.district.name, community.street.name, community.name]
    head = [
        str(task.pk), task.title, "抓服务", "便民服务", *place, task.address, _when(task.starts_at),
        _when(task.ends_at), "5", "2", "招募中", _when(task.created_at),
    ]  # fmt: skip
    assert rows[0][14] == "接单党员"
    assert rows[1] == [
        *head,
        placed.user.name,
        placed.user.phone,
        placed.unit.name,
        "已完成",
        _when(done.accepted_at),
        "1.5",
    ]
    assert rows[2] == [
        *head, other.member.user.name, other.member.user.phone, other.member.unit.name, "未到场",
        _when(other.accepted_at), "",
    ]  # fmt: skip
    assert rows[3][0] == str(empty.pk) and rows[3][14:] == [""] * 6
    assert len(rows) == 4


def test_a_unit_sees_the_tasks_its_members_took_and_only_their_acceptances(client, community, placed):
    from grids.models import Post
    from tests.accounts.factories import UserFactory
    from tests.grids.factories import PostFactory

    task = TaskFactory(community=community, starts_at=SAT_9)
    AcceptanceFactory(task=task, member=placed)
    AcceptanceFactory(task=task)  # a member of another unit
    TaskFactory(community=community, starts_at=SAT_9)  # nobody of the unit took it
    user = UserFactory()
    PostFactory(user=user, role=Post.Role.UNIT_SECRETARY, community=None, unit=placed.unit)
    client.force_login(user)
    _, rows = download(client, "tasks", node=f"unit:{placed.unit_id}", **PERIOD)
    assert [(r[0], r[14], r[15]) for r in rows[1:]] == [(str(task.pk), placed.user.name, placed.user.phone)]


def test_tasks_and_requests_read_in_pages_with_fixed_queries(
    monkeypatch, admin_user, community, django_assert_num_queries
):
    monkeypatch.setattr(downloads, "PAGE", 2)
    for _ in range(5):
        AcceptanceFactory(task=TaskFactory(community=community, starts_at=SAT_9))
        ServiceRequestFactory(community=community, created_at=SAT_9)
    params = {"node": f"community:{community.pk}", **PERIOD}
    tasks = build("tasks", user=admin_user, params=params)
    # once: id bounds, places (3), units; 3 pages × (tasks, acceptances, members, users)
    with django_assert_num_queries(5 + 3 * 4):
        assert len(list(tasks.rows())) == 5
    requests = build("requests", user=admin_user, params=params)
    # once: id bounds, places (3); 3 pages × (requests, likes, ratings, requesters)
    with django_assert_num_queries(4 + 3 * 4):
        assert len(list(requests.rows())) == 5
