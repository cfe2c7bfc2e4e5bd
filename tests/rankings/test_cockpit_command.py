"""manage.py bench_cockpit prints the cockpit's figures on a generated city."""

from io import StringIO

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from rankings.models import CockpitFigures
from tests.rankings.cockpit_support import (
    yesterday,
)

pytestmark = [pytest.mark.slow, pytest.mark.django_db, pytest.mark.usefixtures("generated_city")]


def test_bench_cockpit_rebuilds_and_times_the_pages():
    out = StringIO()
    call_command("bench_cockpit", "--rounds", "1", stdout=out)
    text = out.getvalue()
    assert "全市重算" in text and "ms" in text
    assert CockpitFigures.objects.filter(day=yesterday(), scope="city").exists()


def test_bench_cockpit_refuses_a_malformed_day():
    with pytest.raises(CommandError, match="YYYY-MM-DD"):
        call_command("bench_cockpit", "--day", "11/25", stdout=StringIO())
