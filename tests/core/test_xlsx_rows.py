"""Rows rendered in one piece make the very file xlsxwriter makes writing them cell by cell."""

from __future__ import annotations

import datetime as dt
import decimal
import zipfile

import pytest

from core.downloads import xlsx_rows
from core.downloads.bench import synthetic_dataset
from core.downloads.xlsx import write_xlsx
from core.exports import Column, Dataset
from tests.core.exports_support import COLUMNS, FIXED_ROWS

GENERATED = dt.datetime(2026, 5, 1, 3, 4, tzinfo=dt.UTC)
AT = dt.datetime(2026, 3, 1, 1, 30, tzinfo=dt.UTC)

# Every column kind, and cells the renderer leaves to xlsxwriter in rows between rendered ones.
AWKWARD = [
    [1, "=1+1", "02088886666", dt.date(2026, 3, 1), AT, decimal.Decimal("2.50"), "+86 联系", None],
    [2, " 前导空格", None, None, None, None, "尾随空格 ", AT],
    [3, "a_x0041_b", "x", None, dt.datetime(2026, 1, 1, 12, 0, 0, 123456), 1.5, "<r>x</r>", None],
    [None, None, None, None, None, None, None, None],
    [4, "a&b<c>", "", "", "", "", "\u3000全角", None],
    [5, "制表\t符", 1380013, AT, dt.date(2026, 2, 2), 7, "长" * 20000, None],
    [6, "正常", "13800000000", dt.date(1900, 1, 1), dt.datetime(1900, 3, 1), decimal.Decimal("1E+20"), "\ufffe", None],
    [7, "正常", "13800000000", None, None, 123456789012345678, '引号 "x"', None],
    [8, "换\n行", "13800000000", None, None, True, "最后", AT],
]


def dataset(rows) -> Dataset:
    return Dataset(
        key="t", title="测试:表?", scope_label="韶关市", period_label="", columns=COLUMNS, rows=lambda: iter(rows)
    )


def parts(path) -> dict[str, bytes]:
    with zipfile.ZipFile(path) as z:
        return {name: z.read(name) for name in z.namelist() if name != "docProps/core.xml"}  # its time of writing


def both(data: Dataset, tmp_path, monkeypatch) -> tuple[dict, dict]:
    rendered, by_cell = tmp_path / "rendered.xlsx", tmp_path / "by_cell.xlsx"
    assert write_xlsx(data, rendered, generated_at=GENERATED) == sum(1 for _ in data.rows())
    monkeypatch.setattr(xlsx_rows.RowRenderer, "render", lambda self, row, values: None)
    write_xlsx(data, by_cell, generated_at=GENERATED)
    return parts(rendered), parts(by_cell)


@pytest.mark.parametrize(
    "data",
    [dataset(FIXED_ROWS), dataset(AWKWARD), synthetic_dataset(500)],
    ids=["test-sheet", "awkward-cells", "synthetic"],
)
def test_rendered_rows_make_the_same_file(data, tmp_path, monkeypatch):
    rendered, by_cell = both(data, tmp_path, monkeypatch)
    assert rendered.keys() == by_cell.keys()
    for name in rendered:
        assert rendered[name] == by_cell[name], name


def test_the_renderer_leaves_awkward_text_and_numbers_to_xlsxwriter(tmp_path):
    sheet_rows = []
    renderer = xlsx_rows.RowRenderer(
        _FakeSheet(), [Column("甲"), Column("乙", "decimal")], {"text": None, "decimal": None}
    )
    for values in (["王建国", 1.5], ["a&b", 1], ["_x0041_", 1], [" 空格", 1], ["好", float("nan")], [None, None]):
        sheet_rows.append(renderer.render(2, values))
    assert sheet_rows[0] == (
        0,
        1,
        '<row r="3"><c r="A3" t="inlineStr"><is><t>王建国</t></is></c><c r="B3"><v>1.5</v></c></row>',
    )
    assert sheet_rows[1:] == [None] * 5


class _FakeSheet:
    def _convert_date_time(self, value):  # not reached: no date column
        raise AssertionError
