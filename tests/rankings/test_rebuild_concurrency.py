"""Two rebuilds at once on PostgreSQL: one runs, the other is told a rebuild is running."""

import threading
from datetime import date

import pytest
from django.db import connection

from core.errors import Conflict
from rankings.models import BoardDay
from rankings.services import boards as services
from tests.grids.factories import MemberFactory

DAY = date(2026, 6, 15)


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_a_second_rebuild_gets_a_conflict_while_the_first_holds_the_lock(community, monkeypatch):
    MemberFactory(community=community)
    inside, release = threading.Event(), threading.Event()
    real_insert = services._insert_entries

    def slow_insert(day, previous):
        inside.set()
        release.wait(10)  # hold the lock while the second rebuild tries
        return real_insert(day, previous)

    monkeypatch.setattr(services, "_insert_entries", slow_insert)
    outcome = {}

    def first():
        try:
            outcome["first"] = services.board_rebuild(day=DAY, triggered_by="第一个")
        finally:
            connection.close()

    thread = threading.Thread(target=first)
    thread.start()
    assert inside.wait(10)
    monkeypatch.setattr(services, "_insert_entries", real_insert)
    try:
        with pytest.raises(Conflict, match="正在生成"):
            services.board_rebuild(day=DAY, triggered_by="第二个")
    finally:
        release.set()
        thread.join(10)
    assert outcome["first"].triggered_by == "第一个"
    assert BoardDay.objects.get(day=DAY).triggered_by == "第一个"
    # The lock went with the first transaction: the next rebuild runs.
    assert services.board_rebuild(day=DAY, triggered_by="之后").triggered_by == "之后"
