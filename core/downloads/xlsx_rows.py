"""A data row's XML written in one piece: what xlsxwriter would write for it, without its per-cell work.

xlsxwriter's ``write_string``/``write_number`` store each cell as an object, and in
``constant_memory`` mode turn the row into XML when the next one starts, cell by cell through
generic helpers (attribute lists, escaping regexes, a cell reference per cell). On the city's
member sheet that was two thirds of the build. ``RowRenderer`` writes the same XML directly for
the cells that need none of that generality — numbers, dates and times, and text with nothing
to escape — and gives up on a row holding anything else (``None``), which ``write_xlsx`` then
writes through xlsxwriter's own calls as before.

``tests/core/test_xlsx_rows.py`` checks that a sheet so written is the very same file as one
written cell by cell: this relies on xlsxwriter's internals (pinned in requirements.txt).
"""

from __future__ import annotations

import datetime as dt
import decimal
import math
import re
from collections.abc import Sequence

from xlsxwriter.utility import xl_col_to_name
from xlsxwriter.worksheet import Worksheet

from core.exports import Column, beijing, safe_cell

# Text written as it is: no XML or control character to escape, no "_x0000_"-like run to guard
# (any underscore sends the row the long way), no "<r>" rich string, no leading or trailing space
# to preserve, and well under Excel's 32,767 characters. Everything else goes through xlsxwriter.
_NEEDS_CARE = re.compile(r"[\x00-\x1f&<>_\ufffe\uffff]")
_SHORT = 16_383


class RowSheet(Worksheet):
    """xlsxwriter's worksheet with one more write: a whole row already rendered as XML."""

    def flush_rows_before(self, row: int) -> None:
        """Write out the rows above ``row`` that were written cell by cell (the title, the header)."""
        if row > self.previous_row:
            self._write_single_row(row)

    def write_rendered_row(self, row: int, first_col: int, last_col: int, xml: str) -> None:
        """Write ``xml`` (``<row>`` and its cells in ``first_col``..``last_col``) as row ``row``,
        after whatever earlier rows were written cell by cell (constant_memory mode only)."""
        if self._check_dimensions(row, first_col) or self._check_dimensions(row, last_col):
            raise ValueError(f"row {row} is outside the sheet or before a row already written")
        self.flush_rows_before(row)
        self.fh.write(xml)


class RowRenderer:
    """Renders data rows of ``columns`` as xlsxwriter does in constant_memory mode.

    Create it when the first data row is due, after the rows above it were flushed: it gives the
    columns' formats their style numbers in column order, as xlsxwriter does for a first row that
    has a value in every column."""

    def __init__(self, sheet: RowSheet, columns: Sequence[Column], formats: dict):
        self.sheet = sheet
        self.cells = [self._cell(index, column.kind, formats[column.kind]) for index, column in enumerate(columns)]

    def _cell(self, index: int, kind: str, cell_format):
        style = f' s="{cell_format._get_xf_index()}"' if cell_format is not None else ""
        ref = xl_col_to_name(index)
        if kind == "int":
            return lambda r, v: _number(ref, r, style, int(v))
        if kind == "decimal":
            return lambda r, v: _number(ref, r, style, as_float(v))
        if kind in ("date", "datetime"):
            convert, excel = (as_date if kind == "date" else as_naive_beijing), self.sheet._convert_date_time
            return lambda r, v: _number(ref, r, style, excel(convert(v)))
        if kind == "phone":
            return lambda r, v: _text(ref, r, style, safe_cell(str(v)))
        return lambda r, v: _text(ref, r, style, safe_cell(v if v.__class__ is str else str(v)))

    def render(self, row: int, values: Sequence) -> tuple[int, int, str] | None:
        """(first column, last column, XML) of the row's cells (None and "" left empty), or None
        when a cell needs xlsxwriter's own writes, or when the row has no cell at all (xlsxwriter
        writes nothing for it either)."""
        if len(values) != len(self.cells):
            return None  # xlsxwriter's writes say what is wrong with it
        r = str(row + 1)
        parts = [f'<row r="{r}">']
        first = last = -1
        for index, (cell, value) in enumerate(zip(self.cells, values, strict=True)):
            if value is None or value == "":
                continue
            xml = cell(r, value)
            if xml is None:
                return None
            parts.append(xml)
            if first < 0:
                first = index
            last = index
        if first < 0:
            return None
        parts.append("</row>")
        return first, last, "".join(parts)


def _number(ref: str, r: str, style: str, number) -> str | None:
    if number.__class__ is float and not math.isfinite(number):
        return None  # xlsxwriter's own write refuses it
    return f'<c r="{ref}{r}"{style}><v>{number:.16G}</v></c>'


def _text(ref: str, r: str, style: str, text: str) -> str | None:
    if not text or len(text) > _SHORT or _NEEDS_CARE.search(text) or text[0].isspace() or text[-1].isspace():
        return None
    return f'<c r="{ref}{r}"{style} t="inlineStr"><is><t>{text}</t></is></c>'


def as_float(value) -> float:
    return float(value) if isinstance(value, decimal.Decimal | int | float) else float(str(value))


def as_date(value) -> dt.date | dt.datetime:
    if isinstance(value, dt.datetime):
        return as_naive_beijing(value).date()
    return value


def as_naive_beijing(value) -> dt.datetime:
    if isinstance(value, dt.datetime):
        return beijing(value) if value.tzinfo is not None else value
    if isinstance(value, dt.date):
        return dt.datetime.combine(value, dt.time())
    return value
