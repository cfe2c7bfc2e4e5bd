"""``/api/v1/teams/…`` and the team pages: what the captain sees (members, hours this year, board
place), adding and removing members, whistling to the team; every endpoint refused to outsiders."""

import datetime as dt

import pytest
from django.test import Client
from django.utils import timezone

from grids.models import TeamMembership
from orders.models import Task
from rankings.models import Board
from reporting.models import ServiceRecord
from reporting.worktime import SHANGHAI
from tests.conftest import client_for
from tests.orders.factories import TaskFactory
from tests.rankings.board_support import DAY, publish
from tests.rankings.factories import ConfirmedRecordFactory
from tests.teams_support import build_teams, remove_vice

pytestmark = pytest.mark.django_db


@pytest.fixture
def t(community, grid, other_community):
    return build_teams(community, grid, other_community)


def _evening(days: int = 1) -> dt.datetime:
    day = timezone.localdate() + dt.timedelta(days=days)
    return timezone.make_aware(dt.datetime.combine(day, dt.time(19, 0)))


def task_body(**extra) -> dict:
    body = {
        "focus": "service",
        "duty": "sanitation",
        "title": "楼道清理",
        "address": "第三网格 2 栋",
        "lat": 24.8035,
        "lng": 113.5905,
        "starts_at": _evening().isoformat(),
        "ends_at": (_evening() + dt.timedelta(hours=2)).isoformat(),
        "slots": 3,
    }
    body.update(extra)
    return body


def actor_of(t, who):
    if who == "removed":
        remove_vice(t)
        return t.vice.user
    if who == "outsider":
        return t.outsider_user
    return getattr(t, who).user


REFUSED = ["neighbour_captain", "plain", "candidate", "stranger", "outsider", "removed"]


# --- reading -------------------------------------------------------------------------------------


def test_my_teams_lists_the_teams_i_belong_to(t):
    rows = client_for(t.captain.user).get("/api/v1/teams/").json()["results"]
    assert [(r["id"], r["my_role"], r["leads"], r["member_count"]) for r in rows] == [(t.team.pk, "captain", True, 3)]
    rows = client_for(t.plain.user).get("/api/v1/teams/").json()["results"]
    assert [(r["id"], r["leads"]) for r in rows] == [(t.team.pk, False)]
    assert client_for(t.candidate.user).get("/api/v1/teams/").json()["count"] == 0


def test_the_captain_sees_members_hours_and_board_place(t, community):
    year = timezone.localdate().year
    jan = dt.datetime(year, 1, 2, 19, 0, tzinfo=SHANGHAI)
    ConfirmedRecordFactory(member=t.plain, started_at=jan, minutes=90)
    ConfirmedRecordFactory(member=t.captain, started_at=jan + dt.timedelta(days=1), minutes=30)
    ConfirmedRecordFactory(member=t.plain, started_at=jan - dt.timedelta(days=5), minutes=600)  # last year
    ConfirmedRecordFactory(member=t.candidate, started_at=jan, minutes=600)  # not in the team
    ConfirmedRecordFactory(member=t.vice, started_at=jan, minutes=45, status=ServiceRecord.Status.PENDING)
    district_id = community.street.district_id
    publish(
        DAY,
        Board.TEAMS,
        [
            {"subject_id": t.neighbour_team.pk, "district_id": district_id, "per_capita": 9.0, "headcount": 2},
            {"subject_id": t.team.pk, "district_id": district_id, "per_capita": 4.0, "headcount": 3},
        ],
    )
    body = client_for(t.captain.user).get(f"/api/v1/teams/{t.team.pk}/").json()
    assert (body["name"], body["my_role"], body["year"]) == (t.team.name, "captain", year)
    assert body["minutes"] == 120 and body["hours"] == 2.0
    assert [m["member_id"] for m in body["members"]] == [t.captain.pk, t.vice.pk, t.plain.pk]
    assert [m["role"] for m in body["members"]] == ["captain", "vice_captain", "member"]
    assert body["members"][2]["hours"] == 1.5 and "****" in body["members"][2]["phone"]
    assert body["board"]["rank"] == 2 and body["board"]["district_rank"] == 2 and body["board"]["in_top"]
    assert body["board_day"] == DAY.isoformat()


def test_before_any_board_the_place_is_null(t):
    body = client_for(t.vice.user).get(f"/api/v1/teams/{t.team.pk}/").json()
    assert body["board"] is None and body["my_role"] == "vice_captain"


@pytest.mark.parametrize("who", REFUSED)
def test_outsiders_may_not_open_a_team(t, who):
    client = client_for(actor_of(t, who))
    response = client.get(f"/api/v1/teams/{t.team.pk}/")
    assert response.status_code == 403 and response.json()["code"] == "not_team_leader"
    assert client.get(f"/api/v1/teams/{t.team.pk}/tasks/").status_code == 403


def test_anonymous_and_missing(t, api):
    for path in ("/api/v1/teams/", f"/api/v1/teams/{t.team.pk}/", f"/api/v1/teams/{t.team.pk}/tasks/"):
        assert api.get(path).status_code == 401
    for path in (f"/api/v1/teams/{t.team.pk}/members/", f"/api/v1/teams/{t.team.pk}/leave/"):
        assert api.post(path, {}, format="json").status_code == 401
    assert client_for(t.captain.user).get("/api/v1/teams/999999/").status_code == 404


def test_reads_take_the_same_queries_however_big_the_team(t, community, django_assert_max_num_queries):
    from tests.grids.factories import MemberFactory

    for _ in range(12):
        m = MemberFactory(community=community)
        TeamMembership.objects.create(team=t.team, member=m)
        TaskFactory(community=community, visibility="team", team=t.team, grid=t.team.grid)
    publish(DAY, Board.TEAMS, [{"subject_id": t.team.pk, "per_capita": 1.0, "headcount": 15}])
    client = client_for(t.captain.user)
    with django_assert_max_num_queries(9):
        assert len(client.get(f"/api/v1/teams/{t.team.pk}/").json()["members"]) == 15
    with django_assert_max_num_queries(6):
        assert client.get(f"/api/v1/teams/{t.team.pk}/tasks/").json()["count"] == 12
    with django_assert_max_num_queries(4):
        assert client.get("/api/v1/teams/").json()["count"] == 1


# --- writing -------------------------------------------------------------------------------------


def test_add_and_remove_through_the_api(t):
    client = client_for(t.captain.user)
    response = client.post(f"/api/v1/teams/{t.team.pk}/members/", {"phone": t.candidate.user.phone}, format="json")
    assert response.status_code == 201
    assert t.candidate.pk in [m["member_id"] for m in response.json()["members"]]
    response = client.post(f"/api/v1/teams/{t.team.pk}/members/{t.candidate.pk}/remove/")
    assert response.status_code == 200
    assert t.candidate.pk not in [m["member_id"] for m in response.json()["members"]]


def test_api_refusals_speak_chinese(t):
    client = client_for(t.captain.user)
    response = client.post(f"/api/v1/teams/{t.team.pk}/members/", {"phone": t.stranger.user.phone}, format="json")
    assert response.status_code == 400
    assert response.json()["code"] == "not_in_community" and "phone" in response.json()["fields"]
    response = client.post(f"/api/v1/teams/{t.team.pk}/members/{t.captain.pk}/remove/")
    assert response.status_code == 403 and response.json()["detail"] == "不能把自己移出先锋队。"
    response = client.post(f"/api/v1/teams/{t.team.pk}/members/", {"phone": t.plain.user.phone}, format="json")
    assert response.status_code == 409 and response.json()["code"] == "already_in_team"


@pytest.mark.parametrize("who", REFUSED)
def test_outsiders_may_not_add_remove_or_whistle(t, who):
    client = client_for(actor_of(t, who))
    add = client.post(f"/api/v1/teams/{t.team.pk}/members/", {"phone": t.candidate.user.phone}, format="json")
    assert add.status_code == 403
    victim = t.captain if who == "plain" else t.plain
    assert client.post(f"/api/v1/teams/{t.team.pk}/members/{victim.pk}/remove/").status_code == 403
    assert client.post(f"/api/v1/teams/{t.team.pk}/tasks/", task_body(), format="json").status_code == 403
    assert TeamMembership.objects.filter(team=t.team).count() == (2 if who == "removed" else 3)
    assert not Task.objects.exists()


def test_the_captain_whistles_to_the_team_through_the_api(t):
    response = client_for(t.captain.user).post(f"/api/v1/teams/{t.team.pk}/tasks/", task_body(), format="json")
    assert response.status_code == 201, response.json()
    body = response.json()
    assert (body["visibility"], body["team_id"], body["grid_id"]) == ("team", t.team.pk, t.team.grid_id)
    assert body["community_id"] == t.team.grid.community_id
    listed = client_for(t.captain.user).get(f"/api/v1/teams/{t.team.pk}/tasks/").json()["results"]
    assert [r["id"] for r in listed] == [body["id"]]
    # The team sees it in the hall; the community's other members do not.
    assert body["id"] in {r["id"] for r in client_for(t.plain.user).get("/api/v1/tasks/hall/").json()["results"]}
    assert client_for(t.candidate.user).get("/api/v1/tasks/hall/").json()["count"] == 0


def test_leaving_through_the_api(t):
    assert client_for(t.plain.user).post(f"/api/v1/teams/{t.team.pk}/leave/").status_code == 204
    assert client_for(t.candidate.user).post(f"/api/v1/teams/{t.team.pk}/leave/").status_code == 404
    assert client_for(t.captain.user).post(f"/api/v1/teams/{t.team.pk}/leave/").status_code == 403
    assert client_for(t.captain.user).post("/api/v1/teams/999999/leave/").status_code == 404


# --- pages -----------------------------------------------------------------------------------------


def page_client(user) -> Client:
    c = Client()
    c.force_login(user)
    return c


def test_the_team_page_for_its_leaders_only(t):
    response = page_client(t.captain.user).get(f"/teams/{t.team.pk}/")
    assert response.status_code == 200
    html = response.content.decode()
    assert t.team.name in html and "向本队吹哨" in html and t.plain.user.name in html
    for who in REFUSED:
        assert page_client(actor_of(t, who)).get(f"/teams/{t.team.pk}/").status_code == 403, who
    assert Client().get(f"/teams/{t.team.pk}/").status_code == 302  # to sign in
    assert page_client(t.captain.user).get("/teams/999999/").status_code == 404


def test_the_pages_add_remove_and_whistle(t):
    client = page_client(t.captain.user)
    client.post(f"/teams/{t.team.pk}/members/add/", {"phone": t.candidate.user.phone})
    assert TeamMembership.objects.filter(team=t.team, member=t.candidate).exists()
    client.post(f"/teams/{t.team.pk}/members/{t.candidate.pk}/remove/")
    assert not TeamMembership.objects.filter(team=t.team, member=t.candidate).exists()
    start = timezone.localtime(_evening(2))
    response = client.post(
        f"/teams/{t.team.pk}/whistle/",
        {
            "focus": "service",
            "duty": "sanitation",
            "title": "周末清理楼道",
            "address": "第三网格 2 栋",
            "starts_at": start.strftime("%Y-%m-%dT%H:%M"),
            "ends_at": (start + dt.timedelta(hours=2)).strftime("%Y-%m-%dT%H:%M"),
            "slots": "4",
        },
    )
    assert response.status_code == 302
    task = Task.objects.get()
    assert (task.team, task.visibility, task.community) == (t.team, "team", t.team.grid.community)


def test_the_team_page_cancels_and_completes_its_tasks(t, community):
    client = page_client(t.captain.user)
    mine = TaskFactory(community=community, visibility="team", team=t.team, grid=t.team.grid)
    theirs = TaskFactory(community=community, visibility="team", team=t.neighbour_team)
    assert "取消任务" in client.get(f"/teams/{t.team.pk}/").content.decode()
    client.post(f"/teams/{t.team.pk}/tasks/{mine.pk}/cancel/", {"reason": "下雨改期"})
    mine.refresh_from_db()
    assert (mine.status, mine.cancel_reason) == ("cancelled", "下雨改期")
    assert client.post(f"/teams/{t.team.pk}/tasks/{theirs.pk}/cancel/", {"reason": "x"}).status_code == 404
    assert client.post(f"/teams/{t.team.pk}/tasks/{theirs.pk}/complete/").status_code == 404
    other = TaskFactory(community=community, visibility="team", team=t.team, grid=t.team.grid)
    client.post(f"/teams/{t.team.pk}/tasks/{other.pk}/complete/")
    other.refresh_from_db()
    assert other.status == "completed"


@pytest.mark.parametrize("who", REFUSED)
def test_outsiders_cannot_use_the_page_actions(t, who):
    client = page_client(actor_of(t, who))
    assert client.post(f"/teams/{t.team.pk}/members/add/", {"phone": t.candidate.user.phone}).status_code == 403
    assert client.post(f"/teams/{t.team.pk}/members/{t.plain.pk}/remove/").status_code == 403
    assert client.get(f"/teams/{t.team.pk}/whistle/").status_code == 403
    task = TaskFactory(community=t.team.grid.community, visibility="team", team=t.team, grid=t.team.grid)
    assert client.post(f"/teams/{t.team.pk}/tasks/{task.pk}/cancel/", {"reason": "x"}).status_code == 403
    assert client.post(f"/teams/{t.team.pk}/tasks/{task.pk}/complete/").status_code == 403
    task.refresh_from_db()
    assert task.status == "open"
    assert not TeamMembership.objects.filter(team=t.team, member=t.candidate).exists()


def test_my_teams_page_and_leaving(t):
    client = page_client(t.plain.user)
    html = client.get("/me/teams/").content.decode()
    assert t.team.name in html and "退出" in html
    client.post(f"/me/teams/{t.team.pk}/leave/")
    assert not TeamMembership.objects.filter(team=t.team, member=t.plain).exists()
    assert "管理" in page_client(t.captain.user).get("/me/teams/").content.decode()
