"""What every download asks first: which node, which period, and may this user see it.

A download names its node as ``city``, ``district:<id>``, ``street:<id>``, ``community:<id>`` or
``unit:<id>``; without one it covers everything the user's posts reach (``mine``). Nodes of the
tree follow ``scope_for``: a post reaches its node and all below it. A unit is reached by its own
party organisation and by the city's organisation department (``Scope.covers_unit``).

Phone numbers go out in full only to the node's own staff — a community's secretary, first
secretary and part-time members for their community, a unit's secretary and organiser for their
unit — and masked to everyone else, as the pages show them.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass

from django.db.models import Q
from django.utils import timezone

from accounts.phone import mask_phone
from core.errors import NotFound, PermissionDenied, ValidationFailed
from core.exports import Column, Dataset
from grids.models import Community, District, Member, Street, Unit
from grids.selectors.scope import Scope, scope_for

BEIJING = dt.timezone(dt.timedelta(hours=8))
NO_SCOPE = "您没有可下载数据的范围：下载仅向社区、街道、区/县(市)、市级组织部门工作人员和单位党组织开放。"
OUTSIDE = "您只能下载本人管辖范围内的数据。"
BAD_NODE = "范围格式不正确：应为 city、district:编号、street:编号、community:编号 或 unit:编号。"
BAD_DATE = "日期格式不正确：应为 YYYY-MM-DD，如 2026-01-31。"
BACKWARDS = "开始日期不能晚于结束日期。"
TOO_LONG = "时间范围不能超过三年。"
UNKNOWN = {
    "district": "没有这个区/县(市)。",
    "street": "没有这个街道/镇。",
    "community": "没有这个社区。",
    "unit": "没有这个单位。",
}
MAX_ID = 2**63 - 1


@dataclass(frozen=True)
class Node:
    """The part of the organisation a download covers."""

    kind: str  # mine, city, district, street, community, unit
    pk: int | None
    name: str
    scope: Scope
    own_staff: bool = False  # the user holds a post on this very community or unit

    @property
    def value(self) -> str:
        return self.kind if self.pk is None else f"{self.kind}:{self.pk}"

    @property
    def is_unit(self) -> bool:
        return self.kind == "unit"

    def q(self, community: str | None = "community", member: str | None = "member", grid: str | None = None) -> Q:
        """Rows of this node for a model that reaches a community through ``community`` and a
        member through ``member`` (``None``: the model has no such path; a unit node then
        matches nothing)."""
        if self.kind == "unit":
            if member is None:
                return Q(pk__in=[])
            if member == "":
                return Q(unit_id=self.pk)
            return Q(**{f"{member}_id__in": Member.objects.filter(unit_id=self.pk).values("pk")})
        own = "pk" if community == "" else f"{community}_id"
        if self.kind == "city":
            return Q()
        if self.kind == "community":
            return Q(**{own: self.pk})
        # A list of community ids rather than a join up the tree: the download's query stays on
        # its own table (see core.exports.keyset_pages).
        q = Q(**{f"{own}__in": self.community_ids()})
        if self.kind == "mine":
            if grid is not None and self.scope.grid_ids:
                q |= Q(**{f"{grid}_id__in": self.scope.grid_ids}) | Q(**{f"{grid}__parent_id__in": self.scope.grid_ids})
            if member is not None and self.scope.unit_ids:
                q |= self.scope.unit_q(None if member == "" else member)
        return q

    def community_ids(self) -> list[int]:
        """The communities of a district, a street or the user's tree posts."""
        if self.kind == "district":
            where = Q(street__district_id=self.pk)
        elif self.kind == "street":
            where = Q(street_id=self.pk)
        else:
            where = self.scope.q(None)
        return list(Community.objects.filter(where).order_by().values_list("pk", flat=True))

    def phone(self, phone: str) -> str:
        return phone if self.own_staff else mask_phone(phone)


@dataclass(frozen=True)
class Period:
    start: dt.date
    end: dt.date  # inclusive

    @property
    def label(self) -> str:
        return f"{self.start:%Y-%m-%d} 至 {self.end:%Y-%m-%d}"

    @property
    def since(self) -> dt.datetime:
        return dt.datetime.combine(self.start, dt.time(), tzinfo=BEIJING)

    @property
    def until(self) -> dt.datetime:
        """The first moment after the period (exclusive)."""
        return dt.datetime.combine(self.end + dt.timedelta(days=1), dt.time(), tzinfo=BEIJING)

    def q(self, field: str) -> Q:
        return Q(**{f"{field}__gte": self.since, f"{field}__lt": self.until})

    @property
    def filters(self) -> dict:
        return {"start": self.start.isoformat(), "end": self.end.isoformat()}


def may_download(user) -> bool:
    scope = scope_for(user)
    return scope.is_staff_scope or scope.leads_units


def download_scope(user) -> Scope:
    scope = scope_for(user)
    if not (scope.is_staff_scope or scope.leads_units):
        raise PermissionDenied(NO_SCOPE, code="no_download_scope")
    return scope


def _id(text: str, kind: str) -> int:
    if not text.isdigit():
        raise ValidationFailed(BAD_NODE, code="bad_node", field="node")
    pk = int(text)
    if not 0 < pk <= MAX_ID:
        raise NotFound(UNKNOWN[kind], code="unknown_node")
    return pk


def parse_node(user, value: str | None) -> Node:
    """The node ``value`` names, if ``user``'s posts reach it (PermissionDenied otherwise,
    NotFound for one that does not exist, ValidationFailed for a malformed one)."""
    scope = download_scope(user)
    text = (value or "").strip()
    if text in ("", "mine"):
        if scope.city:
            return Node("city", None, "韶关市", scope)
        # Only community and unit posts: every row is the user's own community's or unit's.
        own = not (scope.district_ids or scope.street_ids or scope.grid_ids)
        return Node("mine", None, "本人管辖范围", scope, own_staff=own)
    if text == "city":
        if not scope.city:
            raise PermissionDenied(OUTSIDE, code="outside_scope")
        return Node("city", None, "韶关市", scope)
    kind, sep, raw = text.partition(":")
    if not sep or kind not in UNKNOWN:
        raise ValidationFailed(BAD_NODE, code="bad_node", field="node")
    pk = _id(raw.strip(), kind)
    if kind == "district":
        row = District.objects.filter(pk=pk).values_list("name", "pk").first()
        covered = row is not None and (scope.city or pk in scope.district_ids)
    elif kind == "street":
        row = Street.objects.filter(pk=pk).values_list("name", "district_id").first()
        covered = row is not None and (scope.city or row[1] in scope.district_ids or pk in scope.street_ids)
    elif kind == "community":
        row = Community.objects.filter(pk=pk).values_list("name", "street_id", "street__district_id").first()
        covered = row is not None and (
            scope.city or pk in scope.community_ids or row[1] in scope.street_ids or row[2] in scope.district_ids
        )
    else:
        row = Unit.objects.filter(pk=pk).values_list("name", "pk").first()
        covered = row is not None and scope.covers_unit(pk)
    if row is None:
        raise NotFound(UNKNOWN[kind], code="unknown_node")
    if not covered:
        raise PermissionDenied(OUTSIDE, code="outside_scope")
    own = pk in scope.community_ids if kind == "community" else (kind == "unit" and pk in scope.unit_ids)
    return Node(kind, pk, row[0], scope, own_staff=own)


def _date(text: str) -> dt.date:
    try:
        return dt.date.fromisoformat(text.strip())
    except ValueError:
        raise ValidationFailed(BAD_DATE, code="bad_date") from None


def parse_period(params: Mapping[str, str], *, today: dt.date | None = None) -> Period:
    """``start`` and ``end`` (ISO dates, Beijing, both included; default: this year so far);
    ValidationFailed for a malformed date, a backwards range or one over three years."""
    today = today or timezone.localdate()
    start_text, end_text = (params.get("start") or "").strip(), (params.get("end") or "").strip()
    end = _date(end_text) if end_text else today
    start = _date(start_text) if start_text else dt.date(end.year, 1, 1)
    if start > end:
        raise ValidationFailed(BACKWARDS, code="backwards_period", field="start")
    if end >= _add_years(start, 3):
        raise ValidationFailed(TOO_LONG, code="period_too_long", field="end")
    return Period(start, end)


def _add_years(day: dt.date, years: int) -> dt.date:
    try:
        return day.replace(year=day.year + years)
    except ValueError:  # 29 February
        return day.replace(year=day.year + years, day=28)


def node_choices(user) -> list[tuple[str, str]]:
    """The nodes a picker offers ``user``: the widest first, then each post's own node and, for
    district and street posts, the nodes below (a few hundred at most for a district)."""
    scope = scope_for(user)
    if not (scope.is_staff_scope or scope.leads_units):
        return []
    out: list[tuple[str, str]] = [("city", "韶关市（全市）")] if scope.city else [("mine", "本人管辖范围（全部）")]
    districts = District.objects.order_by("code")
    streets = Street.objects.select_related("district").order_by("district__code", "name")
    communities = Community.objects.select_related("street").order_by("street__district__code", "street__name", "name")
    if not scope.city:
        districts = districts.filter(pk__in=scope.district_ids)
        streets = streets.filter(Q(district_id__in=scope.district_ids) | Q(pk__in=scope.street_ids))
        communities = communities.filter(scope.q(None))
    out += [(f"district:{d.pk}", d.name) for d in districts]
    out += [(f"street:{s.pk}", f"{s.district.name} · {s.name}") for s in streets]
    out += [(f"community:{c.pk}", f"{c.street.name} · {c.name}") for c in communities]
    units = Unit.objects.order_by("name").filter(pk__in=scope.unit_ids)
    out += [(f"unit:{u.pk}", u.name) for u in units.only("pk", "name")]
    return out


@dataclass(frozen=True)
class Ask:
    """A download's request once checked: the node, the period and what the audit row records.

    ``selected``: the admin's chosen rows — the selection is the filter, so no period applies."""

    node: Node
    period: Period
    selected: bool = False

    def when(self, field: str) -> Q:
        return Q() if self.selected else self.period.q(field)

    @property
    def period_label(self) -> str:
        return "后台所选" if self.selected else self.period.label

    @property
    def filters(self) -> dict:
        if self.selected:
            return {"node": self.node.value, "node_name": self.node.name, "selected": True}
        return {"node": self.node.value, "node_name": self.node.name, **self.period.filters}

    def dataset(
        self, key: str, title: str, columns: Sequence[Column], rows: Callable, *, period_label: str | None = None
    ) -> Dataset:
        """The download of this node and period: for whom, which period and the audit's filters
        said once for every builder (``period_label`` when the sheet names its period its own way)."""
        return Dataset(
            key=key,
            title=title,
            scope_label=self.node.name,
            period_label=self.period_label if period_label is None else period_label,
            columns=columns,
            rows=rows,
            filters=self.filters,
        )


def ask(user, params: Mapping[str, str], *, only=None, today: dt.date | None = None) -> Ask:
    """The node and period of ``params``, checked against ``user``'s posts (the scope first: an
    outsider hears that, whatever else is wrong)."""
    node = parse_node(user, params.get("node"))
    return Ask(node, parse_period(params, today=today), selected=only is not None)
