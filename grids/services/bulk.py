"""Bulk writes of the imports: a unit's roster, a street's grids and buildings, each in one transaction.

``members_import`` and ``grids_import`` check every row first (``grids.imports``) and write only
when none is bad, each table's rows in one statement (``core.copy.insert_many``: COPY on
PostgreSQL, ``bulk_create`` in batches elsewhere), a fixed number of queries per thousand rows. Each row
they write gets the audit row the single-row service would write (``row_create`` and
``row_update`` in ``grids.services.rows``: the row as created, the fields changed before →
after), and each registration its created event (``core.transitions.record_created_many``, as
``registration_create``); one more audit row on the unit or street says what the import did.
"""

from __future__ import annotations

from django.contrib.auth import get_user_model
from django.db import IntegrityError, transaction
from django.utils import timezone

from accounts.pinyin import person_initials
from core import audit
from core.copy import insert_many
from core.db import among
from core.errors import Conflict
from core.transitions import record_created_many
from grids.imports import grid_sheet, roster
from grids.models import Grid, Member, Post, Registration, RegistrationChoice, RegistrationEvent, Street, Unit

BATCH = 1000
RACE = "导入时数据已被他人修改（例如有人同时报到或注册），本次未导入任何数据，请重新上传。"


def _changed(obj, actor, before: dict, fields):
    changes = audit.diff(before, audit.values_of(obj, fields))
    return audit.entry(audit.Action.CHANGED, obj=obj, actor=actor, changes=changes) if changes else None


def _create(objs: list, actor, entries: list) -> list:
    """Insert rows of one model, adding to ``entries`` the audit row ``row_create`` writes for each."""
    insert_many(objs, batch_size=BATCH)
    entries += audit.created_entries(objs, actor=actor)
    return objs


def _new_users(actor, people: list[tuple[str, str]], entries: list) -> dict:
    """Accounts for numbers not yet registered (as signing in by code makes them), with their audit rows."""
    User = get_user_model()
    now = timezone.now()
    users = _create(
        [User(phone=p, name=n, name_initials=person_initials(n), date_joined=now) for p, n in people], actor, entries
    )
    return {u.phone: u for u in users}


def members_import(*, actor, unit: Unit, rows: list[tuple[int, list[str]]], dry_run: bool = False) -> roster.RosterPlan:
    """Import a unit's roster: all rows or none. Returns the plan: its errors, or what it created and changed.

    With ``dry_run`` nothing is written and no lock is taken."""
    if dry_run:
        return roster.plan(unit, rows)
    try:
        with transaction.atomic():
            # One import per unit at a time: a second one waits here and then checks its rows
            # against what the first wrote.
            Unit.objects.select_for_update().get(pk=unit.pk)
            p = roster.plan(unit, rows)
            if not p.errors:
                _write_roster(actor, unit, p)
            return p
    except IntegrityError as exc:
        raise Conflict(RACE, code="import_race") from exc


def _write_roster(actor, unit: Unit, p: roster.RosterPlan) -> None:
    User = get_user_model()
    entries: list = []
    made = _new_users(actor, [(r["phone"], r["name"]) for r in p.create if r["user"] is None], entries)
    named = [r for r in p.create if r["user"] is not None and not r["user"].name and r["name"]]
    renamed: list = []
    for r in named:
        before = audit.values_of(r["user"], ["name"])
        r["user"].name, r["user"].name_initials = r["name"], person_initials(r["name"])
        renamed.append(r["user"])
        entries.append(_changed(r["user"], actor, before, ["name"]))
    now = timezone.now()
    members = _create(
        [
            Member(
                user=r["user"] or made[r["phone"]],
                kind=r["kind"],
                unit=unit,
                skills=r["skills"],
                home_address=r["home_address"],
                created_at=now,
            )
            for r in p.create
        ],
        actor,
        entries,
    )

    ids = [m.pk for m, _, _ in p.update]
    locked = {}
    for found in among(Member.objects.select_for_update(of=("self",)).select_related("user"), "pk", ids):
        locked.update((m.pk, m) for m in found)
    changed = []
    for member, changes, new_name in p.update:
        row = locked[member.pk]
        if changes:
            before = audit.values_of(row, changes)
            for name, value in changes.items():
                setattr(row, name, value)
            entries.append(_changed(row, actor, before, changes))
            changed.append(row)
        if new_name:
            before = audit.values_of(row.user, ["name"])
            row.user.name, row.user.name_initials = new_name, person_initials(new_name)
            entries.append(_changed(row.user, actor, before, ["name"]))
            renamed.append(row.user)
    Member.objects.bulk_update(changed, ["kind", "skills", "home_address"], batch_size=BATCH)
    User.objects.bulk_update(renamed, ["name", "name_initials"], batch_size=BATCH)

    member_of = {m.user.phone: m for m in members} | {m.user.phone: m for m in locked.values()}
    for member, _, _ in p.update:
        member_of.setdefault(member.user.phone, member)
    if p.register:
        missing = [ph for ph, _ in p.register if ph not in member_of]
        for m in Member.objects.select_related("user").filter(user__phone__in=missing):
            member_of[m.user.phone] = m
    note = f"{unit.name}名册导入"
    registrations = insert_many(
        [
            Registration(
                member=member_of[phone],
                community=community,
                status=Registration.Status.PENDING,
                source=Registration.Source.SELF_SELECTED,
                decided_by=actor,
                created_at=now,
            )
            for phone, community in p.register
        ],
        batch_size=BATCH,
    )
    record_created_many(
        registrations, actor=actor, kind=RegistrationEvent.Kind.SELF_SELECTED, notes=[note] * len(registrations)
    )
    insert_many([RegistrationChoice(registration=r, community=r.community, rank=1) for r in registrations], ids=False)
    audit.copy_many(entries)
    s = p.summary()
    audit.record(
        audit.Action.EVENT,
        obj=unit,
        actor=actor,
        changes=s,
        note=f"导入党员名册：新建 {s['members_created']} 人，修改 {s['members_changed']} 人，"
        f"提交报到 {s['registrations_created']} 条",
    )


def grids_import(
    *, actor, street: Street, rows: list[tuple[int, list[str]]], dry_run: bool = False
) -> grid_sheet.GridPlan:
    """Import a street's grids, buildings and grid heads: all rows or none."""
    if dry_run:
        return grid_sheet.plan(street, rows)
    try:
        with transaction.atomic():
            Street.objects.select_for_update().get(pk=street.pk)
            p = grid_sheet.plan(street, rows)
            if not p.errors:
                _write_grids(actor, street, p)
            return p
    except IntegrityError as exc:
        raise Conflict(RACE, code="import_race") from exc


def _write_grids(actor, street: Street, p: grid_sheet.GridPlan) -> None:
    entries: list = []
    level2 = _create(
        [Grid(community=c, level=Grid.Level.SECOND, kind=k, name=n) for c, n, k in p.grids], actor, entries
    )
    by_key = dict(p.existing) | {(g.community_id, g.name): g for g in level2}
    _create(
        [
            Grid(community=c, level=Grid.Level.THIRD, kind=Grid.Kind.BUILDING, parent=by_key[(c.pk, g)], name=b)
            for c, g, b in p.buildings
        ],
        actor,
        entries,
    )
    fresh = {}
    new_people = {(phone, name) for _, _, phone, name in p.heads if phone not in p.users}
    if new_people:
        fresh = _new_users(actor, sorted(new_people), entries)
    users = p.users | fresh
    now = timezone.now()
    _create(
        [
            Post(user=users[phone], role=Post.Role.GRID_SECRETARY, grid=by_key[(c.pk, g)], created_at=now)
            for c, g, phone, _ in p.heads
        ],
        actor,
        entries,
    )
    audit.copy_many(entries)
    s = p.summary()
    audit.record(
        audit.Action.EVENT,
        obj=street,
        actor=actor,
        changes=s,
        note=f"导入网格与楼栋：新建网格 {s['grids_created']} 个、楼栋 {s['buildings_created']} 栋，"
        f"任命网格长 {s['heads_appointed']} 人",
    )
