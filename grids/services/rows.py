"""How the organisation services write one row: create, update named fields, delete.

Integrity errors (a duplicate name, a protected child, a cross-row trigger) become domain
errors with a Chinese message, so the admin and commands show them like any other rule.
Each write is a line in the audit trail (``core.audit``): the row as created, the fields an
update changed (before → after), the row as it was when deleted.
"""

from __future__ import annotations

from collections.abc import Callable, Collection, Mapping
from typing import Any, TypeVar

from django.db import IntegrityError, models, transaction
from django.db.models import ProtectedError, RestrictedError

from core import audit
from core.errors import Conflict, ValidationFailed

M = TypeVar("M", bound=models.Model)

CONFLICT = "保存失败：与已有记录重复，或不符合组织层级的规则。"
PROTECTED = "仍有下级或关联记录，不能删除。"


def row_create(obj: M) -> M:
    try:
        with transaction.atomic():
            obj.save(force_insert=True)
            audit.record(audit.Action.CREATED, obj=obj, changes=audit.diff({}, audit.snapshot(obj)))
    except IntegrityError as exc:
        raise Conflict(CONFLICT, code="conflict") from exc
    return obj


def row_update(
    obj: M,
    changes: Mapping[str, Any],
    *,
    allowed: Collection[str],
    computed: Callable[[M, set[str]], Mapping[str, Any]] | None = None,
) -> M:
    """Lock the row, apply ``changes`` (only ``allowed`` fields) and the values ``computed``
    from them, and save exactly those fields."""
    unknown = sorted(set(changes) - set(allowed))
    if unknown:
        raise ValidationFailed(f"不能修改这些字段：{'、'.join(unknown)}。", code="unknown_field")
    row = type(obj)._default_manager.select_for_update(of=("self",)).get(pk=obj.pk)
    old = audit.snapshot(row)
    for name, value in changes.items():
        setattr(row, name, value)
    fields = set(changes)
    if computed is not None:
        extra = computed(row, fields)
        for name, value in extra.items():
            setattr(row, name, value)
        fields |= set(extra)
    if fields:
        try:
            with transaction.atomic():
                row.save(update_fields=sorted(fields))
                changed = audit.diff(old, audit.snapshot(row))
                if changed:
                    audit.record(audit.Action.CHANGED, obj=row, changes=changed)
        except IntegrityError as exc:
            raise Conflict(CONFLICT, code="conflict") from exc
    return row


def row_delete(obj: models.Model) -> None:
    try:
        with transaction.atomic():
            current = type(obj)._default_manager.filter(pk=obj.pk).first() or obj
            gone = audit.diff(audit.snapshot(current), {})
            audit.record(audit.Action.DELETED, obj=obj, changes=gone)
            obj.delete()
    except (ProtectedError, RestrictedError) as exc:
        raise Conflict(PROTECTED, code="protected") from exc
    except IntegrityError as exc:
        raise Conflict(PROTECTED, code="protected") from exc
