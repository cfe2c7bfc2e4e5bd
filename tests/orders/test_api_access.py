"""Who may call what: anonymous callers get 401; another community's secretary and a plain
resident get 403/404 and change nothing; junk input is never a 500; list query counts stay flat."""

import datetime as dt

import pytest
from django.utils import timezone

from notifications.models import Notification
from orders.models import Acceptance, Escalation, Feedback, RequestFollower, ServiceRequest, Task
from reporting.models import ServiceRecord
from tests.accounts.factories import UserFactory
from tests.conftest import client_for
from tests.grids.factories import MemberFactory
from tests.orders.api_support import V1, count_queries, evening
from tests.orders.factories import (
    AcceptanceFactory,
    DepartmentFactory,
    EscalationFactory,
    ServiceRequestFactory,
    TaskFactory,
)
from tests.reporting.factories import ServiceRecordFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def world(community, grid, resident, secretary, member, street_officer):
    member.community, member.grid = community, grid
    member.save(update_fields=["community", "grid"])
    req = ServiceRequestFactory(community=community, requester=resident)
    twin = ServiceRequestFactory(community=community)
    resolved = ServiceRequestFactory(
        community=community, requester=resident, status=ServiceRequest.Status.RESOLVED, resolved_at=timezone.now()
    )
    task = TaskFactory(community=community, created_by=secretary, slots=3, taken=1)
    acceptance = AcceptanceFactory(task=task, member=member)
    record = ServiceRecordFactory(member=member, community=community)
    escalation = EscalationFactory(request=ServiceRequestFactory(community=community, status="escalated"))
    department = DepartmentFactory(name="住建")
    note = Notification.objects.create(user=resident, kind="test", title="测试消息")
    return {
        "req": req,
        "twin": twin,
        "resolved": resolved,
        "task": task,
        "acceptance": acceptance,
        "record": record,
        "escalation": escalation,
        "department": department,
        "note": note,
    }


def snapshot():
    return (
        sorted(ServiceRequest.objects.values_list("id", "status", "task_id", "merged_into_id", "reject_reason")),
        sorted(Task.objects.values_list("id", "status", "taken", "cancel_reason")),
        sorted(Acceptance.objects.values_list("id", "status", "checkin_id", "record_id")),
        sorted(ServiceRecord.objects.values_list("id", "status", "minutes")),
        sorted(Escalation.objects.values_list("id", "status", "deadline", "outcome")),
        sorted(Notification.objects.values_list("id", "read_at")),
        Feedback.objects.count(),
        RequestFollower.objects.count(),
    )


def actions(w):
    starts = evening(days=2)
    new_task = {"starts_at": starts.isoformat(), "ends_at": (starts + dt.timedelta(hours=2)).isoformat(), "slots": 2}
    r, t, a, rec, e = w["req"], w["task"], w["acceptance"], w["record"], w["escalation"]
    here = {"lat": t.lat, "lng": t.lng, "coord_system": "wgs84"}
    return [
        ("post", f"requests/{r.pk}/approve/", new_task),
        ("post", f"requests/{r.pk}/approve/", {"task_id": t.pk}),
        ("post", f"requests/{r.pk}/reject/", {"reason": "不属于社区职责"}),
        ("post", f"requests/{r.pk}/merge/", {"into": w["twin"].pk}),
        ("post", f"requests/{r.pk}/escalate/", {"reason": "需要街道协调"}),
        ("post", f"requests/{w['resolved'].pk}/confirm/", {}),
        ("post", f"requests/{w['resolved'].pk}/rate/", {"score": 1}),
        ("post", f"requests/{w['resolved'].pk}/reopen/", {"reason": "没解决"}),
        ("get", f"requests/{r.pk}/", None),
        (
            "post",
            "tasks/",
            {
                **new_task,
                **here,
                "community": t.community_id,
                "focus": "service",
                "duty": "sanitation",
                "title": "清理",
                "address": "某处",
            },
        ),
        ("post", f"tasks/{t.pk}/accept/", {}),
        ("post", f"tasks/{t.pk}/cancel/", {"reason": "下雨"}),
        ("post", f"tasks/{t.pk}/complete/", {}),
        ("post", f"tasks/{t.pk}/notify/", {"n": 5}),
        ("post", f"tasks/{t.pk}/escalate/", {"reason": "需要街道协调"}),
        ("get", f"tasks/{t.pk}/suggestions/", None),
        ("get", f"tasks/{t.pk}/acceptances/", None),
        ("get", f"tasks/{t.pk}/", None),
        ("post", f"acceptances/{a.pk}/withdraw/", {}),
        ("post", f"acceptances/{a.pk}/check-in/", here),
        ("post", f"acceptances/{a.pk}/check-out/", {}),
        ("get", f"acceptances/{a.pk}/", None),
        ("post", f"service-records/{rec.pk}/confirm/", {}),
        ("post", f"service-records/{rec.pk}/confirm/", {"minutes": 5, "reason": "改"}),
        ("post", f"service-records/{rec.pk}/reject/", {"reason": "未到场"}),
        ("get", f"service-records/{rec.pk}/", None),
        ("post", f"escalations/{e.pk}/assign/", {"departments": [w["department"].pk]}),
        ("post", f"escalations/{e.pk}/respond/", {"department": w["department"].pk, "response": "已办理"}),
        ("post", f"escalations/{e.pk}/resolve/", {"outcome": "已解决"}),
        ("get", f"escalations/{e.pk}/", None),
        ("post", f"notifications/{w['note'].pk}/read/", {}),
        ("get", f"notifications/{w['note'].pk}/", None),
    ]


LISTS = [
    "requests/",
    "requests/nearby/?lat=24.8035&lng=113.5905&duty=sanitation",
    "tasks/",
    "tasks/hall/",
    "acceptances/",
    "service-records/",
    "visits/",
    "escalations/",
    "departments/",
    "notifications/",
    "me/",
]


def test_anonymous_gets_401_everywhere(api, world):
    before = snapshot()
    for method, path, body in actions(world):
        resp = getattr(api, method)(f"{V1}/{path}", body, format="json")
        assert resp.status_code == 401, (path, resp.content.decode())
        assert resp.json()["code"] == "not_authenticated"
    for path in LISTS:
        assert api.get(f"{V1}/{path}").status_code == 401, path
    assert snapshot() == before


@pytest.mark.parametrize("who", ["outsider", "stranger"])
def test_outsiders_are_refused_and_nothing_changes(world, outsider, who):
    user = outsider if who == "outsider" else UserFactory(phone="13800000077", name="路人")
    c = client_for(user)
    before = snapshot()
    for method, path, body in actions(world):
        resp = getattr(c, method)(f"{V1}/{path}", body, format="json")
        assert resp.status_code in (403, 404), (path, resp.status_code, resp.content.decode())
        assert any("\u4e00" <= ch <= "\u9fff" for ch in resp.json()["detail"]), path
    assert snapshot() == before
    # and their lists show nothing of the community
    for path in ["requests/", "requests/?box=review", "tasks/", "acceptances/", "service-records/", "escalations/"]:
        resp = c.get(f"{V1}/{path}")
        if resp.status_code == 200:
            assert resp.json()["results"] == [], path
        else:
            assert resp.status_code == 403, path


def test_member_cannot_act_as_staff(world, member):
    c = client_for(member.user)
    before = snapshot()
    for path, body in [
        (f"requests/{world['req'].pk}/reject/", {"reason": "x"}),
        (f"tasks/{world['task'].pk}/cancel/", {"reason": "x"}),
        (f"tasks/{world['task'].pk}/escalate/", {"reason": "x"}),
        (f"service-records/{world['record'].pk}/confirm/", {}),
        (f"escalations/{world['escalation'].pk}/resolve/", {"outcome": "x"}),
    ]:
        assert c.post(f"{V1}/{path}", body, format="json").status_code in (403, 404), path
    assert snapshot() == before


def test_secretary_sees_own_community(world, secretary, street_officer):
    c = client_for(secretary)
    ids = {r["id"] for r in c.get(f"{V1}/requests/?box=review").json()["results"]}
    assert world["req"].pk in ids and world["resolved"].pk not in ids
    assert [t["id"] for t in c.get(f"{V1}/tasks/").json()["results"]] == [world["task"].pk]
    assert [r["id"] for r in c.get(f"{V1}/service-records/").json()["results"]] == [world["record"].pk]
    esc = client_for(street_officer).get(f"{V1}/escalations/").json()["results"]
    assert [e["id"] for e in esc] == [world["escalation"].pk]
    assert client_for(street_officer).get(f"{V1}/departments/").json()[0]["name"]


# --- junk input -------------------------------------------------------------------------------

BIG = 2**70
JUNK_POSTS = [
    ("requests/", {"lat": "abc", "lng": 1, "duty": "sanitation"}),
    ("requests/", {"lat": "1e309", "lng": 113.5, "duty": "x", "title": "a", "description": "b", "address": "c"}),
    (
        "requests/",
        {
            "community": BIG,
            "lat": 24.8,
            "lng": 113.59,
            "duty": "sanitation",
            "title": "a",
            "description": "b",
            "address": "c",
        },
    ),
    (
        "requests/",
        {
            "community": "{c}",
            "lat": 24.8,
            "lng": 113.59,
            "duty": "sanitation",
            "title": "a\x00",
            "description": "b",
            "address": "c",
            "contact_phone": "12",
        },
    ),
    (
        "requests/",
        {
            "community": "{c}",
            "lat": 95,
            "lng": 113.59,
            "duty": "sanitation",
            "title": "a",
            "description": "b",
            "address": "c",
            "photos": "notafile",
        },
    ),
    (
        "requests/",
        {
            "community": "{c}",
            "lat": 24.8,
            "lng": 113.59,
            "duty": "sanitation",
            "title": "a",
            "description": "b",
            "address": "c",
            "preferred_time": "yesterday",
            "grid": -1,
        },
    ),
    ("requests/", ["not", "an", "object"]),
    (
        "requests/",
        {
            "community": "{c}",
            "lat": 24.8,
            "lng": 113.59,
            "duty": "sanitation",
            "title": "a",
            "description": "b",
            "address": "c",
            "unit": BIG,
            "requester_kind": "unit",
        },
    ),
    ("requests/{r}/approve/", {"starts_at": "tomorrow", "slots": -1}),
    ("requests/{r}/approve/", {"task_id": BIG}),
    ("requests/{r}/approve/", {"task_id": "x", "title": "a"}),
    ("requests/{r}/approve/", {}),
    (
        "requests/{r}/approve/",
        {"starts_at": "2020-01-01T10:00:00+08:00", "ends_at": "2020-01-01T09:00:00+08:00", "slots": 1},
    ),
    (
        "requests/{r}/approve/",
        {
            "skills_wanted": ["nonsense"],
            "starts_at": "2099-01-01T19:00:00+08:00",
            "ends_at": "2099-01-01T21:00:00+08:00",
            "slots": 2,
        },
    ),
    ("requests/{r}/reject/", {"reason": ""}),
    ("requests/{r}/reject/", {"reason": "\x00"}),
    ("requests/{r}/reject/", {"reason": ["a"]}),
    ("requests/{r}/merge/", {"into": "{r}"}),
    ("requests/{r}/merge/", {"into": BIG}),
    ("requests/{r}/rate/", {"score": "five"}),
    ("requests/{r}/rate/", {"score": 9, "liked_members": ["a"]}),
    ("requests/{r}/rate/", {"score": 3, "liked_members": [BIG]}),
    ("requests/{r}/reopen/", {}),
    ("tasks/", {"community": "{c}", "focus": "x", "duty": "y", "lat": "n", "slots": "many"}),
    (
        "tasks/",
        {
            "community": "{c}",
            "focus": "service",
            "duty": "safety",
            "title": "t",
            "address": "a",
            "lat": 24.8,
            "lng": 113.59,
            "starts_at": "2099-01-01T19:00:00+08:00",
            "ends_at": "2099-01-05T19:00:00+08:00",
            "slots": 3,
        },
    ),
    (
        "tasks/",
        {
            "community": "{c}",
            "focus": "service",
            "duty": "safety",
            "title": "t",
            "address": "a",
            "lat": 0,
            "lng": 0,
            "starts_at": "2099-01-01T19:00:00+08:00",
            "ends_at": "2099-01-01T20:00:00+08:00",
            "slots": 3,
            "skills_wanted": ["bogus"],
        },
    ),
    ("tasks/{t}/cancel/", {"reason": None}),
    ("tasks/{t}/notify/", {"n": 0}),
    ("tasks/{t}/notify/", {"n": "ten"}),
    ("acceptances/{a}/check-in/", {"lat": None, "lng": "x"}),
    ("acceptances/{a}/check-in/", {"lat": 24.8, "lng": 113.59, "coord_system": "bd09"}),
    ("acceptances/{a}/check-in/", {"lat": 0, "lng": 0}),
    ("service-records/{s}/confirm/", {"minutes": -3}),
    ("service-records/{s}/confirm/", {"minutes": 99999}),
    ("service-records/{s}/confirm/", {"minutes": 1, "reason": ""}),
    ("escalations/{e}/assign/", {"departments": []}),
    ("escalations/{e}/assign/", {"departments": [BIG], "deadline": "soon"}),
    ("escalations/{e}/respond/", {"department": "x", "response": ""}),
    ("escalations/{e}/resolve/", {"outcome": ""}),
    ("visits/", {"method": "telepathy"}),
    ("visits/", {"method": "qr", "token": "nope"}),
    ("visits/", {"method": "location", "lat": "n"}),
]

JUNK_GETS = [
    "requests/?status=bogus",
    "requests/?created_after=notadate&community=-1",
    "requests/?community=99999999999999999999999",
    "requests/?box=weird&page=abc",
    "requests/?page_size=100000",
    "requests/nearby/?lat=abc&lng=1&duty=sanitation",
    "requests/nearby/?lat=24.8&lng=113.5&duty=nope",
    "requests/nearby/",
    "requests/abc/",
    "requests/99999999999999999999999/",
    "requests/0/",
    "tasks/hall/?lat=abc&lng=1",
    "tasks/hall/?lat=24.8",
    "tasks/hall/?lat=91&lng=500",
    "tasks/hall/?max_distance_m=-5&date=2026-13-45&duty=zzz",
    "tasks/hall/?lat=24.8&lng=113.59&coord_system=bd09",
    "tasks/?status=nope&starts_after=2026-02-30",
    "tasks/abc/suggestions/",
    "acceptances/?status=zzz",
    "service-records/?status=zzz&member=abc&started_after=x",
    "visits/?quarter=xxxxxxxxxxxxxxxxxxxxxxx&visited_after=no",
    "escalations/?overdue=maybe&street=-3",
    "notifications/?unread=perhaps&page=999",
]


def _fill(world, path, body):
    ids = {
        "{c}": world["task"].community_id,
        "{r}": world["req"].pk,
        "{t}": world["task"].pk,
        "{a}": world["acceptance"].pk,
        "{s}": world["record"].pk,
        "{e}": world["escalation"].pk,
    }
    for k, v in ids.items():
        path = path.replace(k, str(v))
    if isinstance(body, dict):
        body = {k: (ids.get(v, v) if isinstance(v, str) else v) for k, v in body.items()}
    return path, body


@pytest.mark.parametrize("path,body", JUNK_POSTS)
@pytest.mark.parametrize("who", ["secretary", "member", "resident"])
def test_junk_posts_never_500(world, secretary, member, resident, path, body, who):
    user = {"secretary": secretary, "member": member.user, "resident": resident}[who]
    path, body = _fill(world, path, body)
    before = snapshot()
    resp = client_for(user).post(f"{V1}/{path}", body, format="json")
    assert resp.status_code in (400, 403, 404, 409, 413), (path, resp.status_code, resp.content.decode())
    assert any("\u4e00" <= ch <= "\u9fff" for ch in resp.json()["detail"]), resp.json()
    assert snapshot() == before


@pytest.mark.parametrize("path", JUNK_GETS)
def test_junk_queries_never_500(world, member, path):
    resp = client_for(member.user).get(f"{V1}/{path}")
    assert resp.status_code in (200, 400, 403, 404), (path, resp.status_code, resp.content.decode())


def test_malformed_json_and_multipart(world, resident):
    c = client_for(resident)
    resp = c.post(f"{V1}/requests/", "{not json", content_type="application/json")
    assert resp.status_code == 400
    resp = c.post(f"{V1}/requests/", b"--x\r\nbroken", content_type="multipart/form-data; boundary=x")
    assert resp.status_code == 400


# --- query counts ----------------------------------------------------------------------------


def _grow(n, community, secretary, member, street_officer, resident, start=0, hub=None):
    for i in range(start, start + n):
        if hub is not None:
            AcceptanceFactory(task=hub, member=MemberFactory(community=community))
        ServiceRequestFactory(community=community)
        task = TaskFactory(community=community, created_by=secretary, starts_at=evening(days=3 + i))
        AcceptanceFactory(task=TaskFactory(community=community, starts_at=evening(days=40 + i)), member=member)
        ServiceRecordFactory(member=member, community=community)
        EscalationFactory(request=ServiceRequestFactory(community=community, status="escalated"))
        Notification.objects.create(user=resident, kind="k", title=f"消息{i}")
        assert task


LIST_CASES = [
    ("secretary", "requests/?box=review"),
    ("secretary", "requests/"),
    ("member", "tasks/hall/?lat=24.8035&lng=113.5905"),
    ("member", "tasks/hall/"),
    ("secretary", "tasks/"),
    ("secretary", "tasks/{task}/acceptances/"),
    ("member", "acceptances/"),
    ("secretary", "service-records/"),
    ("member", "service-records/"),
    ("street_officer", "escalations/"),
    ("resident", "notifications/"),
]


@pytest.mark.parametrize("who,path", LIST_CASES)
def test_list_query_counts_stay_flat(community, grid, secretary, member, street_officer, resident, who, path):
    member.community, member.grid = community, grid
    member.save(update_fields=["community", "grid"])
    user = {"secretary": secretary, "member": member.user, "street_officer": street_officer, "resident": resident}[who]
    hub = TaskFactory(community=community, created_by=secretary, starts_at=evening(days=200), slots=50)
    path = path.replace("{task}", str(hub.pk))
    _grow(3, community, secretary, member, street_officer, resident, hub=hub)
    c = client_for(user)
    assert len(c.get(f"{V1}/{path}").json()["results"]) >= 3
    few = count_queries(client_for(user), f"{V1}/{path}")
    _grow(10, community, secretary, member, street_officer, resident, start=3, hub=hub)
    rows = c.get(f"{V1}/{path}?page_size=100" if "?" not in path else f"{V1}/{path}&page_size=100").json()
    assert len(rows["results"]) >= 13
    many = count_queries(
        client_for(user), f"{V1}/{path}?page_size=100" if "?" not in path else f"{V1}/{path}&page_size=100"
    )
    assert many == few, (path, few, many)
