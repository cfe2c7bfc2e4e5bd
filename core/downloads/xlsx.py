"""A dataset as an XLSX a person opens in Excel, written row by row to disk.

xlsxwriter in ``constant_memory`` mode: each row goes to a temporary file as soon as the next one
starts, so a city's 60,000-row member sheet costs the same memory as a ten-row one (the README's
"Downloads: why this library" has the figures against openpyxl and django-import-export). The
data rows are rendered whole (``core.downloads.xlsx_rows``): the same XML as xlsxwriter's per-cell
writes, at a third of their cost; a row with a cell that needs their care goes through them.

The sheet: a title row (what, for whom, which period, when generated, in Beijing time) across
the columns; the Chinese header row, frozen, so it stays in view while scrolling; each column as
wide as its ``Column.width``; dates and times as real Excel dates (naive Beijing time: Excel has
no time zones, so the header says 北京时间); whole numbers and decimals as numbers; phone numbers
as text (never 1.38E+10); every string that would start a formula escaped (``safe_cell``).
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Callable
from pathlib import Path

import xlsxwriter

from core.downloads.xlsx_rows import RowRenderer, RowSheet, as_date, as_float, as_naive_beijing
from core.errors import ValidationFailed
from core.exports import BEIJING, Column, Dataset, safe_cell

# Excel's last row is 1,048,576; two go to the title and the header.
MAX_ROWS = 1_048_576 - 2
TOO_MANY_ROWS = "数据超过 Excel 单个工作表的上限（1,048,574 行），请缩小范围或时间段，或改为下载 CSV。"
_SHEET_NAME_FORBIDDEN = re.compile(r"[\[\]:*?/\\]")
DATE_FORMAT = "yyyy-mm-dd"
DATETIME_FORMAT = "yyyy-mm-dd hh:mm:ss"
BEIJING_LABEL = "北京时间"


def title_line(dataset: Dataset, generated_at: dt.datetime) -> str:
    """The first row: 浈江区 · 党员名单 · 2026-01-01 至 2026-11-30 · 生成于 2026-12-01 15:06（北京时间）."""
    when = generated_at.astimezone(BEIJING).strftime("%Y-%m-%d %H:%M")
    parts = [dataset.scope_label, dataset.title, dataset.period_label, f"生成于 {when}（{BEIJING_LABEL}）"]
    return " · ".join(p for p in parts if p)


def header_of(column: Column) -> str:
    """The column's title; a time column always says which time it is."""
    if column.kind == "datetime" and BEIJING_LABEL not in column.title:
        return f"{column.title}（{BEIJING_LABEL}）"
    return column.title


def sheet_name(title: str) -> str:
    return _SHEET_NAME_FORBIDDEN.sub("", title)[:31] or "Sheet1"


def write_xlsx(
    dataset: Dataset,
    path: Path | str,
    *,
    generated_at: dt.datetime,
    progress: Callable[[int], None] | None = None,
    every: int = 2000,
    tmpdir: str | None = None,
) -> int:
    """Write ``dataset`` to ``path``; the number of rows written.

    ``progress(rows_so_far)`` is called every ``every`` rows (the job stores it for the progress
    bar). Raises ``ValidationFailed`` past Excel's row limit, before the file is finished.
    """
    columns = list(dataset.columns)
    options = {"constant_memory": True, "in_memory": False}
    if tmpdir:
        options["tmpdir"] = tmpdir
    workbook = xlsxwriter.Workbook(str(path), options)
    try:
        sheet = workbook.add_worksheet(sheet_name(dataset.title), worksheet_class=RowSheet)
        title_format = workbook.add_format({"bold": True, "font_size": 13, "valign": "vcenter"})
        header_format = workbook.add_format(
            {"bold": True, "bg_color": "#E8F2EC", "border": 1, "text_wrap": True, "valign": "vcenter"}
        )
        formats = {
            "text": None,
            "phone": workbook.add_format({"num_format": "@"}),
            "int": workbook.add_format({"num_format": "0"}),
            "decimal": workbook.add_format({"num_format": "0.00"}),
            "date": workbook.add_format({"num_format": DATE_FORMAT}),
            "datetime": workbook.add_format({"num_format": DATETIME_FORMAT}),
        }
        for index, column in enumerate(columns):
            sheet.set_column(index, index, column.width, formats[column.kind] if column.kind == "phone" else None)
        # The panes freeze below the header (row 2), columns none.
        sheet.freeze_panes(2, 0)
        sheet.set_row(0, 24)
        last = max(len(columns) - 1, 0)
        if last:
            sheet.merge_range(0, 0, 0, last, title_line(dataset, generated_at), title_format)
        else:
            sheet.write_string(0, 0, title_line(dataset, generated_at), title_format)
        for index, column in enumerate(columns):
            sheet.write_string(1, index, header_of(column), header_format)
        writers = [_cell_writer(sheet, column.kind, formats[column.kind]) for column in columns]
        renderer = None
        row = 1
        for values in dataset.rows():
            row += 1
            if row > MAX_ROWS + 1:
                raise ValidationFailed(TOO_MANY_ROWS, code="too_many_rows")
            if renderer is None:
                sheet.flush_rows_before(row)  # the title and the header take their styles first
                renderer = RowRenderer(sheet, columns, formats)
            rendered = renderer.render(row, values)
            if rendered is not None:
                sheet.write_rendered_row(row, *rendered)
            else:  # a cell the renderer leaves to xlsxwriter (see core.downloads.xlsx_rows)
                for index, value in enumerate(values):
                    if value is None or value == "":
                        continue
                    writers[index](row, index, value)
            if progress is not None and (row - 1) % every == 0:
                progress(row - 1)
    finally:
        workbook.close()
    return row - 1


def _cell_writer(sheet, kind: str, cell_format) -> Callable:
    """How one column's cells are written: a typed write, so nothing is guessed from a value."""
    if kind == "int":
        return lambda r, c, v: sheet.write_number(r, c, int(v), cell_format)
    if kind == "decimal":
        return lambda r, c, v: sheet.write_number(r, c, as_float(v), cell_format)
    if kind == "date":
        return lambda r, c, v: sheet.write_datetime(r, c, as_date(v), cell_format)
    if kind == "datetime":
        return lambda r, c, v: sheet.write_datetime(r, c, as_naive_beijing(v), cell_format)
    if kind == "phone":
        # Text, never a number: a phone has leading zeros and digits Excel would round.
        return lambda r, c, v: sheet.write_string(r, c, safe_cell(str(v)), cell_format)
    return lambda r, c, v: sheet.write_string(r, c, safe_cell(v if isinstance(v, str) else str(v)))
