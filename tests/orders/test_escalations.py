"""联席会议: assigning departments with a deadline, responses, resolving, overdue marking, scope."""

import datetime as dt

import pytest
from django.utils import timezone

from core.errors import Conflict, PermissionDenied, ValidationFailed
from grids.models import Post
from orders.models import Department, Escalation, EscalationResponse, ServiceRequest, Task
from orders.selectors.escalations import escalations_for, open_escalation_of_task
from orders.services.cascades import escalation_resolve, task_escalate
from orders.services.escalations import (
    escalation_assign,
    escalation_create,
    escalation_respond,
    escalations_mark_overdue,
)
from tests.accounts.factories import UserFactory
from tests.grids.factories import CommunityFactory, DistrictFactory, PostFactory, StreetFactory
from tests.orders.factories import DepartmentFactory, EscalationFactory, ServiceRequestFactory, TaskFactory
from tests.orders.support import kinds, recipients, snapshot

R, E = ServiceRequest.Status, Escalation.Status
SEVEN = ["政法", "住建", "公安", "民政", "自然资源", "消防", "工青妇"]


@pytest.fixture
def case(community, resident):
    request = ServiceRequestFactory(community=community, requester=resident, status=R.ESCALATED)
    return EscalationFactory(request=request)


@pytest.fixture
def housing(db):
    return Department.objects.get(name="住建")


@pytest.fixture
def police(db):
    return Department.objects.get(name="公安")


@pytest.fixture
def other_street_officer(district):
    user = UserFactory()
    PostFactory(user=user, role=Post.Role.STREET_STAFF, community=None, street=StreetFactory(district=district))
    return user


def test_the_seven_departments_are_seeded(db):
    assert list(Department.objects.filter(name__in=SEVEN).values_list("name", flat=True)) == SEVEN


# --- create ---------------------------------------------------------------------------------


def test_create_for_a_task_goes_to_the_communitys_street(
    community, street, secretary, street_officer, sent, django_capture_on_commit_callbacks
):
    task = TaskFactory(community=community)
    with django_capture_on_commit_callbacks(execute=True):
        case = escalation_create(actor=secretary, reason="消防通道被占，需多部门联合执法", task=task)
    assert (case.street_id, case.community_id, case.status, case.created_by_id) == (
        street.pk,
        community.pk,
        E.OPEN,
        secretary.pk,
    )
    assert [(e.from_status, e.to_status) for e in case.events.all()] == [("", "open")]
    assert recipients(sent, "escalation_created") == {street_officer.pk}


def test_create_needs_one_subject_and_a_reason(community, secretary):
    with pytest.raises(ValidationFailed):
        escalation_create(actor=secretary, reason="x")
    with pytest.raises(ValidationFailed):
        escalation_create(actor=secretary, reason=" ", task=TaskFactory(community=community))


def test_one_open_case_per_request(case, secretary):
    with pytest.raises(Conflict):
        escalation_create(actor=secretary, reason="再次上报", request=case.request)


# --- assign ---------------------------------------------------------------------------------


def test_assign_defaults_to_seven_days(case, street_officer, housing, police, time_machine, sent):
    now = dt.datetime(2026, 6, 1, 9, 0, tzinfo=dt.UTC)
    time_machine.move_to(now, tick=False)
    row = escalation_assign(escalation=case, actor=street_officer, department_ids=[housing.pk, police.pk])
    assert (row.status, row.deadline, row.assigned_at) == (E.ASSIGNED, now + dt.timedelta(days=7), now)
    assert set(row.departments.all()) == {housing, police}
    assert "住建" in row.events.get().note


def test_assign_refuses_past_deadline_inactive_and_unknown_departments(case, street_officer, housing, sent):
    before = snapshot(case)
    with pytest.raises(ValidationFailed):
        escalation_assign(
            escalation=case,
            actor=street_officer,
            department_ids=[housing.pk],
            deadline=timezone.now() - dt.timedelta(hours=1),
        )
    retired = DepartmentFactory(name="已撤销的部门", is_active=False)
    for ids in ([retired.pk], [], [999_999]):
        with pytest.raises(ValidationFailed):
            escalation_assign(escalation=case, actor=street_officer, department_ids=ids)
    assert snapshot(case) == before
    assert not case.departments.exists()


@pytest.mark.parametrize("who", ["secretary", "outsider", "other_street_officer", "resident"])
def test_only_the_streets_staff_act(case, housing, request, who, sent):
    actor = request.getfixturevalue(who)
    before = snapshot(case)
    with pytest.raises(PermissionDenied):
        escalation_assign(escalation=case, actor=actor, department_ids=[housing.pk])
    with pytest.raises(PermissionDenied):
        escalation_resolve(escalation=case, actor=actor, outcome="已办结")
    assert snapshot(case) == before


def test_district_staff_above_the_street_may_act(case, district_officer, housing, sent):
    assert escalation_assign(escalation=case, actor=district_officer, department_ids=[housing.pk]).status == E.ASSIGNED


def test_another_districts_staff_may_not(case, housing, sent):
    user = UserFactory()
    PostFactory(
        user=user, role=Post.Role.DISTRICT_STAFF, community=None, district=DistrictFactory(code="440204", name="浈江区")
    )
    with pytest.raises(PermissionDenied):
        escalation_assign(escalation=case, actor=user, department_ids=[housing.pk])


# --- respond and resolve --------------------------------------------------------------------


def test_respond_only_for_an_assigned_department(case, street_officer, housing, police, sent):
    with pytest.raises(Conflict):
        escalation_respond(escalation=case, actor=street_officer, department_id=housing.pk, response="已现场查看")
    escalation_assign(escalation=case, actor=street_officer, department_ids=[housing.pk])
    answer = escalation_respond(escalation=case, actor=street_officer, department_id=housing.pk, response="已现场查看")
    assert (answer.department_id, answer.recorded_by_id) == (housing.pk, street_officer.pk)
    with pytest.raises(ValidationFailed):
        escalation_respond(escalation=case, actor=street_officer, department_id=police.pk, response="收到")
    with pytest.raises(ValidationFailed):
        escalation_respond(escalation=case, actor=street_officer, department_id=housing.pk, response="  ")
    assert EscalationResponse.objects.count() == 1
    assert case.events.filter(note__startswith="住建：").count() == 1


def test_resolve_resolves_the_request_and_tells_resident_and_community(
    case, street_officer, secretary, resident, housing, sent, django_capture_on_commit_callbacks
):
    escalation_assign(escalation=case, actor=street_officer, department_ids=[housing.pk])
    with pytest.raises(ValidationFailed):
        escalation_resolve(escalation=case, actor=street_officer, outcome="")
    with django_capture_on_commit_callbacks(execute=True):
        row = escalation_resolve(escalation=case, actor=street_officer, outcome="住建部门已责令拆除违建")
    assert (row.status, row.outcome) == (E.RESOLVED, "住建部门已责令拆除违建")
    request = ServiceRequest.objects.get(pk=case.request_id)
    assert request.status == R.RESOLVED and request.resolved_at is not None
    assert recipients(sent, "request_resolved") == {resident.pk}
    assert recipients(sent, "escalation_resolved") == {secretary.pk}


def test_resolving_a_task_case_touches_no_request(community, street_officer, sent):
    case = EscalationFactory(request=None, task=TaskFactory(community=community), community=community)
    assert escalation_resolve(escalation=case, actor=street_officer, outcome="已协调").status == E.RESOLVED


# --- overdue --------------------------------------------------------------------------------


def test_overdue_marked_and_told_once(
    case, street_officer, secretary, housing, time_machine, sent, django_capture_on_commit_callbacks
):
    start = dt.datetime(2026, 6, 1, 9, 0, tzinfo=dt.UTC)
    time_machine.move_to(start, tick=False)
    escalation_assign(escalation=case, actor=street_officer, department_ids=[housing.pk])
    on_time = EscalationFactory(
        request=ServiceRequestFactory(community=case.community, status=R.ESCALATED),
        status=E.ASSIGNED,
        deadline=start + dt.timedelta(days=30),
    )
    sent.clear()

    time_machine.move_to(start + dt.timedelta(days=6, hours=23), tick=False)
    assert escalations_mark_overdue() == 0
    time_machine.move_to(start + dt.timedelta(days=7, hours=1), tick=False)
    with django_capture_on_commit_callbacks(execute=True):
        assert escalations_mark_overdue() == 1
        assert escalations_mark_overdue() == 0  # idempotent
    time_machine.move_to(start + dt.timedelta(days=8), tick=False)
    with django_capture_on_commit_callbacks(execute=True):
        assert escalations_mark_overdue() == 0
    case.refresh_from_db()
    on_time.refresh_from_db()
    assert case.overdue and case.overdue_notified_at == start + dt.timedelta(days=7, hours=1)
    assert not on_time.overdue
    assert kinds(sent) == ["escalation_overdue"]
    assert recipients(sent, "escalation_overdue") == {street_officer.pk, secretary.pk}
    assert case.events.filter(note="已超过办理期限").count() == 1


def test_reassigning_with_a_new_deadline_clears_overdue(case, street_officer, housing, time_machine, sent):
    start = dt.datetime(2026, 6, 1, 9, 0, tzinfo=dt.UTC)
    time_machine.move_to(start, tick=False)
    escalation_assign(escalation=case, actor=street_officer, department_ids=[housing.pk])
    time_machine.move_to(start + dt.timedelta(days=8), tick=False)
    assert escalations_mark_overdue() == 1
    escalation_assign(escalation=case, actor=street_officer, department_ids=[housing.pk])
    case.refresh_from_db()
    assert not case.overdue and case.overdue_notified_at is None
    time_machine.move_to(start + dt.timedelta(days=16), tick=False)
    assert escalations_mark_overdue() == 1


def test_resolved_cases_are_never_overdue(case, street_officer, housing, time_machine, sent):
    escalation_assign(escalation=case, actor=street_officer, department_ids=[housing.pk])
    escalation_resolve(escalation=case, actor=street_officer, outcome="已办结")
    time_machine.move_to(timezone.now() + dt.timedelta(days=30), tick=False)
    assert escalations_mark_overdue() == 0


def test_overdue_job(case, street_officer, housing, time_machine, sent):
    from orders.tasks import mark_overdue_escalations

    escalation_assign(escalation=case, actor=street_officer, department_ids=[housing.pk])
    time_machine.move_to(timezone.now() + dt.timedelta(days=8), tick=False)
    assert mark_overdue_escalations.delay().get() == 1
    assert mark_overdue_escalations.delay().get() == 0


# --- who sees which cases -------------------------------------------------------------------


def test_escalations_for_each_level(
    case, community, secretary, outsider, street_officer, other_street_officer, district_officer, grid, admin_user
):
    elsewhere = CommunityFactory(street=StreetFactory(district=community.street.district))
    theirs = EscalationFactory(request=ServiceRequestFactory(community=elsewhere, status=R.ESCALATED))
    grid_secretary = UserFactory()
    PostFactory(user=grid_secretary, role=Post.Role.GRID_SECRETARY, community=None, grid=grid)
    assert list(escalations_for(street_officer)) == [case]
    assert list(escalations_for(secretary)) == [case]
    assert list(escalations_for(outsider)) == []
    assert list(escalations_for(other_street_officer)) == []
    assert set(escalations_for(district_officer)) == {case, theirs}
    assert set(escalations_for(admin_user)) == {case, theirs}
    assert list(escalations_for(grid_secretary)) == []
    assert list(escalations_for(UserFactory())) == []


def test_escalations_for_query_count(community, street_officer, django_assert_max_num_queries):
    for _ in range(5):
        EscalationFactory(request=ServiceRequestFactory(community=community, status=R.ESCALATED))

    def read():
        return [
            (e.street.name, e.community.name, e.request.requester.name, [d.name for d in e.departments.all()])
            for e in escalations_for(street_officer)
        ]

    with django_assert_max_num_queries(3):  # posts, cases, departments
        assert len(read()) == 5


def test_the_resident_sees_the_streets_progress(case, street_officer, housing, time_machine, sent):
    from orders.selectors.requests import request_progress

    time_machine.move_to(timezone.now(), tick=True)
    escalation_assign(escalation=case, actor=street_officer, department_ids=[housing.pk])
    escalation_respond(escalation=case, actor=street_officer, department_id=housing.pk, response="已现场查看")
    escalation_resolve(escalation=case, actor=street_officer, outcome="已拆除")
    steps = [(type(e).__name__, e.to_status) for e in request_progress(case.request)]
    assert steps == [
        ("EscalationEvent", "assigned"),
        ("EscalationEvent", "assigned"),  # the department's response
        ("EscalationEvent", "resolved"),
        ("RequestEvent", "resolved"),
    ]


# --- a task the community cannot finish goes to the street -----------------------------------


def test_a_community_escalates_a_task(community, secretary, street_officer, sent, django_capture_on_commit_callbacks):
    task = TaskFactory(community=community)
    with django_capture_on_commit_callbacks(execute=True):
        case = task_escalate(task=task, actor=secretary, reason="排查发现消防通道被长期占用，需要执法")
    assert (case.task, case.request, case.street_id, case.status) == (task, None, community.street_id, "open")
    assert recipients(sent, "escalation_created") == {street_officer.pk}
    assert task.events.filter(note__startswith="上报街道联席会议").exists()
    assert open_escalation_of_task(task) == case
    # One case at a time per task; once resolved, a new one may be opened.
    with pytest.raises(Conflict, match="已上报街道"):
        task_escalate(task=task, actor=secretary, reason="再报一次")
    escalation_resolve(escalation=case, actor=street_officer, outcome="已由执法队清理")
    assert open_escalation_of_task(task) is None
    assert task_escalate(task=task, actor=secretary, reason="又被占用").pk != case.pk


def test_only_the_communitys_staff_escalate_a_live_task(community, outsider, member, secretary):
    task = TaskFactory(community=community)
    for who in (outsider, member.user):
        with pytest.raises(PermissionDenied):
            task_escalate(task=task, actor=who, reason="需要协调")
    with pytest.raises(ValidationFailed):
        task_escalate(task=task, actor=secretary, reason=" ")
    with pytest.raises(ValidationFailed):
        task_escalate(task=task, actor=secretary, reason="a\x00")
    cancelled = TaskFactory(community=community, status=Task.Status.CANCELLED, cancel_reason="下雨")
    with pytest.raises(Conflict, match="已取消"):
        task_escalate(task=cancelled, actor=secretary, reason="需要协调")
    assert not Escalation.objects.exists()


def test_the_database_allows_one_open_case_per_task(community):
    from django.db import IntegrityError, transaction

    task = TaskFactory(community=community)
    EscalationFactory(task=task, request=None, community=community, street=community.street)
    with pytest.raises(IntegrityError), transaction.atomic():
        EscalationFactory(task=task, request=None, community=community, street=community.street)
