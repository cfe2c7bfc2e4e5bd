"""A dataset's CSV: each cell formatted by its column's kind, the rows in chunks.

The city's year of service records is ten million cells, so the loop touches only the cells that
need it — text that could start a formula (escaped as ``core.exports.safe_cell`` does) and times
(Beijing, through C-level formatting) — and leaves numbers and empty cells (``None`` → "") to the
csv module.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterator

from core.exports import BEIJING_OFFSET, BOM, Dataset, _Echo

FORMULA_STARTS = frozenset("=+-@\t\r")
BATCH = 500  # rows a streamed chunk holds: about 100 kB, not a write per line


def when(value) -> str:
    """A datetime as the CSV shows it: Beijing time to the second."""
    if value.tzinfo is None:
        return value.isoformat(" ", "seconds")
    return value.astimezone(BEIJING_OFFSET).isoformat(" ", "seconds")[:19]


def dataset_csv_lines(dataset: Dataset) -> Iterator[tuple[str, int]]:
    """The CSV of ``dataset`` in chunks of ``BATCH`` rows: (text, rows in it), the header first."""
    yield BOM + csv.writer(_Echo()).writerow(dataset.header), 0
    texts = [i for i, c in enumerate(dataset.columns) if c.kind in ("text", "phone")]
    times = [i for i, c in enumerate(dataset.columns) if c.kind == "datetime"]
    dates = [i for i, c in enumerate(dataset.columns) if c.kind == "date"]
    width = len(dataset.columns)
    chunk = io.StringIO()
    writer = csv.writer(chunk)  # a chunk's rows in one call, into one buffer
    batch: list[list] = []
    for values in dataset.rows():
        if len(values) != width:
            raise ValueError(f"a row of {len(values)} cells for {width} columns")
        row = list(values)
        for i in texts:
            v = row[i]
            if v.__class__ is str and v and v[0] in FORMULA_STARTS:
                row[i] = "'" + v
        for i in times:
            v = row[i]
            if v is not None:
                # Naive: already Beijing wall time (``core.exports.local_time``), as the CSV shows it.
                row[i] = v.isoformat(" ", "seconds") if v.tzinfo is None else when(v)
        for i in dates:
            if row[i] is not None:
                row[i] = row[i].isoformat()
        batch.append(row)
        if len(batch) == BATCH:
            yield _written(writer, chunk, batch), BATCH
            batch = []
    if batch:
        yield _written(writer, chunk, batch), len(batch)


def _written(writer, chunk: io.StringIO, rows: list[list]) -> str:
    chunk.seek(0)
    chunk.truncate()
    writer.writerows(rows)
    return chunk.getvalue()
