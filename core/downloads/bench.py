"""What the XLSX benchmarks share: a synthetic member sheet, and measuring one build in a process
of its own (``manage.py bench_exports``, ``scripts/bench_xlsx_libraries.py``).

Peak memory is the process's ``ru_maxrss``: measured in a child process started for the one
build, so the figure is the builder's own and not whatever the parent held before.
"""

from __future__ import annotations

import datetime as dt
import decimal
import random
import resource
import tempfile
import time
from collections.abc import Iterator, Mapping
from pathlib import Path

from django.contrib.auth import get_user_model
from django.utils import timezone

from core import exports
from core.downloads.xlsx import write_xlsx
from core.errors import DomainError
from core.exports import BEIJING, Column, Dataset

SURNAMES = "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗"
GIVEN = "建国红梅志强海燕文斌丽华秀英明辉伟芳军玲静波"
DISTRICTS = ("武江区", "浈江区", "曲江区", "始兴县", "仁化县", "翁源县", "乳源瑶族自治县", "新丰县", "乐昌市", "南雄市")
KINDS = ("在职党员", "社区党员", "老党员", "团员青年", "热心居民")
QUOTA = ("已完成", "进度正常", "进度落后", "未开始")

COLUMNS = (
    Column("编号", "int", 9),
    Column("姓名", "text", 10),
    Column("手机号", "phone", 14),
    Column("类别", "text", 10),
    Column("所在单位", "text", 28),
    Column("区/县", "text", 14),
    Column("街道", "text", 14),
    Column("社区", "text", 16),
    Column("网格", "text", 14),
    Column("报到日期", "date", 12),
    Column("最近签到（北京时间）", "datetime", 20),
    Column("本年服务时长（小时）", "decimal", 12),
    Column("服务次数", "int", 10),
    Column("年度配额", "text", 10),
    Column("星级", "int", 8),
)


def synthetic_rows(count: int, *, seed: int = 12) -> Iterator[list]:
    """``count`` rows shaped like the city's member sheet, the same on every run (seeded)."""
    rnd = random.Random(seed)
    start = dt.datetime(2026, 1, 1, tzinfo=BEIJING)
    for i in range(1, count + 1):
        district = DISTRICTS[i % len(DISTRICTS)]
        at = start + dt.timedelta(minutes=rnd.randrange(0, 480_000))
        yield [
            i,
            rnd.choice(SURNAMES) + rnd.choice(GIVEN) + rnd.choice(GIVEN),
            f"13{rnd.randrange(10**9):09d}",
            KINDS[i % len(KINDS)],
            # One in a thousand starts like a formula, as a hostile or careless entry would.
            '=HYPERLINK("http://x")' if i % 1000 == 0 else f"韶关市第{i % 1795 + 1}机关单位党支部",
            district,
            f"{district[:2]}第{i % 7 + 1}街道",
            f"第{i % 295 + 1}社区",
            f"第{i % 9 + 1}网格",
            (at - dt.timedelta(days=rnd.randrange(0, 900))).date(),
            at,
            decimal.Decimal(rnd.randrange(0, 6000)) / 60,
            rnd.randrange(0, 60),
            QUOTA[i % len(QUOTA)],
            rnd.randrange(1, 6),
        ]


def synthetic_dataset(count: int = 60_000) -> Dataset:
    """A member sheet of ``count`` rows × 15 columns made up in memory, row by row."""
    return Dataset(
        key="synthetic",
        title="党员名单（测试数据）",
        scope_label="韶关市",
        period_label="2026-01-01 至 2026-11-30",
        columns=COLUMNS,
        rows=lambda: synthetic_rows(count),
        filters={"node": "city", "synthetic": count},
    )


def _megabytes() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024  # kilobytes on Linux


def cpu_seconds() -> float:
    """This process's CPU time so far: on a shared machine a steadier figure than the wall clock."""
    usage = resource.getrusage(resource.RUSAGE_SELF)
    return usage.ru_utime + usage.ru_stime


def build_once(*, key: str, params: Mapping[str, str], phone: str = "", synthetic: int = 0) -> dict:
    """Build one download in this process as the job does (``key`` "-": the synthetic sheet) into a
    temporary file; its figures, or ``{"error": ...}`` when the dataset cannot be built."""
    base = _megabytes()
    if key == "-":
        dataset = synthetic_dataset(synthetic)
    else:
        users = get_user_model().objects.order_by("pk")
        user = users.filter(phone=phone).first() if phone else users.filter(is_superuser=True).first()
        if user is None:
            return {"error": f"没有{'手机号为 ' + phone + ' 的' if phone else '超级'}用户。"}
        try:
            dataset = exports.build(key, user=user, params=params)
        except LookupError:
            return {"error": f"数据集 {key} 未登记（已登记：{', '.join(exports.registered()) or '无'}）。"}
        except DomainError as exc:
            return {"error": f"数据集 {key} 拒绝了参数：{exc.message}"}
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "bench.xlsx"
        started, cpu = time.perf_counter(), cpu_seconds()
        rows = write_xlsx(dataset, path, generated_at=timezone.now(), tmpdir=folder)
        seconds, cpu = time.perf_counter() - started, cpu_seconds() - cpu
        size = path.stat().st_size
    return {
        "rows": rows,
        "columns": len(dataset.columns),
        "seconds": seconds,
        "cpu_seconds": cpu,
        "base_mb": base,
        "peak_mb": _megabytes(),
        "bytes": size,
    }
