"""``insert_many``: on PostgreSQL, COPY writes the rows ``bulk_create`` writes, with their ids."""

from datetime import datetime, timedelta, timezone

import pytest
from django.db import IntegrityError, connection, transaction

from accounts.models import User
from core import audit, copy
from core.models import AuditEntry
from grids.models import Member, Registration
from tests.accounts.factories import UserFactory
from tests.grids.factories import UnitFactory

pytestmark = pytest.mark.django_db

BEIJING = timezone(timedelta(hours=8))


@pytest.fixture
def unit():
    return UnitFactory()


def _members(users, unit):
    """Members with every kind of value a row holds: JSON lists, floats and None, an aware datetime,
    a choice's enum, a foreign key given as an object (its id filled on insert) or as an id."""
    return [
        Member(
            user=u,
            kind=Member.Kind.YOUTH_LEAGUE if i % 2 else "in_service",
            unit_id=unit.pk,
            skills=["teacher", "doctor"] if i % 2 else [],
            home_address=f"测试路{i}号 'quoted' \\ \t tab",
            home_lat=24.8 + i / 1000 if i % 3 else None,
            home_lng=113.6 if i % 3 else None,
            created_at=datetime(2026, 3, 1, 9, i, tzinfo=BEIJING),
        )
        for i, u in enumerate(users)
    ]


def _rows(model, pks, exclude=("id", "user_id")):
    return [
        {k: v for k, v in row.items() if k not in exclude}
        for row in model.objects.filter(pk__in=pks).order_by("pk").values()
    ]


def test_elsewhere_it_is_bulk_create():
    if connection.vendor == "postgresql":
        pytest.skip("SQLite's path")
    assert not copy.use_copy(Member)
    users = copy.insert_many([User(phone=f"1370000000{i}", name=f"甲{i}") for i in range(3)])
    assert all(u.pk for u in users) and User.objects.filter(phone__startswith="1370000000").count() == 3


@pytest.mark.postgres
def test_copy_writes_the_rows_bulk_create_writes(unit):
    assert copy.use_copy(Member) and copy.use_copy(AuditEntry) and copy.use_copy(Registration)
    users = [UserFactory() for _ in range(8)]
    by_copy = copy.insert_many(_members(users[:4], unit))
    by_insert = Member.objects.bulk_create(_members(users[4:], unit))
    assert [m.pk for m in by_copy] == sorted(m.pk for m in by_copy)  # ids in the objects' order
    assert [m.user_id for m in by_copy] == [u.pk for u in users[:4]]
    assert not any(m._state.adding for m in by_copy)
    assert _rows(Member, [m.pk for m in by_copy]) == _rows(Member, [m.pk for m in by_insert])
    # The ids drawn are the rows' ids: what points at them finds them.
    assert [Member.objects.get(pk=m.pk).user_id for m in by_copy] == [u.pk for u in users[:4]]


@pytest.mark.postgres
def test_audit_rows_copied_without_ids_are_those_record_many_inserts(unit):
    members = Member.objects.bulk_create(_members([UserFactory() for _ in range(3)], unit))

    def entries():
        out = audit.created_entries(members, actor=None, notes=["甲", "", "乙" * 600])
        out[0].ip, out[1].ip = "10.1.2.3", "2001:db8::1"
        return out

    copied = entries()
    assert audit.copy_many(copied) == 3 and all(e.pk is None for e in copied)
    inserted = audit.record_many(entries())
    fields = ("action", "object_type", "object_id", "object_repr", "changes", "note", "channel", "ip", "device")
    rows = list(AuditEntry.objects.filter(object_type="grids.member").order_by("pk").values_list(*fields))
    assert len(rows) == 6 and rows[:3] == rows[3:]
    assert rows[0][0] == "created" and rows[0][7] == "10.1.2.3" and len(rows[2][5]) == 500
    assert [e.pk for e in inserted] == sorted(e.pk for e in inserted)


@pytest.mark.postgres
def test_a_duplicate_raises_integrity_error_and_writes_nothing():
    UserFactory(phone="13700000001")
    with pytest.raises(IntegrityError), transaction.atomic():
        copy.insert_many([User(phone="13700000002"), User(phone="13700000001")])
    assert not User.objects.filter(phone="13700000002").exists()


@pytest.mark.postgres
def test_an_unsaved_related_object_is_refused_as_bulk_create_refuses_it(unit):
    with pytest.raises(ValueError, match="not saved"):
        copy.insert_many([Member(user=User(phone="13700000003"), unit=unit)])
