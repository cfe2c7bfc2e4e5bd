"""Writing the cockpit's precomputed figures."""

from __future__ import annotations

from datetime import date

from django.db import transaction
from django.utils import timezone

from core.errors import ValidationFailed
from rankings.cockpit.figures import collect
from rankings.cockpit.rollup import Rollup
from rankings.models import CockpitFigures
from reporting.services.quota import quota_minutes_fill


def cockpit_rebuild(*, day: date) -> int:
    """Compute the figures of the city, every district and every street for ``day``; return the row count.

    Upserts on (scope, day), so running it twice for one day leaves the same rows (with the
    later ``built_at``). Reads and writes share one transaction: a rebuild that fails midway
    leaves the rows of the previous run as they were, and readers see either all of the new
    rows or none of them.
    """
    if day > timezone.localdate():
        raise ValidationFailed("不能生成未来日期的驾驶舱数据。", code="future_date", field="day")
    # The hours toward the quota are summed from the stored quota minutes: fill those of rows
    # written in bulk (the generator, imports) first, as the stars' recompute does.
    quota_minutes_fill(year=day.year)
    with transaction.atomic():
        built = Rollup(collect(day)).every_scope()
        now = timezone.now()
        rows = [CockpitFigures(day=day, scope=scope, data=data, built_at=now) for scope, data in built.items()]
        CockpitFigures.objects.bulk_create(
            rows,
            batch_size=200,
            update_conflicts=True,
            unique_fields=["scope", "day"],
            update_fields=["data", "built_at"],
        )
    return len(rows)
