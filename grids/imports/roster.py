"""A unit's member roster (单位党员名册): its columns, allowed values, and the check of every row.

What a unit knows of its members and may say here: name, mobile number, kind (在职党员 …),
skills, home address and the community the member reports to (报到社区). Not the grid: placing
a member into a grid is the community's decision (``registration_place``), so a named community
opens a pending registration there, as the member's own choice would, and the community places
them. A community is offered when the unit may send members there: paired with the unit
(结对) or within ``REGISTRATION_REACH_KM`` of its office — the "work" half of the reach rule of
self-selection (home coordinates are not in a roster).

A row is matched to the database by phone: a new number makes a user and a member; a user
without a member profile becomes a member; a member of this unit is updated; a member of
another unit (or of none) is an error, since one unit cannot take over another's member.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError

from accounts.phone import normalize_phone
from core.db import among
from grids.imports.workbook import Column
from grids.models import Community, Member, Registration, Skill, Unit
from grids.selectors.organisation import communities_near

COLUMNS = [
    Column("姓名", "name", required=True, width=12, note="必填，不超过 50 个字。"),
    Column(
        "手机号", "phone", required=True, width=16, note="必填，11 位大陆手机号；同一手机号只能出现一次。", text=True
    ),
    Column("类别", "kind", required=True, width=12, note="必填，从下拉列表选择。", choices="类别"),
    Column("专长", "skills", width=20, note="选填，多个用顿号“、”分隔，取值见“可选值”表。"),
    Column("居住地址", "home_address", width=30, note="选填，不超过 200 个字。"),
    Column("报到社区", "community", width=26, note="选填：党员已确定报到的社区，从下拉列表选择。", choices="报到社区"),
]
HEADERS = [c.header for c in COLUMNS]
KIND_BY_LABEL = {label: value for value, label in Member.Kind.choices}
SKILL_BY_LABEL = {label: value for value, label in Skill.choices}
SKILL_ORDER = {value: i for i, value in enumerate(Skill.values)}
KIND_VALUES = frozenset(Member.Kind.values)
_SPLIT = re.compile(r"[、，,;；/\s]+")


def community_label(c: Community) -> str:
    return f"{c.street.name}·{c.name}"


def allowed_communities(unit: Unit) -> list[Community]:
    """Communities the unit may name in its roster: paired with it, or near its office."""
    found = {
        c.pk: c
        for c in Community.objects.select_related("street").filter(pairings__unit=unit).order_by("street__name", "name")
    }
    if unit.lat is not None:
        for c in communities_near(unit.lat, unit.lng, radius_m=settings.REGISTRATION_REACH_KM * 1000, limit=10_000):
            found.setdefault(c.pk, c)
    return sorted(found.values(), key=lambda c: (c.street.name, c.name))


def allowed_lists(unit: Unit) -> dict[str, list[str]]:
    return {
        "单位": [unit.name],
        "类别": [label for _, label in Member.Kind.choices],
        "专长": [label for _, label in Skill.choices],
        "报到社区": [community_label(c) for c in allowed_communities(unit)],
    }


def instructions(unit: Unit) -> list[str]:
    return [
        f"{unit.name} 党员名册导入说明",
        "1. 在“名册”表第 2 行起每行填写一名党员/志愿者，不要改动第 1 行表头；红色表头为必填。",
        "2. 手机号是每个人的唯一标识：新手机号将新建账号和党员资料；已是本单位党员的手机号将按表中内容更新。",
        "3. 已登记在其他单位、或尚未关联单位的党员/志愿者不能通过本单位名册导入，请本人或组织部门处理。",
        "4. 类别、专长、报到社区只能填写“可选值”表中的值；报到社区只列出本单位结对社区和单位附近的社区。",
        "5. 填写报到社区的党员将向该社区提交报到，由社区编入网格；已在其他社区报到的党员不能通过导入更改，请走调剂。",
        "6. 整个文件要么全部导入，要么一条都不导入：只要有一行有错，系统会给出错误报告（可下载，错误单元格标红并附原因），改正后重新上传。",
        "7. 可先点“预检”查看将新建和修改的内容，预检不会写入任何数据。文件不超过 20 MB。",
    ]


@dataclass
class RosterPlan:
    errors: list[tuple[int, str, str]] = field(default_factory=list)
    create: list[dict] = field(default_factory=list)  # new members (with a new user when user is None)
    update: list[tuple[Member, dict, str | None]] = field(default_factory=list)  # member, changes, new name
    register: list[tuple[str, Community]] = field(default_factory=list)  # phone, community
    unchanged: int = 0

    def summary(self) -> dict:
        return {
            "members_created": len(self.create),
            "users_created": sum(1 for r in self.create if r["user"] is None),
            "members_changed": len(self.update),
            "registrations_created": len(self.register),
            "unchanged": self.unchanged,
        }


def plan(unit: Unit, rows: list[tuple[int, list[str]]]) -> RosterPlan:
    """Check every row against the lists and the database; with no error, what importing would do."""
    out = RosterPlan()
    err = out.errors.append
    communities = allowed_communities(unit)
    by_label = {community_label(c): c for c in communities}
    by_name: dict[str, list[Community]] = {}
    for c in communities:
        by_name.setdefault(c.name, []).append(c)

    parsed: list[dict] = []
    first_row_of: dict[str, int] = {}
    for number, cells in rows:
        raw = dict(zip(HEADERS, cells, strict=True))
        r: dict = {"row": number}
        name = raw["姓名"]
        if not name:
            err((number, "姓名", "姓名不能为空。"))
        elif len(name) > 50:
            err((number, "姓名", "姓名不能超过 50 个字。"))
        r["name"] = name
        try:
            r["phone"] = normalize_phone(raw["手机号"])
        except ValidationError:
            r["phone"] = None
            err(
                (
                    number,
                    "手机号",
                    f"“{raw['手机号']}”不是正确的 11 位手机号。" if raw["手机号"] else "手机号不能为空。",
                )
            )
        if r["phone"]:
            seen = first_row_of.setdefault(r["phone"], number)
            if seen != number:
                err((number, "手机号", f"手机号与第 {seen} 行重复。"))
        kind = KIND_BY_LABEL.get(raw["类别"]) or (raw["类别"] if raw["类别"] in KIND_VALUES else None)
        if kind is None:
            err((number, "类别", f"类别“{raw['类别']}”不在可选值中。" if raw["类别"] else "类别不能为空。"))
        r["kind"] = kind
        skills = [s for s in _SPLIT.split(raw["专长"]) if s]
        unknown = [s for s in skills if s not in SKILL_BY_LABEL]
        if unknown:
            err((number, "专长", f"专长“{'、'.join(unknown)}”不在可选值中。"))
        known = {SKILL_BY_LABEL[s] for s in skills if s in SKILL_BY_LABEL} if skills else ()
        r["skills"] = sorted(known, key=SKILL_ORDER.__getitem__) if known else []
        if len(raw["居住地址"]) > 200:
            err((number, "居住地址", "居住地址不能超过 200 个字。"))
        r["home_address"] = raw["居住地址"]
        r["community"] = None
        if raw["报到社区"]:
            label = raw["报到社区"]
            c = by_label.get(label) or (by_name[label][0] if len(by_name.get(label, [])) == 1 else None)
            if c is None:
                reason = "有重名，请选择带街道名的写法" if len(by_name.get(label, [])) > 1 else "不是本单位可报到的社区"
                err((number, "报到社区", f"“{label}”{reason}，请从可选值中选择。"))
            r["community"] = c
        parsed.append(r)

    _match_database(unit, parsed, out)
    if out.errors:
        out.errors.sort(key=lambda e: (e[0], HEADERS.index(e[1]) if e[1] in HEADERS else 99))
        out.create, out.update, out.register, out.unchanged = [], [], [], 0
    return out


def _match_database(unit: Unit, parsed: list[dict], out: RosterPlan) -> None:
    err = out.errors.append
    User = get_user_model()
    phones = [r["phone"] for r in parsed if r["phone"]]
    users = {}
    for found in among(User.objects.select_related("member"), "phone", phones):
        users.update((u.phone, u) for u in found)
    member_ids = [u.member.pk for u in users.values() if hasattr(u, "member") and u.member.unit_id == unit.pk]
    active: dict[int, int | None] = {}
    for found in among(Registration.objects.filter(status__in=Registration.ACTIVE), "member_id", member_ids):
        active.update(found.values_list("member_id", "community_id"))
    for r in parsed:
        user = users.get(r["phone"]) if r["phone"] else None
        member = getattr(user, "member", None) if user is not None else None
        n = r["row"]
        if user is not None and not user.is_active:
            err((n, "手机号", "该手机号的账号已停用，不能导入。"))
            continue
        if member is not None and member.unit_id != unit.pk:
            err(
                (n, "手机号", "该手机号已登记为其他单位或社区的党员/志愿者，不能导入本单位名册；请本人或组织部门核实。")
            )
            continue
        if user is not None and member is None and user.name and r["name"] and user.name != r["name"]:
            err((n, "姓名", "该手机号已注册，登记的姓名与表中不符，请核实手机号。"))
            continue
        if member is None:
            out.create.append({**r, "user": user})
            if r["community"] is not None:
                out.register.append((r["phone"], r["community"]))
            continue
        changes = {
            k: r[k]
            for k in ("kind", "skills", "home_address")
            if r[k] is not None and getattr(member, k) != r[k] and not (k == "home_address" and not r[k])
        }
        new_name = r["name"] if r["name"] and r["name"] != user.name else None
        if r["community"] is not None:
            if member.pk in active:
                if active[member.pk] != r["community"].pk:
                    err((n, "报到社区", "该党员已有进行中的报到，不能通过导入更改报到社区，请走调剂。"))
                    continue
            else:
                out.register.append((r["phone"], r["community"]))
        if changes or new_name:
            out.update.append((member, changes, new_name))
        elif not (r["community"] is not None and member.pk not in active):
            out.unchanged += 1
