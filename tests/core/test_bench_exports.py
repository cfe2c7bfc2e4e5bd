"""The XLSX benchmark: a build in a child process of its own, its figures in bench_all's table."""

import io

import pytest
from django.core.management import call_command

from core.bench import results
from core.downloads.bench import build_once, synthetic_dataset, synthetic_rows
from tests.accounts.factories import UserFactory
from tests.core.exports_support import KEY


def test_the_synthetic_sheet_has_fifteen_columns_of_every_kind():
    dataset = synthetic_dataset(3)
    rows = list(dataset.rows())
    assert len(rows) == 3 and all(len(r) == len(dataset.columns) == 15 for r in rows)
    assert {c.kind for c in dataset.columns} == {"int", "text", "phone", "date", "datetime", "decimal"}
    assert list(synthetic_rows(5)) == list(synthetic_rows(5))  # the same on every run


def test_the_command_measures_the_synthetic_sheet_in_a_child_process():
    out = io.StringIO()
    with results.collecting() as rows:
        call_command("bench_exports", "-", synthetic=300, stdout=out)
    (row,) = rows
    assert row.benchmark == "XLSX 下载" and row.item == "合成党员名单（300 行）"
    assert "300 行 × 15 列" in row.figures and "峰值内存" in row.figures
    # The verdict is the machine's: a loaded machine may miss the target even for 300 rows.
    assert row.target == "< 15 秒，< 300 MB" and row.verdict in ("达标", "未达标")
    assert "合成党员名单（300 行）：" in out.getvalue()


@pytest.mark.django_db
def test_a_registered_dataset_is_built_as_the_user_and_nothing_is_written(sheet):
    officer = UserFactory(phone="13900000001")
    sheet.grant(officer, "c1")
    figures = build_once(key=KEY, params={"node": "c1"}, phone="13900000001")
    assert figures["rows"] == 3 and figures["columns"] == 8 and figures["peak_mb"] >= figures["base_mb"]
    assert build_once(key=KEY, params={"node": "c9"}, phone="13900000001") == {
        "error": "数据集 testsheet 拒绝了参数：您无权下载该范围的数据。"
    }
    assert "未登记" in build_once(key="nosuch", params={}, phone="13900000001")["error"]
    assert build_once(key=KEY, params={}, phone="13900000099") == {"error": "没有手机号为 13900000099 的用户。"}
