"""Confirming hours: the community (or the resident's confirmation) confirms a pending service
record, possibly with corrected minutes, or the community rejects it; a confirmed record is
changed afterwards only by a correction (``service_record_correct``). All go through the
record's state machine (``reporting.machines``), which writes the event row.

Two rules hold for every way in: nobody confirms, corrects or rejects a record of their own
(``core.rules.refuse_own``), and no change raises a record above what happened — its check-in
window, or ``RECORD_MAX_MINUTES_WITHOUT_CHECKIN`` for a record without a check-in.
"""

from __future__ import annotations

from django.conf import settings
from django.db import transaction
from django.urls import reverse
from django.utils import timezone

from core.errors import Conflict, PermissionDenied, ValidationFailed
from core.rules import refuse_own
from core.transitions import can_transition, illegal, transition
from grids.selectors.scope import scope_for
from notifications.kinds import SERVICE_HOURS
from notifications.services import notify_on_commit
from reporting.models import ServiceRecord
from reporting.services.quota import record_quota_minutes

MAX_RECORD_MINUTES = 24 * 60

S = ServiceRecord.Status
VIA = ServiceRecord.ConfirmedVia


def _lock_record(record: ServiceRecord) -> ServiceRecord:
    return (
        ServiceRecord.objects.select_for_update(of=("self",))
        .select_related("community__street", "member__user", "checkin")
        .get(pk=record.pk)
    )


def _refuse_own_record(actor, record: ServiceRecord) -> None:
    refuse_own(
        actor,
        record.member.user_id,
        message="不能确认、更正或处理本人的服务时长，请由其他工作人员办理。",
        code="own_record",
    )


def minutes_limit(record: ServiceRecord) -> int:
    """The most minutes a correction may give a record: its check-in window's length, or the
    setting for a record without a check-in."""
    if record.checkin_id:
        return int((record.checkin.closes_at - record.checkin.opens_at).total_seconds() // 60)
    return settings.RECORD_MAX_MINUTES_WITHOUT_CHECKIN


def _within_what_happened(record: ServiceRecord, minutes: int, current: int) -> None:
    """A change may lower a record freely; it may raise it only up to ``minutes_limit``."""
    limit = minutes_limit(record)
    if minutes <= current or minutes <= limit:
        return
    if record.checkin_id:
        opens = timezone.localtime(record.checkin.opens_at)
        closes = timezone.localtime(record.checkin.closes_at)
        window = f"签到时段（{opens:%m月%d日 %H:%M}–{closes:%H:%M}，共 {limit} 分钟）"
    else:
        window = f"无签到记录的服务时长上限（{limit} 分钟）"
    raise ValidationFailed(
        f"认定时长（{minutes} 分钟）超过了{window}，不能认定。", code="above_what_happened", field="minutes"
    )


def _clean_reason(reason: str, *, label: str) -> str:
    reason = (reason or "").strip()
    if len(reason) > 200:
        raise ValidationFailed(f"{label}不超过 200 个字。", field="reason")
    return reason


def _valid_minutes(minutes) -> bool:
    return isinstance(minutes, int) and not isinstance(minutes, bool) and 0 <= minutes <= MAX_RECORD_MINUTES


def _require_community_staff(actor, record: ServiceRecord, verb: str) -> None:
    if not scope_for(actor).covers_community(record.community):
        raise PermissionDenied(f"只能{verb}本社区党员的服务时长。")


def _user_or_none(actor):
    return actor if getattr(actor, "pk", None) else None


def _tell_member(record: ServiceRecord, actor, title: str, body: str) -> None:
    """The member hears (after commit) what became of their hours, with a link to their hours
    page; the record's title says which service it was."""
    what = record.title or record.get_duty_display()
    notify_on_commit(
        [record.member.user],
        kind=SERVICE_HOURS,
        title=f"{title}：{what}"[:100],
        body=body[:500],
        url=reverse("reporting:my_hours"),
        skip=_user_or_none(actor),
    )


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
    kind says how: ``community_confirmed``, ``resident_confirmed`` or ``corrected`` (with the
    punched and the confirmed minutes in its fields and the reason in its note).
    """
    if via not in VIA.values:
        raise ValidationFailed("确认方式不正确。", field="via")
    record = _lock_record(record)
    if via == VIA.COMMUNITY:
        _require_community_staff(actor, record, "确认")
    _refuse_own_record(actor, record)
    if minutes is not None and not _valid_minutes(minutes):
        raise ValidationFailed(f"时长应为 0 到 {MAX_RECORD_MINUTES} 分钟之间的整数。", field="minutes")
    reason = _clean_reason(reason, label="更正理由")

    if record.status == S.CONFIRMED:
        if minutes is None or minutes == record.minutes:
            return record
        raise Conflict(
            "该服务时长已确认，不能再更改。如需更正，请由确认人以外的工作人员填写理由更正。",
            code="already_confirmed",
        )
    if not can_transition(record, S.CONFIRMED):
        if record.status == S.REJECTED:
            raise Conflict("该服务记录已不予认定，不能确认。", code="illegal_transition")
        raise illegal(record, S.CONFIRMED)

    final = record.reported_minutes if minutes is None else minutes
    _within_what_happened(record, final, record.reported_minutes)
    corrected = final != record.reported_minutes
    if corrected and not reason:
        raise ValidationFailed(
            f"确认时长（{final} 分钟）与打卡时长（{record.reported_minutes} 分钟）不同，请填写更正理由。",
            code="reason_required",
            field="reason",
        )
    if corrected:
        kind, note, event = "corrected", reason, {"minutes_before": record.reported_minutes, "minutes_after": final}
        said = f"打卡 {record.reported_minutes} 分钟，认定为 {final} 分钟。更正理由：{reason}"
    else:
        kind, note, event = f"{via}_confirmed", f"{final} 分钟", None
        said = f"认定 {final} 分钟，已计入您的服务时长。"
    who = "居民" if via == VIA.RESIDENT else "社区"
    _tell_member(record, actor, f"{who}已确认服务时长", said)
    return transition(
        record,
        S.CONFIRMED,
        actor=_user_or_none(actor),
        kind=kind,
        note=note,
        event=event,
        locked=True,
        minutes=final,
        quota_minutes=record_quota_minutes(record, final),
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
    _refuse_own_record(actor, record)
    reason = _clean_reason(reason, label="理由")
    if not reason:
        raise ValidationFailed("请填写不予认定的理由。", code="reason_required", field="reason")
    if record.status == S.REJECTED:
        return record
    if not can_transition(record, S.REJECTED):
        if record.status == S.CONFIRMED:
            raise Conflict("该服务时长已确认，不能再不予认定。", code="already_confirmed")
        raise illegal(record, S.REJECTED)
    _tell_member(record, actor, "服务时长未予认定", f"理由：{reason}")
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


@transaction.atomic
def service_record_correct(*, record: ServiceRecord, actor, minutes: int, reason: str) -> ServiceRecord:
    """Change the minutes of a confirmed record: a new event, never an overwrite of the history.

    Staff over the record's community, neither the member nor whoever confirmed it, with a
    reason; the record stays confirmed. The event (kind ``corrected``) keeps the minutes before
    and after in its fields and the reason in its note. Giving the minutes it already has changes nothing (a repeated tap).
    """
    record = _lock_record(record)
    _require_community_staff(actor, record, "更正")
    _refuse_own_record(actor, record)
    refuse_own(
        actor,
        record.confirmed_by_id,
        message="确认人不能更正自己确认的时长，请由其他工作人员更正。",
        code="own_confirmation",
    )
    if not _valid_minutes(minutes):
        raise ValidationFailed(f"时长应为 0 到 {MAX_RECORD_MINUTES} 分钟之间的整数。", field="minutes")
    reason = _clean_reason(reason, label="更正理由")
    if record.status != S.CONFIRMED:
        raise Conflict("只能更正已确认的服务时长；待确认的请在确认时更正。", code="not_confirmed")
    if minutes == record.minutes:
        return record
    if not reason:
        raise ValidationFailed("请填写更正理由。", code="reason_required", field="reason")
    _within_what_happened(record, minutes, record.minutes)
    _tell_member(record, actor, "服务时长已更正", f"由 {record.minutes} 分钟更正为 {minutes} 分钟。理由：{reason}")
    return transition(
        record,
        S.CONFIRMED,
        actor=_user_or_none(actor),
        kind="corrected",
        note=reason,
        event={"minutes_before": record.minutes, "minutes_after": minutes},
        locked=True,
        minutes=minutes,
        quota_minutes=record_quota_minutes(record, minutes),
        correction_reason=reason,
    )
