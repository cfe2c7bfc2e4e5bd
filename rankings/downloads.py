"""The member sheet (党员名单) and the assessment sheets (考核表) as downloads.

The member sheet gathers three apps — registration (grids), the year against the quota
(reporting) and stars (here) — so it lives in the lowest app that reads all three. Each keyset
page of members costs a fixed handful of queries, whatever its length, read on the reading thread
while the page before is written (``keyset_pages(prepare=...)``).
"""

from __future__ import annotations

from collections.abc import Mapping

from django.db.models import Count, QuerySet

from core.errors import ValidationFailed
from core.exports import Column, Dataset, keyset_pages
from grids.models import Member, Registration
from grids.selectors.download_names import NO_PLACE, Names
from grids.selectors.downloads import ask, parse_node
from rankings.assessment.access import node_filter, unit_scope
from rankings.assessment.periods import parse_period
from rankings.assessment.selectors import level_sheets
from rankings.models import MemberStars
from reporting.models import Visit
from reporting.quotas import quota_years

# Members a page: each page's year of records is a range of member ids, and records lie on disk
# in the order they were made, so a page reads most of the table's blocks whatever its length —
# six pages for the city rather than thirty. Two pages' lookups (being written, read ahead) are
# held at once: about 30 MB.
PAGE = 10000
_KIND = dict(Member.Kind.choices)
_REG_STATUS = dict(Registration.Status.choices)
_REG_SOURCE = dict(Registration.Source.choices)
_MEMBER_FIELDS = ("pk", "user_id", "kind", "unit_id", "community_id", "grid_id")
_NO_REGISTRATION, _NO_USER = (None, None), ("", "")


def quota_state(quota) -> str:
    if quota.quota_met:
        return "已完成"
    return "按进度" if quota.hours_on_pace else "落后"


def members_dataset(*, user, params: Mapping[str, str], only: QuerySet | None = None) -> Dataset:
    """The node's members (a community's: those serving there; a unit's: its own, wherever they
    serve) with registration, the year of the period's end against the quota, visits in that
    quarter and stars."""
    a = ask(user, params, only=only)
    end = a.period.end
    year, quarter = end.year, f"{end.year}Q{(end.month - 1) // 3 + 1}"
    qs = Member.objects.filter(a.node.q("community", "", grid="grid"))
    if only is not None:
        qs = qs.filter(pk__in=only.values("pk"))
    phone, names = a.node.phone, Names()
    columns = [
        Column("党员编号", "int", 10),
        Column("姓名", width=10),
        Column("手机号", "phone", 14),
        Column("类型", width=10),
        Column("所在单位", width=24),
        Column("区/县(市)", width=12),
        Column("街道/镇", width=14),
        Column("报到社区", width=16),
        Column("所在网格", width=16),
        Column("报到状态", width=10),
        Column("报到方式", width=8),
        Column(f"{year}年全部时长（小时）", "decimal", 12),
        Column(f"{year}年计入20小时（小时）", "decimal", 12),
        Column("时长要求", width=8),
        Column(f"{quarter[:4]}年第{quarter[-1]}季度报到次数", "int", 10),
        Column(f"{year}年已报到季度数", "int", 10),
        Column(f"{year}年星级", "int", 8),
    ]

    def lookups(page: list[tuple]) -> tuple:
        """What the page's rows show besides the member's own fields: read beside the rows (on
        the reading thread while the page before is written)."""
        ids = [r[0] for r in page]
        # The page's members by their id range (a page is ids in order): one index condition
        # per query instead of thousands of parameters; rows of members outside the node
        # that fall in the range are read and never looked up.
        lo, hi = ids[0], ids[-1]
        regs = {
            m: (s, src)
            for m, s, src in Registration.objects.filter(
                member_id__gte=lo, member_id__lte=hi, status__in=Registration.ACTIVE
            )
            .order_by()
            .values_list("member_id", "status", "source")
        }
        quotas = {
            pk: (q.confirmed_hours, q.counted_hours, quota_state(q), q.quarters_visited)
            for pk, q in quota_years(ids, year, between=(lo, hi)).items()
        }
        visits = dict(
            Visit.objects.filter(member_id__gte=lo, member_id__lte=hi, quarter=quarter)
            .order_by()
            .values_list("member_id")
            .annotate(n=Count("pk"))
        )
        stars = dict(
            MemberStars.objects.filter(member_id__gte=lo, member_id__lte=hi, year=year).values_list(
                "member_id", "stars"
            )
        )
        people = Names.users(r[1] for r in page)
        grids = Names.grids(r[5] for r in page)
        return page, regs, quotas, visits, stars, people, grids

    def rows():
        units, places = names.units(), names.places()  # read once, before the pages
        for page, regs, quotas, visits, stars, people, grids in keyset_pages(
            qs, _MEMBER_FIELDS, size=PAGE, prepare=lookups
        ):
            for pk, user_id, kind, unit_id, community_id, grid_id in page:
                status, source = regs.get(pk, _NO_REGISTRATION)
                hours, counted, state, quarters = quotas[pk]
                name, number = people.get(user_id, _NO_USER)
                yield (
                    pk,
                    name,
                    phone(number),
                    _KIND.get(kind, kind),
                    units.get(unit_id, "") if unit_id else "",
                    *(places.get(community_id, NO_PLACE) if community_id else NO_PLACE),
                    grids.get(grid_id, ""),
                    _REG_STATUS[status] if status else "未报到",
                    _REG_SOURCE.get(source, ""),
                    hours,
                    counted,
                    state,
                    visits.get(pk, 0),
                    quarters,
                    stars.get(pk),
                )

    return a.dataset("members", "党员名单", columns, rows, period_label=f"{year}年度（截至 {end:%Y-%m-%d}）")


SHEET_LEVELS = {"district": "区/县(市)", "street": "街道/镇", "community": "社区", "unit": "单位"}
BAD_LEVEL = "考核对象类型不正确：应为 district、street、community 或 unit。"


def _sheet_columns(level: str) -> list[Column]:
    return [
        Column("名次", "int", 6),
        Column(SHEET_LEVELS[level], width=24),
        Column("上级", width=16),
        Column("党员数", "int", 8),
        Column("已报到", "int", 8),
        Column("有服务", "int", 8),
        Column("时长达标", "int", 8),
        Column("时长达标率（%）", "decimal", 10),
        Column("报到达标", "int", 8),
        Column("报到达标率（%）", "decimal", 10),
        Column("两项均达标", "int", 10),
        Column("全部时长（小时）", "decimal", 12),
        Column("计入要求时长（小时）", "decimal", 12),
        Column("服务次数", "int", 8),
        Column("成效（办结件数）", "int", 10),
        Column("点赞数", "int", 8),
        *(Column(f"{n}星", "int", 6) for n in range(5, 0, -1)),
        Column("未评星", "int", 8),
        Column("得分", "decimal", 10),
        Column("人均得分", "decimal", 10),
    ]


def _in_node(node, level: str):
    """Which sheets of ``level`` belong under the download's node."""
    if node.kind in ("city", "mine"):
        return lambda r: True
    if node.kind == "unit":
        return lambda r: level == "unit" and r["id"] == node.pk
    if node.kind == "district":
        return lambda r: (r["parent_id"] if level in ("street", "unit") else r["district_id"]) == node.pk
    if node.kind == "street":
        return lambda r: (
            (level == "street" and r["id"] == node.pk) or (level == "community" and r["parent_id"] == node.pk)
        )
    return lambda r: level == "community" and r["id"] == node.pk


def sheet_dataset(*, user, params: Mapping[str, str], only: QuerySet | None = None) -> Dataset:
    """The assessment sheets of one level (``level``: district, street, community or unit) for a
    ``period`` (2026 or 2026Q1), those under ``node`` that the user may read, in rank order."""
    level = (params.get("level") or "community").strip()
    if level not in SHEET_LEVELS:
        raise ValidationFailed(BAD_LEVEL, code="bad_level", field="level")
    node = parse_node(user, params.get("node"))
    period = parse_period(params.get("period"))
    if level == "unit":
        units = unit_scope(user)
        visible = lambda r: units.covers(r["id"], r["parent_id"])  # noqa: E731
    else:
        visible = node_filter(user, level)
    inside = _in_node(node, level)
    chosen = [r for r in level_sheets(level, period) if visible(r) and inside(r)]

    def rows():
        for r in chosen:
            stars = r["stars"]
            yield (
                r["rank"],
                r["name"],
                r["parent_name"],
                r["members"],
                r["members_registered"],
                r["members_served"],
                r["met_hours"],
                r["met_hours_share"],
                r["met_visits"],
                r["met_visits_share"],
                r["met_both"],
                r["hours"],
                r["quota_hours"],
                r["services"],
                r["outcomes"],
                r["likes"],
                *(stars[str(n)] for n in range(5, 0, -1)),
                stars["unrated"],
                r["score"],
                r["per_capita"],
            )

    return Dataset(
        key="sheet",
        title=f"{SHEET_LEVELS[level]}考核表",
        scope_label=node.name,
        period_label=period.label,
        columns=_sheet_columns(level),
        rows=rows,
        filters={"node": node.value, "node_name": node.name, "level": level, "period": period.key},
    )
