"""The admin's download action on members, records, requests, tasks and visits: the selected rows,
within the admin user's scope, streamed and audited."""

from __future__ import annotations

import csv
import io

import pytest
from django.contrib.admin.helpers import ACTION_CHECKBOX_NAME
from django.http import StreamingHttpResponse
from django.urls import reverse

from core.exports import BOM
from core.models import AuditEntry
from grids.models import Member
from orders.models import ServiceRequest, Task
from reporting.models import ServiceRecord, Visit
from tests.grids.factories import MemberFactory
from tests.orders.factories import ServiceRequestFactory, TaskFactory
from tests.reporting.factories import ServiceRecordFactory, VisitFactory

CASES = [
    (Member, "members", lambda community: MemberFactory(community=community)),
    (ServiceRecord, "records", lambda community: ServiceRecordFactory(community=community)),
    (Visit, "visits", lambda community: VisitFactory(community=community)),
    (ServiceRequest, "requests", lambda community: ServiceRequestFactory(community=community)),
    (Task, "tasks", lambda community: TaskFactory(community=community)),
]


def _post(client, model, key, selected):
    url = reverse(f"admin:{model._meta.app_label}_{model._meta.model_name}_changelist")
    return client.post(url, {"action": f"download_{key}_csv", ACTION_CHECKBOX_NAME: [str(o.pk) for o in selected]})


def _rows(response) -> list[list[str]]:
    text = b"".join(response.streaming_content).decode()
    assert text.startswith(BOM)
    return list(csv.reader(io.StringIO(text[len(BOM) :])))


@pytest.mark.parametrize(("model", "key", "make"), CASES)
def test_a_superuser_downloads_the_selected_rows(client, admin_user, community, model, key, make):
    chosen, _, left = make(community), make(community), make(community)
    client.force_login(admin_user)
    response = _post(client, model, key, [chosen, left])
    assert isinstance(response, StreamingHttpResponse)
    rows = _rows(response)
    assert sorted(r[0] for r in rows[1:]) == sorted(str(o.pk) for o in (chosen, left))
    entry = AuditEntry.objects.filter(action=AuditEntry.Action.EXPORT).latest("pk")
    assert entry.changes["rows"] == 2 and entry.changes["filters"]["selected"] is True
    assert entry.changes["filters"]["dataset"] == key and entry.channel == AuditEntry.Channel.ADMIN


@pytest.mark.parametrize(("model", "key", "make"), CASES)
def test_a_secretary_gets_only_rows_of_their_community(client, secretary, community, other_community, model, key, make):
    secretary.is_staff = True
    secretary.save(update_fields=["is_staff"])
    mine, theirs = make(community), make(other_community)
    client.force_login(secretary)
    response = _post(client, model, key, [mine, theirs])
    if isinstance(response, StreamingHttpResponse):
        assert [r[0] for r in _rows(response)[1:]] == [str(mine.pk)]
    else:  # the changelist hid the other community's row: nothing selected it
        assert response.status_code in (200, 302)
