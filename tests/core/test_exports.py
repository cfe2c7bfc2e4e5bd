"""The download helpers every app's exports use."""

import datetime as dt

import pytest

from accounts.models import User
from core.exports import BOM, beijing, csv_lines, csv_response, keyset, safe_cell


@pytest.mark.parametrize("text", ["=1+1", "+86 138", "-2", "@SUM(A1)", "\t=cmd", "\r=cmd"])
def test_a_cell_that_would_start_a_formula_is_quoted(text):
    assert safe_cell(text) == "'" + text


@pytest.mark.parametrize("value", ["王建国", "13800138001", "", 12, None, 1.5])
def test_other_cells_stay_as_they_are(value):
    assert safe_cell(value) == value


def test_beijing_time_is_naive_and_eight_hours_ahead_of_utc():
    assert beijing(dt.datetime(2026, 1, 1, 16, 30, tzinfo=dt.UTC)) == dt.datetime(2026, 1, 2, 0, 30)
    assert beijing(None) is None


def test_csv_starts_with_a_bom_and_escapes_formulas_and_writes_beijing_time():
    at = dt.datetime(2026, 3, 1, 1, 0, tzinfo=dt.UTC)
    text = "".join(csv_lines(["姓名", "时间（北京时间）"], [["=HYPERLINK()", at], [None, None]]))
    assert text.startswith(BOM + "姓名,时间（北京时间）\r\n")
    assert "'=HYPERLINK(),2026-03-01 09:00:00\r\n" in text
    assert text.endswith(",\r\n")


@pytest.mark.django_db
def test_csv_response_streams_with_a_chinese_file_name():
    response = csv_response("党员名单.csv", ["a"], iter([[1], [2]]))
    assert response.streaming
    assert "filename*=UTF-8''%E5%85%9A%E5%91%98" in response["Content-Disposition"]
    assert b"".join(response.streaming_content).decode() == BOM + "a\r\n1\r\n2\r\n"


@pytest.mark.django_db
def test_keyset_reads_every_row_in_pages_by_id(django_assert_num_queries):
    users = [User.objects.create_user(phone=f"1390000{i:04d}", name=f"用户{i}") for i in range(5)]
    with django_assert_num_queries(3):  # 2 + 2 + 1 rows; the short page is the last
        ids = [u.pk for u in keyset(User.objects.order_by("-pk"), size=2)]
    assert ids == sorted(u.pk for u in users)
