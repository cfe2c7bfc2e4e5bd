"""A street's grids, buildings and grid heads from XLSX: all or nothing, dry run, audit, the report."""

import io

import pytest
from openpyxl import load_workbook

from accounts.models import User
from core.models import AuditEntry
from grids.imports import grid_sheet
from grids.models import Grid, ImportRun, Post
from grids.services.imports import import_report_build, import_upload
from tests.accounts.factories import UserFactory
from tests.grids.factories import BuildingFactory, StreetFactory
from tests.grids.import_support import xlsx

pytestmark = pytest.mark.django_db


def sheet(rows) -> bytes:
    return xlsx(grid_sheet.HEADERS, rows, title="网格")


def _import(actor, street, data, dry_run=False):
    return import_upload(actor=actor, kind="grids", street=street, data=data, file_name="网格.xlsx", dry_run=dry_run)


def test_grids_buildings_and_heads_are_created_with_audit_rows(street_officer, street, community, grid):
    BuildingFactory(parent=grid, name="1栋")
    rows = [
        ["工业中社区", "第三网格", "", "1栋", "", ""],  # exists: unchanged
        ["工业中社区", "第三网格", "", "2栋", "", ""],
        ["工业中社区", "阳光花园", "物业小区", "", "李网格", "13700000011"],
        ["工业中社区", "阳光花园", "", "A座", "李网格", "13700000011"],
        ["工业中社区", "阳光花园", "", "B座", "", ""],
    ]
    run = _import(street_officer, street, sheet(rows))
    assert run.status == ImportRun.Status.DONE, run.errors
    assert run.summary == {
        "grids_created": 1,
        "buildings_created": 3,
        "heads_appointed": 1,
        "users_created": 1,
        "unchanged": 1,
    }
    garden = Grid.objects.get(community=community, name="阳光花园")
    assert (garden.level, garden.kind) == (2, "property_compound")
    assert sorted(garden.children.values_list("name", flat=True)) == ["A座", "B座"]
    assert grid.children.filter(name="2栋").exists()
    head = User.objects.get(phone="13700000011")
    assert Post.objects.filter(user=head, role="grid_secretary", grid=garden).exists()
    created = AuditEntry.objects.filter(action="created", actor_id=street_officer.pk)
    assert created.filter(object_type="grids.grid").count() == 4
    assert created.filter(object_type="grids.post").count() == 1
    assert created.filter(object_type="accounts.user").count() == 1
    assert AuditEntry.objects.filter(action="event", object_type="grids.street").count() == 1


def test_any_bad_row_imports_nothing_and_marks_the_cells(street_officer, street, community, other_community, grid):
    other_street = StreetFactory(name="别的街道")
    rows = [
        ["工业中社区", "新网格", "居民小组", "", "", ""],
        ["不存在社区", "x", "居民小组", "", "", ""],
        ["工业中社区", "第三网格", "物业小区", "", "", ""],  # exists as 居民小组
        ["工业中社区", "另一个", "", "", "", ""],  # new without a kind
        ["工业中社区", "新网格", "居民小组", "", "", ""],  # duplicate of row 2
        ["工业中社区", "新网格", "", "9栋", "王某", "123"],
    ]
    before = (Grid.objects.count(), AuditEntry.objects.count())
    run = _import(street_officer, street, sheet(rows))
    assert run.status == "rejected"
    assert (Grid.objects.count(), AuditEntry.objects.count()) == before
    assert [(n, c) for n, c, _ in run.errors] == [
        (3, "社区"),
        (4, "网格类型"),
        (5, "网格类型"),
        (6, "网格名称"),
        (7, "网格长手机号"),
    ]
    book = load_workbook(io.BytesIO(import_report_build(run=run)))
    assert book.worksheets[0]["B3"].fill.fgColor.rgb.endswith("FFC7CE")
    assert "不是本街道的社区" in book.worksheets[0]["B3"].comment.text
    assert other_street.pk  # a neighbouring street's communities are not this street's


def test_dry_run_writes_nothing(street_officer, street, community):
    before = (Grid.objects.count(), AuditEntry.objects.count(), User.objects.count())
    run = _import(
        street_officer, street, sheet([["工业中社区", "新网格", "居民小组", "1栋", "李网格", "13700000011"]]), True
    )
    assert run.status == "checked" and run.summary["grids_created"] == 1 and run.summary["buildings_created"] == 1
    assert (Grid.objects.count(), AuditEntry.objects.count(), User.objects.count()) == before


def test_a_head_registered_under_another_name_is_an_error(street_officer, street, community):
    UserFactory(phone="13700000011", name="别人")
    run = _import(street_officer, street, sheet([["工业中社区", "新网格", "居民小组", "", "李网格", "13700000011"]]))
    assert run.status == "rejected"
    assert run.errors[0][1] == "网格长手机号" and "姓名与表中不符" in run.errors[0][2]
