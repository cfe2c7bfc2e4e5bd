"""A street's grids and buildings (网格与楼栋): its columns, allowed values, and the check of every row.

Buildings are level-3 grids (``Grid.Kind.BUILDING`` under a level-2 grid), as everywhere else in
the platform, so no model of their own: one row names a community of the street, a level-2 grid
(居民小组 or 物业小区) and optionally one of its buildings; rows of the same level-2 grid repeat
its name. The grid's head (网格长) is its grid secretary (``Post.Role.GRID_SECRETARY``), named by
mobile number; a number not yet registered gets an account, as a roster's does.

The import adds: grids, buildings and posts that exist already are left as they are (and a
level-2 grid of another kind than the sheet says is an error), nothing is renamed or deleted —
renaming is the admin's, where its history is visible.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError

from accounts.phone import normalize_phone
from core.db import among
from grids.imports.workbook import Column
from grids.models import Community, Grid, Post, Street

COLUMNS = [
    Column("社区", "community", required=True, width=18, note="必填，本街道的社区，从下拉列表选择。", choices="社区"),
    Column("网格名称", "grid", required=True, width=20, note="必填：二级网格（居民小组或物业小区）的名称。"),
    Column("网格类型", "kind", width=12, note="新建网格必填：居民小组或物业小区。", choices="网格类型"),
    Column("楼栋", "building", width=16, note="选填：该网格下的楼栋（三级网格），一行一栋。"),
    Column("网格长姓名", "head_name", width=12, note="选填：网格长（网格书记）的姓名。"),
    Column("网格长手机号", "head_phone", width=16, note="选填：网格长的 11 位手机号。", text=True),
]
HEADERS = [c.header for c in COLUMNS]
LEVEL2_KINDS = {label: value for value, label in Grid.Kind.choices if value != Grid.Kind.BUILDING}


def allowed_lists(street: Street) -> dict[str, list[str]]:
    return {
        "社区": list(street.communities.order_by("name").values_list("name", flat=True)),
        "网格类型": list(LEVEL2_KINDS),
    }


def instructions(street: Street) -> list[str]:
    return [
        f"{street.name} 网格与楼栋导入说明",
        "1. 在“网格”表第 2 行起填写，不要改动第 1 行表头；红色表头为必填。",
        "2. 一行一个二级网格，或一个二级网格下的一栋楼：同一网格有多栋楼时，每栋一行，重复填写社区和网格名称。",
        "3. 社区只能是本街道的社区；网格类型为“居民小组”或“物业小区”。",
        "4. 已存在的网格、楼栋和网格长保持不变，只新建表中新增的；需要改名或删除请在管理后台操作。",
        "5. 网格长填写姓名和手机号，成为该网格的网格书记；尚未注册的手机号将自动开通账号。",
        "6. 整个文件要么全部导入，要么一条都不导入：只要有一行有错，系统会给出错误报告（可下载，错误单元格标红并附原因）。",
        "7. 可先点“预检”查看将新建的内容，预检不会写入任何数据。文件不超过 20 MB。",
    ]


@dataclass
class GridPlan:
    errors: list[tuple[int, str, str]] = field(default_factory=list)
    grids: list[tuple[Community, str, str]] = field(default_factory=list)  # community, name, kind
    buildings: list[tuple[Community, str, str]] = field(default_factory=list)  # community, level-2 name, name
    heads: list[tuple[Community, str, str, str]] = field(default_factory=list)  # community, grid, phone, name
    unchanged: int = 0
    # Filled while checking: existing level-2 grids by (community id, name), users by phone.
    existing: dict = field(default_factory=dict)
    users: dict = field(default_factory=dict)

    def summary(self) -> dict:
        return {
            "grids_created": len(self.grids),
            "buildings_created": len(self.buildings),
            "heads_appointed": len(self.heads),
            "users_created": len({p for _, _, p, _ in self.heads if p not in self.users}),
            "unchanged": self.unchanged,
        }


def plan(street: Street, rows: list[tuple[int, list[str]]]) -> GridPlan:
    out = GridPlan()
    err = out.errors.append
    communities = {c.name: c for c in street.communities.all()}
    level2 = {
        (g.community_id, g.name): g for g in Grid.objects.filter(community__street=street, level=Grid.Level.SECOND)
    }
    out.existing = level2
    buildings = set(
        Grid.objects.filter(community__street=street, level=Grid.Level.THIRD).values_list("parent_id", "name")
    )
    heads = set(
        Post.objects.filter(role=Post.Role.GRID_SECRETARY, grid__community__street=street).values_list(
            "grid_id", "user__phone"
        )
    )
    new_kind: dict[tuple[int, str], tuple[str, int]] = {}
    seen_rows: dict[tuple, int] = {}
    head_of: dict[tuple[int, str], tuple[str, int]] = {}
    phones: dict[str, str] = {}
    for number, cells in rows:
        raw = dict(zip(HEADERS, cells, strict=True))
        bad = len(out.errors)
        community = communities.get(raw["社区"])
        if community is None:
            err((number, "社区", f"“{raw['社区']}”不是本街道的社区。" if raw["社区"] else "社区不能为空。"))
        name, building = raw["网格名称"], raw["楼栋"]
        if not name or len(name) > 80:
            err((number, "网格名称", "网格名称不能为空，且不超过 80 个字。"))
        if len(building) > 80:
            err((number, "楼栋", "楼栋名称不能超过 80 个字。"))
        kind = LEVEL2_KINDS.get(raw["网格类型"]) if raw["网格类型"] else None
        if raw["网格类型"] and kind is None:
            err((number, "网格类型", f"网格类型“{raw['网格类型']}”不在可选值中（居民小组、物业小区）。"))
        head_phone = None
        if raw["网格长手机号"] or raw["网格长姓名"]:
            try:
                head_phone = normalize_phone(raw["网格长手机号"])
            except ValidationError:
                err((number, "网格长手机号", "请填写网格长正确的 11 位手机号。"))
            if not raw["网格长姓名"] or len(raw["网格长姓名"]) > 50:
                err((number, "网格长姓名", "请填写网格长姓名（不超过 50 个字）。"))
        if len(out.errors) > bad:
            continue
        key = (community.pk, name)
        row_key = (community.pk, name, building)
        if row_key in seen_rows:
            what = f"楼栋“{building}”" if building else f"网格“{name}”"
            err((number, "楼栋" if building else "网格名称", f"{what}与第 {seen_rows[row_key]} 行重复。"))
            continue
        seen_rows[row_key] = number
        grid = level2.get(key)
        if grid is not None:
            if kind and grid.kind != kind:
                err((number, "网格类型", f"网格“{name}”已存在，类型为{grid.get_kind_display()}，与表中不符。"))
                continue
        elif key in new_kind:
            first_kind, first_row = new_kind[key]
            if kind and kind != first_kind:
                err((number, "网格类型", f"与第 {first_row} 行填写的网格类型不一致。"))
                continue
        elif kind is None:
            err((number, "网格类型", f"网格“{name}”是新网格，请填写网格类型。"))
            continue
        else:
            new_kind[key] = (kind, number)
            out.grids.append((community, name, kind))
        if building:
            if grid is not None and (grid.pk, building) in buildings:
                out.unchanged += 1
            else:
                out.buildings.append((community, name, building))
        elif grid is not None:
            out.unchanged += 1
        if head_phone:
            if phones.setdefault(head_phone, raw["网格长姓名"]) != raw["网格长姓名"]:
                err((number, "网格长姓名", "同一手机号在表中填写了不同的姓名。"))
                continue
            first = head_of.setdefault(key, (head_phone, number))
            if first[0] != head_phone:
                err((number, "网格长手机号", f"与第 {first[1]} 行填写的网格长不一致，一个网格填写一位网格长。"))
            elif first[1] == number and not (grid is not None and (grid.pk, head_phone) in heads):
                out.heads.append((community, name, head_phone, raw["网格长姓名"]))
    if phones and not out.errors:
        _check_heads(phones, rows, out)
    if out.errors:
        out.errors.sort(key=lambda e: (e[0], HEADERS.index(e[1])))
        out.grids, out.buildings, out.heads, out.unchanged = [], [], [], 0
    return out


def _check_heads(phones: dict[str, str], rows, out: GridPlan) -> None:
    """Registered numbers must carry the name the sheet gives (a typo in a number would appoint a stranger)."""
    users = {u.phone: u for found in among(get_user_model().objects.all(), "phone", phones) for u in found}
    out.users = users
    row_of = {}
    for number, cells in rows:
        raw = dict(zip(HEADERS, cells, strict=True))
        row_of.setdefault(raw["网格长手机号"], number)
    for phone, name in phones.items():
        user = users.get(phone)
        if user is not None and (not user.is_active or (user.name and user.name != name)):
            number = next((n for p, n in row_of.items() if p and _same(p, phone)), 0)
            reason = (
                "该手机号的账号已停用。" if not user.is_active else "该手机号已注册，登记的姓名与表中不符，请核实。"
            )
            out.errors.append((number, "网格长手机号", reason))


def _same(raw: str, phone: str) -> bool:
    try:
        return normalize_phone(raw) == phone
    except ValidationError:
        return False
