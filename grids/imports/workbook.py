"""Reading an uploaded XLSX safely, and writing the templates and the error reports.

An upload is refused before openpyxl sees it unless it is a zip archive of at most
``MAX_BYTES`` holding an Excel workbook whose members together unpack to at most
``MAX_UNPACKED`` (a zip bomb is a few kilobytes that unpack to gigabytes; the archive's
directory states each member's size, and openpyxl would trust it less than we do). The sheet is
then read with python-calamine (a Rust reader: a 60,000-row roster in 0.5 s of CPU where
openpyxl's read-only mode takes 9 s); templates and reports are written with openpyxl.
"""

from __future__ import annotations

import io
import zipfile
from collections.abc import Sequence
from dataclasses import dataclass

from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.comments import Comment
from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.datavalidation import DataValidation
from python_calamine import CalamineWorkbook

from core.errors import ValidationFailed

MAX_BYTES = 20 * 1024 * 1024
# A 60,000-row roster unpacks to about 15 MB; ten times that is still a sheet, not a bomb.
MAX_UNPACKED = 200 * 1024 * 1024
MAX_MEMBERS = 1000
MAX_ROWS = 100_000
BAD_FILL = PatternFill("solid", fgColor="FFC7CE")
HEAD_FILL = PatternFill("solid", fgColor="DDEBF7")
XLSX_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"

NOT_XLSX = "文件不是 Excel 工作簿（.xlsx）。请用本页提供的模板填写，在 Excel 或 WPS 中另存为 .xlsx 后再上传。"


@dataclass(frozen=True)
class Column:
    header: str
    key: str
    required: bool = False
    width: int = 16
    note: str = ""
    choices: str = ""  # the name of a list on the 可选值 sheet
    text: bool = False  # kept as text in the template (phone numbers)


def check_upload(data: bytes) -> None:
    """Refuse what is not a sane XLSX, with a message saying what it is and what to do."""
    if len(data) > MAX_BYTES:
        raise ValidationFailed(f"文件大小 {len(data) / 1024 / 1024:.0f} MB，超过 20 MB 的上限，请拆分后分批导入。")
    if not data:
        raise ValidationFailed("文件是空的，请重新选择。")
    if data.startswith(b"%PDF"):
        raise ValidationFailed("这是一个 PDF 文件，不是 Excel 工作簿。" + NOT_XLSX)
    if data.startswith(b"\xd0\xcf\x11\xe0"):
        raise ValidationFailed("这是旧版 Excel（.xls）或 WPS 加密文件，请在 Excel 或 WPS 中另存为 .xlsx 后再上传。")
    if not data.startswith(b"PK"):
        raise ValidationFailed(NOT_XLSX)
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            members = archive.infolist()
    except (zipfile.BadZipFile, OSError, ValueError):
        raise ValidationFailed("文件已损坏，无法打开。请在 Excel 或 WPS 中重新保存为 .xlsx 后再上传。") from None
    if len(members) > MAX_MEMBERS or sum(m.file_size for m in members) > MAX_UNPACKED:
        raise ValidationFailed("文件解压后超过 200 MB，不是正常的名册表格，已拒绝。请检查文件或拆分后分批导入。")
    names = {m.filename for m in members}
    if "xl/workbook.xml" not in names or "[Content_Types].xml" not in names:
        raise ValidationFailed(NOT_XLSX)


def read_sheet(data: bytes, columns: Sequence[Column]) -> tuple[list[str], list[tuple[int, list[str]]]]:
    """The header of the first sheet and its non-empty rows as text, each with its Excel row number.

    Raises ``ValidationFailed`` naming the expected headers when a required one is missing."""
    check_upload(data)
    try:
        sheet = CalamineWorkbook.from_filelike(io.BytesIO(data)).get_sheet_by_index(0)
        # Rows come from the sheet's first row (Excel's row 1); the header is the first row not empty.
        rows = enumerate(sheet.iter_rows(), start=1)
        first = next((values for _, values in rows if any(_text(v) for v in values)), [])
    except Exception:  # calamine raises several kinds on a damaged workbook; all mean the same here
        raise ValidationFailed("文件已损坏，无法读取。请在 Excel 或 WPS 中重新保存为 .xlsx 后再上传。") from None
    header = [_text(v).lstrip("*") for v in first]
    index = {h: i for i, h in enumerate(header) if h}
    missing = [c.header for c in columns if c.required and c.header not in index]
    if missing:
        expected = "、".join(c.header for c in columns)
        raise ValidationFailed(
            f"表头不对：缺少“{'、'.join(missing)}”。第一行应为：{expected}。请下载本页的模板填写。",
            code="bad_headers",
        )
    picks = [index.get(c.header) for c in columns]
    out = []
    for number, values in rows:
        cells = [_text(values[i]) if i is not None and i < len(values) else "" for i in picks]
        if any(cells):
            out.append((number, cells))
            if len(out) > MAX_ROWS:
                raise ValidationFailed(f"数据超过 {MAX_ROWS} 行，请拆分后分批导入。")
    return [c.header for c in columns], out


def _text(value) -> str:
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        value = int(value)  # a phone number Excel stored as a number
    return str(value).strip()


def _head(ws, columns: Sequence[Column]) -> None:
    for i, c in enumerate(columns, start=1):
        cell = ws.cell(row=1, column=i, value=c.header)
        cell.font = Font(bold=True, color="C00000" if c.required else "000000")
        cell.fill = HEAD_FILL
        if c.note:
            cell.comment = Comment(c.note, "韶关吹哨报到")
        ws.column_dimensions[get_column_letter(i)].width = c.width
    ws.freeze_panes = "A2"


def template(
    columns: Sequence[Column], *, title: str, instructions: Sequence[str], lists: dict[str, list[str]], sample=()
) -> bytes:
    """The template: the data sheet (header, drop-down lists), 说明 and 可选值."""
    book = Workbook()
    ws = book.active
    ws.title = title
    _head(ws, columns)
    for r, row in enumerate(sample, start=2):
        for i, value in enumerate(row, start=1):
            ws.cell(row=r, column=i, value=value)
    for i, c in enumerate(columns, start=1):
        letter = get_column_letter(i)
        if c.text:
            for r in range(2, 2002):
                ws[f"{letter}{r}"].number_format = "@"
    notes = book.create_sheet("说明")
    notes.column_dimensions["A"].width = 100
    for r, line in enumerate(instructions, start=1):
        notes.cell(row=r, column=1, value=line).alignment = Alignment(wrap_text=True)
    notes.cell(row=1, column=1).font = Font(bold=True, size=13)
    allowed = book.create_sheet("可选值")
    for j, (name, values) in enumerate(lists.items(), start=1):
        letter = get_column_letter(j)
        allowed.column_dimensions[letter].width = 30
        allowed.cell(row=1, column=j, value=name).font = Font(bold=True)
        for r, value in enumerate(values, start=2):
            allowed.cell(row=r, column=j, value=value)
        for i, c in enumerate(columns, start=1):
            if c.choices == name and values:
                # A drop-down on the column pointing at the list (Excel limits inline lists to 255 characters).
                dv = DataValidation(
                    type="list",
                    formula1=f"'可选值'!${letter}$2:${letter}${len(values) + 1}",
                    allow_blank=not c.required,
                    showErrorMessage=True,
                    errorTitle="不在可选值中",
                    error=f"请从“可选值”表的“{name}”中选择。",
                )
                dv.add(f"{get_column_letter(i)}2:{get_column_letter(i)}100001")
                ws.add_data_validation(dv)
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def report(
    header: Sequence[str], rows: Sequence[tuple[int, list[str]]], errors: Sequence[Sequence], *, title: str
) -> bytes:
    """The upload as it was, bad cells filled red with the reason as a comment, and a list of the errors.

    Written in openpyxl's write-only mode, so a 60,000-row sheet is streamed, not held as cells."""
    by_cell: dict[tuple[int, str], list[str]] = {}
    for number, column, message in errors:
        by_cell.setdefault((number, column), []).append(message)
    book = Workbook(write_only=True)
    ws = book.create_sheet(title)
    ws.freeze_panes = "A2"
    for i in range(1, len(header) + 2):
        ws.column_dimensions[get_column_letter(i)].width = 18
    head = []
    for h in ["行号", *header]:
        cell = WriteOnlyCell(ws, value=h)
        cell.font = Font(bold=True)
        cell.fill = HEAD_FILL
        head.append(cell)
    ws.append(head)
    for number, cells in rows:
        out = [number]
        for h, value in zip(header, cells, strict=True):
            messages = by_cell.get((number, h))
            if messages:
                cell = WriteOnlyCell(ws, value=value)
                cell.fill = BAD_FILL
                cell.comment = Comment("；".join(messages), "韶关吹哨报到", width=300, height=80)
                out.append(cell)
            else:
                out.append(value)
        ws.append(out)
    listing = book.create_sheet("错误清单")
    listing.column_dimensions["C"].width = 80
    listing.append(["行号", "列", "原因"])
    for number, column, message in errors:
        listing.append([number, column, message])
    buf = io.BytesIO()
    book.save(buf)
    return buf.getvalue()
