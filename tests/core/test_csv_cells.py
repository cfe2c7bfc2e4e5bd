"""A dataset's CSV cells by column kind: escaped text, Beijing times, empty cells, chunks."""

import datetime as dt

import pytest

from core.downloads import csv_cells
from core.exports import BOM, Column, Dataset


def _dataset(rows, columns=None):
    columns = columns or [
        Column("文本"),
        Column("手机号", "phone"),
        Column("数", "int"),
        Column("日期", "date"),
        Column("时间（北京时间）", "datetime"),
    ]
    return Dataset("x", "测试", "韶关市", "", columns, lambda: iter(rows))


def test_cells_by_kind():
    at = dt.datetime(2026, 3, 31, 15, 30, 5, 999, tzinfo=dt.UTC)
    rows = [
        ("=1+1", "+8613800000000", 3, dt.date(2026, 1, 2), at),
        ("-x", "@y", None, None, None),
        ("\t=cmd", "普通", 1.5, None, dt.datetime(2026, 1, 1, 8, 0)),
        (True, "", 0, None, None),
    ]
    text = "".join(t for t, _ in csv_cells.dataset_csv_lines(_dataset(rows)))
    assert text == (
        BOM + "文本,手机号,数,日期,时间（北京时间）\r\n"
        "'=1+1,'+8613800000000,3,2026-01-02,2026-03-31 23:30:05\r\n"
        "'-x,'@y,,,\r\n"
        "'\t=cmd,普通,1.5,,2026-01-01 08:00:00\r\n"
        "True,,0,,\r\n"
    )


def test_rows_come_in_chunks_and_are_counted(monkeypatch):
    monkeypatch.setattr(csv_cells, "BATCH", 2)
    chunks = list(csv_cells.dataset_csv_lines(_dataset([("a", "", 1, None, None)] * 5)))
    assert [n for _, n in chunks] == [0, 2, 2, 1]


def test_a_row_of_the_wrong_width_is_a_bug_not_a_shifted_sheet():
    with pytest.raises(ValueError):
        list(csv_cells.dataset_csv_lines(_dataset([("a", "b")])))
