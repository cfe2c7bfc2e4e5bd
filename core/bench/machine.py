"""The machine a benchmark ran on, its load, and the CPU time processes spent (from /proc)."""

from __future__ import annotations

import os
import platform
from pathlib import Path

CLOCK_TICKS = os.sysconf("SC_CLK_TCK") if hasattr(os, "sysconf") else 100


def describe() -> str:
    """One line: CPU model, cores, memory, Python, PostgreSQL if reachable is added by the caller."""
    model = ""
    cpuinfo = Path("/proc/cpuinfo")
    if cpuinfo.exists():
        for line in cpuinfo.read_text().splitlines():
            if line.startswith("model name"):
                model = line.split(":", 1)[1].strip()
                break
    memory = ""
    meminfo = Path("/proc/meminfo")
    if meminfo.exists():
        for line in meminfo.read_text().splitlines():
            if line.startswith("MemTotal:"):
                memory = f"{int(line.split()[1]) / 1024 / 1024:.0f} GiB"
                break
    parts = [model or platform.processor() or platform.machine(), f"{os.cpu_count()} 核", memory]
    parts.append(f"Python {platform.python_version()}")
    return "，".join(p for p in parts if p)


def load_average() -> str:
    try:
        one, five, fifteen = os.getloadavg()
    except OSError:
        return "未知"
    return f"{one:.2f} / {five:.2f} / {fifteen:.2f}"


def process_cpu_seconds(pid: int) -> float:
    """User + system CPU time of one process (all its threads), 0 when it is gone."""
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except (FileNotFoundError, ProcessLookupError, IndexError):
        return 0.0
    # After the ")" closing the command name: state is field 0, utime 11, stime 12.
    return (int(fields[11]) + int(fields[12])) / CLOCK_TICKS


def children_of(pid: int) -> list[int]:
    """Direct children of a process (the workers of a gunicorn master)."""
    found = []
    task_dir = Path(f"/proc/{pid}/task")
    if not task_dir.exists():
        return found
    for task in task_dir.iterdir():
        try:
            found += [int(c) for c in (task / "children").read_text().split()]
        except FileNotFoundError:
            continue
    return found


def pids_named(name: str, *, title_contains: str = "") -> list[int]:
    """Every process whose command name is ``name`` and whose title (command line) contains
    ``title_contains``: e.g. the PostgreSQL backends serving one database ("postgres: user db …")."""
    found = []
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            if (entry / "comm").read_text().strip() != name:
                continue
            if title_contains and title_contains not in (entry / "cmdline").read_bytes().decode(errors="replace"):
                continue
            found.append(int(entry.name))
        except (FileNotFoundError, ProcessLookupError, PermissionError):
            continue
    return found


def cpu_seconds(pids: list[int]) -> dict[int, float]:
    return {pid: process_cpu_seconds(pid) for pid in pids}
