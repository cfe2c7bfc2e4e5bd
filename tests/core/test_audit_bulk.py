"""The bulk trail of an import: ``created_entries`` builds, and ``copy_many`` writes, exactly the rows
that recording each creation one by one would."""

import pytest

from core import audit
from core.models import AuditEntry
from tests.accounts.factories import UserFactory
from tests.grids.factories import MemberFactory

pytestmark = pytest.mark.django_db

FIELDS = ("action", "actor_id", "actor_name", "object_type", "object_id", "object_repr", "changes", "note", "channel")


def _fields(entry):
    return {f: getattr(entry, f) for f in FIELDS}


def test_created_entries_match_entry_row_for_row():
    actor = UserFactory(name="书记")
    rows = [MemberFactory(skills=["teacher", "doctor"]), MemberFactory(home_lat=None, home_lng=None)]
    users = [UserFactory(name="甲"), UserFactory(name="")]
    for objs in (rows, users):
        one_by_one = [
            audit.entry(audit.Action.CREATED, obj=o, actor=actor, changes=audit.diff({}, audit.snapshot(o)))
            for o in objs
        ]
        assert [_fields(e) for e in audit.created_entries(objs, actor=actor)] == [_fields(e) for e in one_by_one]
    assert audit.created_entries(users, actor=actor)[0].changes["password"] == [audit.HIDDEN, audit.HIDDEN]


def test_copy_many_writes_what_record_many_would():
    actor = UserFactory(name="书记")
    members = [MemberFactory(), MemberFactory()]
    assert audit.copy_many(audit.created_entries(members, actor=actor)) == 2
    written = AuditEntry.objects.filter(object_type="grids.member", actor_id=actor.pk).order_by("object_id")
    assert [_fields(e) for e in written] == [
        _fields(e) for e in sorted(audit.created_entries(members, actor=actor), key=lambda e: e.object_id)
    ]
    assert all(e.at is not None for e in written)


@pytest.mark.postgres
def test_copy_many_uses_copy_on_postgresql(django_assert_num_queries):
    members = [MemberFactory(), MemberFactory()]
    entries = audit.created_entries(members, actor=None)
    with django_assert_num_queries(0):  # COPY goes past Django's query log: one statement, no INSERT
        audit.copy_many(entries)
    assert AuditEntry.objects.filter(object_type="grids.member").count() == 2
