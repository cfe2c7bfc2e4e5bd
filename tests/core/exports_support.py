"""A dataset registered for the download tests, whose scope and rows the tests control.

``sheet`` registers ``testsheet``: rows of every column kind (a formula-looking name, a phone with
a leading zero, a date, an aware time, a decimal, a whole number, an empty cell), for the nodes
the fixture grants each user (``sheet.grant(user, "c1")``); ``?rows=N`` asks for N generated rows.
``exports_dir`` points the private exports storage at a temporary folder.
"""

from __future__ import annotations

import datetime as dt
import decimal
import io

import openpyxl
import pytest

from core import exports
from core.errors import PermissionDenied, ValidationFailed

KEY = "testsheet"
COLUMNS = [
    exports.Column("编号", "int", 8),
    exports.Column("姓名", "text", 12),
    exports.Column("手机号", "phone", 15),
    exports.Column("报到日期", "date", 12),
    exports.Column("签到时间（北京时间）", "datetime", 20),
    exports.Column("时长（小时）", "decimal", 10),
    exports.Column("备注", "text", 30),
    exports.Column("最近服务", "datetime", 18),  # a header without 北京时间: the sheet adds it
]
FIXED_ROWS = [
    [1, "=1+1", "02088886666", dt.date(2026, 3, 1), dt.datetime(2026, 3, 1, 1, 30, tzinfo=dt.UTC),
     decimal.Decimal("2.50"), "+86 联系", None],
    [2, "王建国", "13800138001", dt.date(2026, 3, 2), dt.datetime(2026, 3, 2, 16, 0, tzinfo=dt.UTC),
     decimal.Decimal("0"), "@SUM(A1)", dt.datetime(2026, 3, 3, 8, 0, tzinfo=dt.UTC)],
    [3, "-李四", None, None, None, None, "", None],
]  # fmt: skip


class Sheet:
    def __init__(self):
        self.allowed: dict[int, set[str]] = {}
        self.builds = 0

    def grant(self, user, node: str = "c1") -> None:
        self.allowed.setdefault(user.pk, set()).add(node)

    def revoke(self, user) -> None:
        self.allowed.pop(user.pk, None)

    def build(self, *, user, params) -> exports.Dataset:
        self.builds += 1
        node = params.get("node", "")
        if node not in self.allowed.get(getattr(user, "pk", None), set()):
            raise PermissionDenied("您无权下载该范围的数据。")
        count = params.get("rows")
        if count is not None and not count.isdigit():
            raise ValidationFailed("行数应为整数。", field="rows")

        def rows():
            if count is None:
                yield from FIXED_ROWS
                return
            for i in range(int(count)):
                yield [i, f"党员{i}", f"138{i:08d}", dt.date(2026, 1, 1), None, decimal.Decimal(i % 7), "", None]

        return exports.Dataset(
            key=KEY,
            title="测试名单",
            scope_label=f"{node}社区",
            period_label="2026-01-01 至 2026-03-31",
            columns=COLUMNS,
            rows=rows,
            filters={"node": node},
            count=lambda: len(FIXED_ROWS) if count is None else int(count),
        )


@pytest.fixture
def sheet():
    registry = Sheet()
    exports.register(KEY, registry.build)
    yield registry
    exports._builders.pop(KEY, None)


@pytest.fixture
def exports_dir(settings, tmp_path):
    folder = tmp_path / "exports"
    settings.STORAGES = {
        **settings.STORAGES,
        "exports": {"BACKEND": "django.core.files.storage.FileSystemStorage", "OPTIONS": {"location": folder}},
    }
    settings.EXPORTS_X_ACCEL_REDIRECT = False
    return folder


def workbook_of(content: bytes):
    return openpyxl.load_workbook(io.BytesIO(content))


def body_of(response) -> bytes:
    return b"".join(response.streaming_content) if response.streaming else response.content
