"""On PostgreSQL a roster import writes its rows with COPY; they are the rows the ``bulk_create``
path (SQLite's) writes: users, members, registrations, choices, events and audit rows alike."""

from datetime import UTC, datetime

import pytest
import time_machine
from django.db import transaction

from accounts.models import User
from core import copy
from core.models import AuditEntry
from grids.imports import roster
from grids.models import Member, Registration, RegistrationChoice, RegistrationEvent
from grids.services.imports import import_upload
from tests.grids.import_support import person, roster_world, roster_xlsx

pytestmark = [pytest.mark.django_db, pytest.mark.postgres]


class _Undo(Exception):
    pass


def _written(w, data) -> dict:
    """What importing ``data`` writes, each id replaced by the phone number of the row's person."""
    out = {}
    try:
        with transaction.atomic():
            run = import_upload(
                actor=w.secretary, kind="roster", unit=w.unit, data=data, file_name="名册.xlsx", dry_run=False
            )
            assert run.status == "done", run.errors
            users = {u.pk: u.phone for u in User.objects.filter(phone__startswith="137")}
            members = {m.pk: users[m.user_id] for m in Member.objects.filter(user_id__in=users)}
            regs = {r.pk: members[r.member_id] for r in Registration.objects.filter(member_id__in=members)}
            keys = {"accounts.user": users, "grids.member": members, "grids.registration": regs}
            refs = {"user_id": users, "member_id": members, "registration_id": regs}

            def rows(model, ref):
                found = []
                for row in model.objects.filter(**{f"{ref}__in": list(refs[ref])}).values():
                    row.pop("id")
                    row[ref] = refs[ref][row[ref]]
                    found.append(row)
                return sorted(found, key=lambda r: (r[ref], str(r)))

            out["users"] = sorted(
                ({k: v for k, v in u.items() if k != "id"} for u in User.objects.filter(pk__in=users).values()),
                key=lambda u: u["phone"],
            )
            out["members"] = rows(Member, "user_id")
            out["registrations"] = rows(Registration, "member_id")
            out["choices"] = rows(RegistrationChoice, "registration_id")
            out["events"] = rows(RegistrationEvent, "registration_id")
            trail = []
            for e in AuditEntry.objects.filter(object_type__in=keys).values():
                e.pop("id")
                e["object_id"] = keys[e["object_type"]][int(e["object_id"])]
                changes = e["changes"]
                if "id" in changes:
                    changes["id"] = [None, e["object_id"]]
                for name, ids in refs.items():
                    if name in changes:
                        changes[name] = [None, ids[changes[name][1]]]
                trail.append(e)
            out["audit"] = sorted(trail, key=lambda e: (e["object_type"], e["object_id"]))
            raise _Undo
    except _Undo:
        pass
    return out


def test_copy_writes_the_rows_bulk_create_writes(community, monkeypatch):
    w = roster_world(community)
    label = roster.community_label(community)
    data = roster_xlsx([person(i, community=label if i % 2 else "") for i in range(1, 8)])
    assert copy.use_copy(Registration)
    with time_machine.travel(datetime(2026, 5, 1, 2, 0, tzinfo=UTC), tick=False):
        copied = _written(w, data)
        monkeypatch.setattr(copy, "use_copy", lambda model: False)
        inserted = _written(w, data)
    assert len(copied["users"]) == 7 and len(copied["registrations"]) == 4 and len(copied["audit"]) == 7 + 7 + 4
    assert copied == inserted
