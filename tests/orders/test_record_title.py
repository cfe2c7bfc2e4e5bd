"""A service record carries its task's title, copied at check-out (and, for records made before
the field existed, by the data migration), so the ledger's pages need no task."""

import datetime as dt
from importlib import import_module

import pytest
import time_machine
from django.apps import apps

from orders.services.acceptances import acceptance_check_in, acceptance_check_out
from orders.services.tasks import task_accept
from reporting.models import ServiceRecord
from tests.orders.factories import AcceptanceFactory, TaskFactory
from tests.orders.support import consent, on_site
from tests.reporting.factories import ServiceRecordFactory

pytestmark = pytest.mark.django_db


def test_check_out_copies_the_tasks_title_and_the_member_is_the_actor(task, placed):
    consent(placed)
    accepted = task_accept(task=task, member=placed)
    with time_machine.travel(task.starts_at, tick=False):
        acceptance_check_in(acceptance=accepted, actor=placed.user, **on_site(task))
    with time_machine.travel(task.starts_at + dt.timedelta(minutes=90), tick=False):
        record = acceptance_check_out(acceptance=accepted, actor=placed.user).record
    assert record.title == task.title
    event = record.events.get()
    assert (event.kind, event.actor) == ("checked_out", placed.user)


def test_the_data_migration_fills_titles_in_one_update(community, django_assert_num_queries):
    migration = import_module("orders.migrations.0008_record_title_from_task")
    rows = []
    for title in ("义诊", "清理楼道"):
        record = ServiceRecordFactory(community=community)
        AcceptanceFactory(task=TaskFactory(community=community, title=title), record=record)
        rows.append((record.pk, title))
    kept = ServiceRecordFactory(community=community, title="已有内容")
    AcceptanceFactory(task=TaskFactory(community=community, title="别的"), record=kept)
    alone = ServiceRecordFactory(community=community)  # no acceptance: left blank
    with django_assert_num_queries(1):
        migration.fill_titles(apps, None)
    assert dict(ServiceRecord.objects.filter(pk__in=[pk for pk, _ in rows]).values_list("pk", "title")) == dict(rows)
    assert ServiceRecord.objects.get(pk=kept.pk).title == "已有内容"
    assert ServiceRecord.objects.get(pk=alone.pk).title == ""
