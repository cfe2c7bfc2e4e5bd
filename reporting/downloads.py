"""The ledger's downloads: service records (服务记录) and report-for-duty visits (到社区报到).

Both read in keyset pages of plain tuples (``core.exports.keyset_pages``): the city's year of
records is about half a million rows, and the first byte must leave before the last page is read.
Times go out as ``local_time`` reads them, Beijing wall time without a zone, which both formats
write as it is: no conversion per cell.
"""

from __future__ import annotations

from collections.abc import Mapping

from django.db.models import QuerySet

from core.exports import Column, Dataset, aware, keyset_pages, local_time
from grids.selectors.download_names import NO_PLACE, Names
from grids.selectors.downloads import ask
from grids.vocab import Duty
from reporting.models import ServiceRecord, Visit
from reporting.workdays import quota_minutes_of_rows

PAGE = 5000
_NOBODY = ("", "", "")
_DUTY = dict(Duty.choices)
_SOURCE = dict(ServiceRecord.Source.choices)
_STATUS = dict(ServiceRecord.Status.choices)
_VIA = dict(ServiceRecord.ConfirmedVia.choices)
_METHOD = dict(Visit.Method.choices)
CONFIRMED = ServiceRecord.Status.CONFIRMED

# Who served and where: the first columns of both sheets.
PERSON = [
    Column("姓名", width=10),
    Column("手机号", "phone", 14),
    Column("所在单位", width=24),
    Column("区/县(市)", width=12),
    Column("街道/镇", width=14),
    Column("社区", width=16),
]


def _person(names: Names, people: dict, phone, member_id: int, community_id: int) -> tuple:
    name, number, unit = people.get(member_id, ("", "", ""))
    return (name, phone(number), unit, *names.place(community_id))


RECORD_COLUMNS = [
    Column("记录编号", "int", 10),
    *PERSON,
    Column("职责", width=10),
    Column("服务内容", width=30),
    Column("来源", width=10),
    Column("开始时间（北京时间）", "datetime", 20),
    Column("结束时间（北京时间）", "datetime", 20),
    Column("打卡时长（小时）", "decimal", 10),
    Column("认定时长（小时）", "decimal", 10),
    Column("计入20小时（小时）", "decimal", 10),
    Column("八小时之外", width=8),
    Column("状态", width=8),
    Column("确认方式", width=10),
    Column("确认时间（北京时间）", "datetime", 20),
]
_RECORD_FIELDS = (
    "pk",
    "member_id",
    "community_id",
    "duty",
    "title",
    "source",
    local_time("started_at"),
    local_time("ended_at"),
    "reported_minutes",
    "minutes",
    "quota_minutes",
    "outside_working_hours",
    "status",
    "confirmed_via",
    local_time("confirmed_at"),
)


def _hours(minutes: int | None):
    return None if minutes is None else round(minutes / 60, 2)


class _Hours(dict):
    """minutes → hours (``_hours``), each count of minutes worked out once: a day has 1,440."""

    def __missing__(self, minutes: int | None):
        hours = self[minutes] = _hours(minutes)
        return hours


def _counted(page: list[tuple]) -> dict[int, int]:
    """Minutes toward the quota of a page's confirmed records: stored, or computed for those the
    nightly job has not filled yet (one query for the working-day overrides, only then)."""
    counted = {r[0]: r[10] for r in page if r[12] == CONFIRMED and r[10] is not None}
    missing = [r for r in page if r[12] == CONFIRMED and r[10] is None]
    for r, minutes in zip(
        missing, quota_minutes_of_rows((aware(r[6]), aware(r[7]), r[9]) for r in missing), strict=True
    ):
        counted[r[0]] = minutes
    return counted


def _only(qs: QuerySet, only: QuerySet | None) -> QuerySet:
    return qs if only is None else qs.filter(pk__in=only.values("pk"))


def records_dataset(*, user, params: Mapping[str, str], only: QuerySet | None = None) -> Dataset:
    """The service records that started in the period, of the node's communities (a unit: of
    its members, wherever they served)."""
    a = ask(user, params, only=only)
    qs = _only(ServiceRecord.objects.filter(a.node.q("community", "member"), a.when("started_at")), only)
    phone, names = a.node.phone, Names()

    def rows():
        places, hours = names.places(), _Hours()
        for page in keyset_pages(qs, _RECORD_FIELDS, size=PAGE):
            counted = _counted(page)
            members = names.members(r[1] for r in page)
            for (
                pk,
                member_id,
                community_id,
                duty,
                title,
                source,
                started,
                ended,
                reported,
                minutes,
                _,
                outside,
                status,
                via,
                confirmed,
            ) in page:
                name, number, unit = members.get(member_id, _NOBODY)
                yield (
                    pk,
                    name,
                    phone(number),
                    unit,
                    *(places.get(community_id, NO_PLACE) if community_id else NO_PLACE),
                    _DUTY.get(duty, duty),
                    title,
                    _SOURCE.get(source, source),
                    started,
                    ended,
                    hours[reported],
                    hours[minutes],
                    hours[counted.get(pk)],
                    "是" if outside else "否",
                    _STATUS.get(status, status),
                    _VIA.get(via, ""),
                    confirmed,
                )

    return a.dataset("records", "服务记录", RECORD_COLUMNS, rows)


VISIT_COLUMNS = [
    Column("记录编号", "int", 10),
    *PERSON,
    Column("方式", width=8),
    Column("报到时间（北京时间）", "datetime", 20),
    Column("季度", width=10),
]
_VISIT_FIELDS = ("pk", "member_id", "community_id", "method", local_time("visited_at"), "quarter")


def visits_dataset(*, user, params: Mapping[str, str], only: QuerySet | None = None) -> Dataset:
    """The report-for-duty visits of the period at the node's communities (a unit: its members')."""
    a = ask(user, params, only=only)
    qs = _only(Visit.objects.filter(a.node.q("community", "member"), a.when("visited_at")), only)
    phone, names = a.node.phone, Names()

    def rows():
        for page in keyset_pages(qs, _VISIT_FIELDS, size=PAGE):
            people = names.members(r[1] for r in page)
            for r in page:
                yield (r[0], *_person(names, people, phone, r[1], r[2]), _METHOD.get(r[3], r[3]), r[4], r[5])

    return a.dataset("visits", "到社区报到记录", VISIT_COLUMNS, rows)
