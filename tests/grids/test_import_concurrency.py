"""The same file imported twice at once, on PostgreSQL: separate connections, a real unique index."""

import threading
import time
from datetime import timedelta

import pytest
from django.db import connection
from django.utils import timezone

from core.errors import Conflict
from grids.imports import roster
from grids.models import ImportRun, Member
from grids.services import bulk
from grids.services.imports import import_upload
from tests.grids.import_support import person, roster_world, roster_xlsx


def _race(n, fn):
    barrier = threading.Barrier(n)
    results: list = []

    def attempt(i):
        try:
            barrier.wait(timeout=10)
            results.append(("ok", fn(i).status))
        except Conflict as exc:
            results.append(("conflict", exc.message))
        except Exception as exc:  # pragma: no cover - reported by the assertions
            results.append(("error", repr(exc)))
        finally:
            connection.close()

    threads = [threading.Thread(target=attempt, args=(i,)) for i in range(n)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=60)
    return results


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_second_import_of_the_same_file_while_the_first_runs_is_refused(community, monkeypatch):
    w = roster_world(community)
    data = roster_xlsx([person(i) for i in range(1, 21)])
    slow_plan = roster.plan

    def plan(unit, rows):
        time.sleep(1.0)  # the first import is still running when the second arrives
        return slow_plan(unit, rows)

    monkeypatch.setattr(bulk.roster, "plan", plan)
    results = _race(
        2,
        lambda i: import_upload(
            actor=w.secretary, kind="roster", unit=w.unit, data=data, file_name="名册.xlsx", dry_run=False
        ),
    )
    assert sorted(r[0] for r in results) == ["conflict", "ok"], results
    assert ("ok", ImportRun.Status.DONE) in results
    assert "正在导入中" in next(r[1] for r in results if r[0] == "conflict")
    assert Member.objects.filter(unit=w.unit).count() == 20
    assert list(ImportRun.objects.values_list("status", flat=True)) == ["done"]


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_a_run_left_running_by_a_killed_process_does_not_block_the_file(community):
    import hashlib

    w = roster_world(community)
    data = roster_xlsx([person(1)])
    stale = ImportRun.objects.create(
        kind="roster",
        unit=w.unit,
        content_hash=hashlib.sha256(data).hexdigest(),
        created_by=w.secretary,
        created_at=timezone.now() - timedelta(minutes=11),
    )
    run = import_upload(actor=w.secretary, kind="roster", unit=w.unit, data=data, file_name="a.xlsx", dry_run=False)
    assert run.status == "done"
    stale.refresh_from_db()
    assert stale.status == "failed"
