"""The import benchmark runs end to end on a small roster and leaves the database as it was."""

import io

import pytest
from django.core.management import call_command

from accounts.models import User
from core.bench import results
from core.models import AuditEntry
from grids.models import ImportRun, Member

pytestmark = pytest.mark.django_db


def test_bench_imports_times_both_files_and_rolls_everything_back():
    before = (User.objects.count(), Member.objects.count(), AuditEntry.objects.count(), ImportRun.objects.count())
    out = io.StringIO()
    with results.collecting() as rows:
        call_command("bench_imports", rows=30, stdout=out)
    text = out.getvalue()
    assert "最后一行有错" in text and "有错误，未导入" in text
    assert "全部正确" in text and "'members_created': 30" in text
    assert [r.verdict for r in rows[:2]] == ["达标", "达标"]
    after = (User.objects.count(), Member.objects.count(), AuditEntry.objects.count(), ImportRun.objects.count())
    assert after == before
