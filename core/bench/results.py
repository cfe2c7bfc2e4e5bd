"""One table of benchmark figures: each benchmark command records its rows here, and
``manage.py bench_all`` prints them together with the machine and its load average.

A command run on its own prints its own report as before; ``record`` keeps rows only while a
``collecting()`` block is open, so recording costs nothing otherwise.
"""

from __future__ import annotations

import unicodedata
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass


@dataclass(frozen=True)
class Row:
    benchmark: str  # the command or phase: "API 负载", "榜单重建"
    item: str  # what was measured
    figures: str  # the measured values, formatted
    target: str = ""  # the requirement, when there is one
    verdict: str = ""  # 达标 / 未达标 / ""


_rows: list[Row] | None = None


def record(benchmark: str, item: str, figures: str, target: str = "", met: bool | None = None) -> None:
    if _rows is None:
        return
    verdict = "" if met is None else ("达标" if met else "未达标")
    _rows.append(Row(benchmark, item, figures, target, verdict))


@contextmanager
def collecting() -> Iterator[list[Row]]:
    global _rows
    outer, _rows = _rows, []
    try:
        yield _rows
    finally:
        _rows = outer


def width(text: str) -> int:
    """Columns a string takes in a terminal: CJK characters take two."""
    return sum(2 if unicodedata.east_asian_width(ch) in "WF" else 1 for ch in text)


def pad(text: str, columns: int) -> str:
    return text + " " * max(0, columns - width(text))


def table(headers: list[str], rows: list[list[str]]) -> str:
    """A plain-text table, columns padded for CJK text."""
    widths = [max(width(str(r[i])) for r in [headers, *rows]) for i in range(len(headers))]
    lines = ["  ".join(pad(str(c), w) for c, w in zip(headers, widths, strict=True)).rstrip()]
    lines.append("  ".join("-" * w for w in widths))
    lines += ["  ".join(pad(str(c), w) for c, w in zip(r, widths, strict=True)).rstrip() for r in rows]
    return "\n".join(lines)


def render(rows: list[Row]) -> str:
    return table(
        ["基准", "项目", "结果", "目标", "结论"],
        [[r.benchmark, r.item, r.figures, r.target, r.verdict] for r in rows],
    )
