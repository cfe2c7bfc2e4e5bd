"""Tasks whistled to one vanguard team (visibility ``team``): who may whistle them, and that only
the team's members see them — in the hall, nearby, the task list and search, the detail page —
and may take them, even by id."""

import datetime as dt

import pytest
from django.db import IntegrityError, transaction
from django.utils import timezone

from core.errors import PermissionDenied, ValidationFailed
from grids.vocab import Duty, Focus
from notifications.models import Notification
from orders.models import Task
from orders.selectors.tasks import dispatch_suggestions, task_hall, tasks_visible_to_member
from orders.selectors.visible import tasks_visible_to
from orders.services.cascades import task_cancel, task_complete
from orders.services.dispatch import tasks_widen
from orders.services.tasks import task_accept, task_create
from tests.conftest import client_for
from tests.orders.factories import TaskFactory
from tests.teams_support import build_teams, remove_vice

pytestmark = pytest.mark.django_db
V = Task.Visibility


@pytest.fixture
def t(community, grid, other_community):
    return build_teams(community, grid, other_community)


def _evening(days: int = 1) -> dt.datetime:
    day = timezone.localdate() + dt.timedelta(days=days)
    return timezone.make_aware(dt.datetime.combine(day, dt.time(19, 0)))


def whistle(actor, team, community=None, **extra) -> Task:
    values = {
        "actor": actor,
        "community": community or team.grid.community,
        "focus": Focus.SERVICE,
        "duty": Duty.SANITATION,
        "title": "楼道清理",
        "address": "第三网格 2 栋",
        "lat": 24.8035,
        "lng": 113.5905,
        "starts_at": _evening(),
        "ends_at": _evening() + dt.timedelta(hours=2),
        "slots": 3,
        "visibility": V.TEAM,
        "team": team,
    }
    values.update(extra)
    return task_create(**values)


# --- who may whistle ---------------------------------------------------------------------------


@pytest.mark.parametrize("leader", ["captain", "vice"])
def test_a_leader_whistles_to_the_team_without_review(t, leader, secretary, django_capture_on_commit_callbacks):
    actor = getattr(t, leader).user
    with django_capture_on_commit_callbacks(execute=True):
        task = whistle(actor, t.team)
    assert (task.visibility, task.team, task.grid, task.status) == (V.TEAM, t.team, t.team.grid, Task.Status.OPEN)
    assert task.events.get().note.endswith("向本队吹哨")
    told = set(Notification.objects.filter(kind="team_task").values_list("user_id", flat=True))
    assert told == {m.user_id for m in (t.captain, t.vice, t.plain)} - {actor.pk}
    assert Notification.objects.filter(kind="team_task_staff", user=secretary).exists()


def test_community_staff_may_whistle_to_a_team_of_their_community(t, secretary):
    task = whistle(secretary, t.team)
    assert task.team == t.team


@pytest.mark.parametrize("who", ["neighbour_captain", "plain", "candidate", "stranger", "outsider", "removed"])
def test_nobody_else_may_whistle_to_the_team(t, who):
    if who == "removed":
        remove_vice(t)
        actor = t.vice.user
    elif who == "outsider":
        actor = t.outsider_user
    else:
        actor = getattr(t, who).user
    with pytest.raises(PermissionDenied) as exc:
        whistle(actor, t.team)
    assert exc.value.code == "not_team_leader"
    assert not Task.objects.exists()


def test_a_captain_whistles_only_in_the_team_grids_community(t, other_community, community):
    with pytest.raises(ValidationFailed) as exc:
        whistle(t.captain.user, t.team, community=other_community)
    assert exc.value.field == "community"
    with pytest.raises(ValidationFailed) as exc:
        whistle(t.captain.user, t.team, grid=t.neighbour_team.grid)
    assert exc.value.field == "grid"
    # Without a team the captain is nobody special: no community task either.
    with pytest.raises(PermissionDenied):
        whistle(t.captain.user, None, community=community, visibility=V.COMMUNITY)
    assert not Task.objects.exists()


def test_team_and_visibility_go_together(t, secretary, community):
    with pytest.raises(ValidationFailed) as exc:
        whistle(secretary, None, community=community)
    assert exc.value.field == "team"
    with pytest.raises(ValidationFailed) as exc:
        whistle(secretary, t.team, visibility=V.COMMUNITY)
    assert exc.value.field == "visibility"


def test_the_database_holds_team_iff_team_visibility(t, community):
    with pytest.raises(IntegrityError), transaction.atomic():
        TaskFactory(community=community, visibility=V.TEAM, team=None)
    with pytest.raises(IntegrityError), transaction.atomic():
        TaskFactory(community=community, visibility=V.COMMUNITY, team=t.team)


# --- who sees it ---------------------------------------------------------------------------------


@pytest.fixture
def team_task(t):
    return whistle(t.captain.user, t.team)


SEES = {"captain": True, "vice": True, "plain": True}
NOT = ["candidate", "stranger", "neighbour_captain", "neighbour_member"]


@pytest.mark.parametrize("who", [*SEES, *NOT])
def test_only_the_team_sees_it_in_the_hall_nearby_and_by_id(t, team_task, who):
    member = getattr(t, who)
    sees = who in SEES
    assert (team_task in task_hall(member)) is sees
    nearby = task_hall(member, lat=24.8035, lng=113.5905, max_distance_m=1000)
    assert (team_task in nearby) is sees
    assert tasks_visible_to_member(member).filter(pk=team_task.pk).exists() is sees
    assert tasks_visible_to(member.user).filter(pk=team_task.pk).exists() is sees


@pytest.mark.parametrize("who", [*SEES, *NOT])
def test_only_the_team_sees_it_through_the_api(t, team_task, who):
    client = client_for(getattr(t, who).user)
    sees = who in SEES
    hall = {r["id"] for r in client.get("/api/v1/tasks/hall/").json()["results"]}
    assert (team_task.pk in hall) is sees
    listed = {r["id"] for r in client.get("/api/v1/tasks/", {"duty": Duty.SANITATION}).json()["results"]}
    assert (team_task.pk in listed) is sees
    detail = client.get(f"/api/v1/tasks/{team_task.pk}/")
    assert detail.status_code == (200 if sees else 404)
    if sees:
        assert detail.json()["team_name"] == t.team.name and detail.json()["visibility"] == "team"


def test_a_community_task_stays_visible_to_the_whole_community(t, community):
    task = TaskFactory(community=community)
    for member in (t.candidate, t.plain, t.neighbour_member):
        assert task in task_hall(member)


# --- who takes it --------------------------------------------------------------------------------


def test_a_team_member_takes_it(t, team_task):
    acceptance = task_accept(task=team_task, member=t.plain)
    assert acceptance.task == team_task


@pytest.mark.parametrize("who", NOT)
def test_anyone_else_is_refused_even_by_id(t, team_task, who):
    member = getattr(t, who)
    with pytest.raises(PermissionDenied) as exc:
        task_accept(task=team_task, member=member)
    assert exc.value.code == "not_visible"
    response = client_for(member.user).post(f"/api/v1/tasks/{team_task.pk}/accept/")
    assert response.status_code == 404
    team_task.refresh_from_db()
    assert team_task.taken == 0


def test_a_removed_member_no_longer_sees_or_takes_it(t, team_task):
    assert team_task in task_hall(t.vice)  # cached
    remove_vice(t)
    assert team_task not in task_hall(t.vice)
    with pytest.raises(PermissionDenied):
        task_accept(task=team_task, member=t.vice)


def test_community_staff_who_are_not_in_the_team_may_open_but_not_take_it(t, team_task, secretary, community):
    """Staff manage every task of their community; being staff gives no slot on a team's task."""
    from tests.grids.factories import MemberFactory

    staff_member = MemberFactory(user=secretary, community=community)
    client = client_for(secretary)
    assert client.get(f"/api/v1/tasks/{team_task.pk}/").status_code == 200
    response = client.post(f"/api/v1/tasks/{team_task.pk}/accept/")
    assert response.status_code == 403 and response.json()["code"] == "not_visible"
    assert team_task not in task_hall(staff_member)


def test_suggestions_and_widening_stay_within_the_team(t, team_task):
    suggested = {s.member.pk for s in dispatch_suggestions(team_task)}
    assert suggested == {t.captain.pk, t.vice.pk, t.plain.pk}
    Task.objects.filter(pk=team_task.pk).update(created_at=timezone.now() - dt.timedelta(days=3))
    tasks_widen()
    team_task.refresh_from_db()
    assert team_task.visibility == V.TEAM and team_task.widened_at is None


# --- queries ---------------------------------------------------------------------------------


@pytest.mark.parametrize("count", [2, 20])
def test_the_hall_with_team_tasks_takes_the_same_queries(t, count, django_assert_num_queries):
    for _ in range(count):
        TaskFactory(community=t.team.grid.community, visibility=V.TEAM, team=t.team, grid=t.team.grid)
        TaskFactory(community=t.team.grid.community, visibility=V.TEAM, team=t.neighbour_team)
    # The member's teams (the unit's pairings: none, no unit), then the page with its teams joined.
    with django_assert_num_queries(2):
        rows = list(task_hall(t.plain)[:50])
        [(r.community.name, r.team.name) for r in rows]
    assert len(rows) == count


@pytest.mark.parametrize("count", [2, 20])
def test_the_api_task_list_and_hall_do_not_grow_with_team_tasks(t, count, django_assert_max_num_queries):
    for _ in range(count):
        TaskFactory(community=t.team.grid.community, visibility=V.TEAM, team=t.team, grid=t.team.grid)
    client = client_for(t.plain.user)
    with django_assert_max_num_queries(8):
        assert client.get("/api/v1/tasks/hall/").json()["count"] == count
    with django_assert_max_num_queries(8):
        assert client.get("/api/v1/tasks/").json()["count"] == count


# --- leaders run their whistle to its end --------------------------------------------------------


@pytest.mark.parametrize("leader", ["captain", "vice"])
def test_a_leader_cancels_or_completes_the_teams_task(t, team_task, leader):
    actor = getattr(t, leader).user
    task_accept(task=team_task, member=t.plain)
    cancelled = task_cancel(task=team_task, actor=actor, reason="下雨改期")
    assert cancelled.status == Task.Status.CANCELLED
    other = whistle(t.captain.user, t.team, starts_at=_evening(3), ends_at=_evening(3) + dt.timedelta(hours=2))
    assert task_complete(task=other, actor=actor).status == Task.Status.COMPLETED


@pytest.mark.parametrize("who", ["neighbour_captain", "plain", "candidate", "stranger", "outsider", "removed"])
def test_nobody_else_cancels_the_teams_task(t, team_task, who):
    if who == "removed":
        remove_vice(t)
        actor = t.vice.user
    elif who == "outsider":
        actor = t.outsider_user
    else:
        actor = getattr(t, who).user
    with pytest.raises(PermissionDenied):
        task_cancel(task=team_task, actor=actor, reason="不想办了")
    with pytest.raises(PermissionDenied):
        task_complete(task=team_task, actor=actor)
    team_task.refresh_from_db()
    assert team_task.status == Task.Status.OPEN


def test_a_captain_cannot_cancel_a_community_task(t, community):
    task = TaskFactory(community=community, grid=t.team.grid)
    with pytest.raises(PermissionDenied):
        task_cancel(task=task, actor=t.captain.user, reason="不想办了")


def test_the_captain_cancels_through_the_api(t, team_task):
    response = client_for(t.captain.user).post(
        f"/api/v1/tasks/{team_task.pk}/cancel/", {"reason": "下雨改期"}, format="json"
    )
    assert response.status_code == 200 and response.json()["status"] == "cancelled"


def test_the_admin_shows_the_team(t, team_task, admin_user):
    from django.test import Client
    from django.urls import reverse

    client = Client()
    client.force_login(admin_user)
    page = client.get(reverse("admin:orders_task_change", args=[team_task.pk])).content.decode()
    assert "先锋队" in page and t.team.name in page
    listed = client.get(reverse("admin:orders_task_changelist"), {"visibility__exact": "team"}).content.decode()
    assert team_task.title in listed and t.team.name in listed
