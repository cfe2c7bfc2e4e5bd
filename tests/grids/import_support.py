"""Building XLSX uploads for the import tests, and a unit with its secretary and a paired community."""

from __future__ import annotations

import io
from dataclasses import dataclass

from django.core.files.uploadedfile import SimpleUploadedFile
from openpyxl import Workbook

from accounts.models import User
from grids.imports import roster
from grids.models import Community, Post, Unit
from tests.accounts.factories import UserFactory
from tests.grids.factories import PairingFactory, PostFactory, UnitFactory


def xlsx(header, rows, *, title="名册") -> bytes:
    book = Workbook()
    ws = book.active
    ws.title = title
    ws.append(list(header))
    for row in rows:
        ws.append(list(row))
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def roster_xlsx(rows) -> bytes:
    return xlsx(roster.HEADERS, rows)


def upload(data: bytes, name="名册.xlsx") -> SimpleUploadedFile:
    return SimpleUploadedFile(
        name, data, content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    )


def person(i: int, *, community: str = "", kind: str = "在职党员") -> list[str]:
    return [f"党员{i}", f"137{i:08d}", kind, "教师、医生" if i % 2 else "", f"韶关市测试路{i}号", community]


@dataclass
class RosterWorld:
    unit: Unit
    other_unit: Unit
    community: Community
    secretary: User
    organiser: User
    neighbour: User  # the secretary of the other unit


def roster_world(community: Community) -> RosterWorld:
    unit, other_unit = UnitFactory(name="韶关市教育局"), UnitFactory(name="韶关市卫健局")
    PairingFactory(unit=unit, community=community)
    secretary = UserFactory(name="张丽华")
    organiser = UserFactory(name="组织委员")
    neighbour = UserFactory(name="邻单位书记")
    PostFactory(user=secretary, role=Post.Role.UNIT_SECRETARY, community=None, unit=unit)
    PostFactory(user=organiser, role=Post.Role.UNIT_ORGANISER, community=None, unit=unit)
    PostFactory(user=neighbour, role=Post.Role.UNIT_SECRETARY, community=None, unit=other_unit)
    return RosterWorld(unit, other_unit, community, secretary, organiser, neighbour)
