"""What every download shares: safe cells, Beijing time, keyset paging and a streamed CSV.

The apps build their own sheets (columns, scope, audit) on top of these; nothing here knows a
domain model.
"""

from __future__ import annotations

import csv
import datetime as dt
from collections.abc import Iterable, Iterator, Sequence
from urllib.parse import quote
from zoneinfo import ZoneInfo

from django.db.models import QuerySet
from django.http import StreamingHttpResponse

from core import audit

BEIJING = ZoneInfo("Asia/Shanghai")
BOM = "\ufeff"  # Excel reads a CSV as UTF-8 only when it starts with a byte-order mark
_FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def safe_cell(value):
    """A cell a spreadsheet shows as text: a string that would start a formula gets a leading quote.

    OWASP's advice for CSV injection; tab and carriage return are included because Excel strips
    them and then evaluates what follows.
    """
    if isinstance(value, str) and value.startswith(_FORMULA_STARTS):
        return "'" + value
    return value


def beijing(value: dt.datetime | None) -> dt.datetime | None:
    """An aware time as naive Beijing time — what a spreadsheet can hold (headers say 北京时间)."""
    if value is None:
        return None
    return value.astimezone(BEIJING).replace(tzinfo=None)


def keyset(queryset: QuerySet, *, size: int = 2000) -> Iterator:
    """Every row of ``queryset`` in pages of ``id > last`` — no OFFSET, no server-side cursor.

    Server-side cursors do not survive a transaction-pooling PgBouncer; OFFSET grows slower with
    every page. The queryset's own ordering is replaced by the primary key.
    """
    last = None
    while True:
        page = queryset.order_by("pk")
        if last is not None:
            page = page.filter(pk__gt=last)
        rows = list(page[:size])
        yield from rows
        if len(rows) < size:  # a short page is the last one: no query for an empty page
            return
        last = rows[-1].pk


class _Echo:
    """A file-like object whose ``write`` hands the line back, so csv.writer can feed a stream."""

    def write(self, value: str) -> str:
        return value


def csv_lines(header: Sequence[str], rows: Iterable[Sequence]) -> Iterator[str]:
    """The lines of a CSV that Excel opens as UTF-8: a BOM, the header, then safe cells."""
    writer = csv.writer(_Echo())
    yield BOM + writer.writerow(header)
    for row in rows:
        yield writer.writerow([_plain(safe_cell(v)) for v in row])


def _plain(value):
    if isinstance(value, dt.datetime) and value.tzinfo is not None:
        return beijing(value).strftime("%Y-%m-%d %H:%M:%S")
    return "" if value is None else value


def _audited(lines: Iterator[str], *, filename: str, filters: dict, where: audit.Origin) -> Iterator[str]:
    sent = -1  # the header line is not a row
    try:
        for line in lines:
            sent += 1
            yield line
    finally:
        with audit.origin(**vars(where)):
            audit.record(
                audit.Action.EXPORT,
                object_type="download",
                object_repr=filename,
                changes={"filters": filters, "rows": max(sent, 0)},
            )


def csv_response(
    filename: str, header: Sequence[str], rows: Iterable[Sequence], *, filters: dict | None = None
) -> StreamingHttpResponse:
    """A streamed CSV download; ``filename`` may be Chinese (RFC 6266 ``filename*``).

    Each download is a line in the audit trail — who, which file, with which ``filters`` (the
    scope and period), and how many rows went out — written when the stream ends, or is broken off.
    """
    response = StreamingHttpResponse(
        _audited(csv_lines(header, rows), filename=filename, filters=filters or {}, where=audit.current_origin()),
        content_type="text/csv; charset=utf-8",
    )
    ascii_name = filename.encode("ascii", "ignore").decode() or "export.csv"
    response["Content-Disposition"] = f"attachment; filename=\"{ascii_name}\"; filename*=UTF-8''{quote(filename)}"
    return response
