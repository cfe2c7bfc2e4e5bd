"""Confirming hours: the community (or the resident's confirmation) confirms a pending service
record, possibly with corrected minutes, or the community rejects it. Both go through the
record's state machine (``reporting.machines``), which writes the event row."""

from __future__ import annotations

from django.db import transaction
from django.utils import timezone

from core.errors import Conflict, PermissionDenied, ValidationFailed
from core.transitions import can_transition, illegal, transition
from grids.selectors.scope import scope_for
from reporting.models import ServiceRecord

MAX_RECORD_MINUTES = 24 * 60

S = ServiceRecord.Status
VIA = ServiceRecord.ConfirmedVia


def _lock_record(record: ServiceRecord) -> ServiceRecord:
    return (
        ServiceRecord.objects.select_for_update(of=("self",))
        .select_related("community__street", "member__user")
        .get(pk=record.pk)
    )


def _valid_minutes(minutes) -> bool:
    return isinstance(minutes, int) and not isinstance(minutes, bool) and 0 <= minutes <= MAX_RECORD_MINUTES


def _require_community_staff(actor, record: ServiceRecord, verb: str) -> None:
    if not scope_for(actor).covers_community(record.community):
        raise PermissionDenied(f"只能{verb}本社区党员的服务时长。")


def _user_or_none(actor):
    return actor if getattr(actor, "pk", None) else None


@transaction.atomic
def service_record_confirm(
    *,
    record: ServiceRecord,
    actor,
    minutes: int | None = None,
    reason: str = "",
    via: str = VIA.COMMUNITY,
) -> ServiceRecord:
    """Confirm a record's minutes so they count, optionally correcting them (with a reason).

    ``via="community"``: the actor must be staff over the record's community. ``via="resident"``:
    the caller has checked that the actor is the resident whose request was served. The event's
    kind says how: ``community_confirmed``, ``resident_confirmed`` or ``corrected`` (its note
    keeps the punched minutes and the reason).
    """
    if via not in VIA.values:
        raise ValidationFailed("确认方式不正确。", field="via")
    record = _lock_record(record)
    if via == VIA.COMMUNITY:
        _require_community_staff(actor, record, "确认")
    if minutes is not None and not _valid_minutes(minutes):
        raise ValidationFailed(f"时长应为 0 到 {MAX_RECORD_MINUTES} 分钟之间的整数。", field="minutes")
    reason = (reason or "").strip()
    if len(reason) > 200:
        raise ValidationFailed("更正理由不超过 200 个字。", field="reason")

    if record.status == S.CONFIRMED:
        if minutes is None or minutes == record.minutes:
            return record
        raise Conflict("该服务时长已确认，不能再更改。", code="already_confirmed")
    if not can_transition(record, S.CONFIRMED):
        if record.status == S.REJECTED:
            raise Conflict("该服务记录已不予认定，不能确认。", code="illegal_transition")
        raise illegal(record, S.CONFIRMED)

    final = record.reported_minutes if minutes is None else minutes
    corrected = final != record.reported_minutes
    if corrected and not reason:
        raise ValidationFailed(
            f"确认时长（{final} 分钟）与打卡时长（{record.reported_minutes} 分钟）不同，请填写更正理由。",
            code="reason_required",
            field="reason",
        )
    if corrected:
        kind, note = "corrected", f"{record.reported_minutes} → {final} 分钟：{reason}"
    else:
        kind, note = f"{via}_confirmed", f"{final} 分钟"
    return transition(
        record,
        S.CONFIRMED,
        actor=_user_or_none(actor),
        kind=kind,
        note=note,
        locked=True,
        minutes=final,
        correction_reason=reason if corrected else "",
        confirmed_via=via,
        confirmed_by=_user_or_none(actor),
        confirmed_at=timezone.now(),
    )


@transaction.atomic
def service_record_reject(*, record: ServiceRecord, actor, reason: str) -> ServiceRecord:
    """The community does not count a record (e.g. the member was not there); a reason is required."""
    record = _lock_record(record)
    _require_community_staff(actor, record, "处理")
    reason = (reason or "").strip()
    if not reason:
        raise ValidationFailed("请填写不予认定的理由。", code="reason_required", field="reason")
    if len(reason) > 200:
        raise ValidationFailed("理由不超过 200 个字。", field="reason")
    if record.status == S.REJECTED:
        return record
    if not can_transition(record, S.REJECTED):
        if record.status == S.CONFIRMED:
            raise Conflict("该服务时长已确认，不能再不予认定。", code="already_confirmed")
        raise illegal(record, S.REJECTED)
    return transition(
        record,
        S.REJECTED,
        actor=_user_or_none(actor),
        note=reason,
        locked=True,
        reject_reason=reason,
        rejected_at=timezone.now(),
        confirmed_by=_user_or_none(actor),
    )
