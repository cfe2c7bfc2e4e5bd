#!/usr/bin/env python3
"""Which library writes the XLSX downloads: the same sheet written three ways, each in a fresh process.

    .venv/bin/python scripts/bench_xlsx_libraries.py [--rows 60000] [--repeat 1]

A synthetic member sheet (``core.downloads.bench.synthetic_dataset``: ``--rows`` rows × 15
columns of text, phones, whole numbers, decimals, dates and times) goes through

- ``xlsxwriter``: ``core.downloads.xlsx.write_xlsx``, xlsxwriter's ``constant_memory`` mode, each
  row written to disk as it comes (what the download job runs);
- ``openpyxl``: openpyxl's ``write_only`` workbook, rows appended as they come;
- ``import-export``: django-import-export's export path, a ``Resource`` over the rows, its tablib
  ``Dataset`` and the ``XLSX`` format (only when django-import-export is installed; it is not a
  dependency of the project).

Each writer runs in a child process of its own, so its peak memory (``ru_maxrss``) is its own;
the child's figure after setting Django up and before writing is printed too ("base").
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
WRITERS = ("xlsxwriter", "openpyxl", "import-export")


def with_openpyxl(dataset, path) -> int:
    """The same sheet with openpyxl's write-only workbook (title row, frozen header, widths, types)."""
    from openpyxl import Workbook
    from openpyxl.cell import WriteOnlyCell
    from openpyxl.utils import get_column_letter

    from core.downloads.xlsx import DATE_FORMAT, DATETIME_FORMAT, header_of, title_line
    from core.exports import beijing, safe_cell

    book = Workbook(write_only=True)
    sheet = book.create_sheet(dataset.title[:31])
    for i, column in enumerate(dataset.columns, start=1):
        sheet.column_dimensions[get_column_letter(i)].width = column.width
    sheet.freeze_panes = "A3"
    import datetime as dt

    sheet.append([title_line(dataset, dt.datetime.now(dt.UTC))])
    sheet.append([header_of(c) for c in dataset.columns])
    kinds = [c.kind for c in dataset.columns]
    count = 0
    for values in dataset.rows():
        out = []
        for kind, value in zip(kinds, values, strict=True):
            if kind == "datetime" and value is not None:
                cell = WriteOnlyCell(sheet, beijing(value))
                cell.number_format = DATETIME_FORMAT
            elif kind == "date" and value is not None:
                cell = WriteOnlyCell(sheet, value)
                cell.number_format = DATE_FORMAT
            elif kind == "decimal" and value is not None:
                cell = WriteOnlyCell(sheet, float(value))
            elif kind in ("text", "phone") and value is not None:
                cell = WriteOnlyCell(sheet, safe_cell(str(value)))
                if kind == "phone":
                    cell.number_format = "@"
            else:
                cell = value
            out.append(cell)
        sheet.append(out)
        count += 1
    book.save(path)
    return count


def with_import_export(dataset, path) -> int:
    """The same rows through django-import-export: a Resource, its tablib Dataset, its XLSX format."""
    from import_export import fields, resources
    from import_export.formats.base_formats import XLSX

    from core.exports import beijing, safe_cell

    kinds = [c.kind for c in dataset.columns]

    class Row:
        __slots__ = ("values",)

        def __init__(self, values):
            self.values = values

    def reader(i):
        def read(row):
            value = row.values[i]
            if kinds[i] == "datetime" and value is not None:
                return beijing(value)
            if kinds[i] in ("text", "phone") and value is not None:
                return safe_cell(str(value))
            return value

        return read

    attrs = {}
    for i, column in enumerate(dataset.columns):
        attrs[f"c{i}"] = fields.Field(column_name=column.title, attribute=f"c{i}")
        attrs[f"dehydrate_c{i}"] = (lambda read: lambda self, row: read(row))(reader(i))
    resource_class = type("SheetResource", (resources.Resource,), attrs)
    table = resource_class().export(queryset=(Row(v) for v in dataset.rows()))
    Path(path).write_bytes(XLSX().export_data(table))
    return len(table)


def child(writer: str, rows: int) -> dict:
    import resource
    import tempfile
    import time

    sys.path.insert(0, str(ROOT))
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "shaoguan.settings")
    import django

    django.setup()
    import datetime as dt

    from core.downloads import bench
    from core.downloads.bench import cpu_seconds
    from core.downloads.xlsx import write_xlsx

    writers = {
        "xlsxwriter": lambda d, p: write_xlsx(d, p, generated_at=dt.datetime.now(dt.UTC)),
        "openpyxl": with_openpyxl,
        "import-export": with_import_export,
    }
    dataset = bench.synthetic_dataset(rows)
    base = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "sheet.xlsx"
        started, cpu = time.perf_counter(), cpu_seconds()
        written = writers[writer](dataset, path)
        seconds, cpu = time.perf_counter() - started, cpu_seconds() - cpu
        size = path.stat().st_size
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    return {
        "writer": writer,
        "rows": written,
        "seconds": seconds,
        "cpu": cpu,
        "base_mb": base / 1024,
        "peak_mb": peak / 1024,
        "bytes": size,
    }


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=60_000)
    parser.add_argument("--repeat", type=int, default=1)
    parser.add_argument("--child", choices=WRITERS, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        print(json.dumps(child(args.child, args.rows)))
        return 0
    print(f"{'writer':<14}{'rows':>8}{'seconds':>10}{'CPU s':>8}{'base MB':>10}{'peak MB':>10}{'file KB':>10}")
    for writer in WRITERS:
        for _ in range(args.repeat):
            out = subprocess.run(
                [sys.executable, __file__, "--child", writer, "--rows", str(args.rows)],
                capture_output=True,
                text=True,
                cwd=ROOT,
            )
            if out.returncode:
                last = (out.stderr.strip().splitlines() or ["?"])[-1]
                print(f"{writer:<14} failed: {last}")
                continue
            r = json.loads(out.stdout.strip().splitlines()[-1])
            print(
                f"{writer:<14}{r['rows']:>8}{r['seconds']:>10.1f}{r['cpu']:>8.1f}{r['base_mb']:>10.0f}{r['peak_mb']:>10.0f}"
                f"{r['bytes'] / 1024:>10.0f}"
            )
    return 0


if __name__ == "__main__":
    sys.exit(main())
