"""The work's downloads: requests (点单) with their outcome and rating, and tasks with who took them.

Tasks come one row per acceptance, the task's columns repeated, and one row with empty member
columns for a task nobody took: a flat sheet is what Excel's filters and pivot tables want — hours
per member or per unit, no-shows per community, unfilled tasks — and a task's counts are one
pivot away, where a row per task with its members in one cell could not be counted again.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Mapping

from django.db.models import Count, Exists, OuterRef, Q, QuerySet

from core.exports import Column, Dataset, keyset_pages
from grids.selectors.download_names import Names
from grids.selectors.downloads import Node, ask
from grids.vocab import Duty, Focus
from orders.models import Acceptance, Feedback, Like, ServiceRequest, Task
from reporting.models import ServiceRecord

PAGE = 2000
_DUTY = dict(Duty.choices)
_FOCUS = dict(Focus.choices)
_REQUEST_STATUS = dict(ServiceRequest.Status.choices)
_KIND = dict(ServiceRequest.RequesterKind.choices)
_TASK_STATUS = dict(Task.Status.choices)
_ACCEPTANCE_STATUS = dict(Acceptance.Status.choices)

PLACE = [
    Column("区/县(市)", width=12),
    Column("街道/镇", width=14),
    Column("社区", width=16),
]


def _only(qs: QuerySet, only: QuerySet | None) -> QuerySet:
    return qs if only is None else qs.filter(pk__in=only.values("pk"))


REQUEST_COLUMNS = [
    Column("点单编号", "int", 10),
    Column("提交时间（北京时间）", "datetime", 20),
    Column("点单人", width=10),
    Column("联系电话", "phone", 14),
    Column("点单身份", width=10),
    Column("点单单位", width=24),
    *PLACE,
    Column("网格", width=16),
    Column("职责", width=10),
    Column("标题", width=24),
    Column("地址", width=30),
    Column("状态", width=10),
    Column("审核时间（北京时间）", "datetime", 20),
    Column("未通过理由", width=24),
    Column("任务编号", "int", 10),
    Column("办结时间（北京时间）", "datetime", 20),
    Column("关闭时间（北京时间）", "datetime", 20),
    Column("评分", "int", 6),
    Column("评价内容", width=30),
    Column("点赞数", "int", 8),
]
_REQUEST_FIELDS = (
    "pk",
    "created_at",
    "requester_id",
    "contact_phone",
    "requester_kind",
    "unit_id",
    "community_id",
    "grid_id",
    "duty",
    "title",
    "address",
    "status",
    "reviewed_at",
    "reject_reason",
    "task_id",
    "resolved_at",
    "closed_at",
)


def _request_q(node: Node) -> Q:
    """A unit's requests are those its party organisation placed."""
    return Q(unit_id=node.pk) if node.is_unit else node.q("community", None)


def requests_dataset(*, user, params: Mapping[str, str], only: QuerySet | None = None) -> Dataset:
    """The requests submitted in the period to the node's communities, with outcome and rating."""
    a = ask(user, params, only=only)
    qs = _only(ServiceRequest.objects.filter(_request_q(a.node), a.when("created_at")), only)
    phone, names = a.node.phone, Names()

    def rows():
        for page in keyset_pages(qs, _REQUEST_FIELDS, size=PAGE):
            ids = [r[0] for r in page]
            likes = dict(
                Like.objects.filter(request_id__in=ids).order_by().values_list("request_id").annotate(n=Count("pk"))
            )
            rated = {
                r: (score, comment)
                for r, score, comment in Feedback.objects.filter(request_id__in=ids).values_list(
                    "request_id", "score", "comment"
                )
            }
            people = names.users(r[2] for r in page)
            grids = names.grids(r[7] for r in page)
            for r in page:
                yield (
                    r[0],
                    r[1],
                    people.get(r[2], ("", ""))[0],
                    phone(r[3]),
                    _KIND.get(r[4], r[4]),
                    names.unit(r[5]),
                    *names.place(r[6]),
                    grids.get(r[7], ""),
                    _DUTY.get(r[8], r[8]),
                    *r[9:11],
                    _REQUEST_STATUS.get(r[11], r[11]),
                    *r[12:17],
                    *rated.get(r[0], (None, None)),
                    likes.get(r[0], 0),
                )

    return a.dataset("requests", "点单", REQUEST_COLUMNS, rows)


TASK_COLUMNS = [
    Column("任务编号", "int", 10),
    Column("标题", width=24),
    Column("重点", width=8),
    Column("职责", width=10),
    *PLACE,
    Column("地点", width=30),
    Column("开始时间（北京时间）", "datetime", 20),
    Column("结束时间（北京时间）", "datetime", 20),
    Column("名额", "int", 6),
    Column("已接单", "int", 6),
    Column("任务状态", width=8),
    Column("发布时间（北京时间）", "datetime", 20),
    Column("接单党员", width=10),
    Column("手机号", "phone", 14),
    Column("所在单位", width=24),
    Column("接单状态", width=8),
    Column("接单时间（北京时间）", "datetime", 20),
    Column("认定时长（小时）", "decimal", 10),
]
_TASK_FIELDS = (
    "pk",
    "title",
    "focus",
    "duty",
    "community_id",
    "address",
    "starts_at",
    "ends_at",
    "slots",
    "taken",
    "status",
    "created_at",
)
_ACCEPTANCE_FIELDS = ("task_id", "member_id", "status", "accepted_at", "record_id")
_NOBODY = (None,) * 6


def tasks_dataset(*, user, params: Mapping[str, str], only: QuerySet | None = None) -> Dataset:
    """The tasks that start in the period at the node's communities, a row per acceptance (a
    unit: the tasks its members took, with their acceptances only)."""
    a = ask(user, params, only=only)
    accepted = Acceptance.objects.all()
    if a.node.is_unit:
        accepted = accepted.filter(a.node.q(None, "member"))
        where = Exists(accepted.filter(task_id=OuterRef("pk")))
    else:
        where = a.node.q("community", None)
    qs = _only(Task.objects.filter(where, a.when("starts_at")), only)
    phone, names = a.node.phone, Names()

    def rows():
        for page in keyset_pages(qs, _TASK_FIELDS, size=PAGE):
            taken = defaultdict(list)
            for r in (
                accepted.filter(task_id__in=[t[0] for t in page])
                .order_by("task_id", "pk")
                .values_list(*_ACCEPTANCE_FIELDS)
            ):
                taken[r[0]].append(r)
            every = [r for rs in taken.values() for r in rs]
            people = names.members(r[1] for r in every)
            minutes = dict(
                ServiceRecord.objects.filter(pk__in=[r[4] for r in every if r[4]]).values_list("pk", "minutes")
            )
            for t in page:
                task = (
                    *t[:2],
                    _FOCUS.get(t[2], t[2]),
                    _DUTY.get(t[3], t[3]),
                    *names.place(t[4]),
                    *t[5:10],
                    _TASK_STATUS.get(t[10], t[10]),
                    t[11],
                )
                for r in taken.get(t[0]) or [None]:
                    if r is None:
                        yield (*task, *_NOBODY)
                        continue
                    name, number, unit = people.get(r[1], ("", "", ""))
                    served = minutes.get(r[4])
                    yield (
                        *task,
                        name,
                        phone(number),
                        unit,
                        _ACCEPTANCE_STATUS.get(r[2], r[2]),
                        r[3],
                        None if served is None else round(served / 60, 2),
                    )

    return a.dataset("tasks", "任务与接单", TASK_COLUMNS, rows)
