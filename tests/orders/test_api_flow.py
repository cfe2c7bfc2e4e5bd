"""The 三单 flow through the API: resident → secretary → member → resident, the PIPL rule on
contact details, and conflicts as 409s with their codes."""

import datetime as dt

import pytest

from orders.models import Acceptance, Feedback, Like, ServiceRequest, Task
from reporting.models import ServiceRecord
from tests.conftest import client_for
from tests.grids.factories import MemberFactory
from tests.orders.api_support import V1, assert_error, evening
from tests.orders.factories import ServiceRequestFactory, TaskFactory

pytestmark = pytest.mark.django_db


def request_body(community, **extra):
    body = {
        "community": community.pk,
        "duty": "sanitation",
        "title": "楼道堆放杂物",
        "description": "三楼楼道堆满杂物，存在消防隐患。",
        "address": "工业中社区 3 栋 2 单元",
        "lat": community.lat + 0.0005,
        "lng": community.lng + 0.0005,
        "coord_system": "wgs84",
    }
    body.update(extra)
    return body


def test_resident_to_secretary_to_member_and_back(
    community, grid, resident, secretary, placed, time_machine, django_capture_on_commit_callbacks
):
    starts = evening(days=2)
    time_machine.move_to(starts - dt.timedelta(days=2), tick=False)
    you, sec, mem = client_for(resident), client_for(secretary), client_for(placed.user)

    # 点单
    resp = you.post(f"{V1}/requests/", request_body(community), format="json")
    assert resp.status_code == 201, resp.content.decode()
    req = resp.json()
    assert req["status"] == "submitted" and req["contact_phone"] == resident.phone and req["contact_visible"]
    assert [e["to_status"] for e in req["events"]] == ["submitted"]

    # the secretary's review queue, then approve into a new task
    queue = sec.get(f"{V1}/requests/?box=review").json()["results"]
    assert [r["id"] for r in queue] == [req["id"]]
    assert queue[0]["contact_phone"] == resident.phone  # the community's staff serve it
    resp = sec.post(
        f"{V1}/requests/{req['id']}/approve/",
        {"starts_at": starts.isoformat(), "ends_at": (starts + dt.timedelta(hours=2)).isoformat(), "slots": 2},
        format="json",
    )
    assert resp.status_code == 200, resp.content.decode()
    assert resp.json()["status"] == "approved"
    task_id = resp.json()["task_id"]
    task = Task.objects.get(pk=task_id)
    assert task.title == "楼道堆放杂物" and task.slots == 2

    # before accepting, the member cannot open the request at all
    assert mem.get(f"{V1}/requests/{req['id']}/").status_code == 404

    # the hall, then 接单
    hall = mem.get(f"{V1}/tasks/hall/?lat={community.lat}&lng={community.lng}").json()["results"]
    assert [t["id"] for t in hall] == [task_id]
    assert hall[0]["warning"] is None and hall[0]["distance_m"] is not None
    resp = mem.post(f"{V1}/tasks/{task_id}/accept/")
    assert resp.status_code == 201, resp.content.decode()
    acceptance = resp.json()
    assert acceptance["status"] == "accepted" and acceptance["task"]["taken"] == 1

    # having accepted, the member sees the requester's phone and address (PIPL: needed to serve)
    detail = mem.get(f"{V1}/requests/{req['id']}/").json()
    assert detail["contact_phone"] == resident.phone and detail["address"] == "工业中社区 3 栋 2 单元"

    # check in: refused without consent, then on site inside the window
    time_machine.move_to(starts + dt.timedelta(minutes=5), tick=False)
    site = {"lat": task.lat, "lng": task.lng, "coord_system": "wgs84"}
    assert_error(
        mem.post(f"{V1}/acceptances/{acceptance['id']}/check-in/", site, format="json"), 409, "consent_required"
    )
    assert mem.post(f"{V1}/location-consent/").json()["active"] is True
    resp = mem.post(f"{V1}/acceptances/{acceptance['id']}/check-in/", site, format="json")
    assert resp.status_code == 200, resp.content.decode()
    assert resp.json()["status"] == "checked_in" and resp.json()["checked_in_at"]
    assert Task.objects.get(pk=task_id).status == Task.Status.IN_PROGRESS

    time_machine.move_to(starts + dt.timedelta(minutes=95), tick=False)
    resp = mem.post(f"{V1}/acceptances/{acceptance['id']}/check-out/")
    assert resp.status_code == 200, resp.content.decode()
    out = resp.json()
    assert out["status"] == "completed" and out["record_status"] == "pending" and out["record_minutes"] == 90

    # the secretary completes the task: the request is resolved
    resp = sec.post(f"{V1}/tasks/{task_id}/complete/")
    assert resp.status_code == 200, resp.content.decode()
    assert resp.json()["status"] == "completed"
    assert ServiceRequest.objects.get(pk=req["id"]).status == ServiceRequest.Status.RESOLVED

    # the resident confirms (which confirms the hours), then rates and likes the member
    resp = you.post(f"{V1}/requests/{req['id']}/confirm/")
    assert resp.status_code == 200 and resp.json()["status"] == "confirmed", resp.content.decode()
    assert ServiceRecord.objects.get().status == ServiceRecord.Status.CONFIRMED
    resp = you.post(
        f"{V1}/requests/{req['id']}/rate/",
        {"score": 5, "comment": "很及时", "liked_members": [placed.pk]},
        format="json",
    )
    assert resp.status_code == 200, resp.content.decode()
    body = resp.json()
    assert body["status"] == "rated" and body["feedback"]["score"] == 5 and body["liked_member_ids"] == [placed.pk]
    assert Like.objects.filter(member=placed).count() == 1

    # rating twice is a conflict, and nothing changes
    assert_error(you.post(f"{V1}/requests/{req['id']}/rate/", {"score": 1}, format="json"), 409, "already_rated")
    assert Feedback.objects.get().score == 5


def test_request_with_photos_multipart(community, resident):
    import io

    from PIL import Image

    def jpeg():
        buf = io.BytesIO()
        Image.new("RGB", (40, 30), "red").save(buf, "JPEG")
        buf.seek(0)
        buf.name = "p.jpg"
        return buf

    body = request_body(community)
    body["photos"] = [jpeg(), jpeg()]
    resp = client_for(resident).post(f"{V1}/requests/", body, format="multipart")
    assert resp.status_code == 201, resp.content.decode()
    assert len(resp.json()["photos"]) == 2

    body["photos"] = [jpeg() for _ in range(4)]
    assert_error(client_for(resident).post(f"{V1}/requests/", body, format="multipart"), 400, "too_many_photos")
    assert ServiceRequest.objects.count() == 1


def test_request_without_community_goes_to_the_nearest(community, other_community, resident):
    body = request_body(community)
    del body["community"]
    resp = client_for(resident).post(f"{V1}/requests/", body, format="json")
    assert resp.status_code == 201, resp.content.decode()
    assert resp.json()["community_id"] == community.pk


def test_request_without_community_and_none_nearby_is_refused(community, resident):
    body = request_body(community)
    del body["community"]
    body.update(lat=25.30, lng=113.60)  # in Shaoguan, ~55 km from the only community
    resp = client_for(resident).post(f"{V1}/requests/", body, format="json")
    assert_error(resp, 400, "required", "community")
    assert not ServiceRequest.objects.exists()


def test_contact_is_masked_for_those_who_do_not_serve(community, resident, street_officer):
    req = ServiceRequestFactory(community=community, requester=resident, contact_phone="13912345678")
    body = client_for(street_officer).get(f"{V1}/requests/{req.pk}/").json()
    assert body["contact_phone"] == "139****5678"
    assert "1栋" not in body["address"] and body["lat"] is None and not body["contact_visible"]
    # nearby duplicates: other residents see the problem, never the contact
    neighbour = client_for(MemberFactory().user)
    rows = neighbour.get(f"{V1}/requests/nearby/?lat={req.lat}&lng={req.lng}&duty={req.duty}").json()["results"]
    assert [r["id"] for r in rows] == [req.pk]
    assert not {"contact_phone", "lat", "lng", "address"} & set(rows[0])


def test_join_a_nearby_request(community, resident):
    req = ServiceRequestFactory(community=community)
    here = {"lat": req.lat, "lng": req.lng, "coord_system": "wgs84"}  # a reason to follow: being at the place
    resp = client_for(resident).post(f"{V1}/requests/{req.pk}/join/", here, format="json")
    assert resp.status_code == 200, resp.content.decode()
    mine = client_for(resident).get(f"{V1}/requests/").json()["results"]
    assert [r["id"] for r in mine] == [req.pk]


def test_whistle_a_task_with_working_hours_warning(community, secretary):
    day = evening(days=7)
    while day.weekday() >= 5:
        day += dt.timedelta(days=1)
    starts = day.replace(hour=10)
    body = {
        "community": community.pk,
        "focus": "governance",
        "duty": "safety",
        "title": "夜间巡逻",
        "address": "工业中社区",
        "lat": community.lat,
        "lng": community.lng,
        "starts_at": starts.isoformat(),
        "ends_at": (starts + dt.timedelta(hours=2)).isoformat(),
        "slots": 3,
    }
    resp = client_for(secretary).post(f"{V1}/tasks/", body, format="json")
    assert resp.status_code == 201, resp.content.decode()
    assert "工作日" in resp.json()["warning"]


# --- conflicts -------------------------------------------------------------------------------


def test_slot_full(community, secretary, placed):
    task = TaskFactory(community=community, created_by=secretary, slots=1)
    other = MemberFactory(community=community)
    assert client_for(other.user).post(f"{V1}/tasks/{task.pk}/accept/").status_code == 201
    assert_error(client_for(placed.user).post(f"{V1}/tasks/{task.pk}/accept/"), 409, "slot_full")
    assert Acceptance.objects.count() == 1


def test_time_clash_and_already_accepted(community, secretary, placed):
    first = TaskFactory(community=community, created_by=secretary, starts_at=evening(), slots=3)
    clash = TaskFactory(community=community, created_by=secretary, starts_at=evening() + dt.timedelta(hours=1))
    c = client_for(placed.user)
    assert c.post(f"{V1}/tasks/{first.pk}/accept/").status_code == 201
    assert_error(c.post(f"{V1}/tasks/{first.pk}/accept/"), 409, "already_accepted")
    assert_error(c.post(f"{V1}/tasks/{clash.pk}/accept/"), 409, "time_clash")
    assert Acceptance.objects.count() == 1
    assert Task.objects.get(pk=first.pk).taken == 1 and Task.objects.get(pk=clash.pk).taken == 0


def test_illegal_transition(community, secretary):
    req = ServiceRequestFactory(community=community, status=ServiceRequest.Status.REJECTED, reject_reason="重复")
    assert_error(
        client_for(secretary).post(f"{V1}/requests/{req.pk}/escalate/", {"reason": "需要街道"}, format="json"),
        409,
        "illegal_transition",
    )
    assert ServiceRequest.objects.get(pk=req.pk).status == ServiceRequest.Status.REJECTED


def test_withdraw_frees_the_slot(community, secretary, placed):
    task = TaskFactory(community=community, created_by=secretary, starts_at=evening(days=3), slots=1)
    c = client_for(placed.user)
    acceptance = c.post(f"{V1}/tasks/{task.pk}/accept/").json()
    assert Task.objects.get(pk=task.pk).status == Task.Status.FULL
    resp = c.post(f"{V1}/acceptances/{acceptance['id']}/withdraw/")
    assert resp.status_code == 200 and resp.json()["status"] == "cancelled", resp.content.decode()
    assert Task.objects.get(pk=task.pk).taken == 0
    assert_error(c.post(f"{V1}/acceptances/{acceptance['id']}/withdraw/"), 409, "illegal_transition")


# --- the other review actions, the joint meeting and task staff actions ----------------------


def test_reject_merge_and_approve_into_an_existing_task(community, secretary, resident, sent_nowhere):
    sec = client_for(secretary)
    a, b, c = (ServiceRequestFactory(community=community) for _ in range(3))
    resp = sec.post(f"{V1}/requests/{a.pk}/reject/", {"reason": "不属于社区职责"}, format="json")
    assert resp.status_code == 200 and resp.json()["reject_reason"] == "不属于社区职责", resp.content.decode()
    resp = sec.post(f"{V1}/requests/{b.pk}/merge/", {"into": c.pk}, format="json")
    assert resp.status_code == 200 and resp.json()["merged_into_id"] == c.pk, resp.content.decode()
    task = TaskFactory(community=community, created_by=secretary)
    resp = sec.post(f"{V1}/requests/{c.pk}/approve/", {"task_id": task.pk}, format="json")
    assert resp.status_code == 200 and resp.json()["task_id"] == task.pk, resp.content.decode()
    assert_error(
        sec.post(f"{V1}/requests/{a.pk}/approve/", {"task_id": task.pk}, format="json"), 409, "illegal_transition"
    )


def test_escalate_assign_respond_resolve(community, secretary, street_officer, resident, sent_nowhere):
    from tests.orders.factories import DepartmentFactory

    req = ServiceRequestFactory(community=community, requester=resident)
    resp = client_for(secretary).post(f"{V1}/requests/{req.pk}/escalate/", {"reason": "涉及多个部门"}, format="json")
    assert resp.status_code == 200 and resp.json()["status"] == "escalated", resp.content.decode()
    st = client_for(street_officer)
    (case,) = st.get(f"{V1}/escalations/").json()["results"]
    assert case["request_id"] == req.pk and case["status"] == "open"
    dept = DepartmentFactory(name="住建")
    resp = st.post(f"{V1}/escalations/{case['id']}/assign/", {"departments": [dept.pk]}, format="json")
    assert resp.status_code == 200 and resp.json()["status"] == "assigned" and resp.json()["deadline"]
    resp = st.post(
        f"{V1}/escalations/{case['id']}/respond/", {"department": dept.pk, "response": "已安排维修"}, format="json"
    )
    assert resp.status_code == 200 and resp.json()["responses"][0]["department_name"] == "住建"
    resp = st.post(f"{V1}/escalations/{case['id']}/resolve/", {"outcome": "已修复"}, format="json")
    assert resp.status_code == 200 and resp.json()["status"] == "resolved", resp.content.decode()
    assert ServiceRequest.objects.get(pk=req.pk).status == ServiceRequest.Status.RESOLVED
    assert_error(st.post(f"{V1}/escalations/{case['id']}/resolve/", {"outcome": "再办"}, format="json"), 409)


def test_reopen_goes_back_to_review(community, resident, sent_nowhere):
    req = ServiceRequestFactory(
        community=community, requester=resident, status=ServiceRequest.Status.RESOLVED, resolved_at=evening(-1)
    )
    resp = client_for(resident).post(f"{V1}/requests/{req.pk}/reopen/", {"reason": "还是没修好"}, format="json")
    assert resp.status_code == 200, resp.content.decode()
    assert resp.json()["status"] == "submitted" and resp.json()["reopen_count"] == 1


def test_cancel_notify_and_suggestions(community, secretary, placed, sent_nowhere):
    task = TaskFactory(community=community, created_by=secretary, slots=3)
    sec = client_for(secretary)
    rows = sec.get(f"{V1}/tasks/{task.pk}/suggestions/").json()
    assert [r["member_id"] for r in rows] == [placed.pk]
    assert client_for(placed.user).post(f"{V1}/tasks/{task.pk}/accept/").status_code == 201
    (slot,) = sec.get(f"{V1}/tasks/{task.pk}/acceptances/").json()["results"]
    assert slot["member_id"] == placed.pk and slot["member_phone"] == placed.user.phone
    assert client_for(placed.user).get(f"{V1}/tasks/{task.pk}/acceptances/").status_code == 403
    resp = sec.post(f"{V1}/tasks/{task.pk}/notify/", {"n": 5}, format="json")
    assert resp.status_code == 200 and resp.json()["notified"] == 0, resp.content.decode()  # already in
    assert_error(sec.post(f"{V1}/tasks/{task.pk}/cancel/", {"reason": ""}, format="json"), 400)
    resp = sec.post(f"{V1}/tasks/{task.pk}/cancel/", {"reason": "暴雨预警"}, format="json")
    assert resp.status_code == 200 and resp.json()["status"] == "cancelled", resp.content.decode()
    assert_error(client_for(placed.user).post(f"{V1}/tasks/{task.pk}/accept/"), 409, "task_cancelled")


@pytest.fixture
def sent_nowhere(monkeypatch):
    calls = []
    monkeypatch.setattr("notifications.services.notify", lambda **kw: calls.append(kw))
    return calls
