"""Slots never overfill and a member never holds two overlapping tasks, whatever the concurrency.

Threads with their own connections race on PostgreSQL (row locks and the exclusion constraint
only mean something there).
"""

import datetime as dt
import threading

import pytest
from django.db import IntegrityError, connection, transaction

from core.errors import Conflict
from notifications.models import Notification
from orders.models import Acceptance, Task
from orders.services.tasks import task_accept
from tests.grids.factories import MemberFactory
from tests.orders.factories import AcceptanceFactory, TaskFactory

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]


def _race(calls) -> list:
    """Run each ``(task, member)`` accept in its own thread, released together."""
    barrier = threading.Barrier(len(calls))
    results: list = []

    def attempt(task, member):
        try:
            barrier.wait(timeout=20)
            results.append(("ok", task_accept(task=task, member=member).pk))
        except Conflict as exc:
            results.append(("conflict", exc.code))
        except Exception as exc:  # pragma: no cover - reported by the assertions
            results.append(("error", repr(exc)))
        finally:
            connection.close()

    threads = [threading.Thread(target=attempt, args=call) for call in calls]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=60)
    return results


def test_twenty_members_racing_for_five_slots(community):
    task = TaskFactory(community=community, slots=5)
    members = [MemberFactory(community=community) for _ in range(20)]
    results = _race([(task, m) for m in members])
    assert len(results) == 20
    assert [r for r in results if r[0] == "error"] == []
    assert sum(r[0] == "ok" for r in results) == 5
    assert {r[1] for r in results if r[0] == "conflict"} == {"slot_full"}
    task.refresh_from_db()
    assert (task.taken, task.status) == (5, Task.Status.FULL)
    assert Acceptance.objects.filter(task=task).count() == 5


def test_two_hundred_acceptors_racing_for_ten_slots(community, secretary):
    """Each thread holds its own connection, so PostgreSQL must allow 200 of them (``.ci/run`` sees to it)."""
    with connection.cursor() as cursor:
        cursor.execute("SHOW max_connections")
        allowed = int(cursor.fetchone()[0])
    assert allowed >= 220, f"PostgreSQL allows {allowed} connections; raise max_connections (see .ci/run)"
    task = TaskFactory(community=community, slots=10)
    members = MemberFactory.create_batch(200, community=community)
    results = _race([(task, m) for m in members])
    assert len(results) == 200
    assert [r for r in results if r[0] == "error"] == []
    assert sum(r[0] == "ok" for r in results) == 10
    assert {r[1] for r in results if r[0] == "conflict"} == {"slot_full"}
    task.refresh_from_db()
    assert (task.taken, task.status) == (10, Task.Status.FULL)
    assert Acceptance.objects.filter(task=task).count() == 10
    # The winner who filled the task told the secretary once, after its transaction committed.
    assert list(Notification.objects.filter(kind="task_full").values_list("user_id", "url")) == [
        (secretary.pk, f"/work/tasks/{task.pk}/")
    ]


def test_one_member_taking_two_overlapping_tasks_at_once_gets_one(community):
    first = TaskFactory(community=community)
    second = TaskFactory(
        community=community,
        starts_at=first.starts_at + dt.timedelta(minutes=30),
        ends_at=first.ends_at + dt.timedelta(minutes=30),
    )
    member = MemberFactory(community=community)
    results = _race([(first, member), (second, member)])
    assert sorted(r[0] for r in results) == ["conflict", "ok"], results
    assert ("conflict", "time_clash") in results
    assert Acceptance.objects.filter(member=member).count() == 1
    first.refresh_from_db()
    second.refresh_from_db()
    assert first.taken + second.taken == 1


def test_the_exclusion_constraint_refuses_an_overlapping_row(community):
    held = AcceptanceFactory(task=TaskFactory(community=community))
    other = TaskFactory(community=community, starts_at=held.starts_at + dt.timedelta(hours=1))
    with pytest.raises(IntegrityError, match="acceptance_no_overlap"), transaction.atomic():
        Acceptance.objects.create(task=other, member=held.member, starts_at=other.starts_at, ends_at=other.ends_at)
    # A cancelled acceptance holds no time, so the same interval may be taken again.
    Acceptance.objects.filter(pk=held.pk).update(status=Acceptance.Status.CANCELLED)
    Acceptance.objects.create(task=other, member=held.member, starts_at=other.starts_at, ends_at=other.ends_at)
