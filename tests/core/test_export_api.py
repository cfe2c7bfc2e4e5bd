"""The XLSX downloads over the API: 202 with the job, the error shape for refusals, polling, the
file with a token, and nobody else's jobs."""

from __future__ import annotations

import datetime as dt

import pytest
import time_machine
from rest_framework.test import APIClient

from core.models import AuditEntry, ExportJob
from tests.accounts.factories import UserFactory
from tests.conftest import client_for
from tests.core.exports_support import KEY, body_of, workbook_of

pytestmark = pytest.mark.django_db
V1 = "/api/v1"
NOW = dt.datetime(2026, 4, 1, 2, 0, tzinfo=dt.UTC)


@pytest.fixture
def officer(sheet):
    user = UserFactory(name="吴组织")
    sheet.grant(user, "c1")
    return user


@pytest.fixture
def neighbour(sheet):
    user = UserFactory(name="周街道")
    sheet.grant(user, "c2")
    return user


def start(client, body=None, query="", capture=None):
    return client.post(f"{V1}/exports/{KEY}/{query}", body or {}, format="json")


@pytest.fixture
def done(officer, exports_dir, django_capture_on_commit_callbacks):
    with time_machine.travel(NOW, tick=False), django_capture_on_commit_callbacks(execute=True):
        response = start(client_for(officer), {"node": "c1"})
    assert response.status_code == 202, response.json()
    return response.json()


def test_start_answers_202_with_the_job_and_where_to_poll(officer, exports_dir, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=False):
        response = start(client_for(officer), {"start": "2026-01-01"}, query="?node=c1")
    assert response.status_code == 202
    body = response.json()
    job = ExportJob.objects.get()
    assert body["id"] == str(job.pk) and body["dataset"] == KEY
    assert body["params"] == {"node": "c1", "start": "2026-01-01"}
    assert body["status"] == "queued" and body["status_display"] == "排队中"
    assert body["progress"] is None and body["download_url"] is None
    assert response["Location"].endswith(f"{V1}/exports/jobs/{job.pk}/")
    assert body["page_url"].endswith(f"/downloads/jobs/{job.pk}/")


def test_the_same_download_again_returns_the_running_job(officer, exports_dir, django_capture_on_commit_callbacks):
    client = client_for(officer)
    with django_capture_on_commit_callbacks(execute=False):
        first = start(client, {"node": "c1"}).json()
        again = start(client, query="?node=c1")
    assert again.status_code == 200
    assert again.json()["detail"] == "已有相同的下载正在生成" and again.json()["job"]["id"] == first["id"]


@pytest.mark.parametrize(
    ("body", "status", "code"),
    [
        ({"node": "c2"}, 403, "permission_denied"),  # a neighbouring node
        ({"node": "c1", "rows": "many"}, 400, "invalid"),
        ({"node": ["c1"]}, 400, "invalid_params"),
    ],
)
def test_refusals_come_at_once_in_the_error_shape(officer, exports_dir, body, status, code):
    response = start(client_for(officer), body)
    assert response.status_code == status
    assert response.json()["code"] == code and response.json()["detail"]
    assert not ExportJob.objects.exists()


def test_an_unknown_dataset_is_not_found(officer):
    response = client_for(officer).post(f"{V1}/exports/nosuch/", {}, format="json")
    assert response.status_code == 404 and response.json() == {"detail": "没有这种下载。", "code": "unknown_dataset"}


def test_anonymous_callers_are_refused(done):
    api = APIClient()
    assert start(api, {"node": "c1"}).status_code == 401
    assert api.get(f"{V1}/exports/jobs/{done['id']}/").status_code == 401
    assert api.get(f"{V1}/exports/jobs/").status_code == 401


@time_machine.travel(NOW + dt.timedelta(hours=1), tick=False)
def test_polling_then_the_file_with_the_token(done, officer):
    client = client_for(officer)
    job = client.get(f"{V1}/exports/jobs/{done['id']}/").json()
    assert job["status"] == "done" and job["progress"] == 100 and job["rows_done"] == 3
    assert job["download_url"].endswith(f"{V1}/exports/jobs/{done['id']}/file/")
    response = client.get(job["download_url"])
    assert response.status_code == 200
    assert workbook_of(body_of(response)).active["C3"].value == "02088886666"
    handed = AuditEntry.objects.get(note="下载 XLSX 文件")
    assert handed.actor_id == officer.pk and handed.channel == "api"


@time_machine.travel(NOW + dt.timedelta(hours=1), tick=False)
@pytest.mark.parametrize("who", ["neighbour", "stranger"])
def test_nobody_else_gets_the_job_or_its_file(done, who, neighbour):
    client = client_for(neighbour if who == "neighbour" else UserFactory())
    for url in (f"{V1}/exports/jobs/{done['id']}/", f"{V1}/exports/jobs/{done['id']}/file/"):
        response = client.get(url)
        assert response.status_code == 404 and response.json()["code"] == "not_found"
    assert client.get(f"{V1}/exports/jobs/").json()["count"] == 0


def test_the_file_after_its_day_is_gone(done, officer):
    with time_machine.travel(NOW + dt.timedelta(days=1, minutes=1), tick=False):
        job = client_for(officer).get(f"{V1}/exports/jobs/{done['id']}/").json()
        response = client_for(officer).get(f"{V1}/exports/jobs/{done['id']}/file/")
    assert job["expired"] is True and job["download_url"] is None
    assert response.status_code == 410 and response.json()["code"] == "expired"
    assert response.json()["detail"] == "文件已过期删除（只保留一天），请重新生成。"


def test_a_file_not_built_yet_is_a_conflict(officer, exports_dir, django_capture_on_commit_callbacks):
    client = client_for(officer)
    with django_capture_on_commit_callbacks(execute=False):
        job = start(client, {"node": "c1"}).json()
    response = client.get(f"{V1}/exports/jobs/{job['id']}/file/")
    assert response.status_code == 409 and response.json()["code"] == "not_ready"


def test_the_list_is_mine_and_costs_the_same_for_any_length(
    officer, exports_dir, django_assert_num_queries, django_capture_on_commit_callbacks
):
    client = client_for(officer)
    for n in range(4):
        with django_capture_on_commit_callbacks(execute=True):
            start(client, {"node": "c1", "rows": str(n)})
    with django_assert_num_queries(2):  # the count and the page
        body = client.get(f"{V1}/exports/jobs/").json()
    assert body["count"] == 4 and {j["status"] for j in body["results"]} == {"done"}
